"""The page's sidebar inputs, derived from the model's own declarations.

Every slider and switch comes from a `model.PARAMS` entry (its default, range, unit and
group), the preset list from `model.PRESETS`, the policy switches from `model.POLICIES`:
nothing is retyped here but the choice of which numeric parameters to show.

The result is a Mesa `model_params` dict (name -> input description) for SolaraViz.
Policies become one checkbox each (``policy__<name>``), so several can be combined.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

# Numeric parameters on the page (every mechanism switch is shown as well). Any
# parameter can still be set from the command line or a spec file.
KEY_NUMERICS = (
    "weak_quantile",
    "engagement_base",
    "seek_rate",
    "max_partner_km",
    "homophily_weight",
    "refusal_strength",
    "cluster_max_size",
    "peer_cpd_hours",
    "cpd_budget_share",
    "dissolve_threshold",
    "la_support_hours",
    "super_broker_capacity",
)
POLICY_PREFIX = "policy__"


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


def param_input(p: Any) -> dict[str, Any]:
    """The Mesa input description of one registry `Param`."""
    if p.kind == "bool":
        return {"type": "Checkbox", "value": bool(p.default), "label": p.group}
    label = f"{p.name} ({p.unit})"
    if p.kind == "int":
        return {"type": "SliderInt", "value": int(p.default), "min": int(p.low),
                "max": int(p.high), "step": 1, "label": label}
    return {"type": "SliderFloat", "value": float(p.default), "min": float(p.low),
            "max": float(p.high), "step": nice_step(p.low, p.high, p.default), "label": label}


def build_inputs(params: Iterable[Any], presets: Iterable[str], policies: Mapping[str, Any],
                 *, preset: str, years: int, max_years: int, seed: int,
                 default_policies: Iterable[str] = (),
                 numerics: Iterable[str] = KEY_NUMERICS) -> dict[str, dict[str, Any]]:
    """Return SolaraViz's `model_params`: run settings, policies, switches, numerics.

    Args:
        params: the parameter registry (iterable of `Param`, indexable by name).
        presets: names of the regions on offer.
        policies: policy name -> policy class (its `description` becomes the label).
        preset, years, seed: the initial run settings; max_years: the slider's end.
        default_policies: policies switched on at first.
        numerics: names of the numeric parameters to show, in order.
    """
    by_name = {p.name: p for p in params}
    unknown = [n for n in numerics if n not in by_name]
    if unknown:
        raise KeyError(f"page inputs name unknown parameters {unknown}; "
                       f"known: {', '.join(by_name)}")
    presets = list(presets)
    inputs: dict[str, dict[str, Any]] = {
        "preset": {"type": "Select", "value": preset, "values": presets,
                   "label": "preset (region)"},
        "years": {"type": "SliderInt", "value": int(years), "min": 1, "max": int(max_years),
                  "step": 1, "label": "years to run"},
        "seed": {"type": "InputText", "value": str(seed), "label": "seed (integer)"},
    }
    on = set(default_policies)
    for name in policies:
        inputs[POLICY_PREFIX + name] = {"type": "Checkbox", "value": name in on,
                                        "label": f"policy: {name}"}
    for p in by_name.values():
        if p.kind == "bool":
            inputs[p.name] = param_input(p)
    for n in numerics:
        inputs[n] = param_input(by_name[n])
    return inputs


def initial_values(inputs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The values the inputs start at (what SolaraViz passes to the model on Reset)."""
    return {name: spec["value"] for name, spec in inputs.items()}
