"""The spec validator and the declarations it checks against: every key a spec may hold
and the values each may take (docs/specs.md is written from them, `spec_doc`).

Every failure is one `SpecError` naming the file, the key and the allowed values.
Validation imports the light parameter registry, presets and policy names only, never mesa.
"""

from __future__ import annotations

from typing import Any

from clustersim.experiments.batch.design import (
    SAMPLED,
    Scenario,
    Sweep,
    SweepMethod,
)
from clustersim.model import PARAMS, limits
from clustersim.model.config import broken_constraint
from clustersim.model.errors import ParamError, UserError

TOP_KEYS = ("name", "description", "preset", "region", "la", "gor", "attainment", "years",
            "replicates", "root_seed", "baseline", "params", "scenarios", "sweep", "outputs")
REGION_KEYS = ("region", "la", "gor", "attainment")  # a real region (model/gias.py)
SCENARIO_KEYS = ("label", "policies", "params")
# what a spec may name (SweepMethod.NONE is no [sweep] at all): "grid", "list", "lhs", "sobol"
SWEEP_METHODS = tuple(m.value for m in SweepMethod if m != SweepMethod.NONE)
SWEEP_KEYS = {SweepMethod.GRID: ("method", "values"), SweepMethod.LIST: ("method", "points"),
              SweepMethod.LHS: ("method", "samples", "seed", "ranges", "infeasible"),
              SweepMethod.SOBOL: ("method", "samples", "seed", "ranges", "second_order",
                                  "infeasible")}
INFEASIBLE_CHOICES = ("skip", "error")
OUTPUT_KEYS = ("timeseries", "schools", "format")
SCHOOLS_CHOICES = ("none", "weak", "all")
FORMATS = ("csv", "parquet")
DEFAULTS = {"preset": limits.default("preset"), "years": limits.default("years"),  # declared
            "replicates": limits.default("replicates"), "root_seed": limits.default("seed")}


class SpecError(UserError):
    """A spec file that cannot be run: the message names the file, key and allowed values."""



def preset_names() -> list[str]:
    from clustersim import model

    return list(model.PRESETS)


def policy_names() -> list[str]:
    from clustersim import model

    return list(model.POLICIES)  # the registry imports mesa only when a run builds brokers


class Validator:
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

    def region(self, data: dict) -> dict[str, Any]:
        """A spec's real region keys, checked and the file loaded (cached) before any run;
        a relative path is taken from the folder clustersim runs in."""
        given = {k: data[k] for k in REGION_KEYS if k in data}
        if not given:
            return {}
        from clustersim.model.gias import RegionError, resolve_region_keys

        try:
            return resolve_region_keys(given)
        except RegionError as exc:
            self.fail(exc.key, exc.detail)

    def scenarios(self, items: Any) -> list[Scenario]:
        if not isinstance(items, list) or not items:
            self.fail("scenarios", "at least one [[scenarios]] table is required "
                      "(label, policies, params)")
        policies, out = policy_names(), []
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
        points = [{}] if sweep.method in SAMPLED else sweep.generate()
        for i, s in enumerate(scenarios):
            base = PARAMS.resolve({**common, **s.params})
            for j, point in enumerate(points):
                broken = broken_constraint({**base, **point})  # point values coerced by the sweep
                if broken:
                    where = f" at sweep point {j}" if point else ""
                    self.fail(f"scenarios[{i}]", f"{s.label}{where}: {broken}")

    def sweep(self, table: Any) -> Sweep:
        if table is None:
            return Sweep()
        if not isinstance(table, dict):
            self.fail("sweep", "must be a table")
        method = SweepMethod(self.choice(table.get("method"), "sweep.method", SWEEP_METHODS))
        self.keys(table, SWEEP_KEYS[method], "sweep")
        if method == SweepMethod.GRID:
            return self._grid(table.get("values"))
        if method == SweepMethod.LIST:
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
        return Sweep(SweepMethod.GRID, tuple(out), values=out)

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
        return Sweep(SweepMethod.LIST, names, points=tuple(checked))

    def _sampled(self, method: SweepMethod, table: dict) -> Sweep:
        if "samples" not in table:
            self.fail("sweep.samples", "is required for lhs and sobol")
        samples = self.integer(table, "samples", 0, 1, 1_000_000, "sweep.")
        if method == SweepMethod.SOBOL and samples & (samples - 1):
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
