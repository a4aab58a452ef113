"""Experiment specs: TOML files that declare a batch, validated whole before the first run.

A spec names a preset, a horizon, scenarios (a label, a set of policies, parameter
overrides), a baseline scenario, an optional sweep, the number of replicates, a root seed
and the outputs wanted. Layout (every key but ``name`` and ``scenarios`` is optional)::

    name = "policy_comparison"
    description = "..."
    preset = "county"            # model.PRESETS
    region = "examples/regions/gias_sample.csv"  # optional: a real region (docs/regions.md),
    la = ["961"]                 # with la (codes or names), gor and attainment (KS2 table)
    years = 10
    replicates = 30
    root_seed = 20140601
    baseline = "self_improving"  # a scenario label; default: the first scenario
    [params]                     # overrides for every scenario
    [[scenarios]]
    label = "superintendent+cpd_bank"
    policies = ["superintendent", "cpd_bank"]
    params = { super_broker_capacity = 0.2 }
    [sweep]                      # method: grid | list | lhs | sobol
    method = "grid"
    values = { la_capacity_decline = [0.0, 0.1, 0.2] }   # grid; list: points = [{...}, ...]
    # lhs / sobol: samples = 16, seed = 1, ranges = { name = [low, high] },
    # infeasible = "skip"        # skip | error: sampled points that break a rule
    [outputs]
    timeseries = true
    schools = "weak"             # none | weak | all
    format = "csv"               # csv | parquet (pyarrow)

The reference, with every key and a worked example, is docs/specs.md (`clustersim specs`,
written from the declarations below). Every error names the file, the key and the allowed
values. Validation imports the light
parameter registry, presets and policy names only, never mesa.

Sampling: Latin hypercube and Sobol designs both come from SALib, the project's
sensitivity library. A Sobol design is only useful with its analysis, and SALib's
``sample.sobol`` draws the Saltelli cross-sampled matrices that ``SALib.analyze.sobol``
needs (``scipy.stats.qmc.Sobol`` gives only the base sequence); using SALib for the Latin
hypercube too keeps one source of designs. Integer parameters are rounded after sampling;
Sobol sample counts must be powers of two (the sequence's balance properties need it).

Infeasible points: a sampled point can break one of the model's cross-parameter rules
(``model.params.CONSTRAINTS``, e.g. cluster_min_size <= cluster_max_size) under some
scenario. With ``infeasible = "skip"`` (the default) such a point is left out for every
scenario, so the scenarios stay paired; the runs keep the design's point numbers, and
the batch says how many points it skipped (and lists them in its manifest). With
``"error"`` the spec is refused, naming the first such point. Grid and list points are
written by hand, so a broken rule there is always an error.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clustersim.model import PARAMS, limits
from clustersim.model.errors import ParamError, UserError

TOP_KEYS = ("name", "description", "preset", "region", "la", "gor", "attainment", "years",
            "replicates", "root_seed", "baseline", "params", "scenarios", "sweep", "outputs")
REGION_KEYS = ("region", "la", "gor", "attainment")  # a real region (model/gias.py)
SCENARIO_KEYS = ("label", "policies", "params")
SWEEP_METHODS = ("grid", "list", "lhs", "sobol")
SWEEP_KEYS = {"grid": ("method", "values"), "list": ("method", "points"),
              "lhs": ("method", "samples", "seed", "ranges", "infeasible"),
              "sobol": ("method", "samples", "seed", "ranges", "second_order", "infeasible")}
INFEASIBLE_CHOICES = ("skip", "error")
OUTPUT_KEYS = ("timeseries", "schools", "format")
SCHOOLS_CHOICES = ("none", "weak", "all")
FORMATS = ("csv", "parquet")
DEFAULTS = {"preset": "county", "years": 10, "replicates": 10, "root_seed": 0}


class SpecError(UserError):
    """A spec file that cannot be run: the message names the file, key and allowed values."""


@dataclass(frozen=True)
class Scenario:
    """A label, the policy components it switches on, and its parameter overrides."""

    label: str
    policies: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sweep:
    """Parameter points to run every scenario at (one empty point when there is no sweep)."""

    method: str = "none"
    names: tuple[str, ...] = ()
    values: dict[str, list] = field(default_factory=dict)      # grid
    points: tuple[dict, ...] = ()                               # list
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # lhs, sobol
    samples: int = 0
    seed: int = 0
    second_order: bool = False
    infeasible: str = "skip"                                    # lhs, sobol

    def size(self) -> int:
        if self.method == "grid":
            return math.prod(len(v) for v in self.values.values())
        if self.method == "list":
            return len(self.points)
        if self.method == "lhs":
            return self.samples
        if self.method == "sobol":
            d = len(self.names)
            return self.samples * (2 * d + 2 if self.second_order else d + 2)
        return 1

    def problem(self) -> dict:
        """The SALib problem of a sampled sweep (names and bounds)."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [list(self.ranges[n]) for n in self.names]}

    def generate(self) -> list[dict[str, Any]]:
        """The sweep's points in their fixed order (grid: last name varies fastest)."""
        if self.method == "grid":
            return [dict(zip(self.names, combo, strict=True))
                    for combo in itertools.product(*self.values.values())]
        if self.method == "list":
            return [dict(p) for p in self.points]
        if self.method in ("lhs", "sobol"):
            return self._sampled()
        return [{}]

    def _sampled(self) -> list[dict[str, Any]]:
        if self.method == "lhs":
            from SALib.sample import latin

            x = latin.sample(self.problem(), self.samples, seed=self.seed)
        else:
            from SALib.sample import sobol

            x = sobol.sample(self.problem(), self.samples, calc_second_order=self.second_order,
                             seed=self.seed)
        out = []
        for row in x:
            point = {}
            for name, v in zip(self.names, row, strict=True):
                p = PARAMS[name]
                point[name] = min(max(round(float(v)), p.low), p.high) if p.kind == "int" \
                    else float(v)
            out.append(point)
        return out


