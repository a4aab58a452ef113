"""What the report says about an outcome, shared by its tables, its HTML and its plots:
the headline set, names, units, whether it is a share, and the replicates a difference
needs to be resolved.
"""

from __future__ import annotations

import functools
import math

import numpy as np

# the headline set: no mirrors (catch_up = -gap_change; gap_change pairs exactly as gap)
HEADLINE = ["left_behind", "gap", "isolation_weak", "cpd_access_ratio", "rwm_weak",
            "terms_below_floor_weak", "mean_rwm", "public_cost_per_school_year"]
NAMES = {"left_behind": "weak schools left behind",
         "gap": "attainment gap, other minus weak",
         "gap_change": "change in the gap", "catch_up": "catch-up of weak schools",
         "isolation_weak": "weak schools outside any cluster",
         "cpd_access_ratio": "CPD access, weak vs other",
         "rwm_weak": "weak schools' attainment (RWM)",
         "terms_below_floor_weak": "terms below the floor per weak school",
         "mean_rwm": "mean attainment (RWM)",
         "cost_per_school_year": "cost per school per year",
         "cost_per_school": "cost per school (cumulative)"}


def units() -> dict[str, str]:
    """Outcome name -> unit, from the model's metric declarations."""
    from clustersim.model.metrics import EXTRA_SUMMARY, METRICS

    return {m.name: m.unit for m in [*METRICS, *EXTRA_SUMMARY]}


def is_share(outcome: str) -> bool:
    return units().get(outcome, "").startswith("fraction")


def human(label: str) -> str:
    """A scenario label as people read it: 'academy chains + teaching school hubs'; a
    sweep point's parameters keep their names ('[seek_rate=0.1]'), which analysts
    look up."""
    name, bracket, point = str(label).partition(" [")
    return " + ".join(p.replace("_", " ") for p in name.split("+")) + bracket + point


def outcome_name(outcome: str) -> str:
    return NAMES.get(outcome, outcome.replace("_", " "))


def unit_of(outcome: str) -> str:
    if is_share(outcome):
        return "%"
    u = units().get(outcome, "")
    return {"percentage points": "pp", "% at expected standard": "% at expected standard",
            "£ per school per year": "£ per school per year"}.get(u, u)


def replicates_to_resolve(mean: float, sd: float) -> float:
    """Smallest n whose 95% t interval, at this mean and sd, excludes zero (inf if never)."""
    if not (np.isfinite(mean) and np.isfinite(sd)) or mean == 0:
        return math.inf
    if sd == 0:
        return 2
    n, crit = _critical()  # t(0.975, n-1) / sqrt(n), decreasing in n
    ok = np.flatnonzero(crit * sd < abs(mean))
    return int(n[ok[0]]) if len(ok) else math.inf


@functools.cache
def _critical(limit: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    from scipy import stats

    n = np.arange(2, limit + 1)
    return n, stats.t.ppf(0.975, n - 1) / np.sqrt(n)
