"""The three core middle tiers: none, the local authority, a superintendent (docs/ODD.md 7.4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.groups import stable_argsort
from clustersim.model.limits import TERMS_PER_YEAR, in_window
from clustersim.model.membership import Membership
from clustersim.model.policies.base import Policy
from clustersim.model.region import LA_MAINTAINED

if TYPE_CHECKING:
    from clustersim.agents.broker import Broker

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("monitored",)


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
    components = {
        "la_grouping": "groups its schools into geographic clusters, at setup and yearly",
        "la_monitoring": "monitors its schools' data (M15 need identification)",
        "la_funded_support": "funds sustained CPD for schools with a need from its budget",
    }
    budget = "la_budget_per_school"

    def setup(self) -> None:
        m, p = self.model, self.model.p
        s = m.s
        u = m.streams["policy"].random(s.n)
        self.member = (s.region.governance == LA_MAINTAINED) | (u >= p.la_academy_optout)
        self.brokers_per_la("local_authority", self.member)
        self.size_by_la = np.bincount(s.la[self.member], minlength=s.la.max() + 1)
        if self.on("la_monitoring"):
            s.monitored |= self.member
        if self.on("la_grouping"):
            m.found_clusters([g for b in self.brokers for g in b.plan_groups(
                b.jurisdiction[s.cluster[b.jurisdiction] < 0], p.la_cluster_size)], "brokered")

    def capacity(self) -> float:
        """The LA's capacity this term as a share of what it had at the start: its budget
        and staff shrink each year (seed 003)."""
        p = self.model.p
        return (1.0 - p.la_capacity_decline) ** (self.model.term / TERMS_PER_YEAR)

    def act_broker(self, broker: Broker) -> None:
        """Once a year the LA regroups its unclustered schools (up to its capacity)."""
        m, p = self.model, self.model.p
        if m.term % TERMS_PER_YEAR == 0 and self.on("la_grouping"):
            juris = broker.jurisdiction
            limit = round(p.la_capacity_share * self.capacity() * len(juris))
            alone = juris[m.s.cluster[juris] < 0][:limit]
            broker.group_schools(alone, p.la_cluster_size)

    def act(self) -> None:
        """Every LA spends its school-improvement budget (``la_budget_per_school`` a year
        for each school it serves, shrinking each year): its running costs first, then
        sustained CPD for its schools with a need, those with the worst grade and then
        the largest need first, while the money lasts (one vectorised pass over all LAs)."""
        p, s = self.model.p, self.model.s
        needy = np.flatnonzero(self.member & (s.focus >= 0))
        # by LA, then worst grade, then largest need: two stable sorts, the second on a
        # small integer key (linear time) instead of a three-key lexsort
        needy = needy[stable_argsort(-s.need[needy])]
        key = s.la[needy] * 4 + (3 - s.grade[needy])
        needy = needy[np.argsort(key.astype(np.int16 if key.max(initial=0) < 2**15
                                            else np.int64), kind="stable")]
        share = self.capacity() / TERMS_PER_YEAR  # of a year's budget, this term
        running = min(p.la_cost_per_school, p.la_budget_per_school) * share
        support = (p.la_budget_per_school * share - running) * self.size_by_la  # £ by LA
        if self.on("la_funded_support"):
            self.fund_within("local_authority", needy, p.la_support_hours, support,
                             groups=s.la[needy])
        self.charge(np.flatnonzero(self.member), running, "LA school improvement")


class Superintendent(Policy):
    name = "superintendent"
    tier = "middle_tier"
    group = "policy: superintendent"
    description = ("A broker with a board's authority puts every school in a cluster, the "
                   "isolated and weakest first, monitors, and funds urgent responses.")
    components = {
        "super_placement": "places every school in a cluster, isolated and weakest first",
        "super_monitoring": "monitors every school's data: flags poor grades and results "
                            "below the floor (M15 need identification)",
        "super_negotiation": "negotiates commissioning for every cluster (M7)",
        "super_funded_support": "funds sustained CPD from its budget, flagged schools first",
        "super_refereeing": "referees clusters, adding cohesion each term",
    }
    budget = "super_budget_per_school"

    def setup(self) -> None:
        s = self.model.s
        self.brokers_per_la("superintendent")
        if self.on("super_monitoring"):
            s.monitored[:] = True
        # M7: it negotiates commissioning for every cluster
        self.model.effects.negotiated = self.on("super_negotiation")
        self.urgent_until = np.full(s.n, np.iinfo(np.int32).min, np.int32)  # none yet
        p = self.model.p
        # schools each office may place a term, by LA (offices whose LA is not acting: 0)
        self.limit = np.zeros(s.la.max() + 2, np.int64)
        for broker in self.brokers:
            self.limit[broker.la] = np.ceil(p.super_broker_capacity * len(broker.jurisdiction))
        self.pass_: PlacementPass | None = None  # this term's, opened by the first office

    def act_broker(self, broker: Broker) -> None:
        """The office takes its turn: it places up to its capacity of its LA's unclustered
        schools, rural and then weakest first (`PlacementPass.place`), seeing the moves of
        the offices that acted before it this term."""
        if not self.on("super_placement"):
            return
        if self.pass_ is None:
            self.pass_ = PlacementPass(self.model, self.limit)
        self.pass_.place(broker)

    def brokers_acted(self) -> None:
        """Every office has acted: the term's placements are written back at once."""
        placed, self.pass_ = self.pass_, None
        if placed is not None:
            placed.commit()

    def on_poor_grade(self, schools: np.ndarray) -> None:
        self.urgent_until[schools] = self.model.term + self.model.p.super_urgent_terms

    def act(self) -> None:
        """Spend the budget (``super_budget_per_school`` a year per school): the office's
        running costs, then sustained CPD for the schools its monitoring flags (a poor
        grade, or results below the floor), weakest first, then for other schools with an
        identified need, largest need first, while the money lasts; and hold clusters
        together."""
        m, p, s, c = self.model, self.model.p, self.model.s, self.model.c
        running = min(p.super_cost_per_school, p.super_budget_per_school) / TERMS_PER_YEAR
        money = (p.super_budget_per_school / TERMS_PER_YEAR - running) * s.n
        # its monitoring flags poor grades and results below the floor; without it the
        # office sees only what inspections publish (the grades)
        low = m.below_floor_now if self.on("super_monitoring") else np.zeros(s.n, bool)
        urgent = in_window(self.urgent_until, m.term)
        flagged = np.flatnonzero(urgent | low)
        flagged = flagged[stable_argsort(s.effectiveness_of(flagged))]
        others = np.flatnonzero((s.focus >= 0) & ~urgent & ~low)
        others = others[stable_argsort(-s.need[others])]
        if self.on("super_funded_support"):
            self.fund_within("superintendent", np.concatenate([flagged, others]),
                             p.super_support_hours, money)
        if self.on("super_refereeing"):
            live = c.active()
            c.cohesion[live] = np.minimum(1.0, c.cohesion[live] + p.super_cohesion_support)
        self.charge(np.arange(s.n), running, "superintendent's office")


