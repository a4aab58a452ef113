"""School-led structures: academy chains and teaching-school hubs (docs/ODD.md section 7.4)."""

from __future__ import annotations

import numpy as np
from clustersim.model.groups import members_by, stable_argsort
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.market import HUB
from clustersim.model.policies.base import Policy
from clustersim.model.region import TRUST_ACADEMY
from clustersim.model.state import INADEQUATE, LEADERSHIP, OUTSTANDING, RI

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("trust", "governance", "lead_school")


class TrustNetwork:
    """The multi-academy trusts of the region. They exist and act under every scenario
    (evidence A8: ~8,000 of ~21,000 schools are in trusts): each term every trust takes
    its top-slice, its central team gives members with an identified need sustained CPD,
    and members' leadership converges to the trust's best (executive heads). One
    vectorised pass over all trusts; each trust is a broker agent for identity and maps.
    The ``academy_chains`` policy makes trusts *grow*: takeovers and conversions."""

    def __init__(self, model):
        from clustersim.agents.broker import Broker

        self.model = model
        s = model.s
        self.brokers = [Broker(model, "trust", members, self)
                        for members in members_by(s.trust, int(s.trust.max(initial=-1)) + 1)
                        if len(members)]
        # each broker's trust id and seat (they never change; growth only adds members)
        self.ids = np.array([s.trust[b.jurisdiction[0]] for b in self.brokers], np.int64)
        self.bx = np.array([b.x for b in self.brokers])
        self.by = np.array([b.y for b in self.brokers])

    def act_broker(self, broker) -> None:  # trusts act in one vectorised pass (act)
        """Nothing per trust: see ``act``."""

    def act(self) -> None:
        """Central services of every trust at once: top-slice, CPD from the central team,
        executive leadership."""
        m, p, s = self.model, self.model.p, self.model.s
        members = np.flatnonzero(s.trust >= 0)
        if len(members) == 0:
            return
        fee = p.chain_top_slice * s.budget_term[members]
        m.ledger.pay(m, "trust top-slice", "school", "trust", fee, payer_idx=members)
        m.fund_cpd("trust", members[s.focus[members] >= 0], p.chain_support_hours)
        lead = s.expertise[members, LEADERSHIP]
        best = np.full(int(s.trust.max()) + 1, -np.inf)
        np.maximum.at(best, s.trust[members], lead)
        s.expertise[members, LEADERSHIP] += p.chain_convergence * (best[s.trust[members]] - lead)

    def sizes_and_strengths(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.model.s
        members = np.flatnonzero(s.trust >= 0)
        n = self.ids.max(initial=0) + 1
        size = np.bincount(s.trust[members], minlength=n)[self.ids]
        eff = np.bincount(s.trust[members], s.effectiveness_of(members), minlength=n)[self.ids]
        return size, eff / np.maximum(1, size)

    def join(self, schools: np.ndarray, strength_min: float) -> int:
        """Each school (in order) joins the nearest trust with room, strong enough and
        within reach; returns how many joined."""
        p, s = self.model.p, self.model.s
        if len(schools) == 0 or not self.brokers:
            return 0
        size, strength = self.sizes_and_strengths()
        joined = 0
        for i in schools.tolist():
            dist = np.hypot(self.bx - s.x[i], self.by - s.y[i])
            ok = (size < p.chain_max_size) & (strength >= strength_min) & (
                dist <= p.chain_reach_km)
            if not ok.any():
                continue
            k = int(np.argmin(np.where(ok, dist, np.inf)))
            broker = self.brokers[k]
            broker.jurisdiction = np.append(broker.jurisdiction, i)
            size[k] += 1
            s.trust[i] = s.trust[broker.jurisdiction[0]]
            s.governance[i] = TRUST_ACADEMY
            joined += 1
        return joined


class AcademyChains(Policy):
    name = "academy_chains"
    group = "policy: academy_chains"
    description = ("Trusts grow: strong trusts take over schools graded inadequate, and "
                   "small schools seeking sustainability convert and join a trust; growth "
                   "is limited by trusts' size and reach.")
    components = {
        "chain_takeovers": "strong trusts take over schools graded inadequate",
        "chain_conversions": "small schools outside a trust convert and join one",
        "chain_funded_support": "government funds extra CPD for trusts' members graded "
                                "below good",
    }
    budget = "chain_budget_per_school"

    def act(self) -> None:
        """Once a year, small schools outside a trust convert and join one (seed 003:
        small schools seeking sustainability)."""
        m, p, s = self.model, self.model.p, self.model.s
        if self.on("chain_funded_support"):
            members = np.flatnonzero((s.trust >= 0) & (s.grade >= RI))
            members = members[stable_argsort(s.effectiveness_of(members))]
            money = p.chain_budget_per_school / TERMS_PER_YEAR * np.count_nonzero(s.trust >= 0)
            self.fund_within("trust grant", members, p.chain_support_hours, money)
        if m.term % TERMS_PER_YEAR != 1:
            return
        u = m.streams["policy"].random(s.n)
        small = (s.trust < 0) & (s.region.pupils < p.small_school_pupils)
        if self.on("chain_conversions"):
            m.effects.conversions += m.trusts.join(
                np.flatnonzero(small & (u < p.chain_conversion_rate)), -np.inf)

    def on_poor_grade(self, schools: np.ndarray) -> None:
        """Schools graded inadequate and outside a trust go to the nearest strong trust
        with room (most schools stay outside: seed 004)."""
        m, p, s = self.model, self.model.p, self.model.s
        if not self.on("chain_takeovers"):
            return
        takeover = schools[(s.grade[schools] == INADEQUATE) & (s.trust[schools] < 0)]
        m.effects.takeovers += m.trusts.join(takeover, p.chain_strength_min)


class TeachingSchoolHubs(Policy):
    name = "teaching_school_hubs"
    group = "policy: teaching_school_hubs"
    description = ("Designated outstanding schools sell CPD region-wide at a subsidised "
                   "price; limited capacity; discounted by suspicion (M11).")
    components = {"hub_cpd": "hubs sell CPD at a subsidised price, paid by the grant"}
    budget = "hub_budget_per_school"

    def setup(self) -> None:
        """One hub per ``hub_schools_per_hub`` schools: the most effective outstanding
        school of each spatial block (evidence A9: 87 hubs of ~250 schools)."""
        m, p, s = self.model, self.model.p, self.model.s
        self.hubs = np.zeros(0, np.int64)
        if not self.on("hub_cpd"):
            return
        n_hubs = max(1, round(s.n / p.hub_schools_per_hub))
        order = np.argsort(m.spatial_key, kind="stable")
        eff = s.effectiveness
        hubs = []
        for block in np.array_split(order, n_hubs):
            pool = block[s.grade[block] == OUTSTANDING]
            pool = pool if len(pool) else block
            hubs.append(int(pool[np.argmax(eff[pool])]))
        hubs = np.array(hubs)
        s.lead_school[hubs] = True
        self.hubs = m.providers.add(
            HUB, s.x[hubs], s.y[hubs], 1.0, 1.0, lead_school=hubs,
            quality=np.clip(0.75 + 0.5 * eff[hubs], 0.5, 1.0),
            capacity=self.hours_funded() * p.provider_capacity_scale, price=p.hub_price)

    def grant_per_hub(self) -> float:
        """£ a term: the policy's budget for the schools a hub serves (evidence A9)."""
        p = self.model.p
        return p.hub_budget_per_school / TERMS_PER_YEAR * self.model.s.n / max(1, round(
            self.model.s.n / p.hub_schools_per_hub))

    def hours_funded(self) -> float:
        """Teacher-hours a term the grant buys: it pays the gap between an hour's full
        cost (``cpd_price_per_hour``) and the subsidised price schools pay."""
        p = self.model.p
        return self.grant_per_hub() / max(1.0, p.cpd_price_per_hour - p.hub_price)

    def act(self) -> None:
        """The hubs' grant (government to provider), spread over every school's cost."""
        m, s = self.model, self.model.s
        if len(self.hubs) == 0:
            return
        grant = np.full(len(self.hubs), self.grant_per_hub())
        m.ledger.pay(m, "hub grant", "government", "provider", grant, payee_idx=self.hubs)
        s.cost_total += grant.sum() / s.n  # the grant serves every school: attribute evenly
