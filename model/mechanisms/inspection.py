"""Phase 8, inspection (M13): Ofsted-style grades from effectiveness plus noise, and a
school's own response to a poor grade."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.limits import in_window
from clustersim.model.state import BUSINESS, RI

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("grade", "next_inspection", "last_inspected", "revealed_until", "response_until")


def grade_of(judged: np.ndarray, p) -> np.ndarray:
    """Grades 0 outstanding .. 3 inadequate from judged effectiveness (SD) and the cut points."""
    cuts = np.array([p.grade_cut_ri, p.grade_cut_good, p.grade_cut_outstanding])
    return (3 - np.searchsorted(cuts, judged, side="right")).astype(np.int8)


def initial_grades(m: ClusterModel) -> None:
    """Grades from a past inspection, with the next one staggered over the cycle."""
    s, p = m.s, m.p
    rng = m.streams["inspection"]
    s.grade = grade_of(s.effectiveness + p.inspection_noise_sd * rng.normal(0, 1, s.n), p)
    s.last_inspected[:] = m.term
    interval = np.where(s.grade >= RI, p.inspection_interval_poor, p.inspection_interval_good)
    s.next_inspection = m.term + np.ceil(rng.random(s.n) * interval).astype(np.int32)


def respond(m: ClusterModel) -> None:
    """A school graded RI or inadequate works on its teaching for the next
    ``inspection_response_terms`` terms (docs/evidence.md B12, B13). It is the school's
    own doing under any policy, so it lands in expertise like a CPD gain that is not
    lasting: staff turnover and skill fade take it back towards the school's anchor
    (B12's gain was transient). ``inspection_response`` is the gain B12 *measured*, net
    of that fade, at the end of the response; so each term adds ``G r / (1 - (1-r)^T)``
    at the school's relax rate r, whose T terms, fading, sum to G. Its T terms are the
    ones after the verdict's, up to and including ``response_until``."""
    s, p = m.s, m.p
    active = np.flatnonzero(in_window(s.response_until, m.term))
    if len(active) and p.inspection_response > 0:
        r = m.decay[active]
        T = p.inspection_response_terms
        kept = 1.0 - (1.0 - r) ** T  # 0 where nothing fades (r = 0): then G / T a term
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(kept > 0, p.inspection_response * r / kept,
                            p.inspection_response / T)
        s.expertise[active, :BUSINESS] += step[:, None]


def inspect(m: ClusterModel) -> np.ndarray:
    """Inspect the schools that are due; return the indices graded RI or inadequate.

    First, schools graded poorly earlier go on with their own response (`respond`). A
    poor grade reveals the school's needs (M2), starts its own response and is passed to
    the policies, whose response (urgent support, brokering, a trust takeover) is theirs
    to decide.
    """
    s, p = m.s, m.p
    noise = m.streams["inspection"].normal(0, 1, s.n)
    if not p.m13_inspection:
        return np.zeros(0, np.int64)
    respond(m)
    due = s.next_inspection <= m.term
    idx = np.flatnonzero(due)
    # judged effectiveness of the schools due only (about a ninth): each school's is
    # worked out on its own row, the same value as in the whole-region array
    judged = s.effectiveness_of(idx) + p.inspection_noise_sd * noise[idx]
    g = grade_of(judged, p)
    s.grade[idx] = g
    s.last_inspected[idx] = m.term
    if m.term > 0:  # the run's own inspections (not the burn-in's): for inspections.csv
        m.inspection_log.append((m.term, idx, g))
    poor = idx[g >= RI]
    s.next_inspection[idx] = m.term + np.where(g >= RI, p.inspection_interval_poor,
                                               p.inspection_interval_good)
    s.revealed_until[poor] = m.term + p.reveal_terms
    s.response_until[poor] = m.term + p.inspection_response_terms
    return poor
