"""School-led structures: academy chains and teaching-school hubs (DESIGN 3)."""

from __future__ import annotations

import numpy as np

from model.groups import members_by
from model.market import HUB
from model.policies.base import Policy
from model.region import TRUST_ACADEMY
from model.state import INADEQUATE, LEADERSHIP, OUTSTANDING


class AcademyChains(Policy):
    name = "academy_chains"
    group = "policy: academy_chains"
    description = ("Strong trusts take over schools graded inadequate, spread leadership "
                   "(executive heads) and central services; growth limited by capacity.")

    def setup(self) -> None:
        from agents.broker import Broker

        s = self.model.s
        for members in members_by(s.trust, int(s.trust.max(initial=-1)) + 1):
            if len(members):
                self.brokers.append(Broker(self.model, "trust", members, self))
        # each broker's trust id and seat (they never change; takeovers only add members)
        self.ids = np.array([s.trust[b.jurisdiction[0]] for b in self.brokers], np.int64)
        self.bx = np.array([b.x for b in self.brokers])
        self.by = np.array([b.y for b in self.brokers])

    def act(self) -> None:  # trusts' brokers have no act_broker: this is one pass
        """Central services of every trust at once (vectorised over ~1,300 trusts in
        England): top-slice, CPD from the central team, executive leadership."""
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

    def on_poor_grade(self, schools: np.ndarray) -> None:
        """Schools graded inadequate and outside a trust go to the nearest strong trust
        with room (most schools stay outside: seed 004)."""
        m, p, s = self.model, self.model.p, self.model.s
        takeover = schools[(s.grade[schools] == INADEQUATE) & (s.trust[schools] < 0)]
        if len(takeover) == 0 or not self.brokers:
            return
        ids, bx, by = self.ids, self.bx, self.by
        members = np.flatnonzero(s.trust >= 0)
        size_by_trust = np.bincount(s.trust[members], minlength=ids.max() + 1)
        eff_by_trust = np.bincount(s.trust[members], s.effectiveness_of(members),
                                   minlength=ids.max() + 1)
        size = size_by_trust[ids]
        strength = eff_by_trust[ids] / np.maximum(1, size)
        for i in takeover.tolist():
            dist = np.hypot(bx - s.x[i], by - s.y[i])
            ok = (size < p.chain_max_size) & (strength >= p.chain_strength_min) & (
                dist <= p.chain_reach_km)
            if not ok.any():
                continue
            k = int(np.argmin(np.where(ok, dist, np.inf)))
            broker = self.brokers[k]
            broker.jurisdiction = np.append(broker.jurisdiction, i)
            size[k] += 1
            s.trust[i] = s.trust[broker.jurisdiction[0]]
            s.governance[i] = TRUST_ACADEMY
            m.takeovers += 1


class TeachingSchoolHubs(Policy):
    name = "teaching_school_hubs"
    group = "policy: teaching_school_hubs"
    description = ("Designated outstanding schools sell CPD region-wide at a subsidised "
                   "price; limited capacity; discounted by suspicion (M11).")

    def setup(self) -> None:
        """One hub per ``hub_schools_per_hub`` schools: the most effective outstanding
        school of each spatial block (EVIDENCE A: 87 hubs of ~250 schools)."""
        m, p, s = self.model, self.model.p, self.model.s
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
            capacity=p.hub_capacity * p.provider_capacity_scale, price=p.hub_price)

    def act(self) -> None:
        """The hubs' grant (government to provider), spread over every school's cost."""
        m, p, s = self.model, self.model.p, self.model.s
        grant = np.full(len(self.hubs), p.hub_capacity * p.hub_price)
        m.ledger.pay(m, "hub grant", "government", "provider", grant, payee_idx=self.hubs)
        s.cost_total += grant.sum() / s.n  # the grant serves every school: attribute evenly
