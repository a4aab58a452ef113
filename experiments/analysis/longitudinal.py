"""The longitudinal view of weak schools: grade transitions between inspections, each
weak school's history below good, spells below the floor, and the per-scenario summary.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from clustersim.experiments.analysis.stats import BELOW_GOOD, GRADES, wilson_interval


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

