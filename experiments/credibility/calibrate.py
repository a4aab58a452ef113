"""Calibration: fit named parameters to named figures of the validation suite.

The loss of a parameter point is the sum over the chosen figures of
``((mean - mid) / width) ** 2``, where ``mean`` is the figure's mean over replicates and
``mid`` and ``width`` are the midpoint and width of its target range
(`experiments.credibility.validate.FIGURES`): 0 at the midpoints, 0.25 per figure at a range's edge.

The search is deterministic and spends at most ``budget`` evaluations:

1. the defaults (the reference, and a candidate when they lie inside the ranges);
2. a coarse design over the ranges: evenly spaced points for one parameter, a seeded Latin
   hypercube (SALib) for more;
3. Nelder-Mead (scipy) from the best point so far, in coordinates scaled to [0, 1].

Every evaluation runs the experiments the figures need on the same replicate seeds
(common random numbers), so the loss is a deterministic function of the parameters and
the search compares points, not replicate noise. Integer parameters are rounded.

Overrides. A validation experiment takes ``(seed, overrides)`` and builds every model
from ``{**overrides, **design}`` (`experiments.credibility.validation_experiments`): the calibrated
values replace the defaults, and whatever the experiment's design sets for itself wins.
Nothing is patched, so the search runs on any executor (processes or Dask). A parameter
that every design of every experiment the figures need sets itself cannot move them;
calibrating it is refused before anything runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from clustersim.experiments.credibility import validate
from clustersim.model import PARAMS
from clustersim.model.errors import UserError

DESIGN_SHARE = 0.5  # share of the budget spent on the coarse design
STAGES = ("default", "design", "refine")


@dataclass(frozen=True)
class Problem:
    """What to fit: parameters with ranges, figures, replicates per experiment, seed, budget."""

    ranges: dict[str, tuple[float, float]]
    figures: tuple[validate.Figure, ...]
    replicates: dict[str, int]
    seed: int = 2026
    budget: int = 30

    @property
    def names(self) -> list[str]:
        return list(self.ranges)

    def values(self, u: np.ndarray) -> dict[str, float | int]:
        """Parameter values at scaled coordinates ``u`` (clipped to [0, 1])."""
        out = {}
        for name, x in zip(self.ranges, np.clip(u, 0.0, 1.0), strict=True):
            lo, hi = self.ranges[name]
            v = lo + float(x) * (hi - lo)
            # 10 significant digits: the same point twice is one evaluation, not two
            out[name] = int(round(v)) if PARAMS[name].kind == "int" else float(f"{v:.10g}")
        return out

    def scaled(self, values: dict[str, Any]) -> np.ndarray:
        return np.array([(values[n] - lo) / (hi - lo) for n, (lo, hi) in self.ranges.items()])

    def inside(self, values: dict[str, Any]) -> bool:
        return all(lo <= values[n] <= hi for n, (lo, hi) in self.ranges.items())


# ---------------------------------------------------------------------------- input
def parse_param(text: str) -> tuple[str, tuple[float, float]]:
    """``NAME`` (the registry's range) or ``NAME=LOW:HIGH``; raises `UserError`."""
    name, sep, rng = text.partition("=")
    name = name.strip()
    if name not in PARAMS:
        raise UserError(f"--param: {PARAMS.unknown_message(name)}; numeric parameters only")
    p = PARAMS[name]
    if not p.numeric:
        raise UserError(f"--param {name}: is a switch (bool); calibrate numeric parameters "
                        "(float or int) only")
    if not sep:
        return name, (float(p.low), float(p.high))
    lo_text, colon, hi_text = rng.partition(":")
    try:
        if not colon:
            raise ValueError
        lo, hi = float(lo_text), float(hi_text)
    except ValueError:
        raise UserError(f"--param {name}: {rng!r} is not LOW:HIGH; expected "
                        f"{p.allowed()}") from None
    if not p.low <= lo < hi <= p.high:
        raise UserError(f"--param {name}: [{lo:g}, {hi:g}] is not allowed; expected "
                        f"LOW < HIGH within {p.allowed()}")
    return name, (lo, hi)


def parse_figures(names: list[str]) -> tuple[validate.Figure, ...]:
    """Figures by name, or every figure of a pattern (``P7``); raises `UserError`."""
    by_name = {f.name: f for f in validate.FIGURES}
    patterns = sorted({f.pattern for f in validate.FIGURES}, key=lambda p: int(p[1:]))
    out: list[validate.Figure] = []
    for n in names:
        if n in by_name:
            chosen = [by_name[n]]
        elif n in patterns:
            chosen = [f for f in validate.FIGURES if f.pattern == n]
        else:
            raise UserError(f"--pattern: unknown figure or pattern {n!r}; allowed: "
                            f"{', '.join(patterns)}, {', '.join(by_name)}")
        out += [f for f in chosen if f not in out]
    return tuple(out)


def make_problem(params: list[str], figures: list[str], replicates: int | None = None,
                 seed: int = 2026, budget: int = 30) -> Problem:
    """Validate the command line's choices into a `Problem` (nothing runs)."""
    from clustersim.experiments.credibility.sensitivity_spec import constraint_violation

    ranges: dict[str, tuple[float, float]] = {}
    for text in params:
        name, rng = parse_param(text)
        if name in ranges:
            raise UserError(f"--param: {name} is given twice")
        ranges[name] = rng
    if not ranges:
        raise UserError("--param: give at least one parameter to fit")
    bad = constraint_violation(ranges, PARAMS.defaults())
    if bad:
        raise UserError(f"--param: {bad[0]}, but the ranges allow "
                        f"{', '.join(f'{k}={v}' for k, v in bad[1].items())}; narrow them")
    chosen = parse_figures(figures)
    if not chosen:
        raise UserError("--pattern: give at least one figure or pattern to fit")
    if replicates is not None and not 2 <= replicates <= 1000:
        raise UserError(f"--replicates: {replicates} is not allowed; expected 2-1000")
    if not 2 <= budget <= 10_000:
        raise UserError(f"--budget: {budget} is not allowed; expected 2-10000 evaluations")
    experiments = dict.fromkeys(f.experiment for f in chosen)
    _refuse_pinned(list(ranges), list(experiments))
    reps = {e: replicates or validate.EXPERIMENTS[e][1] for e in experiments}
    return Problem(ranges, chosen, reps, seed, budget)


# ---------------------------------------------------------------------------- the worker
def run_task(task: tuple[str, int, int, dict]) -> tuple[str, int, dict]:
    """Worker entry point: (experiment, replicate, seed, overrides) -> its figures."""
    return validate.run_task(task)


# ---------------------------------------------------------------------------- the search
class _Spent(Exception):
    """The evaluation budget is used up."""


def loss(figures: tuple[validate.Figure, ...], means: dict[str, float]) -> float:
    """Sum of squared distances from the target midpoints, in target widths (inf if NaN)."""
    total = 0.0
    for f in figures:
        d = (means[f.name] - (f.low + f.high) / 2) / (f.high - f.low)
        total += d * d
    return total if math.isfinite(total) else math.inf


class Search:
    """Evaluates points on one executor, remembers every evaluation, keeps to the budget."""

    def __init__(self, problem: Problem, executor, progress: Callable | None = None):
        self.problem, self.executor, self.progress = problem, executor, progress
        self.rows: list[dict] = []
        self.results: dict[tuple, dict[str, list[dict]]] = {}
        self.stage = "default"

    def key(self, values: dict[str, Any]) -> tuple:
        return tuple(values[n] for n in self.problem.names)

    def evaluate(self, values: dict[str, Any]) -> float:
        key = self.key(values)
        if key not in self.results:
            if len(self.rows) >= self.problem.budget:
                raise _Spent
            self.results[key] = self._run(values)
            means = {f.name: _mean([r[f.name] for r in self.results[key][f.experiment]])
                     for f in self.problem.figures}
            self.rows.append({"evaluation": len(self.rows), "stage": self.stage, **values,
                              **means, "loss": loss(self.problem.figures, means)})
            if self.progress:
                self.progress(self.rows[-1])
        return next(r["loss"] for r in self.rows if self.key(r) == key)

    def _run(self, values: dict[str, Any]) -> dict[str, list[dict]]:
        todo = validate.tasks(self.problem.replicates, self.problem.seed, values)
        out: dict[str, dict[int, dict]] = {e: {} for e in self.problem.replicates}
        for name, r, figures in self.executor.imap_unordered(run_task, todo):
            out[name][r] = figures
        return {e: [runs[r] for r in sorted(runs)] for e, runs in out.items()}

    def best(self) -> dict:
        inside = [r for r in self.rows if self.problem.inside(r)] or self.rows
        return min(inside, key=lambda r: (r["loss"], r["evaluation"]))


def _mean(values: list[float]) -> float:
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if len(x) else math.nan


def _refuse_pinned(names: list[str], experiments: list[str]) -> None:
    """A parameter every design of every chosen experiment sets itself cannot move them."""
    for name in names:
        if all(validate.pinned(e, {name: None}) for e in experiments):
            raise UserError(f"--param {name}: the experiments these figures need "
                            f"({', '.join(experiments)}) set {name} themselves, so it cannot "
                            "move them; choose another parameter or figure")


def design(problem: Problem, n: int) -> np.ndarray:
    """The coarse design in scaled coordinates: a grid for one parameter, else a seeded LHS."""
    d = len(problem.ranges)
    if d == 1:
        return np.linspace(0.0, 1.0, n)[:, None]
    from SALib.sample import latin

    unit = {"num_vars": d, "names": problem.names, "bounds": [[0.0, 1.0]] * d}
    return latin.sample(unit, n, seed=problem.seed)


def calibrate(problem: Problem, workers: int | None = None,
              progress: Callable[[dict], None] | None = None) -> Search:
    """Run the search; return it (``rows``: every evaluation; ``best()``: the fit)."""
    from clustersim.experiments.batch.executors import make_executor
    from scipy.optimize import minimize

    with make_executor(workers=workers) as executor:
        search = Search(problem, executor, progress)
        defaults = {n: PARAMS[n].default for n in problem.names}
        search.evaluate(defaults)
        n = max(2, int((problem.budget - 1) * DESIGN_SHARE))
        search.stage = "design"
        try:
            for u in design(problem, n):
                search.evaluate(problem.values(u))
            search.stage = "refine"
            start = problem.scaled(search.best())
            step = 1.0 / n
            simplex = [start] + [start + step * e * (1 if start[i] + step <= 1 else -1)
                                 for i, e in enumerate(np.eye(len(start)))]
            minimize(lambda u: search.evaluate(problem.values(u)), start,
                     method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(start),
                     options={"initial_simplex": np.array(simplex), "xatol": 1e-3,
                              "fatol": 1e-6, "maxfev": 10 * problem.budget})
        except _Spent:
            pass
    return search


# ---------------------------------------------------------------------------- outputs
def figure_rows(problem: Problem, results: dict[str, list[dict]]) -> list[dict]:
    """The chosen figures' rows of `validate.table` (mean, 95% interval, target, pass)."""
    wanted = {f.name for f in problem.figures}
    return [r for r in validate.table(results) if r["figure"] in wanted]


def write_outputs(out, problem: Problem, search: Search, seconds: float) -> dict:
    """``calibration.csv`` (every evaluation), its ``datapackage.json`` and ``fitted.json``;
    returns the fit."""
    from pathlib import Path

    import pandas as pd
    from clustersim.experiments.credibility.columns import calibration_columns
    from clustersim.experiments.shared import datapackage, io

    out = Path(out)
    best, first = search.best(), search.rows[0]
    fitted_rows = figure_rows(problem, search.results[search.key(best)])
    default_rows = figure_rows(problem, search.results[search.key(first)])
    fit = {
        "command": "clustersim calibrate", "parameters": {n: best[n] for n in problem.names},
        "ranges": problem.ranges, "defaults": {n: first[n] for n in problem.names},
        "loss": best["loss"], "loss_at_defaults": first["loss"],
        "evaluation": best["evaluation"], "evaluations": len(search.rows),
        "budget": problem.budget, "replicates": problem.replicates, "seed": problem.seed,
        "figures": [{**f, "default_mean": d["mean"], "target_mid": (f["target_low"] +
                                                                    f["target_high"]) / 2}
                    for f, d in zip(fitted_rows, default_rows, strict=True)],
        "versions": io.versions(), "git_commit": io.git_commit(),
        "seconds": round(seconds, 1), "completed": True}
    io.write_csv(out / "calibration.csv", pd.DataFrame(search.rows))
    datapackage.write(out, ["calibration.csv"], "clustersim calibrate",
                      calibration_columns())
    io.write_json(out / "fitted.json", fit)
    return fit


def run_calibration(problem: Problem, out, workers: int | None = None,
                    progress: Callable[[dict], None] | None = None) -> dict:
    """Search, then write the outputs into ``out``; return the fit (as in fitted.json)."""
    started = time.time()
    search = calibrate(problem, workers, progress)
    return write_outputs(out, problem, search, time.time() - started)
