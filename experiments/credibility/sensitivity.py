"""Sensitivity analysis on the batch engine: Morris screening, then Sobol indices.

A sensitivity spec (TOML, validated whole before anything runs) names a setting, the
parameters to screen, the outcomes and the two stages::

    name = "sensitivity_equity"
    description = "..."
    preset = "county"                  # model.PRESETS
    years = 10
    policies = ["local_authority"]     # the one scenario every point runs
    replicates = 3                     # CRN seeds per sample point; their mean is analysed
    root_seed = 2026
    outcomes = ["gap", "left_behind"]  # model.SUMMARY; default: EQUITY_OUTCOMES
    [params]                           # held fixed, not screened
    [parameters]
    include = "all"                    # or a list of names; "all": every numeric one
    exclude = ["outcomes"]             # parameter names or registry groups
    ranges = { seek_rate = [0.05, 0.3] }   # narrower than the registry's range
    [morris]
    trajectories = 20
    levels = 4                         # even
    seed = 1
    [sobol]
    top_k = 8                          # the k largest by Morris mu_star; 0: no Sobol stage
    samples = 256                      # N base samples, a power of two
    second_order = false
    seed = 2
    rank_by = "all"                    # or one outcome
    [ranking]                          # optional: does the policy ranking hold?
    scenarios = ["self_improving", "local_authority", "superintendent"]  # first: baseline
    outcome = "left_behind"            # one of model.SUMMARY

Each stage is an ordinary batch: its design is written as a batch spec into
``OUT/morris/spec.toml`` (a ``list`` sweep of the Morris points) or ``OUT/sobol/spec.toml``
(a ``sobol`` sweep of the top-k parameters) and run by `experiments.batch.run_batch`, so
it runs in parallel or on Dask, and ``--resume`` continues whichever stage was cut off.
Replicates share their seeds across points (common random numbers); the outcomes are
averaged over replicates per point, in the design's order, before SALib analyses them.

Choices. Switches (bool parameters) are left out of the screening: set them in
``[params]``. Integer parameters are sampled as reals and rounded; Morris's elementary
effects use the design's nominal step, so an integer's effect carries a rounding error of
at most half a unit per step. Parameters tied by ``model.params.CONSTRAINTS`` are screened
over narrowed ranges that keep the rule at every point (each range ends halfway between
its default and its neighbour's), unless the spec gives their ranges, which must then keep
the rule at every corner. ``rank_by = "all"`` ranks a parameter by its largest mu_star
relative to the largest mu_star of the same outcome, so each outcome's leaders compete.

The policy ranking: with ``[ranking]``, every Morris point also runs those scenarios on
the same seeds, and ``ranking.csv`` gives each parameter's influence on each scenario's
advantage over the first and how often moving it reorders the scenarios
(`experiments.ranking`).

The pieces: `sensitivity_spec` (`SensitivitySpec`, reading and validating a spec, the
constrained ranges), `sensitivity_plots` (the charts) and this module (the designs, the
stages' batch specs, the analysis and the run); the spec's public names import from here.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from clustersim.experiments.batch.design import SweepMethod
from clustersim.experiments.credibility.sensitivity_plots import morris_plots, sobol_plot
from clustersim.experiments.credibility.sensitivity_spec import (  # noqa: F401 (re-exported)
    EQUITY_OUTCOMES,
    STAGES,
    SensitivitySpec,
    Stage,
    constraint_violation,
    load_sensitivity,
    parse_sensitivity,
    plain_value,
)
from clustersim.experiments.shared import io
from clustersim.model import PARAMS
from clustersim.model.errors import UserError

NUM_RESAMPLES = 100   # bootstrap resamples for the confidence intervals
CONF_LEVEL = 0.95
MANIFEST = "manifest.json"
SCENARIO = "sensitivity"  # the label of the spec's own scenario in each stage's batch


# ---------------------------------------------------------------------------- designs
def morris_design(spec: SensitivitySpec) -> np.ndarray:
    """The Morris trajectories (unrounded), one row per point, columns as ``spec.ranges``."""
    from SALib.sample import morris

    return morris.sample(spec.problem(), spec.trajectories, num_levels=spec.levels,
                         seed=spec.morris_seed)


def as_points(spec: SensitivitySpec, x: np.ndarray) -> list[dict[str, Any]]:
    """Design rows as parameter points: integers rounded, values clamped into their range."""
    points = []
    for row in x:
        point = {}
        for name, value in zip(spec.ranges, row, strict=True):
            lo, hi = spec.ranges[name]
            point[name] = plain_value(min(max(float(value), lo), hi), name)
        points.append(point)
    return points


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(_toml, value)) + "]"
    return "{ " + ", ".join(f"{k} = {_toml(x)}" for k, x in value.items()) + " }"


def stage_spec(spec: SensitivitySpec, stage: Stage, sweep: dict[str, Any]) -> str:
    """The batch spec (TOML text) of one stage; deterministic, so resuming can check it."""
    lines = [f"# Generated by `clustersim sensitivity` (spec {spec.name}, sha256 "
             f"{spec.sha256[:12]}): the {stage} stage. Do not edit.",
             f"name = {_toml(f'{spec.name}_{stage}')}",
             f"description = {_toml(f'{stage} stage of sensitivity spec {spec.name}')}",
             f"preset = {_toml(spec.preset)}", f"years = {spec.years}",
             f"replicates = {spec.replicates}", f"root_seed = {spec.root_seed}", "", "[params]"]
    lines += [f"{k} = {_toml(x)}" for k, x in spec.params.items()]
    lines += ["", "[[scenarios]]", f"label = {_toml(SCENARIO)}",
              f"policies = {_toml(list(spec.policies))}"]
    if stage == Stage.MORRIS:
        from clustersim.experiments.credibility.ranking import label

        for x in spec.ranking:
            lines += ["", "[[scenarios]]", f"label = {_toml(label(x))}",
                      f"policies = {_toml(x.split('+'))}"]
    lines += ["", "[sweep]"]
    for k, x in sweep.items():
        if k == "points":
            lines += ["points = ["] + [f"  {_toml(p)}," for p in x] + ["]"]
        else:
            lines.append(f"{k} = {_toml(x)}")
    lines += ["", "[outputs]", "timeseries = false", 'schools = "none"', ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- analysis
def point_means(runs_csv: Path, outcomes: tuple[str, ...], n_points: int):
    """Outcomes averaged over replicates per point, in design order (NaN replicates skipped)."""
    import pandas as pd

    runs = pd.read_csv(runs_csv)
    runs = runs[runs["scenario"] == SCENARIO]  # not the [ranking] scenarios
    means = runs.groupby("point")[list(outcomes)].mean().sort_index()
    if list(means.index) != list(range(n_points)):
        raise RuntimeError(f"{runs_csv}: expected points 0..{n_points - 1}, found "
                           f"{len(means)}; delete the stage folder and run again")
    return means


def analyse_morris(spec: SensitivitySpec, runs_csv: Path):
    """One row per parameter and outcome: mu, mu_star, sigma, mu_star_conf, rank."""
    import pandas as pd
    from SALib.analyze import morris

    x = morris_design(spec)
    y = point_means(runs_csv, spec.outcomes, len(x))
    rows = []
    for o in spec.outcomes:
        with np.errstate(all="ignore"):
            res = morris.analyze(spec.problem(), x, y[o].to_numpy(float),
                                 num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                                 num_levels=spec.levels, seed=spec.morris_seed)
        for i, name in enumerate(spec.ranges):
            rows.append({"parameter": name, "outcome": o, "group": PARAMS[name].group,
                         "low": spec.ranges[name][0], "high": spec.ranges[name][1],
                         **{k: float(res[k][i]) for k in
                            ("mu", "mu_star", "sigma", "mu_star_conf")}})
    frame = pd.DataFrame(rows)
    frame["rank"] = frame.groupby("outcome", sort=False)["mu_star"].rank(
        ascending=False, method="first", na_option="bottom").astype(int)
    order = {o: i for i, o in enumerate(spec.outcomes)}
    return frame.sort_values(["outcome", "rank"], key=lambda c: c.map(order)
                             if c.name == "outcome" else c, kind="stable").reset_index(drop=True)


def top_parameters(spec: SensitivitySpec, morris_frame) -> list[str]:
    """The ``top_k`` most influential parameters by mu_star (see the module's Choices)."""
    table = morris_frame.pivot(index="parameter", columns="outcome", values="mu_star")
    table = table.reindex(list(spec.ranges)).fillna(0.0)
    if spec.rank_by != "all":
        score = table[spec.rank_by].to_numpy()
    else:
        largest = table.max(axis=0).replace(0.0, np.inf)
        score = (table / largest).max(axis=1).to_numpy()
    order = sorted(range(len(score)), key=lambda i: (-score[i], i))
    return [table.index[i] for i in order[:spec.top_k]]


def analyse_sobol(spec: SensitivitySpec, names: list[str], runs_csv: Path):
    """One row per parameter and outcome: S1, S1_conf, ST, ST_conf."""
    import pandas as pd
    from SALib.analyze import sobol

    problem = spec.problem(names)
    n_points = spec.runs(Stage.SOBOL, len(names)) // spec.replicates
    y = point_means(runs_csv, spec.outcomes, n_points)
    rows = []
    for o in spec.outcomes:
        values = y[o].to_numpy(float)
        # SALib 1.6 ignores seed=0 (``if seed:``) and draws from the global state: a
        # Generator is always honoured, so the intervals are reproducible
        with np.errstate(all="ignore"):
            res = sobol.analyze(problem, values, calc_second_order=spec.second_order,
                                num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                                seed=np.random.default_rng(spec.sobol_seed))
        for i, name in enumerate(names):
            rows.append({"parameter": name, "outcome": o,
                         **{k: float(res[k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf")}})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- the run
def run_sensitivity(spec_path: str | Path, out: str | Path | None = None,
                    workers: int | None = None, dask: str | None = None, resume: bool = False,
                    quiet: bool = False) -> Path:
    """Run (or continue) both stages of a sensitivity spec into ``out``; return the folder.

    Writes ``morris.csv``, ``morris_mu_star.png``, ``morris_sigma.png``, ``sobol.csv``,
    ``sobol.png`` and ``manifest.json``; the stages' batches live in ``morris/`` and
    ``sobol/``. Arguments as `experiments.batch.run_batch`.
    """
    from clustersim.experiments.batch.executors import make_executor
    from clustersim.experiments.batch.lock import BatchLock

    spec = load_sensitivity(spec_path)
    make_executor(workers, dask)  # bad --workers/--dask fail before anything is written
    out = Path(out) if out else Path("results") / spec.name
    out.mkdir(parents=True, exist_ok=True)
    with BatchLock(out):
        manifest = _prepare(out, spec, resume)
        if manifest.get("completed"):
            _say(quiet, f"sensitivity {spec.name}: already complete in {out}; nothing to do")
            return out
        _run_stages(out, spec, manifest, workers, dask, resume, quiet)
    _say(quiet, f"sensitivity {spec.name} -> {out} (morris.csv, sobol.csv, plots)")
    return out


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, file=sys.stderr)


def _prepare(out: Path, spec: SensitivitySpec, resume: bool) -> dict:
    path = out / MANIFEST
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if not resume:
            raise UserError(f"{out}: already holds a sensitivity run of {old.get('name')!r}; "
                            "use --resume to continue it, or choose another --out")
        if old.get("spec_sha256") != spec.sha256:
            raise UserError(f"{out}: cannot resume: {spec.path} changed since the run started; "
                            "use another --out")
        return old
    manifest = {
        "name": spec.name, "description": spec.description, "spec_path": spec.path,
        "spec_sha256": spec.sha256, "spec_text": spec.text, "preset": spec.preset,
        "years": spec.years, "policies": list(spec.policies), "params": spec.params,
        "replicates": spec.replicates, "root_seed": spec.root_seed,
        "outcomes": list(spec.outcomes), "screened": spec.ranges, "narrowed": spec.narrowed,
        "morris": {"trajectories": spec.trajectories, "levels": spec.levels,
                   "seed": spec.morris_seed, "runs": spec.runs(Stage.MORRIS)},
        "sobol": {"top_k": spec.top_k, "samples": spec.samples, "seed": spec.sobol_seed,
                  "second_order": spec.second_order, "rank_by": spec.rank_by},
        "ranking_spec": {"scenarios": list(spec.ranking), "outcome": spec.ranking_outcome},
        "analysis": {"num_resamples": NUM_RESAMPLES, "conf_level": CONF_LEVEL},
        "versions": {**io.versions(), "SALib": _version("SALib")},
        "git_commit": io.git_commit(), "started": _now(), "completed": False}
    io.write_json(path, manifest)
    return manifest


def _run_stages(out: Path, spec: SensitivitySpec, manifest: dict, workers, dask, resume,
                quiet) -> None:
    morris_dir = _run_stage(out, spec, Stage.MORRIS, {
        "method": SweepMethod.LIST, "points": as_points(spec, morris_design(spec))},
        workers, dask, resume, quiet)
    frame = analyse_morris(spec, morris_dir / "runs.csv")
    io.write_csv(out / "morris.csv", frame)
    morris_plots(frame, spec.outcomes, out)
    if spec.ranking:
        from clustersim.experiments.credibility import ranking

        table, manifest["ranking"] = ranking.analyse(
            spec, morris_design(spec), morris_dir / "runs.csv", NUM_RESAMPLES, CONF_LEVEL)
        io.write_csv(out / "ranking.csv", table)
    top = top_parameters(spec, frame)
    manifest["sobol"]["parameters"] = top
    if top:
        sobol_dir = _run_stage(out, spec, Stage.SOBOL, {
            "method": SweepMethod.SOBOL, "samples": spec.samples, "seed": spec.sobol_seed,
            "second_order": spec.second_order,
            "ranges": {n: [plain_value(x, n) for x in spec.ranges[n]] for n in top}},
            workers, dask, resume, quiet)
        manifest["sobol"]["runs"] = spec.runs(Stage.SOBOL, len(top))
        sobol = analyse_sobol(spec, top, sobol_dir / "runs.csv")
        io.write_csv(out / "sobol.csv", sobol)
        sobol_plot(sobol, spec.outcomes, out / "sobol.png")
    manifest.update(finished=_now(), completed=True)
    io.write_json(out / MANIFEST, manifest)


def _run_stage(out: Path, spec: SensitivitySpec, stage: Stage, sweep: dict, workers, dask,
               resume: bool, quiet: bool) -> Path:
    from clustersim.experiments.batch.engine import run_batch

    folder = out / stage
    path = folder / "spec.toml"
    text = stage_spec(spec, stage, sweep)
    if path.exists() and path.read_text(encoding="utf-8") != text:
        raise UserError(f"{path}: differs from the {stage} design this spec gives now (the "
                        "model or SALib changed?); use another --out")
    io.write_text(path, text)
    _say(quiet, f"sensitivity {spec.name}: {stage} stage, "
         f"{spec.runs(stage, len(sweep.get('ranges', ())) or None)} runs")
    return run_batch(path, out=folder, workers=workers, dask=dask, resume=resume, quiet=quiet)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
