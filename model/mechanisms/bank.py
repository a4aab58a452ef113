"""M6, the CPD bank (seed 002): "credits gained from offering skills and capacity, credit
which can be drawn upon for identified needs. The bank can take a levy and use this to
provide common services or urgent responses."

Credits are teacher-hours. A receiver pays ``hours x teachers`` credits; the donor gets
them less the levy, which goes to the cluster's common fund. Balances may go down to
``-bank_overdraft`` credits per teacher; beyond that partners stop serving the school.
Credits are a mutual-credit system: the sum of all balances and funds is always zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.groups import cumsum_within
from clustersim.model.state import LEADERSHIP, RI

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("credits",)

# the cluster-state arrays this module owns
CLUSTER_STATE = ("fund",)


def settle(m: ClusterModel, receivers: np.ndarray, hours: np.ndarray,
           donors: np.ndarray) -> np.ndarray:
    """Apply the bank's offer boost and credit limit; transfer credits; return the hours."""
    s, p = m.s, m.p
    hours = within_standing(hours * (1.0 + p.bank_offer_boost), s.credits[receivers],
                            s.teachers[receivers], p.bank_overdraft)
    transfer(m, receivers, donors, hours * s.teachers[receivers])
    return hours


def within_standing(hours: np.ndarray, balance: np.ndarray, teachers: np.ndarray,
                    allowance: float) -> np.ndarray:
    """Hours per teacher capped so that a receiver's balance (teacher-hours, credits or
    goodwill) stays at or above ``-allowance`` hours per teacher: the bank's overdraft (M6)
    and informal reciprocity's limit (cpd.reciprocate) are the same rule. Each receiver
    appears once per term (one focus domain), so no ordering is needed."""
    return np.minimum(hours, np.maximum(0.0, (balance + allowance * teachers) / teachers))


def transfer(m: ClusterModel, payers: np.ndarray, donors: np.ndarray, credits: np.ndarray) -> None:
    s, p, c = m.s, m.p, m.c
    levy = credits * p.bank_levy
    s.credits -= np.bincount(payers, credits, minlength=s.n)
    s.credits += np.bincount(donors, credits - levy, minlength=s.n)
    c.fund[: c.count] += np.bincount(s.cluster[payers], levy, minlength=c.count)


def fund_crisis(m: ClusterModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The common fund pays for urgent responses to members graded RI or inadequate (peer
    CPD at no cost to them). Returns the receivers, their hours per teacher and donors,
    for the CPD phase to book."""
    s, p, c = m.s, m.p, m.c
    crisis = np.flatnonzero((s.cluster >= 0) & (s.grade >= RI) & (s.focus >= 0))
    if len(crisis) == 0:
        return crisis, np.zeros(0), crisis
    best, donor = m.cluster_best()
    d = s.focus[crisis]
    donors = donor[s.cluster[crisis], d]
    ok = (donors >= 0) & (donors != crisis)
    crisis, donors = crisis[ok], donors[ok]
    want = p.bank_crisis_hours * s.teachers[crisis]
    # each cluster's fund pays its crisis members in index order until it runs out
    order = np.lexsort((crisis, s.cluster[crisis]))
    crisis, donors, want = crisis[order], donors[order], want[order]
    cl = s.cluster[crisis]
    spent_before = cumsum_within(cl, want) - want
    paid = np.clip(c.fund[cl] - spent_before, 0.0, want)
    c.fund[: c.count] -= np.bincount(cl, paid, minlength=c.count)
    s.credits += np.bincount(donors, paid, minlength=s.n)
    return crisis, paid / s.teachers[crisis], donors


def fund_services(m: ClusterModel) -> None:
    """Common services (a shared data system), run by the member with the strongest
    leadership and paid from the fund."""
    s, p, c = m.s, m.p, m.c
    members, cids = m.clustered()
    cost = np.bincount(cids, s.teachers[members] * p.bank_service_cost,
                       minlength=c.count)
    live = c.alive[: c.count] & (cost > 0) & (c.fund[: c.count] >= cost)
    m.effects.bank_services = np.zeros(c.count, bool)
    if live.any():
        best, donor = m.cluster_best()
        runner = donor[:, LEADERSHIP]
        ok = live & (runner >= 0)
        c.fund[: c.count][ok] -= cost[ok]
        s.credits += np.bincount(runner[ok], cost[ok], minlength=s.n)
        m.effects.bank_services = ok


def release_fund(m: ClusterModel, cids: np.ndarray, members: np.ndarray) -> None:
    """A dissolving cluster shares its fund equally among its former members."""
    s, c = m.s, m.c
    if len(members) == 0:
        return
    per_member = c.fund[s.cluster[members]] / c.size[s.cluster[members]]
    s.credits += np.bincount(members, per_member, minlength=s.n)
    c.fund[cids] = 0.0
