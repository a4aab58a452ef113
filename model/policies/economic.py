"""Policies that change the economics of collaboration: CPD bank, federation, incentives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.ledger import Account
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.policies.base import Policy

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

CLUSTER_STATE = ("federated",)  # the cluster arrays these policies own (model.state)


class CpdBank(Policy):
    model: ClusterModel
    name = "cpd_bank"
    group = "M6 CPD bank"
    description = ("Every cluster runs a CPD bank: credits for offering CPD, spent on "
                   "receiving it, with a levy for common services and urgent responses.")
    components = {"m6_cpd_bank": "the bank itself: credits, levy, common fund (M6)"}
    budget = "bank_budget_per_school"

    def setup(self) -> None:
        self.model.effects.bank_active = bool(self.model.p.m6_cpd_bank)

    def act(self) -> None:
        """A public grant, if any, buys teacher time for every cluster's common fund (in
        credits, at ``cpd_price_per_hour``): more urgent responses and common services."""
        m, p, c = self.model, self.model.p, self.model.c
        if not (m.effects.bank_active and p.bank_budget_per_school > 0 and c.count):
            return
        members, cids = m.clustered()
        pounds = np.full(len(members), p.bank_budget_per_school / TERMS_PER_YEAR)
        m.ledger.pay(m, "CPD bank grant", Account.GOVERNMENT, Account.STAFF, pounds,
                     for_school=members)
        credits = np.bincount(cids, pounds / p.cpd_price_per_hour, minlength=c.count)
        c.fund[: c.count] += credits
        m.effects.bank_issued += float(credits.sum())


class Federation(Policy):
    model: ClusterModel
    name = "federation"
    group = "M12 federation"
    description = ("Cohesive small clusters federate: shared head, bursar, SENCO and CPD "
                   "lead bring economies of scale and high commitment.")
    components = {"m12_federation": "clusters federate: shared leadership and services (M12)"}
    budget = "federation_budget_per_school"

    def act(self) -> None:
        m, p, c = self.model, self.model.p, self.model.c
        draws = m.streams["policy"].random(c.count)
        if not p.m12_federation or c.count == 0:
            return
        eligible = (c.alive[: c.count] & ~c.federated[: c.count]
                    & (c.cohesion[: c.count] >= p.federation_cohesion_min)
                    & (c.size[: c.count] <= p.federation_max_size))
        c.federated[: c.count] |= eligible & (draws < p.federation_rate)
        if p.federation_budget_per_school > 0:  # a public grant to federated schools
            members, cids = m.clustered()
            fed = members[c.federated[cids]]
            grant = np.full(len(fed), p.federation_budget_per_school / TERMS_PER_YEAR)
            m.ledger.pay(m, "federation grant", Account.GOVERNMENT, Account.SCHOOL, grant,
                         payee_idx=fed, for_school=fed)
            m.s.extra_money[fed] += grant
            m.s.allowance_term[fed] += grant


class Incentives(Policy):
    model: ClusterModel
    name = "incentives"
    group = "policy: incentives"
    description = ("Carrots and sticks: a grant per clustered school, a penalty for going "
                   "alone; schools seek partners more.")
    components = {
        "incentive_grants": "a grant for every school in a cluster, spent on CPD",
        "incentive_penalties": "a deduction from the CPD budget of a school going alone",
        "incentive_seeking": "schools seek partners more often",
    }
    budget = "incentive_grant"

    def setup(self) -> None:
        if self.on("incentive_seeking"):
            self.model.effects.seek_boost = self.model.p.incentive_engagement

    def act(self) -> None:
        m, p, s = self.model, self.model.p, self.model.s
        clustered, _ = m.clustered()
        alone = np.flatnonzero(s.cluster < 0)
        if not self.on("incentive_grants"):
            clustered = clustered[:0]
        if not self.on("incentive_penalties"):
            alone = alone[:0]
        grant = np.full(len(clustered), p.incentive_grant / TERMS_PER_YEAR)
        m.ledger.pay(m, "incentive grant", Account.GOVERNMENT, Account.SCHOOL, grant,
                     payee_idx=clustered, for_school=clustered)
        s.extra_money[clustered] += grant
        s.allowance_term[clustered] += grant
        # the penalty comes out of the CPD budget and never takes it below zero
        penalty = np.minimum(p.incentive_penalty / TERMS_PER_YEAR, s.cpd_budget_term[alone])
        m.ledger.pay(m, "going-alone penalty", Account.SCHOOL, Account.GOVERNMENT, penalty,
                     payer_idx=alone)
        s.extra_money[alone] -= penalty
