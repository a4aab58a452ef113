"""A working view of cluster membership for sequential passes (partnering, placement).

Schools join or found clusters one after another, each seeing the earlier moves; such a
loop spends most of its time reading numpy scalars. The view keeps the touched schools'
clusters and the touched clusters' sizes in dicts, records the moves, and ``commit``
writes them to the arrays (and creates the new clusters' agents) in one pass, with the
same ids and the same result as moving one school at a time.
"""

from __future__ import annotations

import numpy as np


class Membership:
    def __init__(self, m, schools: np.ndarray | None, founded: str):
        """``schools``: those the pass will look up (read in one go); others are read from
        the arrays when first asked (``None``: all of them)."""
        self.m, self.founded = m, founded
        self.max_size = m.p.cluster_max_size
        self.cluster = _Clusters(m.s.cluster)
        if schools is not None:
            self.cluster.update(zip(schools.tolist(), m.s.cluster[schools].tolist(), strict=True))
        self.size: dict[int, int] = {}
        self.new: list[list[int]] = []
        self.joins: list[tuple[int, int]] = []

    def cluster_of(self, school: int) -> int:
        return self.cluster[school]

    def has_room(self, cid: int) -> bool:
        if cid not in self.size:
            self.size[cid] = int(self.m.c.size[cid])
        return self.size[cid] < self.max_size

    def join(self, school: int, cid: int) -> None:
        self.cluster[school] = cid
        self.size[cid] += 1
        self.joins.append((school, cid))

    def found(self, members: list[int]) -> None:
        cid = self.m.c.count + len(self.new)  # the id found_clusters will give it
        self.new.append(members)
        self.size[cid] = len(members)
        for k in members:
            self.cluster[k] = cid

    def commit(self) -> None:
        m, s = self.m, self.m.s
        m.found_clusters([np.array(g) for g in self.new], founded=self.founded)
        if self.joins:
            who, cid = np.array(self.joins).T
            s.cluster[who] = cid
            s.clusters_joined[who] += 1
            np.add.at(m.c.size, cid, 1)
            m.membership_version += 1


class _Clusters(dict):
    """School -> cluster id as the pass has left it; a school not yet looked up is read
    from the model's array."""

    def __init__(self, base: np.ndarray):
        super().__init__()
        self.base = base

    def __missing__(self, school: int) -> int:
        cid = self[school] = int(self.base[school])
        return cid
