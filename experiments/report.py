"""Policy-comparison report of a finished batch: intervals, paired differences, who is left behind.

Reads only the batch folder (manifest.json, runs.csv, timeseries.csv, schools.csv) and
writes, beside them::

    report.html              tables, plots and a plain-language summary
    report/summary.csv       mean and 95% interval of every outcome per scenario (x point)
    report/paired.csv        paired differences against the baseline, 95% intervals, flags
    report/left_behind.csv   left-behind share of weak schools by profile
    report/*.png, *.svg      fan charts, forest plot, weak schools' end state, sweep curves

Statistics. Replicates are independent, so a scenario's mean has the Student-t interval
``mean ± t(0.975, n-1) · sd / sqrt(n)`` over its replicates. Under common random numbers
replicate r of every scenario meets the same region and shocks, so a policy's effect is
estimated by the per-replicate differences ``x_r - baseline_r`` (same sweep point), with
the same t interval on those differences: much narrower than comparing two means.
A difference is "significant" when its interval excludes zero; a policy is flagged as
worse for weak schools when that happens in the harmful direction of a weak-school
outcome (`WORSE_FOR_WEAK`).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import io
from experiments.report_plots import make_plots
from model.errors import UserError

KEYS = ["run_id", "scenario", "policies", "point", "replicate", "seed"]
HEADLINE = ["left_behind", "gap", "gap_change", "catch_up", "isolation_weak", "cpd_access_ratio",
            "rwm_weak", "terms_below_floor_weak", "mean_rwm", "cost_per_school"]
# +1: a larger value is worse for weak schools; -1: a smaller value is worse.
WORSE_FOR_WEAK = {"left_behind": +1, "gap": +1, "gap_change": +1, "catch_up": -1,
                  "isolation_weak": +1, "cpd_access_ratio": -1, "rwm_weak": -1,
                  "terms_below_floor_weak": +1}
PROFILE_COLUMNS = ["run_id", "scenario", "point", "replicate", "phase", "pupils", "rural", "fsm",
                   "governance", "weak", "grade_start", "grade_end", "rwm_end", "left_behind",
                   "terms_below_floor", "terms_clustered"]


def t_interval(values) -> tuple[int, float, float, float, float]:
    """(n, mean, sd, low, high) of the 95% Student-t interval of the mean; NaNs dropped."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = _t975(n - 1) * sd / math.sqrt(n)
    return n, mean, sd, mean - half, mean + half


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
def _t975(df: int) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom."""
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


@functools.cache
def _critical(limit: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    from scipy import stats

    n = np.arange(2, limit + 1)
    return n, stats.t.ppf(0.975, n - 1) / np.sqrt(n)


class Batch:
    """A finished batch folder: its manifest, runs, outcome names and group labels."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        path = self.folder / "manifest.json"
        if not path.exists():
            raise UserError(f"{self.folder}: no manifest.json; expected a folder written by "
                            "`clustersim batch`")
        self.manifest = json.loads(path.read_text(encoding="utf-8"))
        if not self.manifest.get("completed"):
            raise UserError(f"{self.folder}: the batch is not complete "
                            f"({self.manifest.get('runs_done', 0)} of "
                            f"{self.manifest.get('n_runs')} runs); finish it with "
                            "`clustersim batch SPEC --resume`")
        self.runs = pd.read_csv(self.folder / "runs.csv").copy()  # one block per dtype
        config = set(self.manifest["scenarios"][0]["resolved"]) | set(KEYS)
        self.outcomes = [c for c in self.runs.columns if c not in config]
        self.baseline = self.manifest["baseline"]
        self.points = self.manifest["sweep"]["points"]
        self.runs = self.runs.assign(label=[self.label(s, p) for s, p in zip(
            self.runs["scenario"], self.runs["point"], strict=True)])
        self.labels = list(dict.fromkeys(self.runs["label"]))
        self.floor = self.manifest["scenarios"][0]["resolved"].get("floor_rwm")

    def label(self, scenario: str, point: int) -> str:
        if len(self.points) <= 1:
            return scenario
        values = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in self.points[point].items())
        return f"{scenario} [{values}]"

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        path = self.folder / name
        if not path.exists():
            return None
        frame = pd.read_csv(path, usecols=lambda c: columns is None or c in columns)
        frame["label"] = [self.label(s, p) for s, p in
                          zip(frame["scenario"], frame["point"], strict=True)]
        return frame


