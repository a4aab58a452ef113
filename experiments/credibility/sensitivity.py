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
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from clustersim.experiments.batch.spec import SpecSource, read_toml
from clustersim.experiments.batch.spec_validator import Validator
from clustersim.experiments.shared import io
from clustersim.model import PARAMS, limits
from clustersim.model.errors import UserError
from clustersim.model.params import CONSTRAINTS

EQUITY_OUTCOMES = ("gap", "left_behind", "catch_up", "isolation_weak")
TOP_KEYS = ("name", "description", "preset", "years", "policies", "replicates", "root_seed",
            "outcomes", "params", "parameters", "morris", "sobol", "ranking")
SECTION_KEYS = {"parameters": ("include", "exclude", "ranges"),
                "ranking": ("scenarios", "outcome"),
                "morris": ("trajectories", "levels", "seed"),
                "sobol": ("top_k", "samples", "second_order", "seed", "rank_by")}
NUM_RESAMPLES = 100   # bootstrap resamples for the confidence intervals
CONF_LEVEL = 0.95
MANIFEST = "manifest.json"


class Stage(StrEnum):
    """A screening method, run as one stage (a batch) in its own folder ``OUT/<stage>``."""

    MORRIS = "morris"  # elementary effects of every screened parameter (SALib)
    SOBOL = "sobol"    # variance-based indices of the top_k of them


STAGES = tuple(Stage)


@dataclass(frozen=True)
class SensitivitySpec(SpecSource):
    """A validated sensitivity spec; ``ranges`` holds the screened parameters in order."""

    policies: tuple[str, ...]
    replicates: int
    root_seed: int
    outcomes: tuple[str, ...]
    params: dict[str, Any]
    ranges: dict[str, tuple[float, float]]
    narrowed: dict[str, str] = field(default_factory=dict)
    trajectories: int = 10
    levels: int = 4
    morris_seed: int = 0
    top_k: int = 5
    samples: int = 64
    second_order: bool = False
    sobol_seed: int = 0
    rank_by: str = "all"
    ranking: tuple[str, ...] = ()       # policy scenarios ('+'-joined), first the baseline
    ranking_outcome: str = "left_behind"

    def problem(self, names: list[str] | None = None) -> dict:
        """The SALib problem over ``names`` (default: every screened parameter)."""
        names = list(self.ranges) if names is None else names
        return {"num_vars": len(names), "names": names,
                "bounds": [list(self.ranges[n]) for n in names]}

    def runs(self, stage: Stage, k: int | None = None) -> int:
        """Model runs of a stage (Sobol: with ``k`` parameters, default ``top_k``)."""
        if stage == Stage.MORRIS:
            return self.trajectories * (len(self.ranges) + 1) * self.replicates * (
                1 + len(self.ranking))
        k = self.top_k if k is None else k
        return self.samples * (2 * k + 2 if self.second_order else k + 2) * self.replicates \
            if k else 0


# ---------------------------------------------------------------------------- the spec
def load_sensitivity(path: str | Path) -> SensitivitySpec:
    """Read and validate a sensitivity spec; raises `SpecError` naming file, key, allowed."""
    data, text = read_toml(path)
    return parse_sensitivity(data, str(path), text)


