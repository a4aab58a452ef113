"""The validation suite: patterns P1-P11 of docs/evidence.md (section D) and a table of
mechanisms M1-M15 (`experiments.credibility.validation_mechanisms`).

Pattern-oriented modelling: a credible model reproduces several patterns at once. Each
experiment (`validation_experiments`) runs replicates, seeded from one root so
the suite is reproducible, and returns named figures; each figure's mean and 95% t
interval is set beside its target. Experiments take ``(seed, overrides)``: calibration
passes its candidate parameter values in, and they reach every model through its config.
Experiments run on the batch engine's executors (serial, fork pool or Dask).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from clustersim.experiments.credibility.validation_experiments import DESIGNS, EXPERIMENTS, pinned  # noqa: F401
from clustersim.model.errors import UserError


@dataclass(frozen=True)
class Figure:
    """One figure of a pattern: its experiment, what it measures and its target range."""

    pattern: str
    experiment: str
    name: str
    description: str
    low: float
    high: float
    unit: str = ""


def _status_quo_figures() -> list[Figure]:
    """P1 (grade shares) at years 10 and 20, P2, P10 (RI schools' next grade, stuck
    schools), P11 (below floor, drift), under each status-quo policy."""
    out = []
    for policy, tag in (("self_improving", "si"), ("local_authority", "la")):
        e = f"status_quo_{tag}"
        for year in (10, 20):
            y = f"y{year}"
            out += [
                Figure("P1", e, f"good_outstanding_{y}_{tag}",
                       f"{policy}, year {year}: share good or outstanding", 0.86, 0.90),
                Figure("P1", e, f"ri_{y}_{tag}", f"{policy}, year {year}: share RI", 0.08, 0.11),
                Figure("P1", e, f"inadequate_{y}_{tag}",
                       f"{policy}, year {year}: share inadequate", 0.02, 0.04)]
        out.append(Figure("P2", e, f"deprivation_ratio_{tag}",
                          f"{policy}, year 10: RI-or-inadequate share, most vs least deprived "
                          "fifth", 3.0, 5.0, "x"))
        out += [  # the evidence's years (2013-19) had LAs: both status quos are tested
            Figure("P10", e, f"ri_good_next_{tag}",
                   f"{policy}: graded RI, share good or better at the next inspection",
                   0.60, 0.75),
            Figure("P10", e, f"stuck_y20_{tag}",
                   f"{policy}: share below good at every inspection for 10+ years "
                   "(year 20)", 0.01, 0.04)]
        out += [Figure("P11", e, f"below_floor_{y}_{tag}",
                       f"{policy}, year {year}: share of schools below the floor", 0.03, 0.06)
                for year, y in ((10, "y10"), (20, "y20"))]
        out.append(Figure("P11", e, f"good_outstanding_drift_{tag}",
                          f"{policy}: change in good-or-outstanding share, year 0 to 20 "
                          "(P1's band is 4 points wide)", -0.03, 0.03))
    return out


FIGURES: list[Figure] = [
    *_status_quo_figures(),
    Figure("P3", "no_middle_tier", "quality_ties_corr",
           "no middle tier: correlation of initial quality with terms in a cluster", 0.0, 1.0),
    Figure("P3", "no_middle_tier", "weak_isolation_excess",
           "no middle tier: isolation of weak schools minus others", 0.0, 1.0),
    Figure("P4", "no_middle_tier", "cpd_q1_vs_q5",
           "no broker: CPD per teacher, weakest fifth / strongest", 0.0, 1.0, "x"),
    Figure("P4", "cpd_bank", "credits_quality_corr",
           "CPD bank: correlation of credit balance with initial quality", 0.0, 1.0),
    Figure("P5", "no_middle_tier", "partner_quality_ratio",
           "mean quality gap between partners / between random pairs", 0.0, 0.9, "x"),
    Figure("P5", "no_middle_tier", "partner_distance_ratio",
           "mean partner distance / random pairs in the same LA", 0.0, 0.5, "x"),
    Figure("P6", "cpd_effect", "sustained_sd_per_year",
           "effect of 30 h a year of sustained CPD on the domains trained", 0.05, 0.10, "SD"),
    Figure("P6", "cpd_effect", "oneoff_vs_sustained",
           "one-off events' effect / sustained effect", 0.0, 0.5, "x"),
    Figure("P7", "maximising_progress", "maths_best_cluster",
           "Maximising Progress, 18 months: maths uplift, best cluster", 5.0, 8.0, "pp"),
    Figure("P7", "maximising_progress", "maths_mean_cluster",
           "Maximising Progress, 18 months: maths uplift, mean of clusters", 2.0, 4.0, "pp"),
    Figure("P7", "maximising_progress", "english_mean_cluster",
           "Maximising Progress, 18 months: English uplift (ripple), mean of clusters",
           0.0, 4.0, "pp"),
    Figure("P8", "superintendent", "low_attaining_ratio_y8",
           "superintendent: schools below the floor, year 8 / start", 0.0, 0.5, "x"),
    Figure("P8", "superintendent", "low_attaining_ratio_y3",
           "superintendent: schools below the floor, year 3 / start", 0.6, 1.5, "x"),
    Figure("P9", "regions", "regional_spread",
           "England (LAs and trusts): spread of good-or-outstanding share across 9 regions",
           0.12, 0.28),
]
FIGURES.sort(key=lambda f: int(f.pattern[1:]))  # stable: each pattern's figures in order
PATTERNS: list[str] = sorted({f.pattern for f in FIGURES}, key=lambda p: int(p[1:]))

SEED_003 = {
    "maths_best_cluster": "+8 pp at Level 4 (one cluster)",
    "english_mean_cluster": "+5 pp at Level 5 (one cluster)",
}


# ---------------------------------------------------------------------------- the suite
def run_task(task: tuple) -> tuple[str, int, dict[str, float]]:
    """Worker entry point (importable by Dask): (experiment, replicate, seed[, overrides])."""
    name, replicate, seed, *rest = task
    overrides = rest[0] if rest else {}
    return name, replicate, EXPERIMENTS[name][0](seed, overrides)


def tasks(replicates: dict[str, int], root_seed: int,
          overrides: Mapping[str, Any] | None = None) -> list[tuple]:
    """(experiment, replicate, seed, overrides) for every replicate; seeds from the root,
    the same for every experiment and parameter point (common random numbers)."""
    from clustersim.experiments.batch.spec import replicate_seeds

    over = dict(overrides or {})
    return [(name, r, seed, over) for name, n in replicates.items()
            for r, seed in enumerate(replicate_seeds(root_seed, n))]


def run_suite(
    replicates: dict[str, int],
    root_seed: int = 2026,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    overrides: Mapping[str, Any] | None = None,
):
    """Run every experiment's replicates; return {experiment: [figures per replicate]}."""
    from clustersim.experiments.batch.executors import make_executor

    todo = tasks(replicates, root_seed, overrides)
    results: dict[str, dict[int, dict]] = {name: {} for name in replicates}
    if not todo:
        return {}
    with make_executor(workers=workers, dask=dask) as ex:
        for done, (name, r, figures) in enumerate(ex.imap_unordered(run_task, todo), 1):
            results[name][r] = figures
            if progress:
                progress(done, len(todo))
    return {name: [runs[r] for r in sorted(runs)] for name, runs in results.items()}