def summarise(batch: Batch) -> pd.DataFrame:
    """Mean and 95% interval of every outcome for every scenario (x sweep point)."""
    rows = []
    for (label, scenario, point), g in batch.runs.groupby(["label", "scenario", "point"],
                                                          sort=False):
        for outcome in batch.outcomes:
            n, mean, sd, lo, hi = t_interval(g[outcome])
            rows.append(dict(label=label, scenario=scenario, point=point, outcome=outcome, n=n,
                             mean=mean, sd=sd, ci_low=lo, ci_high=hi))
    return pd.DataFrame(rows)


def paired(batch: Batch) -> pd.DataFrame:
    """Per-replicate differences against the baseline at the same sweep point."""
    runs = batch.runs.set_index(["scenario", "point", "replicate"]).sort_index()
    base = runs.loc[batch.baseline]
    rows = []
    for (label, scenario, point), g in batch.runs.groupby(["label", "scenario", "point"],
                                                          sort=False):
        if scenario == batch.baseline:
            continue
        mine = g.set_index("replicate").sort_index()
        ref = base.loc[point].reindex(mine.index)
        for outcome in batch.outcomes:
            d = mine[outcome].to_numpy(float) - ref[outcome].to_numpy(float)
            n, mean, sd, lo, hi = t_interval(d)
            unpaired = _unpaired_half_width(mine[outcome], ref[outcome])
            significant = bool(n > 1 and (lo > 0 or hi < 0))
            sign = WORSE_FOR_WEAK.get(outcome, 0)
            rows.append(dict(
                label=label, scenario=scenario, point=point, outcome=outcome, n=n,
                mean_diff=mean, sd_diff=sd, ci_low=lo, ci_high=hi, significant=significant,
                worse_for_weak=significant and sign != 0 and np.sign(mean) == sign,
                better_for_weak=significant and sign != 0 and np.sign(mean) == -sign,
                unpaired_half_width=unpaired,
                replicates_to_resolve=replicates_to_resolve(mean, sd)))
    return pd.DataFrame(rows)


def _unpaired_half_width(a: pd.Series, b: pd.Series) -> float:
    """Half-width of a Welch-style interval had the two scenarios used independent seeds."""

    a, b = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    if len(a) < 2 or len(b) < 2:
        return math.nan
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return _t975(min(len(a), len(b)) - 1) * se


def profile(schools: pd.DataFrame | None) -> pd.DataFrame:
    """Left-behind share of weak schools by characteristic, per scenario (pooled replicates).

    Characteristics: rural; small (smallest quarter of its phase's weak schools);
    disadvantaged (highest quarter of FSM share); isolated (never in a cluster); initial
    grade; governance.
    """
    if schools is None or "left_behind" not in schools:
        return pd.DataFrame()
    weak = schools[schools["weak"].astype(bool)].copy()
    small_cut = weak.groupby("phase")["pupils"].transform(lambda p: p.quantile(0.25))
    traits = {
        "all weak schools": pd.Series("all", index=weak.index),
        "rural": weak["rural"].map({True: "rural", False: "urban"}),
        "size": np.where(weak["pupils"] <= small_cut, "small", "not small"),
        "disadvantage": np.where(weak["fsm"] >= weak["fsm"].quantile(0.75),
                                 "most disadvantaged quarter", "other"),
        "isolation": np.where(weak["terms_clustered"] == 0, "never in a cluster",
                              "in a cluster at some time"),
        "initial grade": weak["grade_start"],
        "governance": weak["governance"],
    }
    rows = []
    for trait, levels in traits.items():
        grouped = weak.groupby([weak["label"], pd.Series(levels, index=weak.index)],
                               sort=False)
        for (label, level), g in grouped:
            rows.append(dict(label=label, characteristic=trait, level=level,
                             weak_schools=len(g), left_behind=int(g["left_behind"].sum()),
                             share=float(g["left_behind"].mean()),
                             mean_terms_below_floor=float(g["terms_below_floor"].mean())))
    return pd.DataFrame(rows)


def make_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write report.html, report/*.csv and plots for a finished batch; return the HTML path."""
    from experiments.report_html import render

    batch = Batch(folder)
    out = Path(out) if out else batch.folder
    figures = out / "report"
    summary, diffs = summarise(batch), paired(batch)
    schools = batch.table("schools.csv", PROFILE_COLUMNS)
    profiles = profile(schools)
    io.write_csv(figures / "summary.csv", summary)
    if len(diffs):
        io.write_csv(figures / "paired.csv", diffs)
    if len(profiles):
        io.write_csv(figures / "left_behind.csv", profiles)
    plots = make_plots(batch, summary, diffs, schools, figures)
    path = out / "report.html"
    io.write_text(path, render(batch, summary, diffs, profiles, plots, figures.name))
    return path
