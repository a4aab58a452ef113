"""The clusters room: who is in which cluster, and every query and move on membership.

`ClusterService` is mixed into `ClusterModel` (the model *is* the world's membership
service; policies, mechanisms and agents call ``m.place_schools``, ``m.clustered`` ...).
A cluster is a row of the cluster arrays (`ClusterState`), not a Mesa agent: founding
or dissolving clusters registers or removes no objects. The service covers
founding and dissolving clusters, broker placement and its neighbour scan, bartering
partners, and the cached per-cluster views (members by cluster, strongest members).
Caches have one mechanism, `Cached`: a value recomputed when its key (the membership
version, the year, the term) changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from clustersim.model.groups import argmax_slabs, split_at
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.mechanisms import bank
from clustersim.model.membership import Membership
from clustersim.model.region import nearest
from clustersim.model.state import FOUNDED

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("cluster", "clusters_joined")

# the cluster-state arrays this module owns
CLUSTER_STATE = ("alive", "founded", "born", "size")


class Cached:
    """One value, recomputed by ``make`` whenever the key it was made for changes."""

    def __init__(self) -> None:
        self.key: Any = object()  # matches no key
        self.value: Any = None

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        if key != self.key:
            self.value, self.key = make(), key
        return self.value


class ClusterService:
    """Membership of clusters, mixed into the model (which provides ``s``, ``c``, ``p``,
    ``term`` and ``nbr``)."""

    membership_version: int

    def init_clusters(self) -> None:
        self.membership_version = 0  # bumped whenever a school joins or leaves a cluster
        self._slots, self._clustered, self._barter = Cached(), Cached(), Cached()
        self.best = Cached()  # strongest member per cluster and domain, per term
        self._school_clusters = None  # a Membership view's list, between views
        self._nearest_k = Cached()  # the first k neighbours, one contiguous row each

    def school_clusters(self) -> tuple[list[int], np.ndarray]:
        """Each school's cluster as a list, for a `Membership` view to move schools in,
        and a copy of ``s.cluster`` it mirrors (the view moves both). The list the last
        view handed back (`keep_school_clusters`) is brought up to date where the array
        differs from its mirror, and is then the caller's alone (a second view open at
        once gets a fresh list)."""
        cluster, kept = self.s.cluster, self._school_clusters
        self._school_clusters = None
        if kept is None or kept[1].shape != cluster.shape:
            return cluster.tolist(), cluster.copy()
        values, mirror = kept
        changed = (cluster != mirror).nonzero()[0]
        for k, cid in zip(changed.tolist(), cluster[changed].tolist(), strict=True):
            values[k] = cid
        mirror[changed] = cluster[changed]
        return values, mirror

    def keep_school_clusters(self, values: list[int], mirror: np.ndarray) -> None:
        """A view's list and its mirror, handed back for the next view."""
        self._school_clusters = (values, mirror)

    def found_clusters(self, groups: list[np.ndarray], founded: str) -> None:
        """Create one cluster per group of currently unclustered schools, in one pass."""
        if groups:
            self.found_groups(np.concatenate(groups), np.array([len(g) for g in groups]),
                              founded)

    def found_groups(self, members: np.ndarray, sizes: np.ndarray, founded: str) -> int:
        """`found_clusters` with the groups given one after another in ``members``, of
        ``sizes`` schools each (no array per group); returns the first new cluster's id."""
        first = self.c.add(self.p.cohesion_initial, FOUNDED.index(founded), self.term,
                           count=len(sizes))
        self.s.cluster[members] = np.repeat(np.arange(first, first + len(sizes)), sizes)
        self.s.clusters_joined[members] += 1
        self.c.size[first: first + len(sizes)] = sizes
        self.membership_version += 1
        return first

    def dissolve_clusters(self, cids: np.ndarray) -> None:
        """Dissolve several clusters (M4: the marriage has failed): members released and
        the clusters' rows closed in one pass (ids are never reused)."""
        if len(cids) == 0:
            return
        broken = np.zeros(self.c.count, bool)
        broken[cids] = True
        clustered = self.s.cluster >= 0
        leaving = np.flatnonzero(clustered & broken[np.maximum(self.s.cluster, 0)])
        bank.release_fund(self, cids, leaving)
        self.s.cluster[leaving] = -1
        self.membership_version += 1
        self.c.alive[cids] = False
        self.c.size[cids] = 0
        self.dissolved_this_term += len(cids)

    def place_schools(self, schools: list[int] | np.ndarray, view: Membership | None = None,
                      neighbours: list[list[int]] | None = None) -> list[int]:
        """Broker placement, in order: each school joins the cluster of its nearest
        neighbour that has room, else founds a cluster with its nearest unclustered
        neighbours; a school placed earlier as someone's neighbour is skipped. Returns
        the schools left unplaced.

        The sequence runs on a `Membership` view and is written back in one pass. Given
        a ``view`` (and the schools' ``neighbours`` from `neighbour_scan`), it runs on
        that view and leaves the writing to its owner: several brokers' passes in a row,
        see `Superintendent.place_waiting`.
        """
        p = self.p
        if len(schools) == 0:
            return []
        if neighbours is None:
            idx = np.asarray(schools, np.int64)
            neighbours, schools = self.neighbour_scan(idx), idx.tolist()
        own = view is None
        if own:
            view = Membership(self, "brokered")
        group_cap, min_size = min(p.la_cluster_size, p.cluster_max_size) - 1, p.cluster_min_size
        # the view's lists: as view.cluster_of(i) and view.has_room(c), minus the calls
        cluster_of, size, max_size = view.cluster, view.size, view.max_size
        left: list[int] = []
        for i, near in zip(schools, neighbours, strict=True):
            if cluster_of[i] >= 0:
                continue
            free = []
            for j in near:  # nearest first
                cj = cluster_of[j]
                if cj < 0:
                    free.append(j)
                elif size[cj] < max_size:
                    view.join(i, cj)
                    break
            else:
                group = [i, *free[:group_cap]]
                if len(group) >= min_size:
                    view.found(group)
                else:
                    left.append(i)
        # a school left over may have been swept into a later school's new cluster
        left = [i for i in left if cluster_of[i] < 0]
        if own:
            view.commit()
        return left

    def nearest_neighbours(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Every school's ``k`` nearest neighbours and their distances, nearest first, one
        contiguous row each: made once a run (a row ``take`` of these is ~10x faster than
        of all the precomputed neighbours, cut to k after)."""
        return self._nearest_k.get(k, lambda: (np.ascontiguousarray(self.nbr[:, :k]),
                                                np.ascontiguousarray(self.nbr_d[:, :k])))

    def neighbour_scan(self, schools: np.ndarray) -> list[list[int]]:
        """Each school's neighbours worth trying in a placement pass, nearest first.

        Placement only adds members, so a neighbour whose cluster is full now stays
        unusable for the whole pass: the scan leaves it out (most neighbours, once
        clusters have filled up). The arrays may lag a pass's view, never lead it.
        """
        near = self.nbr.take(schools, axis=0)
        cl = self.s.cluster[near]
        useful = cl < 0
        if self.c.count:
            useful |= self.c.size[np.maximum(cl, 0)] < self.p.cluster_max_size
        keep = np.flatnonzero(useful)           # row by row: each school's, nearest first
        scan = near.ravel()[keep].tolist()
        # where each school's neighbours end (no short-axis sum: slow in numpy)
        ends = np.searchsorted(keep, np.arange(1, len(schools) + 1) * near.shape[1]).tolist()
        return split_at(scan, ends)

    def barter_partner(self) -> np.ndarray:
        """Each cluster's nearest other live cluster (by centroid), recomputed each year;
        a cluster founded since then barters with no one until the next year."""
        partner = self._barter.get(self.term // TERMS_PER_YEAR, self._nearest_centres)
        if len(partner) < self.c.count:
            partner = np.concatenate([partner, np.arange(len(partner), self.c.count)])
        return np.where(self.c.alive[partner], partner, np.arange(self.c.count))

    def _nearest_centres(self) -> np.ndarray:
        partner = np.arange(self.c.count)
        live = self.c.active()
        if len(live) > 1:
            cx, cy = self.cluster_means(self.s.x), self.cluster_means(self.s.y)
            pts = np.column_stack([cx[live], cy[live]])
            _, ii = nearest(pts, pts, k=2)
            partner[live] = live[ii[:, 1]]
        return partner

    def cluster_slots(self) -> tuple[np.ndarray, np.ndarray]:
        """The ids of clusters with members and, one row each, their members' indices
        padded with ``n`` (a sentinel); cached until membership changes."""
        return self._slots.get(self.membership_version, self._make_slots)

    def _make_slots(self) -> tuple[np.ndarray, np.ndarray]:
        cluster = self.s.cluster
        members = (cluster >= 0).nonzero()[0]
        key = cluster[members]
        counts = np.bincount(key, minlength=self.c.count)  # (the order does not matter)
        if self.c.count < 2**15:  # 16-bit keys sort in linear time
            key = key.astype(np.int16)
        members = members[np.argsort(key, kind="stable")]
        ids = counts.nonzero()[0]
        counts = counts[ids]
        width = counts.max(initial=0)
        slots = np.full((len(ids), width), self.s.n, np.int64)
        if width == 0:  # no cluster has members (arange's step below would be 0)
            return ids, slots
        # each member's cell in the flattened table (one flat write, not a 2-D one): its
        # place in the sorted list, moved from its cluster's first place to its row's start
        shift = np.arange(0, len(ids) * width, width) - (counts.cumsum() - counts)
        slots.ravel()[np.arange(len(members)) + shift.repeat(counts)] = members
        return ids, slots

    def clustered(self) -> tuple[np.ndarray, np.ndarray]:
        """The schools in a cluster (ascending) and their clusters' ids, read-only; cached
        until membership changes (several mechanisms ask each term)."""
        return self._clustered.get(self.membership_version, self._make_clustered)

    def _make_clustered(self) -> tuple[np.ndarray, np.ndarray]:
        members = np.flatnonzero(self.s.cluster >= 0)
        cids = self.s.cluster[members]
        members.flags.writeable = cids.flags.writeable = False
        return members, cids

    def cluster_means(self, values: np.ndarray) -> np.ndarray:
        """Mean of a per-school array over each cluster's members (0 for empty slots)."""
        members, cids = self.clustered()
        n = max(1, self.c.count)  # never empty, so callers may index slot 0 safely
        tot = np.bincount(cids, values[members], minlength=n)
        return tot / np.maximum(1, self.c.size[:n])

    def cluster_best(self) -> tuple[np.ndarray, np.ndarray]:
        """Per cluster and domain: the highest member expertise and the member holding it.

        Assessed once a term, when first asked (the start of the CPD phase): the term's
        peer CPD, crisis support, common services and federations draw on the same
        strongest members. Cached until the term or the membership changes.
        """
        return self.best.get((self.term, self.membership_version), self._strongest_members)

    def _strongest_members(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.s
        ids, slots = self.cluster_slots()
        best = np.full((self.c.count, s.expertise.shape[1]), -np.inf)
        donor = np.full(best.shape, -1, np.int64)
        if len(ids) == 0:
            return best, donor
        domains = s.expertise.shape[1]
        padded = np.empty((s.n + 1, domains))
        padded[: s.n], padded[s.n] = s.expertise, -np.inf   # the sentinel row never wins
        # (width, clusters, domains), one slab per member slot: ``take`` copies whole
        # rows, several times faster than fancy indexing for row gathers
        values = padded.take(slots.T, axis=0)
        at = argmax_slabs(values)  # (clusters, domains): the strongest member's slot
        # flat gathers: several times faster than fancy indexing with two index arrays
        donor[ids] = slots.ravel()[at + (np.arange(len(ids)) * slots.shape[1])[:, None]]
        best[ids] = values.ravel()[(at * len(ids) + np.arange(len(ids))[:, None]) * domains
                                   + np.arange(domains)]
        return best, donor
