"""How the assumptions move the policy *ranking* (issue 14 item 8), on the Morris design.

A sensitivity spec's optional ``[ranking]`` table names policy scenarios (the first is the
baseline) and one outcome::

    [ranking]
    scenarios = ["self_improving", "local_authority", "superintendent"]
    outcome = "left_behind"

Every Morris point then also runs each of these scenarios on the same replicate seeds
(common random numbers). Per point, the outcome is averaged over replicates for each
scenario; from that:

- Morris on each paired difference (scenario minus baseline): ``mu_star`` says how far a
  parameter moves a policy's advantage, ``mu`` in which direction;
- the ranking (scenarios ordered by the outcome, lowest first) at every point, its most
  common order and the share of points that have it;
- per parameter, the share of its Morris steps (one parameter moved, the others held)
  after which the ranking differs: the parameters that can reorder the policies.

Written as ``ranking.csv`` (one row per parameter and comparison) and the manifest's
``ranking`` entry (the modal order and its share).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np


def label(policies: str) -> str:
    return f"ranking:{policies}"


def point_table(runs, scenarios: tuple[str, ...], outcome: str, n_points: int):
    """Outcome means over replicates, one row per design point, one column per scenario."""
    part = runs[runs["scenario"].isin([label(s) for s in scenarios])]
    table = part.groupby(["point", "scenario"])[outcome].mean().unstack("scenario")
    table = table.reindex(index=range(n_points), columns=[label(s) for s in scenarios])
    table.columns = list(scenarios)
    if table.isna().all(axis=1).any():
        missing = int(table.isna().all(axis=1).sum())
        raise RuntimeError(f"ranking: {missing} design points have no runs; delete the "
                           "stage folder and run again")
    return table


def orders(table) -> list[tuple[str, ...]]:
    """Each point's ranking: scenarios by the outcome, lowest first (ties by name order)."""
    names = list(table.columns)
    return [tuple(names[i] for i in np.argsort(row, kind="stable"))
            for row in table.to_numpy(float)]


def moved(x: np.ndarray, k: int) -> list[tuple[int, int]]:
    """(parameter, point) for every Morris step: the point reached by moving one parameter
    from the previous point of its trajectory (trajectories are k + 1 points long)."""
    steps = []
    for start in range(0, len(x), k + 1):
        for j in range(start + 1, start + k + 1):
            delta = np.abs(x[j] - x[j - 1])
            if delta.max() > 0:
                steps.append((int(np.argmax(delta)), j))
    return steps


def analyse(spec, x: np.ndarray, runs_csv: Path, num_resamples: int, conf_level: float):
    """``ranking.csv``'s frame and the manifest summary for a spec with ``[ranking]``
    (``x``: the Morris design; the bootstrap settings as the spec's own screen)."""
    import pandas as pd
    from SALib.analyze import morris

    runs = pd.read_csv(runs_csv)
    table = point_table(runs, spec.ranking, spec.ranking_outcome, len(x))
    ranked = orders(table)
    modal, count = Counter(ranked).most_common(1)[0]
    names = list(spec.ranges)
    flips = {n: [0, 0] for n in names}
    for i, j in moved(x, len(names)):
        flips[names[i]][0] += ranked[j] != ranked[j - 1]
        flips[names[i]][1] += 1
    base = spec.ranking[0]
    rows = []
    for other in spec.ranking[1:]:
        diff = (table[other] - table[base]).to_numpy(float)
        with np.errstate(all="ignore"):
            res = morris.analyze(spec.problem(), x, diff, num_resamples=num_resamples,
                                 conf_level=conf_level, num_levels=spec.levels,
                                 seed=spec.morris_seed)
        for i, name in enumerate(names):
            changed, steps = flips[name]
            rows.append({"parameter": name, "comparison": f"{other} - {base}",
                         "outcome": spec.ranking_outcome,
                         **{k: float(res[k][i]) for k in ("mu", "mu_star", "sigma",
                                                          "mu_star_conf")},
                         "ranking_changes": changed / steps if steps else float("nan")})
    frame = pd.DataFrame(rows)
    frame["rank"] = frame.groupby("comparison", sort=False)["mu_star"].rank(
        ascending=False, method="first", na_option="bottom").astype(int)
    frame = frame.sort_values(["comparison", "rank"], kind="stable").reset_index(drop=True)
    summary = {"scenarios": list(spec.ranking), "outcome": spec.ranking_outcome,
               "modal_order": list(modal), "modal_share": count / len(ranked),
               "points": len(ranked),
               "mean_by_scenario": {s: float(table[s].mean()) for s in table.columns}}
    return frame, summary


def summary_lines(summary: dict, frame, shown: int = 5) -> list[str]:
    """The ranking's stability in a few lines, for the command's closing summary."""
    lines = [f"Policy ranking by {summary['outcome']} (lowest first) at "
             f"{summary['points']} Morris points: {' < '.join(summary['modal_order'])} at "
             f"{summary['modal_share']:.0%} of them"]
    for comp, part in frame.groupby("comparison", sort=False):
        tops = ", ".join(f"{r.parameter} {r.mu_star:.3g}" for r in part.head(shown).itertuples())
        lines.append(f"  {comp}: mu* {tops}")
    movers = frame.drop_duplicates("parameter").sort_values("ranking_changes",
                                                            ascending=False).head(shown)
    movers = movers[movers["ranking_changes"] > 0]
    if len(movers):
        lines.append("  steps that reorder the policies: " + ", ".join(
            f"{r.parameter} {r.ranking_changes:.0%}" for r in movers.itertuples()))
    return lines