def parse_sensitivity(data: dict, where: str = "<spec>", text: str = "") -> SensitivitySpec:
    """Validate a parsed sensitivity spec (a dict as from TOML)."""
    from clustersim import model

    v = Validator(where)
    v.keys(data, TOP_KEYS, "")
    sections = {}
    for name, keys in SECTION_KEYS.items():
        sections[name] = data.get(name, {})
        v.keys(sections[name], keys, name)
    params = v.params(data.get("params", {}), "params")
    base = PARAMS.resolve(params)
    for names, ok, message in CONSTRAINTS:
        if not ok(base):
            v.fail("params", f"{message} (got {', '.join(f'{n}={base[n]}' for n in names)})")
    ranges, user = _screened(v, sections["parameters"], params)
    narrowed = _respect_constraints(v, ranges, user, base)
    outcomes = _names(v, data.get("outcomes", list(EQUITY_OUTCOMES)), "outcomes",
                      list(model.SUMMARY), "allowed", "an outcome")
    m, s = sections["morris"], sections["sobol"]
    levels = v.integer(m, "levels", 4, 2, 20, "morris.")
    if levels % 2:
        v.fail("morris.levels", f"{levels} is not allowed; expected an even integer in [2, 20]")
    samples = v.integer(s, "samples", 64, 2, 2**20, "sobol.")
    if samples & (samples - 1):
        v.fail("sobol.samples", f"{samples} is not allowed; Sobol needs a power of two")
    return SensitivitySpec(
        name=v.string(data, "name", required=True), path=where, text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        description=v.string(data, "description") or "",
        preset=v.choice(data.get("preset", limits.default("preset")), "preset",
                        list(model.PRESETS)),
        years=v.integer(data, "years", limits.default("years"), *limits.YEARS),
        policies=_names(v, data.get("policies", list(limits.default("policies"))), "policies",
                        list(model.POLICY_NAMES), "allowed names", "a policy"),
        replicates=v.integer(data, "replicates", 2, 1, 10_000),  # per design point
        root_seed=v.integer(data, "root_seed", limits.default("seed"), *limits.SEEDS),
        outcomes=outcomes, params=params, ranges=ranges, narrowed=narrowed,
        trajectories=v.integer(m, "trajectories", 10, 2, 100_000, "morris."), levels=levels,
        morris_seed=v.integer(m, "seed", 0, *limits.SAMPLE_SEEDS, "morris."),
        top_k=v.integer(s, "top_k", min(5, len(ranges)), 0, len(ranges), "sobol."),
        samples=samples, second_order=v.boolean(s, "second_order", False, "sobol."),
        sobol_seed=v.integer(s, "seed", 0, *limits.SAMPLE_SEEDS, "sobol."),
        rank_by=v.choice(s.get("rank_by", "all"), "sobol.rank_by", ["all", *outcomes]),
        **_ranking(v, sections["ranking"], list(model.SUMMARY), list(model.POLICY_NAMES)))


def _ranking(v: Validator, table: dict, outcomes: list[str], policies: list[str]) -> dict:
    """``[ranking]``: two or more distinct scenarios ('+'-joined policy names) and an
    outcome; empty when the table is absent."""
    if not table:
        return {}
    scenarios = table.get("scenarios")
    if not isinstance(scenarios, list) or len(scenarios) < 2 or \
            not all(isinstance(x, str) for x in scenarios):
        v.fail("ranking.scenarios", "must list two or more scenarios, each policy names "
               f"joined with '+'; allowed names: {', '.join(policies)}")
    for x in scenarios:
        for name in x.split("+"):
            v.choice(name, "ranking.scenarios", policies)
    if len({frozenset(x.split("+")) for x in scenarios}) != len(scenarios):
        v.fail("ranking.scenarios", f"{scenarios!r} names a scenario twice")
    outcome = v.choice(table.get("outcome", "left_behind"), "ranking.outcome", outcomes)
    return {"ranking": tuple(scenarios), "ranking_outcome": outcome}


def _names(v: Validator, names: Any, key: str, allowed: list[str], listing: str,
           noun: str) -> tuple[str, ...]:
    """A non-empty list of distinct names, each one of ``allowed``."""
    if not isinstance(names, list) or not names:
        v.fail(key, f"must be a non-empty list; {listing}: {', '.join(allowed)}")
    for n in names:
        v.choice(n, key, allowed)
    if len(set(names)) != len(names):
        v.fail(key, f"{names!r} names {noun} twice")
    return tuple(names)


