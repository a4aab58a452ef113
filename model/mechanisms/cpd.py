"""Phase 4, CPD: peer exchange in clusters (M5), market purchases, broker-funded support.

Each school with an identified need (phase 1) works on one focus domain per term. Its
gain in that domain is the quality-weighted CPD hours per teacher it receives times
``cpd_effect_per_hour`` (EVIDENCE C: ~0.09 SD a year for sustained PD), scaled by its
leadership's capacity to use it and by targeting with shared data (M15), and capped at
its shortfall. Hours and pounds are recorded for the outcomes and cohesion (M4).
"""

from __future__ import annotations

import numpy as np

from model.mechanisms.needs import shared_data
from model.state import LEADERSHIP


def cluster_best(m) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster and domain: the highest member expertise and the member holding it."""
    s = m.s
    members = np.flatnonzero(s.cluster >= 0)
    best = np.full((m.c.count, s.expertise.shape[1]), -np.inf)
    donor = np.full(best.shape, -1, np.int64)
    if len(members) == 0:
        return best, donor
    members = members[np.argsort(s.cluster[members], kind="stable")]
    cids = s.cluster[members]
    starts = np.flatnonzero(np.r_[True, cids[1:] != cids[:-1]])
    values = s.expertise[members]
    group_best = np.maximum.reduceat(values, starts, axis=0)
    best[cids[starts]] = group_best
    rows, cols = np.nonzero(values == group_best[np.cumsum(np.r_[False, cids[1:] != cids[:-1]])])
    donor[cids[rows], cols] = members[rows]
    return best, donor


def peer_hours(m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """M5: hours per teacher each school receives from its cluster's strongest member.

    Returns (receiver indices, hours per teacher, donor indices). A donor offers CPD in
    a domain where it is at least ``donor_margin`` above the receiver; take-up scales
    with the receiver's engagement (M1).
    """
    s, p = m.s, m.p
    if not p.m5_cpd_exchange or m.c.count == 0:
        empty = np.zeros(0, np.int64)
        return empty, np.zeros(0), empty
    best, donor = cluster_best(m)
    i = np.flatnonzero((s.focus >= 0) & (s.cluster >= 0))
    c, d = s.cluster[i], s.focus[i]
    ok = best[c, d] - s.expertise[i, d] > p.donor_margin
    i, c, d = i[ok], c[ok], d[ok]
    return i, p.peer_cpd_hours * s.engagement[i], donor[c, d]


def exchange_cpd(m) -> None:
    s, p = m.s, m.p
    for a in (s.gain, s.peer_gain, s.hours_given, s.hours_received):
        a[:] = 0.0
    has = s.focus >= 0
    ri, rh, donors = peer_hours(m)
    peer = np.zeros(s.n)
    peer[ri] = rh
    market = np.where(has, s.cpd_budget_term * (1 + p.allowed_deficit_share)
                      / (p.cpd_price_per_hour * s.teachers), 0.0)
    funded = np.where(has, s.funded_hours, 0.0)
    quality_hours = (peer * p.peer_cpd_quality + market * p.market_cpd_quality + funded)
    capacity = np.clip(1.0 + p.learning_capacity_leadership * s.expertise[:, LEADERSHIP],
                       0.25, 2.0)
    targeting = 1.0 + p.data_targeting_boost * shared_data(m)
    raw = quality_hours * p.cpd_effect_per_hour * capacity * targeting
    s.gain[:] = np.minimum(raw, s.need)
    share_peer = np.divide(peer * p.peer_cpd_quality, quality_hours,
                           out=np.zeros(s.n), where=quality_hours > 0)
    s.peer_gain[:] = s.gain * share_peer
    s.budget_exhausted[:] = has & (raw < s.need)

    # Ledger: teacher-hours given and received, donors' leadership time, pounds spent.
    teacher_hours = rh * s.teachers[ri]
    s.hours_received[ri] = teacher_hours
    s.hours_given += np.bincount(donors, teacher_hours, minlength=s.n)
    s.expertise[:, LEADERSHIP] -= p.donor_time_cost * np.bincount(donors, minlength=s.n)
    s.cpd_hours_total += peer + market + funded
    s.cost_total += (market + funded) * p.cpd_price_per_hour * s.teachers
    s.funded_hours[:] = 0.0
