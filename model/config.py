"""A run's configuration: preset, policies, horizon and parameter values, validated."""

from __future__ import annotations

from typing import Any

from clustersim.model.errors import ParamError, UserError
from clustersim.model.limits import YEARS, default
from clustersim.model.params import CONSTRAINTS, PARAMS

# a run's settings when a config leaves them out, as model.limits declares them
DEFAULTS = {"preset": default("preset"), "policies": list(default("policies")),
            "years": default("years")}
MAX_YEARS = YEARS[1]  # model.limits declares every limit once


def resolve_config(config: dict[str, Any] | None = None,
                   on_float: str = "error") -> dict[str, Any]:
    """Fill defaults and validate; raise UserError naming the field and allowed values.

    Keys: ``preset`` (a name in model.PRESETS), ``policies`` (list of names, or "a+b"),
    ``years`` (1-50) and any parameter name in model.PARAMS. A real region: ``region``
    (a GIAS establishments CSV; its schools replace the preset's, which is then unused),
    ``la`` (LA codes or names), ``gor`` (a region name) and ``attainment`` (a KS2 table);
    they are kept only when ``region`` is given, and the file is loaded (cached) here so
    bad input fails before a run. ``on_float="round"`` rounds a sampler's floats for
    integer parameters (see ``Param.coerce``).
    """
    from clustersim.model.gias import resolve_region_keys
    from clustersim.model.policies import parse_policies
    from clustersim.model.region import get_preset

    config = dict(config or {})
    out: dict[str, Any] = {}
    preset = config.pop("preset", DEFAULTS["preset"])
    out["preset"] = get_preset(str(preset)).name
    out.update(resolve_region_keys(config))  # a real region replaces the preset's schools
    out["policies"] = parse_policies(config.pop("policies", DEFAULTS["policies"]))
    years = config.pop("years", DEFAULTS["years"])
    if isinstance(years, bool) or not _is_int(years) or not YEARS[0] <= int(years) <= MAX_YEARS:
        raise UserError(f"years: {years!r} is not allowed; expected an integer in "
                        f"[{YEARS[0]}, {MAX_YEARS}]")
    out["years"] = int(years)
    out.update(PARAMS.resolve(config, on_float))
    reason = broken_constraint(out)
    if reason:
        raise ParamError(reason)
    return out


def broken_constraint(values: dict[str, Any]) -> str | None:
    """The first cross-parameter constraint ``values`` break, as a sentence, or None."""
    for names, ok, message in CONSTRAINTS:
        if not ok(values):
            shown = ", ".join(f"{n}={values[n]}" for n in names)
            return f"{message} (got {shown})"
    return None


def feasible(params: dict[str, Any] | None = None, on_float: str = "round",
             **kwargs: Any) -> tuple[bool, str]:
    """Can this point run? ``(True, "")`` or ``(False, reason)``: an unknown name, a value
    out of range, or a broken constraint (e.g. cluster_min_size > cluster_max_size). For
    samplers: check before running, or run with ``simulate(..., on_invalid="nan")``."""
    try:
        resolve_config({**(params or {}), **kwargs}, on_float)
    except UserError as exc:
        return False, str(exc)
    return True, ""


def _is_int(v: Any) -> bool:
    try:
        return float(v).is_integer()
    except (TypeError, ValueError):
        return False
