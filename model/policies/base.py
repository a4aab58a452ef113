"""Middle-tier policies as pluggable objects with a lifecycle (docs/ODD.md section 7.4).

A scenario is a *set* of policy components: each component's ``setup`` runs once after
the region is built, its brokers act in phase 2 of every term, and ``on_poor_grade``
receives the schools an inspection has just graded RI or inadequate. No agent code
branches on a policy's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from clustersim.model.groups import cumsum_within, members_by

if TYPE_CHECKING:  # policies import no mesa until a model is built (fast spec validation)
    from clustersim.agents.broker import Broker
    from clustersim.model.model import ClusterModel


class Policy:
    """Base class: a policy component. Subclasses set ``name``, ``description``, ``group``."""

    name: ClassVar[str]
    description: ClassVar[str]
    group: ClassVar[str | None] = None  # parameter group in model.params, if any
    # "middle_tier": one of these per scenario (none, the LA or a superintendent);
    # "add_on": combines with any middle tier and with other add-ons.
    tier: ClassVar[str] = "add_on"
    # The policy's components, each a declared switch parameter (default on) and what it
    # does: `clustersim explain` switches them off one by one under the same seeds.
    components: ClassVar[dict[str, str]] = {}
    # The parameter holding the policy's public budget in £ per school per year, if any.
    budget: ClassVar[str | None] = None

    def __init__(self, model: ClusterModel):
        self.model: ClusterModel = model
        self.brokers: list[Broker] = []

    def on(self, component: str) -> bool:
        """Is this component of the policy switched on?"""
        return bool(getattr(self.model.p, component))

    def setup(self) -> None:
        """Once, after the region is built and before the first term."""

    def act(self) -> None:
        """Each term, after the brokers acted: policy-wide bookkeeping (running costs)."""

    def act_broker(self, broker: Broker) -> None:
        """Each term, for each of this policy's brokers (called in a random broker order)."""

    def brokers_acted(self) -> None:
        """Each term, once every broker has acted and before any policy's ``act``."""

    def on_poor_grade(self, schools: np.ndarray) -> None:
        """Schools just graded requires improvement or inadequate."""

    @classmethod
    def param_names(cls) -> list[str]:
        from clustersim.model.params import PARAMS

        return [p.name for p in PARAMS if cls.group and p.group == cls.group]

    def fund_within(self, kind: str, ordered: np.ndarray, hours: float, money,
                    groups: np.ndarray | None = None) -> float:
        """Fund ``hours`` of sustained CPD per teacher for schools in ``ordered``
        (priority order) while ``money`` (£ this term) lasts: hours of support follow from
        budget / price (issue: money is an input). With ``groups`` (sorted group labels of
        ``ordered``, e.g. LAs), ``money`` is an array of each group's money. Returns £."""
        m = self.model
        cost = hours * m.s.teachers[ordered] * m.p.cpd_price_per_hour
        if groups is None:
            served = np.cumsum(cost) <= money
        else:
            served = cumsum_within(groups, cost) <= np.asarray(money)[groups]
        return m.fund_cpd(kind, ordered[served], hours)

    def charge(self, schools: np.ndarray, pounds_per_school: float, purpose: str) -> None:
        """Record running costs (government to broker) spent on behalf of ``schools``."""
        m = self.model
        m.ledger.pay(m, purpose, "government", "broker",
                     np.full(len(schools), pounds_per_school), for_school=schools)

    def brokers_per_la(self, kind: str, members_of=None) -> None:
        """One broker per local authority, over all its schools or a chosen subset."""
        from clustersim.agents.broker import Broker

        m = self.model
        for la, juris in enumerate(members_by(m.s.la, len(m.s.region.la_centre))):
            if members_of is not None:
                juris = juris[members_of[juris]]
            if len(juris):
                self.brokers.append(Broker(m, kind, juris, self, la=la))
