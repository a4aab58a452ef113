"""The parameter registry as samplers want it: a SALib ``problem``, sample rows as params.

``salib_problem(names=None)`` lists numeric parameters (float and int) with their
declared ranges. Switches (bool) are left out unless named; a named switch is sampled on
[0, 1] and read as on at 0.5 or more. Integer parameters are sampled as reals and
rounded to the nearest whole number when a row is turned into parameters
(``params_from_row``; `simulate` does the same with ``on_float="round"``).

Cross-parameter constraints (``model.params.CONSTRAINTS``, e.g. cluster_min_size <=
cluster_max_size) would make part of the box infeasible: with ``narrow=True`` (the
default) the ranges of constrained parameters are narrowed so that every point of the
box keeps them (each range ends halfway between its default and its neighbour's, the
rule `clustersim sensitivity` uses). With ``narrow=False`` the full ranges are kept: check
points with ``model.config.feasible`` or run them with ``simulate(on_invalid="nan")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clustersim.model.params import CONSTRAINTS, PARAMS


def salib_problem(names: Sequence[str] | None = None, narrow: bool = True) -> dict[str, Any]:
    """SALib's problem dict (``num_vars``, ``names``, ``bounds``) from the registry."""
    chosen = list(names) if names is not None else [p.name for p in PARAMS if p.numeric]
    bounds = {}
    for n in chosen:
        p = PARAMS[n]  # an unknown name raises ParamError naming the close matches
        bounds[n] = [0.0, 1.0] if p.kind == "bool" else [float(p.low), float(p.high)]
    if narrow:
        _narrow(bounds)
    return {"num_vars": len(chosen), "names": chosen, "bounds": [bounds[n] for n in chosen]}


def _narrow(bounds: dict[str, list[float]]) -> None:
    """Narrow the ranges of ordered constrained parameters (a < b < ...) in place so that
    every point keeps the order: neighbours meet halfway between their defaults."""
    for names, _, _ in CONSTRAINTS:  # each lists its names in ascending order
        for a, b in zip(names, names[1:], strict=False):
            cut = (PARAMS[a].default + PARAMS[b].default) / 2
            # real parameters keep a strict order (grade cuts): stop just short of the cut
            gap = 0.0 if PARAMS[a].kind == "int" else 1e-6 * (PARAMS[b].high - PARAMS[a].low)
            if a in bounds:
                edge = cut if b in bounds else PARAMS[b].default
                bounds[a][1] = min(bounds[a][1], edge - gap)
            if b in bounds:
                edge = cut if a in bounds else PARAMS[a].default
                bounds[b][0] = max(bounds[b][0], edge + gap)


def params_from_row(problem: dict[str, Any], row: Sequence[float]) -> dict[str, Any]:
    """One sample row as model parameters: integers rounded, switches on at >= 0.5."""
    out: dict[str, Any] = {}
    for name, value in zip(problem["names"], row, strict=True):
        kind = PARAMS[name].kind
        out[name] = (bool(value >= 0.5) if kind == "bool"
                     else int(round(float(value))) if kind == "int" else float(value))
    return out