def table(results: dict[str, list[dict]]) -> list[dict]:
    """One row per figure: mean and 95% t interval over replicates, target, pass."""
    from clustersim.experiments.analysis.stats import t_interval

    rows = []
    for f in FIGURES:
        values = [r[f.name] for r in results.get(f.experiment, [])]
        n, mean, _, low, high = t_interval(values)
        rows.append({
            "pattern": f.pattern, "figure": f.name, "description": f.description,
            "unit": f.unit, "replicates": n, "mean": mean, "ci_low": low, "ci_high": high,
            "target_low": f.low, "target_high": f.high,
            "pass": bool(n and f.low <= mean <= f.high),
        })
    return rows


# ---------------------------------------------------------------------------- selection, output
def parse_only(text: str | None) -> tuple[list[str], list[str]]:
    """``--only``: (patterns, mechanisms) to run. Names P1-P11 and M1-M15, or ``patterns``
    and ``mechanisms`` for all of either; nothing given means everything."""
    from clustersim.experiments.credibility.validation_mechanisms import MECHANISMS

    if text is None:
        return list(PATTERNS), list(MECHANISMS)
    patterns: list[str] = []
    mechanisms: list[str] = []
    items = [x.strip() for x in text.split(",")]
    twice = [x for i, x in enumerate(items) if x.upper() in (y.upper() for y in items[:i])]
    if twice:
        raise UserError(f"--only: {twice[0]} is given twice; give each pattern or mechanism once")
    for item in items:
        key = item.upper()
        if item.lower() in ("patterns", "mechanisms"):
            chosen, into = (PATTERNS, patterns) if item.lower() == "patterns" else (
                MECHANISMS, mechanisms)
        elif key in PATTERNS:
            chosen, into = [key], patterns
        elif key in MECHANISMS:
            chosen, into = [key], mechanisms
        else:
            raise UserError(f"--only: unknown pattern or mechanism {item!r}; allowed: "
                            f"{PATTERNS[0]}-{PATTERNS[-1]}, {MECHANISMS[0]}-{MECHANISMS[-1]}, "
                            "patterns, mechanisms (comma-separated)")
        into += [x for x in chosen if x not in into]
    return patterns, mechanisms


def replicates_for(patterns: list[str], scale: float) -> dict[str, int]:
    """Replicates per experiment the chosen patterns need: defaults x scale, at least 2."""
    needed = {f.experiment for f in FIGURES if f.pattern in patterns}
    return {name: max(2, round(n * scale)) for name, (_, n) in EXPERIMENTS.items()
            if name in needed}


def _g(x: float) -> str:
    return "nan" if x != x else f"{x:.3g}"


def markdown(rows: list[dict], mechanism_rows: list[dict]) -> str:
    """Both tables as Markdown (the README's validation section is pasted from this)."""
    lines = []
    if rows:
        lines += ["| pattern | figure | model: mean [95% CI] | target | result |",
                  "|---|---|---|---|---|"]
        for r in rows:
            unit = f" {r['unit']}" if r["unit"] else ""
            lines.append(f"| {r['pattern']} | {r['description']} | {_g(r['mean'])} "
                         f"[{_g(r['ci_low'])}, {_g(r['ci_high'])}]{unit} | "
                         f"{r['target_low']:g} to {r['target_high']:g} | "
                         f"{'pass' if r['pass'] else '**fail**'} |")
    if mechanism_rows:
        if lines:
            lines.append("")
        lines += ["| mechanism | scenario | outcome | expected (on - off) | on - off: mean "
                  "[95% CI] | result |", "|---|---|---|---|---|---|"]
        for r in mechanism_rows:
            result = r["result"] if r["as_designed"] else f"**{r['result']}**"
            lines.append(f"| {r['mechanism']} {r['name']} | {r['scenario']} | "
                         f"{r['description']} | {r['expected']} | {_g(r['diff'])} "
                         f"[{_g(r['ci_low'])}, {_g(r['ci_high'])}] | {result} |")
    return "\n".join(lines)
