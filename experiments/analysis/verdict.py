"""The comparison of a batch's scenarios against its baseline, in numbers (`compare`, one
`Row` per scenario) and in words: the verdict paragraph of the report, the ranked table of
`clustersim run` and the batch's closing headline. The statistics are `stats`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from clustersim.experiments.analysis.stats import (
    COSTS,
    HEADLINE_OUTCOME,
    MIN_EFFECT,
    bootstrap_interval,
    cost_per_weak_lifted,
    money,
    t_interval,
)
from clustersim.experiments.shared import io


@dataclass
class Row:
    """One scenario of the comparison: its left-behind share, the paired difference against
    the baseline (fractions) and its cost."""

    label: str
    n: int
    share: float
    share_low: float
    share_high: float
    diff: float = 0.0
    low: float = math.nan
    high: float = math.nan
    cost: float = math.nan           # £ per school per year (mean)
    extra_cost: float = math.nan     # paired, against the baseline
    per_weak_lifted: float | None = None
    status: str = "baseline"         # fewer | more | tie | unclear | baseline


def classify(mean: float, low: float, high: float, n: int, limit: float) -> str:
    """"tie" under the practical threshold whatever the interval; "fewer"/"more" when also
    statistically clear (the 95% interval excludes zero); "unclear" otherwise."""
    if not math.isfinite(mean) or abs(mean) < limit:
        return "tie"
    if n > 1 and (low > 0 or high < 0):
        return "more" if mean > 0 else "fewer"
    return "unclear"


def n_schools(folder: Path, manifest: dict, schools: pd.DataFrame | None = None) -> tuple:
    """(schools, weak schools) per run: from schools.csv when it holds every school, else
    the preset's size and the weak share of it."""
    resolved = manifest["scenarios"][0]["resolved"]
    total = weak = None
    if schools is not None and "weak" in schools and "run_id" in schools:
        per_run = schools.groupby("run_id")["weak"]
        weak = float(per_run.sum().mean())
        if manifest.get("outputs", {}).get("schools") == "all":
            total = float(per_run.size().mean())
    if total is None:
        try:
            from clustersim.model.region import PRESETS

            total = float(PRESETS[manifest["preset"]].n_schools)
        except (KeyError, ImportError):
            total = math.nan
    if weak is None:
        weak = round(total * resolved.get("weak_quantile", 0.2)) if math.isfinite(total) \
            else math.nan
    return total, weak


def compare(runs: pd.DataFrame, baseline: str, years: float, schools: float, weak: float,
            min_effect: float = MIN_EFFECT, outcome: str = HEADLINE_OUTCOME,
            label: str = "label") -> list[Row]:
    """Every scenario's left-behind share with its interval (bootstrap, within 0-100%) and,
    for the others, the paired difference against the baseline, its status and cost."""
    rows = []
    base = runs[runs[label] == baseline].set_index("replicate").sort_index()
    for name, g in runs.groupby(label, sort=False):
        g = g.set_index("replicate").sort_index()
        n, mean, _, _, _ = t_interval(g[outcome])
        lo, hi = bootstrap_interval(g[outcome])
        cost = next((c for c in COSTS if c in g), None)
        row = Row(name, n, mean, lo, hi, cost=float(g[cost].mean()) if cost else math.nan)
        if name != baseline and len(base):
            ref = base.reindex(g.index)
            d = g[outcome].to_numpy(float) - ref[outcome].to_numpy(float)
            n, row.diff, _, row.low, row.high = t_interval(d)
            row.status = classify(row.diff, row.low, row.high, n, min_effect)
            if cost:
                row.extra_cost = float(np.nanmean(g[cost].to_numpy(float)
                                                  - ref[cost].to_numpy(float)))
                row.per_weak_lifted = cost_per_weak_lifted(
                    g[cost], ref[cost], years, schools, ref[outcome] * weak, g[outcome] * weak)
        rows.append(row)
    return rows


def _pp(x: float) -> str:
    return f"{100 * abs(x):.1f}"


