"""Phase 4, CPD exchange: partners run CPD for each other (M5), through a CPD bank (M6)
where the cpd_bank policy runs, with less take-up from designated lead schools (M11).

Without a bank, exchange runs on informal reciprocity: a school that has received more
peer CPD from its current partners than it has given them is served only up to
``reciprocity_limit`` hours per teacher of unreturned help; what it gives back restores
its standing, and joining another cluster starts afresh. A bank (M6) replaces these
bilateral obligations with credits any member's giving earns and any member can be repaid
in, with a larger overdraft (docs/evidence.md, C18).

Each school with an identified need (phase 1) works on one focus domain per term. Peer
hours are recorded as quality-weighted sustained hours; the market and funded support
are added in phase 5 (commissioning), where the term's gain is worked out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.mechanisms import bank
from clustersim.model.state import LEADERSHIP, flat

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

SCRATCH = ("gain", "peer_gain", "hours_given", "hours_received", "q_sustained", "q_oneoff",
           "peer_q", "budget_exhausted")  # per-term state, cleared at the start of phase 4

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = (*SCRATCH, "goodwill", "goodwill_cluster")


def peer_hours(m: ClusterModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """M5: hours per teacher each school receives from its cluster's strongest member.

    Returns (receiver indices, hours per teacher, donor indices). A donor offers CPD in
    a domain where it is at least ``donor_margin`` above the receiver; take-up scales
    with the receiver's engagement (M1) and falls for a designated lead school (M11).
    """
    s, p = m.s, m.p
    if not p.m5_cpd_exchange or m.c.count == 0:
        empty = np.zeros(0, np.int64)
        return empty, np.zeros(0), empty
    best, donor = m.cluster_best()
    i = np.flatnonzero((s.focus >= 0) & (s.cluster >= 0))
    d, domains = s.focus[i], s.expertise.shape[1]  # best and donor: one column per domain
    cell = s.cluster[i] * domains + d   # (cluster, domain) in the flattened tables
    ok = flat(best)[cell] - flat(s.expertise)[i * domains + d] > p.donor_margin
    i = i[ok]
    donors = flat(donor)[cell[ok]]
    hours = p.peer_cpd_hours * s.engagement[i]
    if p.m11_suspicion:
        hours = np.where(s.lead_school[donors], hours * p.suspicion_takeup, hours)
    return i, hours, donors


def exchange_cpd(m: ClusterModel) -> None:
    s = m.s
    for name in SCRATCH:
        getattr(s, name)[:] = 0.0
    ri, rh, donors = peer_hours(m)
    settle = bank.settle if m.effects.bank_active else reciprocate  # M6 or informal
    rh = settle(m, ri, rh, donors)
    record_peer_cpd(m, ri, rh, donors, source="peer")
    if m.effects.bank_active:
        crisis, hours, donors = bank.fund_crisis(m)
        record_peer_cpd(m, crisis, hours, donors, source="bank_crisis")
        bank.fund_services(m)


def reciprocate(m: ClusterModel, receivers: np.ndarray, hours: np.ndarray,
                donors: np.ndarray) -> np.ndarray:
    """Informal reciprocity (no bank): cap each receiver's hours at what keeps its
    unreturned help from its current partners within ``reciprocity_limit`` hours per
    teacher; book the hours as given and received. Returns the hours per teacher."""
    s, p = m.s, m.p
    moved = s.goodwill_cluster != s.cluster  # new partners: old obligations do not follow
    s.goodwill[moved] = 0.0
    s.goodwill_cluster[moved] = s.cluster[moved]
    teachers = s.teachers[receivers]
    hours = bank.within_standing(hours, s.goodwill[receivers], teachers, p.reciprocity_limit)
    teacher_hours = hours * teachers
    s.goodwill -= np.bincount(receivers, teacher_hours, minlength=s.n)
    s.goodwill += np.bincount(donors, teacher_hours, minlength=s.n)
    return hours


def record_peer_cpd(m: ClusterModel, receivers, hours, donors, source: str) -> None:
    """Book peer CPD: hours received and given, the donor's leadership time, the ledger."""
    s, p = m.s, m.p
    keep = hours > 0
    receivers, hours, donors = receivers[keep], hours[keep], donors[keep]
    teacher_hours = hours * s.teachers[receivers]
    s.hours_received += np.bincount(receivers, teacher_hours, minlength=s.n)
    s.hours_given += np.bincount(donors, teacher_hours, minlength=s.n)
    s.expertise[:, LEADERSHIP] -= p.donor_time_cost * np.bincount(donors, minlength=s.n)
    q = np.bincount(receivers, hours * p.peer_cpd_quality, minlength=s.n)
    s.q_sustained += q
    s.peer_q += q
    s.cpd_hours_total += np.bincount(receivers, hours, minlength=s.n)
    m.ledger.add_hours(source, teacher_hours)
