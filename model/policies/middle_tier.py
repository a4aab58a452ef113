"""Middle-tier policies as pluggable objects with a lifecycle (DESIGN 3, STYLE 4).

A scenario is a *set* of policy components: each component's ``setup`` runs once after
the region is built, its brokers act in phase 2 of every term, and ``on_poor_grade``
receives the schools an inspection has just graded RI or inadequate. No agent code
branches on a policy's name.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from agents.broker import Broker
from model.errors import UserError
from model.region import LA_MAINTAINED


class Policy:
    """Base class: a policy component. Subclasses set ``name``, ``description``, ``group``."""

    name: ClassVar[str]
    description: ClassVar[str]
    group: ClassVar[str | None] = None  # parameter group in model.params, if any

    def __init__(self, model):
        self.model = model
        self.brokers: list[Broker] = []

    def setup(self) -> None:
        """Once, after the region is built and before the first term."""

    def act(self) -> None:
        """Each term, after the brokers acted: policy-wide bookkeeping (running costs)."""

    def act_broker(self, broker: Broker) -> None:
        """Each term, for each of this policy's brokers (called in a random broker order)."""

    def on_poor_grade(self, schools: np.ndarray) -> None:
        """Schools just graded requires improvement or inadequate."""

    @classmethod
    def param_names(cls) -> list[str]:
        from model.params import PARAMS

        return [p.name for p in PARAMS if cls.group and p.group == cls.group]

    def charge(self, schools: np.ndarray, pounds_per_school: float) -> None:
        """Record running costs spent on behalf of ``schools``."""
        self.model.s.cost_total[schools] += pounds_per_school

    def brokers_per_la(self, kind: str, members_of=None) -> None:
        """One broker per local authority, over all its schools or a chosen subset."""
        m = self.model
        for la in range(len(m.s.region.la_centre)):
            juris = np.flatnonzero(m.s.la == la)
            if members_of is not None:
                juris = juris[members_of[juris]]
            if len(juris):
                self.brokers.append(Broker(m, kind, juris, self))


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
        self.charge(np.flatnonzero(self.member), p.la_cost_per_school / 3.0 * ratio)


class Superintendent(Policy):
    name = "superintendent"
    group = "policy: superintendent"
    description = ("A broker with a board's authority puts every school in a cluster, the "
                   "isolated and weakest first, monitors, and funds urgent responses.")

    def setup(self) -> None:
        s = self.model.s
        self.brokers_per_la("superintendent")
        s.monitored[:] = True
        self.urgent_until = np.zeros(s.n, np.int32)

    def act_broker(self, broker: Broker) -> None:
        m, p = self.model, self.model.p
        limit = int(np.ceil(p.super_broker_capacity * len(broker.jurisdiction)))
        broker.place_isolated(limit)
        juris = broker.jurisdiction
        broker.fund(juris[self.urgent_until[juris] > m.term], p.super_urgent_hours)

    def on_poor_grade(self, schools: np.ndarray) -> None:
        self.urgent_until[schools] = self.model.term + self.model.p.super_urgent_terms

    def act(self) -> None:
        self.charge(np.arange(self.model.s.n), self.model.p.super_cost_per_school / 3.0)


POLICIES: dict[str, type[Policy]] = {
    cls.name: cls for cls in (SelfImproving, LocalAuthority, Superintendent)
}


def parse_policies(value) -> list[str]:
    """Accept a list of names or a string "a+b"; validate every name."""
    if isinstance(value, str):
        names = [v.strip() for v in value.split("+")]
    elif isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value]
    else:
        raise UserError(f"policies must be a list of names or 'a+b'; got {value!r}")
    if not names or any(n not in POLICIES for n in names):
        bad = [n for n in names if n not in POLICIES] or ["(empty)"]
        raise UserError(f"unknown policy {bad[0]!r}; allowed: {', '.join(POLICIES)} "
                        f"(combine with '+')")
    if len(set(names)) != len(names):
        raise UserError(f"policy listed twice in {'+'.join(names)!r}")
    return names
