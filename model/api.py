"""A small functional API for analysts and for EMA Workbench / SALib.

``simulate(params, seed)`` returns named outcomes, so tools can wrap the model with no
glue; ``run(config, seed)`` also returns the per-term series and the per-school table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from clustersim.model.model import ClusterModel, labels
from clustersim.model.region import GOVERNANCE_NAMES
from clustersim.model.state import GRADES


@dataclass
class RunResult:
    summary: dict[str, float]
    timeseries: pd.DataFrame
    schools: pd.DataFrame
    config: dict[str, Any]
    inspections: pd.DataFrame = field(default_factory=pd.DataFrame)  # term, school, grade


def run_to_end(config: dict[str, Any] | None = None, seed: int = 0,
               before: Callable[[ClusterModel], None] | None = None) -> ClusterModel:
    """Build the model, let ``before`` adjust it (e.g. add a policy component), and step it
    to its horizon."""
    m = ClusterModel(config, seed)
    if before:
        before(m)
    while m.running:
        m.step()
    return m


def _config(params: dict[str, Any] | None, kwargs: dict[str, Any],
            on_float: str) -> dict[str, Any]:
    from clustersim.model.config import resolve_config

    return resolve_config({**(params or {}), **kwargs}, on_float)


def run(config: dict[str, Any] | None = None, seed: int = 0, *, on_float: str = "error",
        tables: bool = True, **params: Any) -> RunResult:
    """Run one configuration to its horizon (deterministic in config and seed).

    ``run(cfg_dict, seed)`` or ``run(seed=1, preset="county", seek_rate=0.2)``.
    ``tables=False`` leaves the per-school and inspection tables empty (not built)."""
    return result(run_to_end(_config(config, params, on_float), seed), tables)


def run_each(configs: Iterable[dict[str, Any]], seed: int, *,
             tables: bool = True) -> Iterator[RunResult]:
    """Runs of one seed under several configurations, in order, each as `run` gives it;
    consecutive configurations that differ only in their policies and years share one
    built world (region, initial state, burn-in: `model.World`), built once and
    restored, random streams included, so each result is the same as `run`'s."""
    world, configs = None, list(configs)
    for k, config in enumerate(configs):
        m = ClusterModel(_config(config, {}, "error"), seed, world=world,
                         keep_world=k + 1 < len(configs))  # (a copy costs a little)
        if m.world is not None:  # built (not restored): the next ones may share it
            world, m.world = m.world, None
        while m.running:
            m.step()
        res = result(m, tables)
        # a model is a web of cycles (agents, policies and the model refer to each
        # other), freed only when the collector next runs: a worker held several
        # finished England models (~500 MiB). Dropping its attributes frees its arrays
        # now (~270 MiB), without a full collection (~30 ms: a county run's fifth)
        vars(m).clear()
        yield res


def result(m: ClusterModel, tables: bool = True) -> RunResult:
    """A finished model's outcomes (the school and inspection tables if ``tables``)."""
    return RunResult(summary=m.summary(), timeseries=m.series(),
                     schools=school_table(m) if tables else pd.DataFrame(),
                     config=m.config,
                     inspections=m.inspections() if tables else pd.DataFrame())


def simulate(params: dict[str, Any] | None = None, seed: int = 0, *,
             on_invalid: str = "raise", on_float: str = "error",
             **kwargs: Any) -> dict[str, float]:
    """Named end-of-run outcomes (STYLE 5): ``simulate({"seek_rate": 0.2}, seed=1)`` or,
    as EMA Workbench calls a model function, ``simulate(seed=1, seek_rate=0.2)``.

    ``params``/keywords may hold preset, policies, years and any declared parameter.
    ``on_float="round"`` rounds a sampler's floats for integer parameters;
    ``on_invalid="nan"`` returns NaN for every outcome of an infeasible point (a value out
    of range, a broken constraint) instead of raising, so one bad point of a design does
    not stop an experiment set.
    """
    from clustersim.model.errors import UserError

    if on_invalid not in ("raise", "nan"):
        raise ValueError(f"on_invalid: {on_invalid!r}; expected 'raise' or 'nan'")
    try:
        config = _config(params, kwargs, on_float)
    except UserError:
        if on_invalid == "raise":
            raise
        from clustersim.model.metrics import SUMMARY

        return dict.fromkeys(SUMMARY, float("nan"))
    return run_to_end(config, seed).summary()


def school_table(m: ClusterModel) -> pd.DataFrame:
    """One row per school: attributes, start and end state, weak or not, cluster history."""
    s, r = m.s, m.s.region
    from clustersim.model.mechanisms.attainment import below_floor
    from clustersim.model.metrics import left_behind_mask

    table = pd.DataFrame({
        "school": np.arange(s.n),
        "la": r.la,
        "x_km": r.x.round(3),
        "y_km": r.y.round(3),
        "phase": labels(("primary", "secondary"), r.phase != 0),
        "pupils": r.pupils,
        "rural": r.rural,
        "fsm": r.fsm.round(4),
        "governance": labels(GOVERNANCE_NAMES, r.governance),
        "trust": r.trust,
        "governance_end": labels(GOVERNANCE_NAMES, s.governance),
        "trust_end": s.trust.copy(),
        "weak": s.weak,
        "effectiveness_start": m.eff0,
        "effectiveness_end": s.effectiveness,
        "rwm_start": m.rwm0,
        "rwm_end": s.rwm.copy(),
        "grade_start": labels(GRADES, m.grade0),
        "grade_end": labels(GRADES, s.grade),
        "below_floor_end": below_floor(m),
        "left_behind": left_behind_mask(m),
        "terms_below_floor": s.terms_below_floor,
        "floor_spells": s.floor_spells.copy(),
        "longest_floor_spell": s.longest_floor_spell.copy(),
        "head_changes": s.head_changes.copy(),
        "cluster_end": s.cluster.copy(),
        "clusters_joined": s.clusters_joined,
        "terms_clustered": s.terms_clustered,
        "cpd_hours": s.cpd_hours_total,
        "cost": s.cost_total,
    })
    if r.register is not None:  # a real region (model/gias.py): who each school is
        table.insert(1, "urn", r.register.urn)
        table.insert(2, "name", r.register.name)
    return table
