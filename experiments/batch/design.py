"""A spec's design: its scenarios and the sweep points every scenario runs at.

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

import itertools
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from clustersim.model import PARAMS
from clustersim.model.config import broken_constraint


class SweepMethod(StrEnum):
    """How a sweep makes its points; the value is what a spec's ``sweep.method`` says."""

    NONE = "none"    # no [sweep]: one empty point
    GRID = "grid"    # every combination of listed values
    LIST = "list"    # points written out one by one
    LHS = "lhs"      # a Latin hypercube over ranges (SALib)
    SOBOL = "sobol"  # Saltelli's Sobol design over ranges (SALib)


SAMPLED = (SweepMethod.LHS, SweepMethod.SOBOL)  # drawn from ranges, not written by hand


@dataclass(frozen=True)
class Scenario:
    """A label, the policy components it switches on, and its parameter overrides."""

    label: str
    policies: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sweep:
    """Parameter points to run every scenario at (one empty point when there is no sweep)."""

    method: SweepMethod = SweepMethod.NONE
    names: tuple[str, ...] = ()
    values: dict[str, list] = field(default_factory=dict)      # grid
    points: tuple[dict, ...] = ()                               # list
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # lhs, sobol
    samples: int = 0
    seed: int = 0
    second_order: bool = False
    infeasible: str = "skip"                                    # lhs, sobol

    def size(self) -> int:
        if self.method == SweepMethod.GRID:
            return math.prod(len(v) for v in self.values.values())
        if self.method == SweepMethod.LIST:
            return len(self.points)
        if self.method == SweepMethod.LHS:
            return self.samples
        if self.method == SweepMethod.SOBOL:
            d = len(self.names)
            return self.samples * (2 * d + 2 if self.second_order else d + 2)
        return 1

    def problem(self) -> dict:
        """The SALib problem of a sampled sweep (names and bounds)."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [list(self.ranges[n]) for n in self.names]}

    def generate(self) -> list[dict[str, Any]]:
        """The sweep's points in their fixed order (grid: last name varies fastest)."""
        if self.method == SweepMethod.GRID:
            return [dict(zip(self.names, combo, strict=True))
                    for combo in itertools.product(*self.values.values())]
        if self.method == SweepMethod.LIST:
            return [dict(p) for p in self.points]
        if self.method in SAMPLED:
            return self._sampled()
        return [{}]

    def _sampled(self) -> list[dict[str, Any]]:
        if self.method == SweepMethod.LHS:
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


def feasible_points(common: dict[str, Any], scenarios, sweep: Sweep):
    """Split a sweep's design into the points kept, as (design index, point), and the
    points that break a rule under some scenario, as (design index, the broken rule).
    Only sampled designs (lhs, sobol) skip points; a hand-written grid or list point that
    breaks a rule is the validator's error."""
    points = list(enumerate(sweep.generate()))
    if sweep.method not in SAMPLED:
        return points, []
    bases = [PARAMS.resolve({**common, **s.params}) for s in scenarios]
    kept, skipped = [], []
    for j, point in points:
        broken = next(filter(None, (broken_constraint({**b, **point}) for b in bases)), None)
        (skipped.append((j, broken)) if broken else kept.append((j, point)))
    return kept, skipped
