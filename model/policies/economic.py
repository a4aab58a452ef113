"""Policies that change the economics of collaboration: CPD bank, federation, incentives."""

from __future__ import annotations

import numpy as np

from model.policies.base import Policy


class CpdBank(Policy):
    name = "cpd_bank"
    group = "M6 CPD bank"
    description = ("Every cluster runs a CPD bank: credits for offering CPD, spent on "
                   "receiving it, with a levy for common services and urgent responses.")

    def setup(self) -> None:
        self.model.bank_active = bool(self.model.p.m6_cpd_bank)


class Federation(Policy):
    name = "federation"
    group = "M12 federation"
    description = ("Cohesive small clusters federate: shared head, bursar, SENCO and CPD "
                   "lead bring economies of scale and high commitment.")

    def act(self) -> None:
        m, p, c = self.model, self.model.p, self.model.c
        draws = m.streams["policy"].random(c.count)
        if not p.m12_federation or c.count == 0:
            return
        eligible = (c.alive[: c.count] & ~c.federated[: c.count]
                    & (c.cohesion[: c.count] >= p.federation_cohesion_min)
                    & (c.size[: c.count] <= p.federation_max_size))
        c.federated[: c.count] |= eligible & (draws < p.federation_rate)


class Incentives(Policy):
    name = "incentives"
    group = "policy: incentives"
    description = ("Carrots and sticks: a grant per clustered school, a penalty for going "
                   "alone; schools seek partners more.")

    def setup(self) -> None:
        self.model.seek_boost = self.model.p.incentive_engagement

    def act(self) -> None:
        m, p, s = self.model, self.model.p, self.model.s
        clustered, _ = m.clustered()
        alone = np.flatnonzero(s.cluster < 0)
        grant = np.full(len(clustered), p.incentive_grant / 3.0)
        m.ledger.pay(m, "incentive grant", "government", "school", grant, payee_idx=clustered,
                     for_school=clustered)
        s.extra_money[clustered] += grant
        s.allowance_term[clustered] += grant
        # the penalty comes out of the CPD budget and never takes it below zero
        penalty = np.minimum(p.incentive_penalty / 3.0, s.cpd_budget_term[alone])
        m.ledger.pay(m, "going-alone penalty", "school", "government", penalty, payer_idx=alone)
        s.extra_money[alone] -= penalty