def _screened(v: Validator, table: dict, fixed: dict) -> tuple[dict, set]:
    """The screened parameters with their ranges, and the names whose range the spec set."""
    include = table.get("include", "all")
    if include == "all":
        names = [p.name for p in PARAMS if p.numeric and p.name not in fixed]
    elif isinstance(include, list) and include and all(isinstance(n, str) for n in include):
        for n in include:
            _check_screenable(v, n, fixed, "parameters.include")
        if len(set(include)) != len(include):
            v.fail("parameters.include", f"{include!r} names a parameter twice")
        names = list(include)
    else:
        v.fail("parameters.include", f"{include!r} is not allowed; expected \"all\" or a "
               "non-empty list of parameter names")
    exclude = table.get("exclude", [])
    groups = list(PARAMS.groups())
    if not isinstance(exclude, list):
        v.fail("parameters.exclude", "must be a list of parameter names or groups")
    for n in exclude:
        if n not in PARAMS and n not in groups:
            v.fail("parameters.exclude", f"{n!r} is neither a parameter "
                   f"({PARAMS.unknown_message(n)}) nor a group; groups: {', '.join(groups)}")
    names = [n for n in names if n not in exclude and PARAMS[n].group not in exclude]
    if len(names) < 2:
        v.fail("parameters", f"screens {len(names)} parameter(s); Morris needs at least two")
    ranges = {n: (float(PARAMS[n].low), float(PARAMS[n].high)) for n in names}
    given = table.get("ranges", {})
    if not isinstance(given, dict):
        v.fail("parameters.ranges", "must be a table of parameter = [low, high]")
    for n, rng in given.items():
        key = f"parameters.ranges.{n}"
        if n not in ranges:
            _check_screenable(v, n, fixed, key)
            v.fail(key, "is not screened (left out by parameters.include or exclude)")
        ranges[n] = _range(v, key, PARAMS[n], rng)
    return ranges, set(given)


def _check_screenable(v: Validator, name: str, fixed: dict, key: str) -> None:
    if name not in PARAMS:
        v.fail(key, PARAMS.unknown_message(name))
    if not PARAMS[name].numeric:
        v.fail(key, f"{name} is a switch (bool); Morris screens numeric parameters only: "
               "set it in [params]")
    if name in fixed:
        v.fail(key, f"{name} is fixed in [params]; screen it or fix it, not both")


def _range(v: Validator, key: str, p, rng: Any) -> tuple[float, float]:
    kinds = int if p.kind == "int" else int | float
    if (not isinstance(rng, list) or len(rng) != 2
            or any(isinstance(x, bool) or not isinstance(x, kinds) for x in rng)):
        v.fail(key, f"{rng!r} must be [low, high] with {p.allowed()}")
    lo, hi = float(rng[0]), float(rng[1])
    if not p.low <= lo < hi <= p.high:
        v.fail(key, f"[{rng[0]}, {rng[1]}] is not allowed; expected low < high within "
               f"{p.allowed()}")
    return lo, hi


# ------------------------------------------------------------- cross-parameter constraints
def constraint_violation(ranges: dict[str, tuple[float, float]],
                         base: dict[str, Any]) -> tuple[str, dict] | None:
    """(message, corner) of the first constraint some corner of the box breaks, else None.

    The constraints are linear orderings, so a box keeps them everywhere when it keeps
    them at every corner; parameters outside ``ranges`` take their ``base`` value.
    """
    for names, ok, message in CONSTRAINTS:
        inside = [n for n in names if n in ranges]
        for corner in itertools.product(*(ranges[n] for n in inside)):
            values = {**base, **dict(zip(inside, corner, strict=True))}
            if not ok(values):
                return message, {n: _plain(values[n], n) for n in inside}
    return None


def _respect_constraints(v: Validator, ranges: dict, user: set, base: dict) -> dict[str, str]:
    """Narrow registry ranges of constrained parameters so every point keeps the rules."""
    notes = {}
    for names, _, message in CONSTRAINTS:  # each lists its names in ascending order
        for a, b in zip(names, names[1:], strict=False):
            # a must stay below b: meet halfway between the defaults when both ranges are
            # free; else stop at the neighbour's given range or fixed value
            cut = (base[a] + base[b]) / 2
            if a in ranges and a not in user:
                edge = ranges[b][0] if b in user else cut if b in ranges else base[b]
                ranges[a] = (ranges[a][0], min(ranges[a][1], _below(a, edge)))
            if b in ranges and b not in user:
                edge = ranges[a][1] if a in user else cut if a in ranges else base[a]
                ranges[b] = (max(ranges[b][0], _above(b, edge)), ranges[b][1])
        for n in names:
            p = PARAMS[n]
            if n in ranges and n not in user and ranges[n] != (p.low, p.high):
                if ranges[n][0] >= ranges[n][1]:
                    v.fail(f"parameters.ranges.{n}", f"cannot screen {n}: {message}; give "
                           "its range or fix it in [params]")
                notes[n] = f"range narrowed to [{ranges[n][0]:g}, {ranges[n][1]:g}]: {message}"
    bad = constraint_violation(ranges, base)
    if bad:
        first = next(iter(bad[1]))
        v.fail(f"parameters.ranges.{first}", f"{bad[0]}, but the ranges allow "
               f"{', '.join(f'{k}={x}' for k, x in bad[1].items())}; narrow them")
    return notes


