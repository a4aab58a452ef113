"""What the page's inputs show, derived from the model's own declarations.

Every parameter input comes from a `model.PARAMS` entry: its label is the parameter's
meaning, its value is shown with its unit, its range, default, name and source make its
tooltip, and inputs are grouped as `clustersim params` groups them. Nothing is retyped
here; a parameter the lead adds or renames appears on the page by itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# region files offered beside the presets once a register loader exists (model.gias)
REGION_FILES = REPO / "examples" / "regions"


def nice_step(low: float, high: float, default: float | None = None,
              ticks: int = 100) -> float:
    """A 1-2-5 step giving about `ticks` slider positions, with low, high and the default
    all on the grid (a slider snaps an off-grid default, silently changing it)."""
    span = high - low
    if span <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(span / ticks))
    candidates = [m * power / 10**k for k in range(-1, 7) for m in (5, 2, 1)]
    for step in sorted(candidates, reverse=True):
        if step > span / ticks * 2.5:
            continue
        if all(_on_grid(v - low, step) for v in (high, low if default is None else default)):
            return float(f"{step:.6g}")
    raise ValueError(f"no slider step fits [{low}, {high}] with default {default}")


def _on_grid(offset: float, step: float) -> bool:
    n = offset / step
    return abs(n - round(n)) < 1e-6


@dataclass(frozen=True)
class ParamInput:
    """How one registry `Param` appears on the page."""

    name: str
    kind: str          # "float", "int" or "bool"
    label: str         # the parameter's meaning
    unit: str
    tooltip: str       # name, range, default and source
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None

    def value_text(self, value: Any) -> str:
        """The value as shown beside the input, with its unit."""
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "int":
            return f"{int(value)} {self.unit}"
        return f"{float(value):.6g} {self.unit}"


def param_input(p: Any) -> ParamInput:
    default = f"default {'on' if p.default else 'off'}" if p.kind == "bool" else (
        f"default {p.default:g}")
    tooltip = f"{p.name}: {p.allowed()}, {default} ({p.unit}). Source: {p.source}"
    if p.kind == "bool":
        return ParamInput(p.name, "bool", p.meaning, p.unit, tooltip, bool(p.default))
    if p.kind == "int":
        return ParamInput(p.name, "int", p.meaning, p.unit, tooltip, int(p.default),
                          int(p.low), int(p.high), 1)
    return ParamInput(p.name, "float", p.meaning, p.unit, tooltip, float(p.default),
                      float(p.low), float(p.high), nice_step(p.low, p.high, p.default))


def param_groups(params: Iterable[Any] | None = None) -> dict[str, list[ParamInput]]:
    """group -> its inputs, in the order of `clustersim params`."""
    if params is None:
        from clustersim.model import PARAMS as params
    groups: dict[str, list[ParamInput]] = {}
    for p in params:
        groups.setdefault(p.group, []).append(param_input(p))
    labels = [i.label for g in groups.values() for i in g]
    if len(set(labels)) != len(labels):
        twice = sorted({x for x in labels if labels.count(x) > 1})
        raise ValueError(f"parameters share a meaning, so their inputs would read alike: {twice}")
    return groups


def run_defaults() -> dict[str, Any]:
    """Region, horizon and seed the page starts with: the run settings' defaults and
    bounds (`model.limits.RUN_SETTINGS`, which the model and the command line read too).

    The region can be chosen with the environment variable named by `server.PRESET_ENV`.
    """
    import os

    from clustersim.model.limits import RUN_SETTINGS, default
    from clustersim.model.region import get_preset
    from clustersim.viz.server import PRESET_ENV

    preset = get_preset(os.environ.get(PRESET_ENV) or default("preset")).name
    return {"preset": preset, "years": int(default("years")),
            "years_range": RUN_SETTINGS["years"].bounds, "seed": int(default("seed"))}


@dataclass(frozen=True)
class RegionChoice:
    """A region on offer: a preset, or a register file with its local authorities."""

    label: str
    config: dict[str, Any]
    las: tuple[str, ...] = ()


def region_choices() -> list[RegionChoice]:
    """The presets, then any region file a register loader can read (see `region_files`)."""
    from clustersim.model.region import PRESETS

    out = [RegionChoice(f"{name}: {p.description}", {"preset": name})
           for name, p in PRESETS.items()]
    return out + region_files()


def region_files() -> list[RegionChoice]:
    """Register extracts under examples/regions/ (the shipped sample at least), each with
    its local authorities ("code name"), read by `model.gias`; a file it refuses is left
    out. A run selects one with the config keys ``region`` (the file) and ``la``."""
    try:
        from clustersim.model.gias import load_gias
    except ImportError:  # a model without real regions: the presets only
        return []
    from clustersim.model.errors import UserError

    out = []
    for path in sorted(REGION_FILES.glob("*.csv")):
        try:
            register = load_gias(path).register
        except UserError:
            continue
        las = tuple(f"{c} {n}" for c, n in zip(register.la_code, register.la_name,
                                                strict=True))
        out.append(RegionChoice(f"{path.name}: {register.report.schools} schools from the "
                                "register", {"region": str(path.resolve())}, las))
    return out
