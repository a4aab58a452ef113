"""The decision numbers of a batch, shared by the report, `clustersim run` and the batch's
closing line: practical ties, the verdict, cost per weak school lifted, intervals of
shares that stay within 0-100%, and the longitudinal view of inspections.

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
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from clustersim.experiments.shared import io

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


# ------------------------------------------------------------------- the comparison
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
    if best.label != baseline and best.status == "fewer":
        text.append(sentence(best, "fewest"))
        ties = _tied_with([r for r in rows if r.label != baseline], best, runs, min_effect,
                          outcome, label)
        mentioned |= set(ties)
        if ties:
            text.append(f"It ties for the fewest with {_join(ties)} (their difference from "
                        f"{best.label} is under {thr} points or not statistically clear).")
    else:
        text.append(f"No policy leaves fewer weak schools behind than {baseline} by {thr} "
                    "points or more with a clear 95% interval.")
    if worst.label != baseline and worst.status == "more":
        text.append(sentence(worst, "most"))
        ties = _tied_with([r for r in rows if r.label != baseline], worst, runs, min_effect,
                          outcome, label)
        mentioned |= set(ties)
        if ties:
            text.append(f"It ties for the most with {_join(ties)}.")
    else:
        text.append(f"No policy leaves more weak schools behind than {baseline} by {thr} "
                    "points or more with a clear 95% interval.")
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


# ------------------------------------------------------------------- longitudinal
def _runs_key(frame: pd.DataFrame) -> list[str]:
    return [c for c in ("run_id", "scenario", "label") if c in frame][:1]


def transition_matrix(inspections: pd.DataFrame, start: pd.DataFrame | None = None
                      ) -> pd.DataFrame:
    """Counts of grade transitions between consecutive grades of the same school (rows:
    from, columns: to), in GRADES order.

    ``inspections`` has a run key (run_id or scenario), school, term and grade; ``start``
    (optional) the same run key, school and ``grade_start``, the grade published at term 0,
    which then counts as each school's first grade.
    """
    key = _runs_key(inspections)
    seq = inspections[[*key, "school", "term", "grade"]]
    if start is not None and len(start):
        first = start[[*key, "school", "grade_start"]].rename(columns={"grade_start": "grade"})
        seq = pd.concat([first.assign(term=-1), seq], ignore_index=True)
    seq = seq.sort_values([*key, "school", "term"], kind="stable")
    same = (seq[[*key, "school"]].shift(-1) == seq[[*key, "school"]]).all(axis=1)
    frm, to = seq["grade"][same.to_numpy()], seq["grade"].shift(-1)[same.to_numpy()]
    counts = pd.crosstab(pd.Categorical(frm, GRADES), pd.Categorical(to, GRADES),
                         dropna=False)
    counts = counts.reindex(index=GRADES, columns=GRADES, fill_value=0)
    counts.index.name, counts.columns.name = "from", "to"
    return counts.astype(int)


def row_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Each row of a transition count matrix as shares (NaN for a grade never left)."""
    totals = counts.sum(axis=1).replace(0, np.nan)
    return counts.div(totals, axis=0)


def school_histories(schools: pd.DataFrame, inspections: pd.DataFrame, end_term: int,
                     label: str = "label") -> pd.DataFrame:
    """One row per weak school and run: ever graded good or better during the run, its
    spells below good (requires improvement or inadequate: from the inspection, or term 0,
    that put it there to the inspection that graded it good again, or the run's end) and
    whether it stayed stuck (never graded good or better)."""
    weak = schools[schools["weak"].astype(bool)]
    ins = inspections.merge(weak[["run_id", "school"]], on=["run_id", "school"])
    ins = ins.sort_values(["run_id", "school", "term"], kind="stable")
    good = ins["grade"].isin(["outstanding", "good"])
    ever = good.groupby([ins["run_id"], ins["school"]]).any()
    spells_n, spell_terms, open_at_end = {}, {}, {}
    grades = {k: (g["term"].to_numpy(), g["grade"].to_numpy())
              for k, g in ins.groupby(["run_id", "school"], sort=False)}
    for r in weak[["run_id", "school", "grade_start"]].itertuples(index=False):
        terms, gs = grades.get((r.run_id, r.school), ((), ()))
        since = 0 if r.grade_start in BELOW_GOOD else None
        lengths = []
        for t, g in zip(terms, gs, strict=True):
            if g in BELOW_GOOD and since is None:
                since = int(t)
            elif g not in BELOW_GOOD and since is not None:
                lengths.append(int(t) - since)
                since = None
        still = since is not None
        if still:
            lengths.append(end_term - since)
        spells_n[(r.run_id, r.school)] = len(lengths)
        spell_terms[(r.run_id, r.school)] = sum(lengths)
        open_at_end[(r.run_id, r.school)] = still
    out = weak.copy()
    keys = list(zip(out["run_id"], out["school"], strict=True))
    out["ever_good"] = [bool(ever.get(k, False)) for k in keys]
    out["started_below_good"] = out["grade_start"].isin(BELOW_GOOD)
    out["spells_below_good"] = [spells_n[k] for k in keys]
    out["terms_below_good"] = [spell_terms[k] for k in keys]
    out["below_good_at_end"] = [open_at_end[k] for k in keys]
    out["stuck"] = ~out["ever_good"]
    return out


