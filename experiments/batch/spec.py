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
written from the declarations in `spec_validator`). Every error names the file, the key
and the allowed values. Validation imports the light parameter registry, presets and
policy names only, never mesa.

The pieces: `design` (scenarios, the sweep and its sampled points, points that break a
rule), `spec_validator` (the keys, their allowed values and the checks) and this module
(`Spec`, reading and parsing a file); the public names of all three import from here.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clustersim.experiments.batch.design import (  # noqa: F401 (re-exported)
    Scenario,
    Sweep,
    SweepMethod,
    feasible_points,
)
from clustersim.experiments.batch.spec_validator import (  # noqa: F401 (re-exported)
    DEFAULTS,
    FORMATS,
    INFEASIBLE_CHOICES,
    OUTPUT_KEYS,
    REGION_KEYS,
    SCENARIO_KEYS,
    SCHOOLS_CHOICES,
    SWEEP_KEYS,
    SWEEP_METHODS,
    TOP_KEYS,
    SpecError,
    Validator,
    policy_names,
    preset_names,
)
from clustersim.model import limits
from clustersim.model.errors import UserError


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
    v = Validator(where)
    v.keys(data, TOP_KEYS, "")
    name = v.string(data, "name", required=True)
    preset = v.choice(data.get("preset", DEFAULTS["preset"]), "preset", preset_names())
    region = v.region(data)
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