@dataclass(frozen=True)
class SpecSource:
    """What every spec file declares about itself (batch and sensitivity specs alike)."""

    name: str
    path: str
    text: str
    sha256: str
    description: str
    preset: str
    years: int


@dataclass(frozen=True)
class Spec(SpecSource):
    """A validated experiment spec."""

    replicates: int
    root_seed: int
    baseline: str
    params: dict[str, Any]
    scenarios: tuple[Scenario, ...]
    sweep: Sweep
    timeseries: bool = True
    schools: str = "weak"
    region: dict[str, Any] = field(default_factory=dict)  # region, la, gor, attainment
    format: str = "csv"

    @functools.cached_property
    def _design(self) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
        return feasible_points(self.params, self.scenarios, self.sweep)

    @property
    def points(self) -> list[tuple[int, dict[str, Any]]]:
        """The sweep points run, as (design index, point): all of them, less the sampled
        points skipped because they break a model rule (`skipped`)."""
        return self._design[0]

    @property
    def skipped(self) -> list[tuple[int, str]]:
        """Sampled points left out (``infeasible = "skip"``): (design index, the rule)."""
        return self._design[1]

    @property
    def n_runs(self) -> int:
        return len(self.scenarios) * len(self.points) * self.replicates

    def replicate_seeds(self) -> list[int]:
        """One int seed per replicate, shared by every scenario and sweep point (CRN)."""
        return replicate_seeds(self.root_seed, self.replicates)

    def config(self, scenario: Scenario, point: dict[str, Any]) -> dict[str, Any]:
        """The model config of one scenario at one sweep point (not yet resolved)."""
        return {"preset": self.preset, **self.region, "years": self.years,
                "policies": list(scenario.policies), **self.params, **scenario.params, **point}


def broken_rule(values: dict[str, Any]) -> str | None:
    """The first cross-parameter rule (``model.params.CONSTRAINTS``) that resolved values
    break, with the values, or None."""
    from clustersim.model.params import CONSTRAINTS

    for names, ok, message in CONSTRAINTS:
        if not ok(values):
            return f"{message} (got {', '.join(f'{n}={values[n]}' for n in names)})"
    return None


def feasible_points(common: dict[str, Any], scenarios, sweep: Sweep):
    """Split a sweep's design into the points kept, as (design index, point), and the
    points that break a rule under some scenario, as (design index, the broken rule).
    Only sampled designs (lhs, sobol) skip points; a hand-written grid or list point that
    breaks a rule is the validator's error."""
    points = list(enumerate(sweep.generate()))
    if sweep.method not in ("lhs", "sobol"):
        return points, []
    bases = [PARAMS.resolve({**common, **s.params}) for s in scenarios]
    kept, skipped = [], []
    for j, point in points:
        broken = next(filter(None, (broken_rule({**b, **point}) for b in bases)), None)
        (skipped.append((j, broken)) if broken else kept.append((j, point)))
    return kept, skipped