def _interval_words(r: Row) -> str:
    lo, hi = 100 * r.low, 100 * r.high
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "one replicate: no interval"
    if hi < 0:
        span = f"{-hi:.1f} to {-lo:.1f} fewer"
    elif lo > 0:
        span = f"{lo:.1f} to {hi:.1f} more"
    else:
        span = f"{lo:+.1f} to {hi:+.1f} pp"
    return f"paired 95% interval {span}, {r.n} replicates"


def _cost_words(r: Row, baseline: str) -> str:
    if not math.isfinite(r.extra_cost):
        return ""
    more = "more" if r.extra_cost >= 0 else "less"
    text = f"; it costs {money(abs(r.extra_cost))} {more} per school per year than {baseline}"
    if r.per_weak_lifted is None:
        return text + " (no gain: no weak school is kept out of \"left behind\")"
    if r.per_weak_lifted < 0:
        return text + ", so each weak school kept out of \"left behind\" comes with a saving"
    return text + (f", {money(r.per_weak_lifted)} per weak school kept out of "
                   "\"left behind\"")


def _tied_with(rows: list[Row], best: Row, runs: pd.DataFrame, min_effect: float,
               outcome: str, label: str) -> list[str]:
    """Scenarios whose paired difference from ``best`` is under the threshold or not
    statistically clear: they share its rank."""
    mine = runs[runs[label] == best.label].set_index("replicate").sort_index()[outcome]
    out = []
    for r in rows:
        if r.label == best.label:
            continue
        other = runs[runs[label] == r.label].set_index("replicate")[outcome].reindex(mine.index)
        n, mean, _, lo, hi = t_interval(other.to_numpy(float) - mine.to_numpy(float))
        if classify(mean, lo, hi, n, min_effect) in ("tie", "unclear"):
            out.append(r.label)
    return out


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict(rows: list[Row], runs: pd.DataFrame, baseline: str, years: float,
            min_effect: float = MIN_EFFECT, why: dict[str, str] | None = None,
            outcome: str = HEADLINE_OUTCOME, label: str = "label") -> str:
    """One plain-English paragraph: who leaves the fewest and the most weak schools behind,
    by how much against the baseline, at what cost, and why; ties said as ties."""
    why = why or {}
    base = next(r for r in rows if r.label == baseline)
    others = [r for r in rows if r.label != baseline]
    thr = f"{100 * min_effect:g}"
    text = [f"Under {baseline} (the baseline) {100 * base.share:.0f}% of weak schools are left "
            f"behind after {years:g} years (still below the floor or below the good "
            f"standard). Differences smaller than {thr} percentage points of "
            f"weak schools are called ties, whatever their p-value."]
    if not others:
        return " ".join(text)
    ranked = sorted(rows, key=lambda r: r.share)

    def sentence(r: Row, word: str) -> str:
        name = r.label[:1].upper() + r.label[1:]
        s = (f"{name} leaves the {word} weak schools behind: {100 * r.share:.0f}%, "
             f"{_pp(r.diff)} percentage points {'fewer' if r.diff < 0 else 'more'} than "
             f"{baseline} ({_interval_words(r)}){_cost_words(r, baseline)}.")
        if r.label in why:
            s += f" Why: {why[r.label].rstrip('.')}."
        return s

    best, worst = ranked[0], ranked[-1]
    mentioned = {best.label, worst.label}
    for r, word, status in ((best, "fewest", "fewer"), (worst, "most", "more")):
        if r.label != baseline and r.status == status:
            text.append(sentence(r, word))
            ties = _tied_with([o for o in rows if o.label != baseline], r, runs, min_effect,
                              outcome, label)
            mentioned |= set(ties)
            if ties:
                text.append(f"It ties for the {word} with {_join(ties)} (their difference "
                            f"from {r.label} is under {thr} points or not statistically "
                            "clear).")
        else:
            text.append(f"No policy leaves {status} weak schools behind than {baseline} by "
                        f"{thr} points or more with a clear 95% interval.")
    for word, status in (("fewer", "fewer"), ("more", "more")):
        also = [r for r in sorted(others, key=lambda r: r.share) if r.status == status
                and r.label not in mentioned]
        if also:
            text.append(f"Also clearly {word} left behind than {baseline}: " + _join(
                [f"{r.label} ({100 * r.diff:+.1f} pp, {100 * r.low:+.1f} to "
                 f"{100 * r.high:+.1f})" for r in also]) + ".")
    tied = [r for r in others if r.status == "tie"]
    if tied:
        small = [r for r in tied if r.n > 1 and math.isfinite(r.low) and
                 (r.low > 0 or r.high < 0)]
        text.append(f"Tied with {baseline} (within {thr} points): "
                    + _join([f"{r.label} ({100 * r.diff:+.1f} pp)" for r in tied]) + "."
                    + (f" Of these, {_join([r.label for r in small])} "
                       f"{'differs' if len(small) == 1 else 'differ'} statistically but by "
                       "less than the threshold: a real but practically small difference."
                       if small else ""))
    unclear = [r for r in others if r.status == "unclear"]
    if unclear:
        text.append("Not yet clear (a difference of the threshold or more, but a 95% interval "
                    "that includes zero; more replicates would tell): "
                    + _join([f"{r.label} ({100 * r.diff:+.1f} pp, {100 * r.low:+.1f} to "
                             f"{100 * r.high:+.1f})" for r in unclear]) + ".")
    return " ".join(text)