def floor_spells(weak: pd.DataFrame) -> dict[str, float]:
    """Weak schools' spells below the floor standard (attainment), from the schools
    table's per-run counts: how many, their mean length and the mean longest, in terms."""
    if "floor_spells" not in weak:  # batches written before the model counted spells
        return {"floor_spells": math.nan, "mean_floor_spell_terms": math.nan,
                "longest_floor_spell": math.nan}
    spells = float(weak["floor_spells"].sum())
    return {"floor_spells": spells,
            "mean_floor_spell_terms": float(weak["terms_below_floor"].sum()) / spells
            if spells else math.nan,
            "longest_floor_spell": float(weak["longest_floor_spell"].mean())}


def longitudinal(histories: pd.DataFrame, label: str = "label") -> pd.DataFrame:
    """Per scenario: weak schools, the share ever graded good or better (of all weak
    schools, and of those starting below good, with Wilson intervals), spells below good
    (count, mean length in terms, share still open at the end) and the share stuck."""
    rows = []
    for name, g in histories.groupby(label, sort=False):
        below = g[g["started_below_good"]]
        k, n = int(g["ever_good"].sum()), len(g)
        kb, nb = int(below["ever_good"].sum()), len(below)
        spells = int(g["spells_below_good"].sum())
        lo, hi = wilson_interval(k, n)
        lob, hib = wilson_interval(kb, nb)
        rows.append({label: name, "weak_schools": n, "ever_good": k / n if n else math.nan,
                     "ever_good_low": lo, "ever_good_high": hi,
                     "started_below_good": nb,
                     "ever_good_from_below": kb / nb if nb else math.nan,
                     "ever_good_from_below_low": lob, "ever_good_from_below_high": hib,
                     "spells_below_good": spells,
                     "mean_spell_terms": g["terms_below_good"].sum() / spells
                     if spells else math.nan,
                     "spells_open_at_end": int(g["below_good_at_end"].sum()),
                     "stuck": float(g["stuck"].mean()) if n else math.nan,
                     **floor_spells(g)})
    return pd.DataFrame(rows)


@dataclass
class Batch:
    """A batch folder as data frames (`load_batch`): ``runs`` (one row per run),
    ``timeseries``, ``schools`` and ``inspections`` (None when the spec did not write
    them) and ``manifest`` (a dict: the spec, seeds, versions)."""

    folder: Path
    manifest: dict
    runs: pd.DataFrame
    timeseries: pd.DataFrame | None = None
    schools: pd.DataFrame | None = None
    inspections: pd.DataFrame | None = None

    @property
    def baseline(self) -> str:
        return self.manifest.get("baseline") or str(self.runs["scenario"].iloc[0])

    def paired(self, outcome: str = HEADLINE_OUTCOME, baseline: str | None = None
               ) -> pd.DataFrame:
        """Each scenario's (and sweep point's) paired difference in ``outcome`` against
        ``baseline`` (default: the spec's), replicate by replicate on the same seeds, as
        the report shows it: n, mean, 95% t interval."""
        from clustersim.model.errors import UserError

        if outcome not in self.runs:
            raise UserError(f"outcome {outcome!r} is not in runs.csv")
        base_name = baseline or self.baseline
        if base_name not in set(self.runs["scenario"]):
            raise UserError(f"baseline {base_name!r} is not a scenario of this batch; "
                            f"scenarios: {', '.join(dict.fromkeys(self.runs['scenario']))}")
        rows = []
        for point, at in self.runs.groupby("point", sort=True):
            base = at[at["scenario"] == base_name].set_index("replicate")[outcome]
            for name, g in at.groupby("scenario", sort=False):
                d = g.set_index("replicate")[outcome] - base.reindex(
                    g["replicate"].to_numpy())
                n, mean, _, low, high = t_interval(d.to_numpy(float))
                rows.append({"scenario": name, "point": point, "outcome": outcome,
                             "baseline": base_name, "n": n, "mean": mean, "low": low,
                             "high": high})
        return pd.DataFrame(rows)


def load_batch(folder: str | Path) -> Batch:
    """Read a batch folder (`clustersim batch` or `clustersim run --replicates`) for
    analysis; a missing or damaged folder is one `UserError` naming the file."""
    from clustersim.model.errors import UserError

    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        runs = io.read_table(folder, "runs.csv")
    except FileNotFoundError as exc:
        raise UserError(f"{folder}: no {Path(exc.filename).name}; not a batch folder") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{folder}: a damaged manifest.json or runs.csv ({exc})") from None
    optional = {name: io.read_table(folder, f"{name}.csv")
                if io.table_path(folder, f"{name}.csv").exists() else None
                for name in ("timeseries", "schools", "inspections")}
    return Batch(folder=folder, manifest=manifest, runs=runs, **optional)