def replicate_seeds(root_seed: int, n: int) -> list[int]:
    """``SeedSequence(root_seed).spawn(n)``, each child reduced to one uint32 seed."""
    import numpy as np

    return [int(ss.generate_state(1, np.uint32)[0])
            for ss in np.random.SeedSequence(root_seed).spawn(n)]


def read_toml(path: str | Path) -> tuple[dict, str]:
    """A spec file's parsed TOML and its text; `SpecError` if unreadable or malformed."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
        return tomllib.loads(text), text
    except OSError as exc:
        raise SpecError(f"{path}: cannot read spec ({exc.strerror})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None


def load_spec(path: str | Path, max_runs: int | None = None) -> Spec:
    """Read and validate a spec file; raises `SpecError` naming the file and key."""
    data, text = read_toml(path)
    return parse_spec(data, str(path), text, max_runs)


def parse_spec(data: dict, where: str = "<spec>", text: str = "",
               max_runs: int | None = None) -> Spec:
    """Validate a parsed spec (a dict as from TOML) and build a `Spec`.

    A spec of more runs than ``max_runs`` (default `model.limits.MAX_RUNS`) is refused
    from its arithmetic size, before any sweep point is expanded.
    """
    v = _Validator(where)
    v.keys(data, TOP_KEYS, "")
    name = v.string(data, "name", required=True)
    preset = v.choice(data.get("preset", DEFAULTS["preset"]), "preset", _preset_names())
    region = _region(v, data)
    years = v.integer(data, "years", DEFAULTS["years"], *limits.YEARS)
    replicates = v.integer(data, "replicates", DEFAULTS["replicates"], *limits.REPLICATES)
    root_seed = v.integer(data, "root_seed", DEFAULTS["root_seed"], *limits.SEEDS)
    params = v.params(data.get("params", {}), "params")
    scenarios = v.scenarios(data.get("scenarios"))
    labels = [s.label for s in scenarios]
    baseline = v.choice(data.get("baseline", labels[0]), "baseline", labels)
    sweep = v.sweep(data.get("sweep"))
    for s in scenarios:
        for n in set(s.params) & set(sweep.names):
            v.fail(f"scenarios[{labels.index(s.label)}].params.{n}",
                   "is also swept by [sweep]; set it in one place only")
    try:  # from the sizes alone: a huge grid is refused before it is expanded
        limits.check_runs(len(scenarios) * sweep.size() * replicates, max_runs,
                          f"{where}: the spec ({len(scenarios)} scenarios x {sweep.size()} "
                          f"sweep points x {replicates} replicates)")
    except UserError as exc:
        raise SpecError(str(exc)) from None
    v.constraints(params, scenarios, sweep)
    outputs = data.get("outputs", {})
    v.keys(outputs, OUTPUT_KEYS, "outputs")
    timeseries = v.boolean(outputs, "timeseries", True, "outputs.")
    schools = v.choice(outputs.get("schools", "weak"), "outputs.schools", SCHOOLS_CHOICES)
    fmt = v.choice(outputs.get("format", "csv"), "outputs.format", FORMATS)
    spec = Spec(name=name, path=where, text=text,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                description=v.string(data, "description") or "", preset=preset, years=years,
                replicates=replicates, root_seed=root_seed, baseline=baseline, params=params,
                scenarios=tuple(scenarios), sweep=sweep, timeseries=timeseries, schools=schools,
                region=region, format=fmt)
    if spec.skipped and (sweep.infeasible == "error" or not spec.points):
        j, rule = spec.skipped[0]
        v.fail("sweep.infeasible", f"sampled point {j} breaks a rule: {rule}" + (
            "; every point does: narrow sweep.ranges" if not spec.points else
            f" ({len(spec.skipped)} of {sweep.size()} points do); narrow sweep.ranges or "
            "set infeasible = \"skip\""))
    return spec


def _region(v: _Validator, data: dict) -> dict[str, Any]:
    """A spec's real region keys, checked and the file loaded (cached) before any run;
    a relative path is taken from the folder clustersim runs in."""
    given = {k: data[k] for k in REGION_KEYS if k in data}
    if not given:
        return {}
    from clustersim.model.gias import RegionError, resolve_region_keys

    try:
        return resolve_region_keys(given)
    except RegionError as exc:
        v.fail(exc.key, exc.detail)


def _preset_names() -> list[str]:
    from clustersim import model

    return list(model.PRESETS)


def _policy_names() -> list[str]:
    from clustersim import model

    return list(model.POLICIES)  # the registry imports mesa only when a run builds brokers


class _Validator:
    """Checks one spec's pieces; every failure is a `SpecError` prefixed with the file."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, key: str, message: str):
        raise SpecError(f"{self.where}: {key}: {message}")

    def keys(self, table: Any, allowed: tuple[str, ...], at: str) -> None:
        if not isinstance(table, dict):
            self.fail(at or "spec", "must be a table")
        for k in table:
            if k not in allowed:
                key = f"{at}.{k}" if at else k
                self.fail(key, f"unknown key; allowed: {', '.join(allowed)}")

    def string(self, data: dict, key: str, required: bool = False) -> str | None:
        if key not in data:
            if required:
                self.fail(key, "is required")
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"must be a non-empty string, got {value!r}")
        if key == "name" and not all(c.isalnum() or c in "_-" for c in value):
            self.fail(key, f"{value!r} must use only letters, digits, '_' and '-'")
        return value

    def integer(self, data: dict, key: str, default: int, low: int, high: int,
                at: str = "") -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(at + key, f"{value!r} is not allowed; expected an integer in [{low}, {high}]")
        return value

    def boolean(self, data: dict, key: str, default: bool, at: str = "") -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(at + key, f"{value!r} is not allowed; expected true or false")
        return value

    def choice(self, value: Any, key: str, allowed: list[str] | tuple[str, ...]) -> str:
        if value not in allowed:
            self.fail(key, f"{value!r} is not allowed; allowed: {', '.join(allowed)}")
        return value

    def params(self, table: Any, at: str) -> dict[str, Any]:
        if not isinstance(table, dict):
            self.fail(at, "must be a table of parameter = value")
        out = {}
        for name, value in table.items():
            try:
                p = PARAMS[name]
                if isinstance(value, str) or (p.kind == "bool") != isinstance(value, bool):
                    raise ParamError(f"parameter {name}: {value!r} is not allowed; expected "
                                     f"{p.allowed()} (TOML values are typed: no quotes)")
                out[name] = p.coerce(value)
            except ParamError as exc:
                self.fail(f"{at}.{name}", str(exc))
        return out

    def scenarios(self, items: Any) -> list[Scenario]:
        if not isinstance(items, list) or not items:
            self.fail("scenarios", "at least one [[scenarios]] table is required "
                      "(label, policies, params)")
        policies, out = _policy_names(), []
        for i, item in enumerate(items):
            at = f"scenarios[{i}]"
            self.keys(item, SCENARIO_KEYS, at)
            pols = item.get("policies")
            if not isinstance(pols, list) or not pols:
                self.fail(f"{at}.policies", f"must be a non-empty list; allowed names: "
                          f"{', '.join(policies)}")
            for p in pols:
                self.choice(p, f"{at}.policies", policies)
            if len(set(pols)) != len(pols):
                self.fail(f"{at}.policies", f"{pols!r} names a policy twice")
            try:  # the model's own rules (e.g. one middle tier per scenario)
                from clustersim.model.policies import parse_policies

                parse_policies(pols)
            except UserError as exc:
                self.fail(f"{at}.policies", str(exc))
            label = item.get("label", "+".join(pols))
            if not isinstance(label, str) or not label or "," in label:
                self.fail(f"{at}.label", f"{label!r} must be a non-empty string without commas")
            if label in [s.label for s in out]:
                self.fail(f"{at}.label", f"{label!r} is used by an earlier scenario")
            out.append(Scenario(label, tuple(pols), self.params(item.get("params", {}),
                                                                f"{at}.params")))
        return out

    def constraints(self, common: dict, scenarios: list[Scenario], sweep: Sweep) -> None:
        """Cross-parameter rules of the model (e.g. min <= max) for every scenario and grid
        or list point; sampled points are kept or skipped by `feasible_points`."""
        points = sweep.generate() if sweep.method in ("grid", "list", "none") else [{}]
        for i, s in enumerate(scenarios):
            base = PARAMS.resolve({**common, **s.params})
            for j, point in enumerate(points):
                broken = broken_rule({**base, **point})  # point values coerced by the sweep
                if broken:
                    where = f" at sweep point {j}" if point else ""
                    self.fail(f"scenarios[{i}]", f"{s.label}{where}: {broken}")

    def sweep(self, table: Any) -> Sweep:
        if table is None:
            return Sweep()
        if not isinstance(table, dict):
            self.fail("sweep", "must be a table")
        method = self.choice(table.get("method"), "sweep.method", SWEEP_METHODS)
        self.keys(table, SWEEP_KEYS[method], "sweep")
        if method == "grid":
            return self._grid(table.get("values"))
        if method == "list":
            return self._list(table.get("points"))
        return self._sampled(method, table)

    def _swept(self, name: str, key: str) -> None:
        if name not in PARAMS:
            self.fail(key, PARAMS.unknown_message(name))

    def _grid(self, values: Any) -> Sweep:
        if not isinstance(values, dict) or not values:
            self.fail("sweep.values", "must be a non-empty table of parameter = [values]")
        out = {}
        for name, vals in values.items():
            self._swept(name, f"sweep.values.{name}")
            if not isinstance(vals, list) or not vals:
                self.fail(f"sweep.values.{name}", "must be a non-empty list of values")
            out[name] = [self.params({name: x}, "sweep.values")[name] for x in vals]
            if len(set(out[name])) != len(out[name]):
                self.fail(f"sweep.values.{name}", "lists a value twice")
        return Sweep("grid", tuple(out), values=out)

    def _list(self, points: Any) -> Sweep:
        if not isinstance(points, list) or not points:
            self.fail("sweep.points", "must be a non-empty list of tables {parameter = value}")
        checked = []
        for i, pt in enumerate(points):
            if not isinstance(pt, dict) or not pt:
                self.fail(f"sweep.points[{i}]", "must be a non-empty table {parameter = value}")
            for name in pt:
                self._swept(name, f"sweep.points[{i}].{name}")
            checked.append(self.params(pt, f"sweep.points[{i}]"))
        names = tuple(checked[0])
        for i, pt in enumerate(checked):
            if set(pt) != set(names):
                self.fail(f"sweep.points[{i}]", f"must set exactly {', '.join(names)} "
                          "(the parameters of sweep.points[0])")
        return Sweep("list", names, points=tuple(checked))

    def _sampled(self, method: str, table: dict) -> Sweep:
        if "samples" not in table:
            self.fail("sweep.samples", "is required for lhs and sobol")
        samples = self.integer(table, "samples", 0, 1, 1_000_000, "sweep.")
        if method == "sobol" and samples & (samples - 1):
            self.fail("sweep.samples", f"{samples} is not allowed; Sobol needs a power of two")
        seed = self.integer(table, "seed", 0, *limits.SAMPLE_SEEDS, "sweep.")
        ranges = table.get("ranges")
        if not isinstance(ranges, dict) or not ranges:
            self.fail("sweep.ranges", "must be a non-empty table of parameter = [low, high]")
        out = {}
        for name, rng in ranges.items():
            key = f"sweep.ranges.{name}"
            self._swept(name, key)
            p = PARAMS[name]
            if not p.numeric:
                self.fail(key, f"{name} is {p.kind}; lhs/sobol need a numeric parameter "
                          "(use a grid for switches)")
            if (not isinstance(rng, list) or len(rng) != 2
                    or any(isinstance(x, bool) or not isinstance(x, int | float) for x in rng)):
                self.fail(key, f"{rng!r} must be [low, high] within {p.allowed()}")
            lo, hi = float(rng[0]), float(rng[1])
            if not (p.low <= lo < hi <= p.high):
                self.fail(key, f"[{rng[0]}, {rng[1]}] is not allowed; expected low < high "
                          f"within {p.allowed()}")
            out[name] = (lo, hi)
        second = self.boolean(table, "second_order", False, "sweep.")
        infeasible = self.choice(table.get("infeasible", "skip"), "sweep.infeasible",
                                 INFEASIBLE_CHOICES)
        return Sweep(method, tuple(out), ranges=out, samples=samples, seed=seed,
                     second_order=second, infeasible=infeasible)
