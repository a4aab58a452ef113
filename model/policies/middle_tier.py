"""The three core middle tiers: none, the local authority, a superintendent (DESIGN 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.policies.base import Policy
from model.region import LA_MAINTAINED

if TYPE_CHECKING:
    from agents.broker import Broker


class SelfImproving(Policy):
    name = "self_improving"
    description = ("No middle tier: voluntary partnering only, support bought on the market "
                   "('free for all').")

    # Nothing to add: voluntary partnering (M3) and market CPD run under every policy.


class LocalAuthority(Policy):
    name = "local_authority"
    group = "policy: local_authority"
    description = ("Each LA groups its schools into geographic clusters and funds some CPD; "
                   "its capacity shrinks each year; academies may opt out.")

    def setup(self) -> None:
        m, p = self.model, self.model.p
        s = m.s
        u = m.streams["policy"].random(s.n)
        self.member = (s.region.governance == LA_MAINTAINED) | (u >= p.la_academy_optout)
        self.brokers_per_la("local_authority", self.member)
        s.monitored |= self.member
        for b in self.brokers:
            b.group_schools(b.jurisdiction[s.cluster[b.jurisdiction] < 0], p.la_cluster_size)

    def capacity(self) -> float:
        """Fraction of its schools the LA can support this term (declines yearly)."""
        p = self.model.p
        return p.la_capacity_share * (1.0 - p.la_capacity_decline) ** (self.model.term / 3.0)

    def act_broker(self, broker: Broker) -> None:
        m, p = self.model, self.model.p
        s = m.s
        limit = int(round(self.capacity() * len(broker.jurisdiction)))
        juris = broker.jurisdiction
        needy = juris[s.focus[juris] >= 0]
        priority = needy[np.lexsort((-s.need[needy], -s.grade[needy]))]
        broker.fund(priority[:limit], p.la_support_hours)
        if m.term % 3 == 0:  # once a year the LA regroups its unclustered schools
            alone = juris[s.cluster[juris] < 0][:limit]
            broker.group_schools(alone, p.la_cluster_size)

    def act(self) -> None:
        p = self.model.p
        ratio = self.capacity() / max(p.la_capacity_share, 1e-9)
        self.charge(np.flatnonzero(self.member), p.la_cost_per_school / 3.0 * ratio,
                    "LA school improvement")


class Superintendent(Policy):
    name = "superintendent"
    group = "policy: superintendent"
    description = ("A broker with a board's authority puts every school in a cluster, the "
                   "isolated and weakest first, monitors, and funds urgent responses.")

    def setup(self) -> None:
        s = self.model.s
        self.brokers_per_la("superintendent")
        s.monitored[:] = True
        self.model.negotiated = True  # M7: it negotiates commissioning for every cluster
        self.urgent_until = np.zeros(s.n, np.int32)

    def act_broker(self, broker: Broker) -> None:
        m, p = self.model, self.model.p
        limit = int(np.ceil(p.super_broker_capacity * len(broker.jurisdiction)))
        broker.place_isolated(limit)
        juris = broker.jurisdiction
        # its monitoring system sees results: schools below the floor count as urgent too
        urgent = (self.urgent_until[juris] > m.term) | m.below_floor_now[juris]
        broker.fund(juris[urgent], p.super_urgent_hours)

    def on_poor_grade(self, schools: np.ndarray) -> None:
        self.urgent_until[schools] = self.model.term + self.model.p.super_urgent_terms

    def act(self) -> None:
        m, c = self.model, self.model.c
        live = c.active()
        c.cohesion[live] = np.minimum(1.0, c.cohesion[live] + m.p.super_cohesion_support)
        self.charge(np.arange(m.s.n), m.p.super_cost_per_school / 3.0,
                    "superintendent's office")
