"""The report's figures, each saved as PNG and SVG (made from the batch files, never the model).

- cost against benefit: extra cost per school per year against the change in weak schools
  left behind, with 95% intervals;
- fan charts of the gap and of the left-behind share over time, one panel per scenario:
  the median replicate line with 50% and 90% bands across replicates, the baseline's
  median dashed on every panel;
- a forest plot of paired differences against the baseline with 95% intervals, one unit
  per panel, blue better for weak schools, orange worse, grey a tie;
- the distribution of weak schools' end state (RWM attainment and grade);
- for a one-parameter grid or list sweep, paired differences against the swept value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from clustersim.experiments.analysis.outcomes import human, is_share, outcome_name, unit_of
from clustersim.experiments.batch.design import SweepMethod
from clustersim.experiments.shared.io import atomic_path

MAX_PANELS = 12
FORMATS = ("png", "svg")
FAN_METRICS = {"gap": "attainment gap, other minus weak schools (pp)",
               "left_behind": "weak schools left behind (%)"}
FOREST = ["left_behind", "isolation_weak", "gap", "rwm_weak", "cpd_access_ratio",
          "terms_below_floor_weak"]
GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
GRADE_COLOURS = ["#2166ac", "#92c5de", "#f4a582", "#b2182b"]
# one meaning everywhere: blue better for weak schools, orange worse, grey a tie
BETTER, WORSE, TIE = "#0072B2", "#D55E00", "#8c8c8c"
BASELINE = "#222222"


def _scale(outcome: str) -> float:
    return 100.0 if is_share(outcome) else 1.0


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, folder: Path, stem: str) -> str:
    plt = _plt()
    for fmt in FORMATS:
        with atomic_path(folder / f"{stem}.{fmt}", suffix=f".{fmt}") as tmp:
            fig.savefig(tmp, dpi=110, bbox_inches="tight", format=fmt,
                        metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return stem


def _grid(n: int, width: float = 3.6, height: float = 2.6):
    plt = _plt()
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), sharex=True,
                             sharey=True, squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def fan_chart(ts: pd.DataFrame, labels: list[str], metric: str, folder: Path,
              baseline: str) -> str:
    """One panel per scenario: median and 50%/90% bands over replicates, the baseline's
    median dashed on every panel; shares in percent, the axis from zero."""
    k = _scale(metric)
    shown = labels[:MAX_PANELS]
    fig, axes = _grid(len(shown))

    def quantiles(label):
        wide = ts[ts["label"] == label].pivot(index="year", columns="replicate",
                                              values=metric) * k
        return wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T

    base = quantiles(baseline) if baseline in set(ts["label"]) else None
    ends = {}
    for ax, label in zip(axes, shown, strict=False):
        q = quantiles(label)
        ends[label] = q[0.5].iloc[-1]
        ax.fill_between(q.index, q[0.05], q[0.95], color=BETTER, alpha=0.15, lw=0,
                        label="90% of replicates")
        ax.fill_between(q.index, q[0.25], q[0.75], color=BETTER, alpha=0.3, lw=0,
                        label="50% of replicates")
        ax.plot(q.index, q[0.5], color=BETTER, lw=1.8, label="median")
        if base is not None:
            ax.plot(base.index, base[0.5], color=BASELINE, lw=1.2, ls="--",
                    label=f"{human(baseline)} (baseline) median")
        ax.set_title(human(label), fontsize=9)
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=7, frameon=False, loc="lower left")
    fig.supxlabel("year")
    fig.supylabel(FAN_METRICS[metric], fontsize=9)
    low = min(ends, key=ends.get)
    what = "weak schools left behind" if metric == "left_behind" else "attainment gap"
    fig.suptitle(f"{what.capitalize()} over time: lowest at the end under {human(low)} "
                 f"(median {ends[low]:.1f}{'%' if k == 100 else ' pp'}); dashed: baseline"
                 + (f"; first {len(shown)} of {len(labels)} scenarios" if len(labels) >
                    len(shown) else ""), fontsize=10)
    return _save(fig, folder, f"fan_{metric}")


def _colour(row) -> str:
    if row["worse_for_weak"]:
        return WORSE
    if row["better_for_weak"]:
        return BETTER
    return TIE


def forest(diffs: pd.DataFrame, baseline: str, folder: Path) -> str | None:
    """Paired differences with their 95% intervals, one outcome (one unit) per panel; the
    practical threshold shaded; blue better for weak schools, orange worse, grey a tie."""
    outcomes = [o for o in FOREST if o in set(diffs["outcome"])]
    if not outcomes:
        return None
    labels = list(dict.fromkeys(diffs["label"]))[:30]
    plt = _plt()
    cols = min(len(outcomes), 3)
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.9 * cols, rows * (1.0 + 0.28 * len(labels))),
                             sharey=True, squeeze=False, layout="constrained")
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    y = np.arange(len(labels))[::-1]
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        k = _scale(outcome)
        d = diffs[diffs["outcome"] == outcome].set_index("label").reindex(labels)
        limit = float(d["threshold"].iloc[0]) * k if "threshold" in d else np.nan
        if np.isfinite(limit):
            ax.axvspan(-limit, limit, color=TIE, alpha=0.15, lw=0)
        for yi, (_, r) in zip(y, d.iterrows(), strict=True):
            if not np.isfinite(r["mean_diff"]):
                continue
            c = _colour(r)
            ax.errorbar(r["mean_diff"] * k, yi, xerr=[[(r["mean_diff"] - r["ci_low"]) * k],
                                                      [(r["ci_high"] - r["mean_diff"]) * k]],
                        fmt="o", color=c, ecolor=c, elinewidth=2.2, capsize=3, ms=4)
        ax.axvline(0, color="black", lw=0.8)
        unit = "percentage points" if k == 100 else unit_of(outcome)
        ax.set_title(outcome_name(outcome), fontsize=9)
        ax.set_xlabel(unit, fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=7)
    for row in axes:
        row[0].set_yticks(y, [human(lb) for lb in labels], fontsize=8)
    fig.suptitle(f"Paired difference vs {human(baseline)} with 95% intervals: blue better for "
                 "weak schools, orange worse, grey a tie (shaded: under the practical "
                 "threshold)", fontsize=9)
    return _save(fig, folder, "forest_paired_differences")


def cost_benefit(rows, baseline: str, folder: Path) -> str | None:
    """Extra cost per school per year against the change in weak schools left behind."""
    others = [r for r in rows if r.label != baseline and np.isfinite(r.extra_cost)]
    if not others:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
    for r in others:
        c = {"fewer": BETTER, "more": WORSE}.get(r.status, TIE)
        y, lo, hi = 100 * r.diff, 100 * r.low, 100 * r.high
        if np.isfinite(lo):
            ax.errorbar(r.extra_cost, y, yerr=[[y - lo], [hi - y]], fmt="o", color=c,
                        elinewidth=2, capsize=3)
        else:
            ax.plot(r.extra_cost, y, "o", color=c)
        ax.annotate(human(r.label), (r.extra_cost, y), fontsize=7, xytext=(4, 3),
                    textcoords="offset points")
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"extra cost against {human(baseline)} (£ per school per year)")
    ax.set_ylabel("change in weak schools left behind (percentage points)")
    ax.grid(alpha=0.3)
    best = min(others, key=lambda r: r.diff)
    ax.set_title(f"Lower is better: {human(best.label)} lifts the most weak schools, at "
                 f"£{best.extra_cost:,.0f} more per school per year", fontsize=9)
    return _save(fig, folder, "cost_benefit")


def weak_end_state(schools: pd.DataFrame, labels: list[str], floor: float | None,
                   folder: Path) -> str:
    plt = _plt()
    weak = schools[schools["weak"].astype(bool)]
    shown = labels[:MAX_PANELS * 2]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 1.4 + 0.4 * len(shown)), sharey=True,
                                      layout="constrained")
    data = [weak.loc[weak["label"] == lb, "rwm_end"].to_numpy() for lb in shown]
    y = np.arange(len(shown))[::-1]
    left.boxplot(data, positions=y, orientation="horizontal", widths=0.6, showfliers=False)
    if floor is not None:
        left.axvline(floor, color=WORSE, ls="--", lw=1, label=f"floor ({floor:g}%)")
        left.legend(fontsize=7, frameon=False)
    left.set_yticks(y, [human(lb) for lb in shown], fontsize=8)
    left.set_xlabel("weak schools' RWM at the end (% of pupils at the expected standard)")
    left.set_xlim(0, 100)
    shares = (weak[weak["label"].isin(shown)].groupby("label")["grade_end"]
              .value_counts(normalize=True).unstack(fill_value=0.0)
              .reindex(index=shown, columns=GRADES, fill_value=0.0)) * 100
    start = np.zeros(len(shown))
    for grade, colour in zip(GRADES, GRADE_COLOURS, strict=True):
        right.barh(y, shares[grade], left=start, color=colour, label=grade.replace("_", " "),
                   height=0.6)
        start += shares[grade].to_numpy()
    right.set_xlabel("weak schools' grade at the end (% of weak schools)")
    right.set_xlim(0, 100)
    fig.legend(*right.get_legend_handles_labels(), loc="outside lower right", ncols=4,
               fontsize=7, frameon=False)
    fig.suptitle("Where weak schools end up: attainment against the floor, and their last "
                 "inspection grade", fontsize=10)
    return _save(fig, folder, "weak_end_state")


def sweep_curves(batch, diffs: pd.DataFrame, folder: Path) -> str | None:
    """Paired difference vs the baseline against the swept value (one-parameter sweeps)."""
    sweep = batch.manifest["sweep"]
    if sweep["method"] not in (SweepMethod.GRID, SweepMethod.LIST) or len(sweep["params"]) != 1 \
            or diffs.empty:
        return None
    name = sweep["params"][0]
    if not all(isinstance(p[name], int | float) for p in batch.points):
        return None
    outcomes = [o for o in ("left_behind", "gap", "rwm_weak") if o in set(diffs["outcome"])]
    plt = _plt()
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.6 * len(outcomes), 3.2),
                             squeeze=False, layout="constrained")
    for ax, outcome in zip(axes.flat, outcomes, strict=True):
        k = _scale(outcome)
        d = diffs[diffs["outcome"] == outcome].copy()
        d["x"] = [batch.points[p][name] for p in d["point"]]
        for scenario, g in d.groupby("scenario", sort=False):
            g = g.sort_values("x")
            ax.plot(g["x"], g["mean_diff"] * k, marker="o", ms=3, label=human(scenario))
            ax.fill_between(g["x"], g["ci_low"] * k, g["ci_high"] * k, alpha=0.2)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel(name, fontsize=8)
        ax.set_ylabel("percentage points" if k == 100 else unit_of(outcome), fontsize=8)
        ax.set_title(outcome_name(outcome), fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"Paired difference vs {human(batch.baseline)} at each {name} (95% CI)",
                 fontsize=9)
    return _save(fig, folder, f"sweep_{name}")


def make_plots(batch, summary: pd.DataFrame, diffs: pd.DataFrame,
               schools: pd.DataFrame | None, folder: Path, rows=None) -> list[str]:
    """Draw every figure the batch's files allow; return their stems (without extension)."""
    made = []
    if rows:
        made.append(cost_benefit(rows, batch.label(batch.baseline, batch.first), folder))
    ts = batch.table("timeseries.csv", ["scenario", "point", "replicate", "year",
                                        *FAN_METRICS])
    if ts is not None:
        made += [fan_chart(ts, batch.labels, m, folder, batch.label(batch.baseline, batch.first))
                 for m in FAN_METRICS if m in ts]
    if len(diffs):
        made.append(forest(diffs, batch.baseline, folder))
    if schools is not None and "grade_end" in schools:
        made.append(weak_end_state(schools, batch.labels, batch.floor, folder))
    made.append(sweep_curves(batch, diffs, folder))
    return [m for m in made if m]
