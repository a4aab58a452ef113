"""Parameters that change nothing: set or swept, but no policy in the scenario uses them.

A parameter whose group is ``"policy: X"`` (model/params.py) is read only by policy X, so
sweeping ``la_capacity_decline`` under ``superintendent`` alone runs identical points.
That is allowed (a spec may hold it for a scenario that does use it) but worth one line
of warning: at ``--check`` and when the batch starts.
"""

from __future__ import annotations

from collections.abc import Iterable

from clustersim.model import PARAMS

PREFIX = "policy: "


def unused(names: Iterable[str], policies: Iterable[str]) -> list[str]:
    """The names, among ``names``, of parameters that no policy in ``policies`` reads."""
    used = {f"{PREFIX}{p}" for p in policies}
    out = []
    for name in names:
        group = PARAMS[name].group
        if group.startswith(PREFIX) and group not in used:
            out.append(name)
    return out


def _describe(name: str) -> str:
    return f"{name} (read only by {PARAMS[name].group.removeprefix(PREFIX)})"


def warning_line(where: str, what: dict[str, str]) -> str | None:
    """One line for ``{parameter: "where it is set"}``, or None when there is nothing."""
    if not what:
        return None
    items = "; ".join(f"{_describe(n)} in {at}" for n, at in what.items())
    it, verb = ("it", "it changes") if len(what) == 1 else ("them", "they change")
    return f"warning: {where}: {items}: no policy of its scenario reads {it}, so {verb} nothing"


def spec_warning(spec) -> str | None:
    """The warning line of a batch spec (`experiments.batch.spec.Spec`), or None."""
    found: dict[str, str] = {}
    common = [*spec.params, *spec.sweep.names]
    for name in common:  # set for every scenario: unused when no scenario reads it
        if all(unused([name], s.policies) for s in spec.scenarios):
            found[name] = "sweep" if name in spec.sweep.names else "[params]"
    for i, s in enumerate(spec.scenarios):
        for name in unused(s.params, s.policies):
            found.setdefault(name, f"scenarios[{i}] ({s.label})")
    return warning_line(spec.path, found)


def sensitivity_warning(spec) -> str | None:
    """The warning line of a sensitivity spec's [params] that its policies ignore (a screen
    of ``include = "all"`` covers every parameter on purpose: it is not warned about)."""
    return warning_line(spec.path, {n: "[params]" for n in unused(spec.params, spec.policies)})


def run_warning(scenarios: list[list[str]], overrides: Iterable[str]) -> str | None:
    """The warning line of `clustersim run --set`: used by none of the scenarios."""
    found = {n: "--set" for n in overrides if all(unused([n], pols) for pols in scenarios)}
    return warning_line("clustersim run", found)