def _below(name: str, x: float) -> float:
    p = PARAMS[name]
    return float(math.floor(x)) if p.kind == "int" else x - 1e-3 * (p.high - p.low)


def _above(name: str, x: float) -> float:
    p = PARAMS[name]
    return float(math.ceil(x)) if p.kind == "int" else x + 1e-3 * (p.high - p.low)


def _plain(x: float, name: str) -> float | int:
    return int(round(x)) if PARAMS[name].kind == "int" else float(x)


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
            point[name] = _plain(min(max(float(value), lo), hi), name)
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
    lines += ["", "[[scenarios]]", 'label = "sensitivity"',
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
    runs = runs[runs["scenario"] == "sensitivity"]  # not the [ranking] scenarios
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
    from clustersim.experiments.batch.engine import BatchLock
    from clustersim.experiments.batch.executors import make_executor

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
        "method": "list", "points": as_points(spec, morris_design(spec))},
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
            "method": "sobol", "samples": spec.samples, "seed": spec.sobol_seed,
            "second_order": spec.second_order,
            "ranges": {n: [_plain(x, n) for x in spec.ranges[n]] for n in top}},
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


# ---------------------------------------------------------------------------- plots
MAX_BARS = 20  # parameters shown per outcome in the mu_star chart
LABELS = 8     # parameters labelled per outcome in the mu_star-sigma scatter


def morris_plots(frame, outcomes: tuple[str, ...], out: Path) -> None:
    """``morris_mu_star.png`` (bars, 95% intervals) and ``morris_sigma.png`` (scatter)."""
    from clustersim.experiments.shared.plots import plt, save

    n, shown = len(outcomes), min(MAX_BARS, len(frame) // len(outcomes))
    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 0.26 * shown + 1.6), squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        part = frame[frame["outcome"] == o].head(shown).iloc[::-1]
        ax.barh(part["parameter"], part["mu_star"], xerr=part["mu_star_conf"].fillna(0.0),
                color="tab:blue", capsize=2)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel("mu* (outcome units per Morris step)", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Morris screening: the {shown} largest mean absolute effects (95% CI)")
    fig.tight_layout()
    save(fig, out / "morris_mu_star.png")

    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 4.2), squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        part = frame[frame["outcome"] == o]
        ax.scatter(part["mu_star"], part["sigma"], s=14, color="tab:blue")
        for row in part.head(LABELS).itertuples():
            ax.annotate(row.parameter, (row.mu_star, row.sigma), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")
        top = np.nanmax(np.r_[part["mu_star"], part["sigma"], 0.0])
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=0.8, label="sigma = mu*")
        ax.set_xlabel("mu* (importance)", fontsize=8)
        ax.set_ylabel("sigma (non-linearity, interactions)", fontsize=8)
        ax.set_title(o, fontsize=10)
        ax.legend(fontsize=7, frameon=False)
    fig.suptitle("Morris screening: mu* against sigma")
    fig.tight_layout()
    save(fig, out / "morris_sigma.png")


def sobol_plot(frame, outcomes: tuple[str, ...], path: Path) -> None:
    """First-order and total Sobol indices per outcome, with 95% intervals."""
    from clustersim.experiments.shared.plots import plt, save

    n = len(outcomes)
    k = frame["parameter"].nunique()
    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 0.4 * k + 1.8), squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        part = frame[frame["outcome"] == o].iloc[::-1]
        y = np.arange(len(part))
        for shift, key, color in ((0.2, "S1", "tab:blue"), (-0.2, "ST", "tab:orange")):
            ax.barh(y + shift, part[key], height=0.4, xerr=part[f"{key}_conf"].fillna(0.0),
                    color=color, capsize=2, label=key)
        ax.set_yticks(y, part["parameter"], fontsize=7)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel("share of output variance", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].legend(fontsize=7, frameon=False)
    fig.suptitle("Sobol indices: first-order (S1) and total (ST), 95% CI")
    fig.tight_layout()
    save(fig, path)
