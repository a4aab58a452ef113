"""Outcomes through the "left behind" lens (docs/ODD.md section 4, observation), declared once.

``METRICS`` are collected every term (term 0 is the starting state); ``SUMMARY`` names
the end-of-run outcomes: the last value of every metric plus run totals.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.groups import average
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.market import KIND_NAMES
from clustersim.model.state import INADEQUATE, RI

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    description: str
    fn: Callable


def _mean(values: np.ndarray, where: np.ndarray) -> float:
    """Mean of ``values`` at ``where`` (a mask or indices; NaN if none). Ufuncs only: this
    runs ~20 times a term and ``ndarray.mean``'s Python-level overhead dominates on small
    regions. The weak and other schools are fixed at the start (``m.weak_idx``,
    ``m.other_idx``), so their means need no mask pass each term."""
    chosen = values[where]
    return average(chosen) if len(chosen) else float("nan")


def _share(mask: np.ndarray) -> float:
    """Fraction of True in ``mask``: the same value as ``average`` of it, counted not summed."""
    return np.count_nonzero(mask) / len(mask)


def _sd(values: np.ndarray) -> float:
    """Population standard deviation, as ``np.std`` computes it."""
    dev = values - average(values)
    return float(np.sqrt(np.add.reduce(dev * dev) / len(values)))


def _live_clusters(m: ClusterModel) -> int:
    return int(np.count_nonzero(m.c.alive[: m.c.count]))


def gini(values: np.ndarray) -> float:
    v = np.sort(values)
    n = len(v)
    total = float(np.add.reduce(v))
    if n == 0 or total == 0:
        return 0.0
    return float(np.einsum("i,i->", _rank_weights(n), v) / (n * total))  # no BLAS: groups.rowdot


@functools.lru_cache(maxsize=8)
def _rank_weights(n: int) -> np.ndarray:
    """Gini's weight of the i-th smallest of n values, 2i - n - 1 (read once a term)."""
    w = (2 * np.arange(1, n + 1) - n - 1).astype(float)
    w.flags.writeable = False
    return w


def _gap(m: ClusterModel) -> float:
    s = m.s
    return _mean(s.rwm, m.other_idx) - _mean(s.rwm, m.weak_idx)


def left_behind_mask(m: ClusterModel) -> np.ndarray:
    """Weak schools still below the floor, or still below the good standard (docs/ODD.md
    section 4, observation): effectiveness under the good grade's cut, what an inspection
    would judge below good on average. Read from the school's state, not its latest
    grade, so switching inspection (M13) off changes what happens to schools, not the
    measure; the grade-based reading is `left_behind_graded`."""
    mask = np.zeros(m.s.n, bool)
    mask[m.weak_idx] = left_behind_among(m, m.weak_idx)
    return mask


def left_behind_among(m: ClusterModel, idx: np.ndarray) -> np.ndarray:
    """`left_behind_mask`'s rule for the schools ``idx``, reading only their
    effectiveness (each school's is worked out on its own row: the same value as in the
    whole-region array). The metric reads the weak schools, a fifth of the region."""
    return m.below_floor_now[idx] | (m.s.effectiveness_of(idx) < m.p.grade_cut_good)


def left_behind_graded_mask(m: ClusterModel) -> np.ndarray:
    """Weak schools still below the floor, or whose latest published grade is RI or
    inadequate (stale when inspections are switched off)."""
    return m.s.weak & (m.below_floor_now | (m.s.grade >= RI))


def _access_ratio(m: ClusterModel) -> float:
    s = m.s
    other = _mean(s.cpd_hours_total, m.other_idx)
    return _mean(s.cpd_hours_total, m.weak_idx) / other if other > 0 else float("nan")


def _catch_up(m: ClusterModel) -> float:
    s = m.s
    d = s.rwm - m.rwm0
    return _mean(d, m.weak_idx) - _mean(d, m.other_idx)