class PlacementPass:
    """A term's placements by the superintendent's offices, one office at a time in the
    order they act, on one membership view (each sees the earlier ones' moves), written
    back once (`commit`).

    Each school joins the nearest cluster with room among its neighbours, or founds one
    with its nearest unclustered neighbours; schools left over (their neighbourhood is
    full) are grouped with each other, nearest together, and a school still alone is
    tried again a year later. Refusal (M3) does not apply: the broker has a board's
    authority (seed 000).
    """

    def __init__(self, m, limit: np.ndarray):
        s = m.s
        self.m = m
        self.view = Membership(m, "brokered")
        self.retry: list[int] = []
        waiting = np.flatnonzero((s.cluster < 0) & (m.retry_placement <= m.term))
        # every waiting school in placement order: by LA, then rural first, then weakest
        order = waiting[np.lexsort((s.effectiveness_of(waiting), ~s.region.rural[waiting],
                                    s.la[waiting]))]
        la = s.la[order]
        bounds = np.searchsorted(la, np.arange(s.la.max() + 2))
        # the neighbours to try, worked out at once for each office's first `limit`
        # schools (valid for the whole pass: the arrays are not written until `commit`);
        # a school further down the list is needed only if an earlier office placed some
        # of these, and is worked out then
        first = np.flatnonzero(np.arange(len(order)) - bounds[la] < limit[la])
        self.near: list[list[int] | None] = [None] * len(order)
        for k, scan in zip(first.tolist(), m.neighbour_scan(order[first]), strict=True):
            self.near[k] = scan
        self.order, self.schools = order, order.tolist()
        self.bounds, self.limit = bounds.tolist(), limit.tolist()

    def place(self, broker: Broker) -> None:
        """One office's turn: up to its capacity of its LA's waiting schools, in order,
        skipping those an earlier office has placed."""
        m, p = self.m, self.m.p
        cluster_of, schools, near = self.view.cluster, self.schools, self.near
        todo, todo_near = [], []
        most = self.limit[broker.la]
        for k in range(self.bounds[broker.la], self.bounds[broker.la + 1]):
            if len(todo) >= most:
                break
            i = schools[k]
            if cluster_of[i] < 0:  # not placed by an earlier office
                todo.append(i)
                scan = near[k]
                todo_near.append(scan if scan is not None
                                 else m.neighbour_scan(self.order[k:k + 1])[0])
        if not todo:
            return
        left = m.place_schools(todo, self.view, todo_near)
        if len(left) >= p.cluster_min_size:
            for group in broker.plan_groups(np.array(left, np.int64), p.la_cluster_size):
                self.view.found(group.tolist())
        self.retry += [i for i in left if cluster_of[i] < 0]

    def commit(self) -> None:
        m = self.m
        self.view.commit()
        m.retry_placement[self.retry] = m.term + TERMS_PER_YEAR  # a year later
