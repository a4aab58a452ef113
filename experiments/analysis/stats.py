"""The decision numbers of a batch, shared by the report, `clustersim run` and the batch's
closing line: practical ties, intervals of shares that stay within 0-100%, and cost per
weak school lifted. The verdict built from them is `verdict`, the longitudinal view of
inspections `longitudinal`, a batch folder as frames `load`.

Everything here reads tables (runs, schools, inspections as written by the batch or the
run command), never the model.

- **Practical significance.** A difference smaller than a practical threshold is a tie,
  whatever its p-value. For shares of weak schools (``left_behind``, ``isolation_weak``)
  the threshold is ``min_effect`` (default 2 percentage points of weak schools); the other
  weak-school outcomes have the thresholds of `PRACTICAL`.
- **Mirrors.** ``catch_up`` is exactly ``-gap_change``, and under common random numbers the
  starting gap is the same in every scenario of a replicate, so paired differences of
  ``gap_change`` equal those of ``gap``: flags and the headline use ``gap`` only (`MIRRORS`).
- **Cost per weak school lifted**, paired against the baseline:
  ``(scenario cost - baseline cost, £ per school per year) x years x schools /
  (baseline left-behind count - scenario left-behind count)``; "no gain" (None) when the
  scenario keeps no more weak schools out of "left behind" than the baseline.
"""

from __future__ import annotations

import functools
import math

import numpy as np

# What a policy costs, per school per year: public money when the runs record it (what the
# policies spent), else all improvement spending (older batches).
COSTS = ("public_cost_per_school_year", "cost_per_school_year")

MIN_EFFECT = 0.02  # 2 percentage points of weak schools
HEADLINE_OUTCOME = "left_behind"
# +1: a larger value is worse for weak schools; -1: a smaller value is worse
WORSE_FOR_WEAK = {"left_behind": +1, "gap": +1, "gap_change": +1, "catch_up": -1,
                  "isolation_weak": +1, "cpd_access_ratio": -1, "rwm_weak": -1,
                  "terms_below_floor_weak": +1}
# outcomes that are exact mirrors of another (kept in the CSVs, left out of flags/headline)
MIRRORS = {"catch_up": "gap_change with its sign reversed (catch_up = -gap_change)",
           "gap_change": "gap (the starting gap is the same in every scenario of a replicate, "
                         "so paired differences are equal)"}
# practical thresholds of the other weak-school outcomes, in their own units; shares of
# weak schools use min_effect
PRACTICAL = {"gap": (1.0, "percentage point of attainment"),
             "rwm_weak": (1.0, "percentage point of attainment"),
             "cpd_access_ratio": (0.05, "in the ratio"),
             "terms_below_floor_weak": (1.0, "term")}
SHARE_OF_WEAK = ("left_behind", "isolation_weak")
GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
GRADE_LABELS = {"outstanding": "outstanding", "good": "good",
                "requires_improvement": "requires improvement", "inadequate": "inadequate"}
BELOW_GOOD = ("requires_improvement", "inadequate")


def threshold(outcome: str, min_effect: float = MIN_EFFECT) -> float:
    """The practical threshold of an outcome (NaN: none declared)."""
    if outcome in SHARE_OF_WEAK:
        return min_effect
    return PRACTICAL.get(outcome, (math.nan, ""))[0]


def threshold_text(min_effect: float = MIN_EFFECT) -> str:
    """The practical thresholds in words, as the report states them."""
    parts = [f"{100 * min_effect:g} percentage points of weak schools (left behind, "
             "isolation)"]
    parts += [f"{v:g} {unit}{'s' if v != 1 and not unit.startswith('in') else ''} "
              f"({o.replace('_', ' ')})" for o, (v, unit) in PRACTICAL.items()]
    return "; ".join(parts)


# ------------------------------------------------------------------- intervals
def t_interval(values) -> tuple[int, float, float, float, float]:
    """(n, mean, sd, low, high): the 95% Student-t interval of the mean; NaNs dropped."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = t975(n - 1) * sd / math.sqrt(n)
    return n, mean, sd, mean - half, mean + half


@functools.cache
def t975(df: int) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom."""
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


def wilson_interval(k: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n: always within [0, 1]."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_interval(values, resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean over replicates: a share's interval
    stays within the range of its replicates, hence within 0-100%."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), (resamples, len(x)))].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return float(lo), float(hi)


# ------------------------------------------------------------------- cost
def cost_per_weak_lifted(scenario_cost, baseline_cost, years: float, schools: float,
                         baseline_left_behind, scenario_left_behind) -> float | None:
    """£ per weak school kept out of "left behind", paired against the baseline.

    ``(scenario_cost - baseline_cost) x years x schools / (baseline_left_behind -
    scenario_left_behind)``, costs in £ per school per year and left-behind *counts* of
    weak schools; arrays (one value per replicate, paired) are averaged first. None ("no
    gain") when the scenario lifts no one: the count difference is not positive.
    Negative when the scenario lifts weak schools and costs less than the baseline.
    """
    extra = float(np.mean(np.asarray(scenario_cost, float) - np.asarray(baseline_cost, float)))
    lifted = float(np.mean(np.asarray(baseline_left_behind, float)
                           - np.asarray(scenario_left_behind, float)))
    if not lifted > 0 or not math.isfinite(extra):
        return None
    return extra * years * schools / lifted


def money(x: float | None) -> str:
    """£ in words a reader takes in at once: £980, £12,300, £1.2m."""
    if x is None or not math.isfinite(x):
        return "–"
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}£{x / 1e6:.1f}m"
    if x >= 1e4:
        return f"{sign}£{round(x, -2):,.0f}"
    return f"{sign}£{x:,.0f}"