METRICS: list[Metric] = [
    Metric("gap", "percentage points", "RWM attainment of other schools minus weak schools",
           _gap),
    Metric("gap_change", "percentage points", "change in the gap since the start",
           lambda m: _gap(m) - m.gap0),
    Metric("left_behind", "fraction of weak schools",
           "weak schools still below the floor or below the good standard",
           lambda m: _mean(left_behind_among(m, m.weak_idx), slice(None))),
    Metric("left_behind_graded", "fraction of weak schools",
           "weak schools still below the floor or with a latest grade of RI/inadequate",
           lambda m: _mean(left_behind_graded_mask(m), m.weak_idx)),
    Metric("catch_up", "percentage points",
           "RWM improvement of weak schools minus that of the others since the start", _catch_up),
    Metric("isolation_weak", "fraction of weak schools", "weak schools outside any cluster",
           lambda m: _mean(m.s.cluster < 0, m.weak_idx)),
    Metric("isolation_all", "fraction of schools", "schools outside any cluster",
           lambda m: _share(m.s.cluster < 0)),
    Metric("cpd_hours_weak", "hours per teacher (cumulative)", "CPD received by weak schools",
           lambda m: _mean(m.s.cpd_hours_total, m.weak_idx)),
    Metric("cpd_hours_other", "hours per teacher (cumulative)", "CPD received by other schools",
           lambda m: _mean(m.s.cpd_hours_total, m.other_idx)),
    Metric("cpd_access_ratio", "ratio", "CPD hours per teacher, weak vs other schools",
           _access_ratio),
    Metric("rwm_weak", "% at expected standard", "mean RWM attainment of weak schools",
           lambda m: _mean(m.s.rwm, m.weak_idx)),
    Metric("mean_rwm", "% at expected standard", "mean RWM attainment of all schools",
           lambda m: average(m.s.rwm)),
    Metric("sd_rwm", "percentage points", "spread of RWM attainment across schools",
           lambda m: _sd(m.s.rwm)),
    Metric("gini_rwm", "0-1", "Gini coefficient of RWM attainment", lambda m: gini(m.s.rwm)),
    Metric("below_floor", "fraction of schools", "all schools below the floor standard",
           lambda m: _share(m.below_floor_now)),
    Metric("good_or_outstanding", "fraction of schools", "latest grade good or outstanding",
           lambda m: _share(m.s.grade < RI)),
    Metric("requires_improvement", "fraction of schools", "latest grade requires improvement",
           lambda m: _share(m.s.grade == RI)),
    Metric("inadequate", "fraction of schools", "latest grade inadequate",
           lambda m: _share(m.s.grade == INADEQUATE)),
    Metric("clustered_share", "fraction of schools", "schools in a cluster",
           lambda m: _share(m.s.cluster >= 0)),
    Metric("n_clusters", "clusters", "clusters alive", lambda m: float(_live_clusters(m))),
    Metric("mean_cohesion", "0-1", "mean cohesion of live clusters",
           lambda m: _mean(m.c.cohesion[: m.c.count], m.c.alive[: m.c.count])
           if _live_clusters(m) else 0.0),
    Metric("churn", "fraction of clusters", "clusters dissolved this term per live cluster",
           lambda m: m.dissolved_this_term / max(1, _live_clusters(m) + m.dissolved_this_term)),
    Metric("cost_per_school", "£ (cumulative)",
           "money spent on improving a school (CPD, shared staff, brokers' and trusts' "
           "support, grants) since the start", lambda m: average(m.s.cost_total)),
    Metric("federated_share", "fraction of schools", "schools in a federation",
           lambda m: _federated_share(m)),
    Metric("trust_share", "fraction of schools", "schools in a multi-academy trust",
           lambda m: _share(m.s.trust >= 0)),
    Metric("credits_weak", "credits per teacher", "mean CPD-bank balance of weak schools",
           lambda m: _mean(m.s.credits / m.s.teachers, m.weak_idx)),
]


