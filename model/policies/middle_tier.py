"""The three core middle tiers: none, the local authority, a superintendent (DESIGN 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.membership import Membership
from model.policies.base import Policy
from model.region import LA_MAINTAINED

if TYPE_CHECKING:
    from agents.broker import Broker


class SelfImproving(Policy):
    name = "self_improving"
    tier = "middle_tier"
    description = ("No middle tier: voluntary partnering only, support bought on the market "
                   "('free for all').")

    # Nothing to add: voluntary partnering (M3) and market CPD run under every policy.


class LocalAuthority(Policy):
    name = "local_authority"
    tier = "middle_tier"
    group = "policy: local_authority"
    description = ("Each LA groups its schools into geographic clusters and funds some CPD; "
                   "its capacity shrinks each year; academies may opt out.")

    def setup(self) -> None:
        m, p = self.model, self.model.p
        s = m.s
        u = m.streams["policy"].random(s.n)
        self.member = (s.region.governance == LA_MAINTAINED) | (u >= p.la_academy_optout)
        self.brokers_per_la("local_authority", self.member)
        self.size_by_la = np.bincount(s.la[self.member], minlength=s.la.max() + 1)
        s.monitored |= self.member
        m.found_clusters([g for b in self.brokers for g in b.plan_groups(
            b.jurisdiction[s.cluster[b.jurisdiction] < 0], p.la_cluster_size)], "brokered")

    def capacity(self) -> float:
        """Fraction of its schools the LA can support this term (declines yearly)."""
        p = self.model.p
        return p.la_capacity_share * (1.0 - p.la_capacity_decline) ** (self.model.term / 3.0)

    def act_broker(self, broker: Broker) -> None:
        """Once a year the LA regroups its unclustered schools (up to its capacity)."""
        m, p = self.model, self.model.p
        if m.term % 3 == 0:
            juris = broker.jurisdiction
            alone = juris[m.s.cluster[juris] < 0][: round(self.capacity() * len(juris))]
            broker.group_schools(alone, p.la_cluster_size)

    def act(self) -> None:
        """Every LA funds CPD for as many of its schools with a need as its capacity
        allows, those with the worst grade and then the largest need first (one
        vectorised pass over all LAs), and is paid its running costs."""
        m, p, s = self.model, self.model.p, self.model.s
        needy = np.flatnonzero(self.member & (s.focus >= 0))
        # by LA, then worst grade, then largest need: two stable sorts, the second on a
        # small integer key (linear time) instead of a three-key lexsort
        needy = needy[np.argsort(-s.need[needy], kind="stable")]
        key = s.la[needy] * 4 + (3 - s.grade[needy])
        needy = needy[np.argsort(key.astype(np.int16 if key.max(initial=0) < 2**15
                                            else np.int64), kind="stable")]
        la = s.la[needy]
        first = np.searchsorted(la, la)  # where each LA's run starts (sorted by LA)
        limit = np.round(self.capacity() * self.size_by_la)  # schools it can support, by LA
        served = np.arange(len(needy)) - first < limit[la]
        m.fund_cpd("local_authority", needy[served], p.la_support_hours)
        ratio = self.capacity() / max(p.la_capacity_share, 1e-9)
        self.charge(np.flatnonzero(self.member), p.la_cost_per_school / 3.0 * ratio,
                    "LA school improvement")


class Superintendent(Policy):
    name = "superintendent"
    tier = "middle_tier"
    group = "policy: superintendent"
    description = ("A broker with a board's authority puts every school in a cluster, the "
                   "isolated and weakest first, monitors, and funds urgent responses.")

    def setup(self) -> None:
        s = self.model.s
        self.brokers_per_la("superintendent")
        s.monitored[:] = True
        self.model.negotiated = True  # M7: it negotiates commissioning for every cluster
        self.urgent_until = np.zeros(s.n, np.int32)
        self.turns: list[Broker] = []  # this term's offices, in the order they acted

    def act_broker(self, broker: Broker) -> None:
        """The office takes its turn; the placements are made for all offices together,
        in turn order, once every broker has acted (`place_waiting`)."""
        self.turns.append(broker)

    def brokers_acted(self) -> None:
        self.place_waiting()

    def place_waiting(self) -> None:
        """Each office, in turn order, puts up to its capacity of its LA's unclustered
        schools in clusters, rural and then weakest first.

        Each school joins the nearest cluster with room among its neighbours, or founds
        one with its nearest unclustered neighbours; schools left over (their
        neighbourhood is full) are grouped with each other, nearest together, and a school
        still alone is tried again a year later. Refusal (M3) does not apply: the broker
        has a board's authority (seed 000). The offices' passes run one after another on
        one membership view (each sees the earlier ones' moves), written back once.
        """
        turns, self.turns = self.turns, []
        m, p, s = self.model, self.model.p, self.model.s
        waiting = np.flatnonzero((s.cluster < 0) & (m.retry_placement <= m.term))
        if not turns or len(waiting) == 0:
            return
        # every waiting school in placement order: by LA, then rural first, then weakest
        order = waiting[np.lexsort((s.effectiveness_of(waiting), ~s.region.rural[waiting],
                                    s.la[waiting]))]
        la = s.la[order]
        bounds = np.searchsorted(la, np.arange(s.la.max() + 2))
        limit = np.zeros(len(bounds), np.int64)  # schools each office may place, by LA
        for broker in turns:
            limit[broker.la] = np.ceil(p.super_broker_capacity * len(broker.jurisdiction))
        # the neighbours to try, worked out at once for each office's first `limit`
        # schools (valid for the whole pass); a school further down the list is needed
        # only if an earlier office placed some of these, and is worked out then
        first = np.flatnonzero(np.arange(len(order)) - bounds[la] < limit[la])
        near = dict(zip(first.tolist(), m.neighbour_scan(order[first]), strict=True))
        bounds, limit, schools = bounds.tolist(), limit.tolist(), order.tolist()
        view = Membership(m, None, "brokered")
        cluster_of = view.cluster  # the view's dict: as view.cluster_of(i), minus a call
        retry: list[int] = []
        for broker in turns:
            todo, todo_near = [], []
            most = limit[broker.la]
            for k in range(bounds[broker.la], bounds[broker.la + 1]):
                if len(todo) >= most:
                    break
                i = schools[k]
                if cluster_of[i] < 0:  # not placed by an earlier office
                    todo.append(i)
                    todo_near.append(near[k] if k in near else m.neighbour_scan(order[k:k + 1])[0])
            if not todo:
                continue
            left = m.place_schools(todo, view, todo_near)
            if len(left) >= p.cluster_min_size:
                for group in broker.plan_groups(np.array(left, np.int64), p.la_cluster_size):
                    view.found(group.tolist())
            retry += [i for i in left if cluster_of[i] < 0]
        view.commit()
        m.retry_placement[retry] = m.term + 3

    def on_poor_grade(self, schools: np.ndarray) -> None:
        self.urgent_until[schools] = self.model.term + self.model.p.super_urgent_terms

    def act(self) -> None:
        """Fund urgent support for every school its monitoring flags (a poor grade, or
        results below the floor), hold clusters together, and pay the office's costs."""
        m, c = self.model, self.model.c
        urgent = (self.urgent_until > m.term) | m.below_floor_now
        m.fund_cpd("superintendent", np.flatnonzero(urgent), m.p.super_urgent_hours)
        live = c.active()
        c.cohesion[live] = np.minimum(1.0, c.cohesion[live] + m.p.super_cohesion_support)
        self.charge(np.arange(m.s.n), m.p.super_cost_per_school / 3.0,
                    "superintendent's office")
