"""A sensitivity spec: the `SensitivitySpec`, reading and validating it, and the screened
ranges narrowed to keep the model's cross-parameter rules.

The spec's layout and the choices it encodes (switches left out, integers rounded,
constrained ranges narrowed) are described in `experiments.credibility.sensitivity`,
which runs it. Every failure is one `SpecError` naming the file, the key and the allowed
values.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from clustersim.experiments.batch.spec import SpecSource, read_toml
from clustersim.experiments.batch.spec_validator import Validator
from clustersim.model import PARAMS, limits
from clustersim.model.params import CONSTRAINTS

EQUITY_OUTCOMES = ("gap", "left_behind", "catch_up", "isolation_weak")
TOP_KEYS = ("name", "description", "preset", "years", "policies", "replicates", "root_seed",
            "outcomes", "params", "parameters", "morris", "sobol", "ranking")
SECTION_KEYS = {"parameters": ("include", "exclude", "ranges"),
                "ranking": ("scenarios", "outcome"),
                "morris": ("trajectories", "levels", "seed"),
                "sobol": ("top_k", "samples", "second_order", "seed", "rank_by")}


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
                return message, {n: plain_value(values[n], n) for n in inside}
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


def plain_value(x: float, name: str) -> float | int:
    """A design value as its parameter's kind: integers rounded, reals as float."""
    return int(round(x)) if PARAMS[name].kind == "int" else float(x)