def _federated_share(m: ClusterModel) -> float:
    _, cids = m.clustered()
    return np.count_nonzero(m.c.federated[cids]) / m.s.n


def quintile_of_initial_effectiveness(m: ClusterModel) -> np.ndarray:
    """0 (weakest fifth) .. 4 (strongest fifth) by effectiveness at the start."""
    return np.searchsorted(np.quantile(m.eff0, [0.2, 0.4, 0.6, 0.8]), m.eff0, side="right")


def by_quintile(m: ClusterModel, values: np.ndarray, name: str) -> dict[str, float]:
    q = quintile_of_initial_effectiveness(m)
    return {f"{name}_q{k + 1}": _mean(values, q == k) for k in range(5)}


def market_shares(m: ClusterModel) -> dict[str, float]:
    """Share of providers' revenue by kind (0 where a kind sold nothing)."""
    pr = m.providers
    revenue = np.bincount(pr.kind, pr.revenue, minlength=len(KIND_NAMES))
    total = revenue.sum()
    return {f"market_share_{k}": float(r / total) if total > 0 else 0.0
            for k, r in zip(KIND_NAMES, revenue, strict=True)}


def grouped_summary(m: ClusterModel) -> dict[str, float]:
    """Distributional outcomes: CPD and credits by quintile, provider market shares."""
    s = m.s
    out = by_quintile(m, s.cpd_hours_total, "cpd_hours")
    out.update(by_quintile(m, s.credits / s.teachers, "credits"))
    out.update(market_shares(m))
    return out

METRIC_NAMES = [x.name for x in METRICS]


def _years(m: ClusterModel) -> float:
    """Years the run has covered so far (at least a term's worth)."""
    return max(m.term, 1) / TERMS_PER_YEAR


def _per_year(m: ClusterModel, values: np.ndarray, idx=None) -> float:
    return (average(values) if idx is None else _mean(values, idx)) / _years(m)


def _peer_hours(m: ClusterModel) -> float:
    hours = m.ledger.hours.get("peer", 0.0) + m.ledger.hours.get("bank_crisis", 0.0)
    return float(hours / m.s.teachers.sum())


EXTRA_SUMMARY: list[Metric] = [
    Metric("cost_per_school_year", "£ per school per year",
           "money spent on improving schools (CPD, shared staff, brokers' and trusts' "
           "support, grants), per school per year of the run", lambda m: _per_year(
               m, m.s.cost_total)),
    Metric("public_cost_per_school_year", "£ per school per year",
           "public money the policies spent (brokers' offices and funded support, grants, "
           "subsidies; less penalties collected), per school in the region per year",
           lambda m: (m.ledger.paid["government"] + m.ledger.paid["broker"]
                      - m.ledger.received["government"]) / m.s.n / _years(m)),
    Metric("cost_weak_per_year", "£ per weak school per year",
           "the same, spent on weak schools", lambda m: _per_year(m, m.s.cost_total,
                                                                  m.weak_idx)),
    Metric("peer_cpd_per_teacher", "hours per teacher (cumulative)",
           "CPD run by partner schools (M5, M6), per teacher in the region", _peer_hours),
    Metric("terms_below_floor_weak", "terms", "mean terms a weak school spent below the floor",
           lambda m: _mean(m.s.terms_below_floor, m.weak_idx)),
    Metric("terms_clustered_weak", "terms", "mean terms a weak school spent in a cluster",
           lambda m: _mean(m.s.terms_clustered, m.weak_idx)),
    Metric("mean_churn", "fraction of clusters per term", "cluster churn averaged over terms",
           lambda m: float(np.nanmean(m.history[1:, METRIC_NAMES.index("churn")]))
           if m.term > 0 else 0.0),
]

SUMMARY: list[str] = (METRIC_NAMES + [x.name for x in EXTRA_SUMMARY]
                      + [f"{v}_q{k}" for v in ("cpd_hours", "credits") for k in range(1, 6)]
                      + [f"market_share_{k}" for k in KIND_NAMES])
