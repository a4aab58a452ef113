"""The report's figures, each saved as PNG and SVG (made from the batch files, never the model).

- fan charts of the gap and of the left-behind share over time, one panel per scenario:
  the median replicate line with 50% and 90% bands across replicates;
- a forest plot of paired differences against the baseline with 95% intervals;
- the distribution of weak schools' end state (RWM attainment and grade);
- for a one-parameter grid or list sweep, paired differences against the swept value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.io import atomic_path

MAX_PANELS = 12
FORMATS = ("png", "svg")
FAN_METRICS = {"gap": "attainment gap, other minus weak schools (pp)",
               "left_behind": "share of weak schools left behind"}
FOREST = ["left_behind", "gap", "catch_up", "isolation_weak", "cpd_access_ratio", "rwm_weak",
          "terms_below_floor_weak"]
GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
GRADE_COLOURS = ["#1a9850", "#91cf60", "#fc8d59", "#d73027"]


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


def fan_chart(ts: pd.DataFrame, labels: list[str], metric: str, folder: Path) -> str:
    shown = labels[:MAX_PANELS]
    fig, axes = _grid(len(shown))
    for ax, label in zip(axes, shown, strict=False):
        wide = ts[ts["label"] == label].pivot(index="year", columns="replicate", values=metric)
        q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        ax.fill_between(q.index, q[0.05], q[0.95], color="#4575b4", alpha=0.18, lw=0,
                        label="90% of replicates")
        ax.fill_between(q.index, q[0.25], q[0.75], color="#4575b4", alpha=0.35, lw=0,
                        label="50% of replicates")
        ax.plot(q.index, q[0.5], color="#313695", lw=1.8, label="median")
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, frameon=False)
    fig.supxlabel("year")
    fig.supylabel(FAN_METRICS[metric], fontsize=9)
    if len(labels) > len(shown):
        fig.suptitle(f"first {len(shown)} of {len(labels)} scenarios; see timeseries.csv",
                     fontsize=8)
    return _save(fig, folder, f"fan_{metric}")


def forest(diffs: pd.DataFrame, baseline: str, folder: Path) -> str | None:
    outcomes = [o for o in FOREST if o in set(diffs["outcome"])]
    if not outcomes:
        return None
    labels = list(dict.fromkeys(diffs["label"]))[:30]
    plt = _plt()
    cols = min(len(outcomes), 4)
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, rows * (0.9 + 0.3 * len(labels))),
                             sharey=True, squeeze=False, layout="constrained")
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    y = np.arange(len(labels))[::-1]
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        d = diffs[diffs["outcome"] == outcome].set_index("label").reindex(labels)
        colour = np.where(d["worse_for_weak"].fillna(False).astype(bool), "#d73027",
                          np.where(d["better_for_weak"].fillna(False).astype(bool), "#1a9850",
                                   "#555555"))
        ax.hlines(y, d["ci_low"], d["ci_high"], colors=colour, lw=2)
        ax.scatter(d["mean_diff"], y, c=colour, s=18, zorder=3)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(outcome, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=7)
    for row in axes:
        row[0].set_yticks(y, labels, fontsize=8)
    fig.suptitle(f"paired difference vs {baseline} (95% CI; red: worse for weak schools, "
                 "green: better)", fontsize=9)
    return _save(fig, folder, "forest_paired_differences")


def weak_end_state(schools: pd.DataFrame, labels: list[str], floor: float | None,
                   folder: Path) -> str:
    plt = _plt()
    weak = schools[schools["weak"].astype(bool)]
    shown = labels[:MAX_PANELS * 2]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 1.2 + 0.4 * len(shown)), sharey=True,
                                      layout="constrained")
    data = [weak.loc[weak["label"] == lb, "rwm_end"].to_numpy() for lb in shown]
    y = np.arange(len(shown))[::-1]
    left.boxplot(data, positions=y, orientation="horizontal", widths=0.6, showfliers=False)
    if floor is not None:
        left.axvline(floor, color="#d73027", ls="--", lw=1, label=f"floor ({floor:g}%)")
        left.legend(fontsize=7, frameon=False)
    left.set_yticks(y, shown, fontsize=8)
    left.set_xlabel("weak schools' RWM at the end (% at expected standard)")
    shares = (weak[weak["label"].isin(shown)].groupby("label")["grade_end"]
              .value_counts(normalize=True).unstack(fill_value=0.0)
              .reindex(index=shown, columns=GRADES, fill_value=0.0))
    start = np.zeros(len(shown))
    for grade, colour in zip(GRADES, GRADE_COLOURS, strict=True):
        right.barh(y, shares[grade], left=start, color=colour, label=grade, height=0.6)
        start += shares[grade].to_numpy()
    right.set_xlabel("weak schools' grade at the end (share)")
    fig.legend(*right.get_legend_handles_labels(), loc="outside lower right", ncols=4,
               fontsize=7, frameon=False)
    return _save(fig, folder, "weak_end_state")


def sweep_curves(batch, diffs: pd.DataFrame, folder: Path) -> str | None:
    """Paired difference vs the baseline against the swept value (one-parameter sweeps)."""
    sweep = batch.manifest["sweep"]
    if sweep["method"] not in ("grid", "list") or len(sweep["params"]) != 1 or diffs.empty:
        return None
    name = sweep["params"][0]
    if not all(isinstance(p[name], int | float) for p in batch.points):
        return None
    outcomes = [o for o in ("left_behind", "gap", "catch_up", "rwm_weak")
                if o in set(diffs["outcome"])]
    plt = _plt()
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.4 * len(outcomes), 3),
                             squeeze=False, layout="constrained")
    for ax, outcome in zip(axes.flat, outcomes, strict=True):
        d = diffs[diffs["outcome"] == outcome].copy()
        d["x"] = [batch.points[p][name] for p in d["point"]]
        for scenario, g in d.groupby("scenario", sort=False):
            g = g.sort_values("x")
            ax.plot(g["x"], g["mean_diff"], marker="o", ms=3, label=scenario)
            ax.fill_between(g["x"], g["ci_low"], g["ci_high"], alpha=0.2)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel(name, fontsize=8)
        ax.set_title(outcome, fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"paired difference vs {batch.baseline} at each {name} (95% CI)", fontsize=9)
    return _save(fig, folder, f"sweep_{name}")


def make_plots(batch, summary: pd.DataFrame, diffs: pd.DataFrame,
               schools: pd.DataFrame | None, folder: Path) -> list[str]:
    """Draw every figure the batch's files allow; return their stems (without extension)."""
    made = []
    ts = batch.table("timeseries.csv", ["scenario", "point", "replicate", "year",
                                        *FAN_METRICS])
    if ts is not None:
        made += [fan_chart(ts, batch.labels, m, folder) for m in FAN_METRICS if m in ts]
    if len(diffs):
        made.append(forest(diffs, batch.baseline, folder))
    if schools is not None and "grade_end" in schools:
        made.append(weak_end_state(schools, batch.labels, batch.floor, folder))
    made.append(sweep_curves(batch, diffs, folder))
    return [m for m in made if m]