def ranked_table(rows: list[Row], baseline: str) -> str:
    """A short text table, fewest left behind first: share with its interval, the paired
    difference against the baseline with its interval, the verdict word and the cost."""
    head = (f"{'rank':<5}{'scenario':<36}{'left behind [95% CI]':<22}"
            f"{'vs ' + baseline + ' (pp) [95% CI]':<32}{'cost £/school/yr':>17}")
    lines = [head]
    for i, r in enumerate(sorted(rows, key=lambda r: r.share), 1):
        share = f"{100 * r.share:.0f}% [{100 * r.share_low:.0f}, {100 * r.share_high:.0f}]" \
            if math.isfinite(r.share_low) else f"{100 * r.share:.0f}%"
        diff = "(baseline)" if r.label == baseline else (
            f"{100 * r.diff:+.1f} [{100 * r.low:+.1f}, {100 * r.high:+.1f}] {r.status}"
            if math.isfinite(r.low) else f"{100 * r.diff:+.1f} {r.status}")
        cost = f"{r.cost:,.0f}" if math.isfinite(r.cost) else "–"
        lines.append(f"{i:<5}{r.label[:35]:<36}{share:<22}{diff:<32}{cost:>17}")
    return "\n".join(lines)


def headline_line(folder: str | Path, min_effect: float = MIN_EFFECT) -> str | None:
    """The batch's closing line: fewest and most left behind against the baseline, or None
    when the folder has no comparison to make (never raises)."""
    try:
        folder = Path(folder)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        runs = io.read_table(folder, "runs.csv")
        if HEADLINE_OUTCOME not in runs or manifest.get("baseline") not in set(runs["scenario"]):
            return None
        if len(manifest["sweep"]["points"]) > 1:  # the first point run (a sampled sweep
            runs = runs[runs["point"] == runs["point"].min()]  # may have skipped point 0)
        total, weak = n_schools(folder, manifest)
        rows = compare(runs, manifest["baseline"], manifest["years"], total, weak, min_effect,
                       label="scenario")
    except Exception:  # a closing summary must never fail a finished batch
        return None
    if not rows:
        return None
    base = manifest["baseline"]
    ranked = sorted(rows, key=lambda r: r.share)
    parts = []
    for word, r in (("fewest", ranked[0]), ("most", ranked[-1])):
        if r.label == base:
            parts.append(f"{word} {base} itself")
            continue
        interval = (f" [{100 * r.low:+.1f}, {100 * r.high:+.1f}]" if math.isfinite(r.low)
                    else "")
        parts.append(f"{word} {r.label} {100 * r.share:.0f}% ({100 * r.diff:+.1f} pp"
                     f"{interval}: {r.status})")
    point = " at sweep point 0" if len(manifest["sweep"]["points"]) > 1 else ""
    return (f"headline{point}: weak schools left behind under {base} "
            f"{100 * next(r.share for r in rows if r.label == base):.0f}%; "
            + "; ".join(parts)
            + f" (ties under {100 * min_effect:g} pp; `clustersim report {folder}` for more)")

