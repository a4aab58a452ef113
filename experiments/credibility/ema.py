"""EMA Workbench interop: clustersim as an XLRM model built from the parameter registry.

The uncertainties (X) and levers (L) are derived from the one declaration in
``model.params`` and the outcomes (M) from ``model.SUMMARY``, so nothing is retyped:

- numeric parameters become ``RealParameter`` / ``IntegerParameter`` with the registry's
  bounds and default; switches (``m1_hard_to_reach`` ...) become ``BooleanParameter``;
- parameters of a policy's group (``policy: ...``) are levers, and so is the set of policy
  components, as the categorical lever ``policy_set`` (EMA breaks on a lever named
  ``policy``, ``scenario`` or ``model``);
- everything else is an uncertainty, except the definitions of the outcomes themselves
  (group ``outcomes``: who counts as weak, where the floor is) and parameters tied by a
  cross-parameter constraint (``model.params.CONSTRAINTS``), which stay at their
  defaults: sampled independently over their ranges they would break the constraint in
  most draws. Name them in ``uncertainties=`` to sample them anyway; an infeasible draw
  then returns NaN for every outcome instead of stopping the whole experiment set.

One experiment is one run (``Model`` + ``ScalarOutcome``) with a fixed seed, so every
experiment meets the same region and shocks (common random numbers). With
``replications=n`` it is ``n`` runs on the seeds ``clustersim batch`` uses for root seed
``seed`` (``ReplicatorModel`` + ``ArrayOutcome``, one value per replication).

Facts about ema-workbench 3.0 that shape this module: its ``EMAError`` derives from
``BaseException``, so ``except Exception`` does not catch it; its multiprocessing
evaluator forks (a DeprecationWarning on Python 3.12): prefer ``SequentialEvaluator``
for small sets and ``clustersim batch`` for large ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from clustersim.model import PARAMS
from clustersim.model.params import CONSTRAINTS
from clustersim.model.registry import Param

POLICY_LEVER = "policy_set"
RESERVED = ("policy", "scenario", "model")  # names EMA uses for its own columns
LEVER_GROUP_PREFIX = "policy: "
MEASURE_GROUPS = ("outcomes",)  # definitions of the outcomes, not uncertainties of the world


def import_ema():
    """``import ema_workbench``, without its warning that the optional ipyparallel is absent."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        import ema_workbench
    return ema_workbench


def run_clustersim(preset: str = "county", years: int = 10, seed: int = 1,
                   policy_set: str = "self_improving", **params: Any) -> dict[str, float]:
    """The function EMA calls: keyword arguments in, ``model.SUMMARY`` outcomes out.

    Args:
        preset: region preset name (``model.PRESETS``).
        years: horizon in years.
        seed: root seed of the run (region and shocks).
        policy_set: policy components joined with ``+``, e.g. ``superintendent+cpd_bank``.
        **params: any declared parameter (numpy scalars are accepted).
    """
    from clustersim.model import SUMMARY, simulate

    values = {k: _plain(v) for k, v in params.items()}
    config = {"preset": preset, "years": int(years), "policies": str(policy_set)}
    if not _feasible({**PARAMS.defaults(), **values}):
        return {name: math.nan for name in SUMMARY}
    return simulate({**config, **values}, seed=int(seed))


def _plain(v: Any) -> Any:
    """A numpy scalar (as EMA's samplers produce) as the Python value the registry expects."""
    return v.item() if hasattr(v, "item") else v


def _feasible(values: dict[str, Any]) -> bool:
    return all(ok(values) for _, ok, _ in CONSTRAINTS)


def is_lever(p: Param) -> bool:
    return p.group.startswith(LEVER_GROUP_PREFIX)


def default_uncertainties() -> list[str]:
    """Registry names sampled as uncertainties unless the caller chooses others."""
    constrained = {n for names, _, _ in CONSTRAINTS for n in names}
    return [p.name for p in PARAMS if not is_lever(p) and p.group not in MEASURE_GROUPS
            and p.name not in constrained]


def default_levers() -> list[str]:
    return [p.name for p in PARAMS if is_lever(p)]


def ema_parameter(p: Param):
    """The EMA parameter of one registry entry, with the registry's bounds and default."""
    ema = import_ema()
    if p.kind == "bool":
        return ema.BooleanParameter(p.name, default=p.default)
    if p.kind == "int":
        return ema.IntegerParameter(p.name, int(p.low), int(p.high), default=p.default)
    return ema.RealParameter(p.name, float(p.low), float(p.high), default=p.default)


def build_model(preset: str = "county", years: int = 10, seed: int = 1,
                uncertainties: Iterable[str] | None = None, levers: Iterable[str] | None = None,
                policy_sets: Iterable[str] | None = None, outcomes: Iterable[str] | None = None,
                replications: int | None = None, name: str = "clustersim"):
    """An EMA ``Model`` (or ``ReplicatorModel``) of clustersim, from the registry.

    Args:
        preset, years: the region and horizon, held constant across experiments.
        seed: the run's seed, or the root of the replicate seeds with ``replications``.
        uncertainties: registry names to sample as uncertainties (default
            `default_uncertainties()`).
        levers: registry names to sample as levers (default: every policy parameter).
        policy_sets: categories of the ``policy_set`` lever (default: each policy alone;
            combinations as ``"a+b"``); pass one entry to hold the policy set fixed.
        outcomes: names from ``model.SUMMARY`` (default: all).
        replications: runs per experiment on CRN seeds; outcomes become arrays.

    Raises:
        UserError / ParamError: an unknown parameter, policy, preset or outcome name.
    """
    ema = import_ema()
    from clustersim.model import SUMMARY
    from clustersim.model.config import resolve_config
    from clustersim.model.errors import UserError
    from clustersim.model.policies import POLICIES

    unc = [PARAMS[n] for n in (default_uncertainties() if uncertainties is None
                               else uncertainties)]
    lev = [PARAMS[n] for n in (default_levers() if levers is None else levers)]
    sets = list(POLICIES) if policy_sets is None else [str(s) for s in policy_sets]
    for s in sets:
        resolve_config({"preset": preset, "years": years, "policies": s})  # validates all three
    names = list(SUMMARY) if outcomes is None else list(outcomes)
    unknown = [o for o in names if o not in SUMMARY]
    if unknown:
        raise UserError(f"unknown outcome {unknown[0]!r}; allowed: {', '.join(SUMMARY)}")

    _register_outcome_kind(names, ema.ArrayOutcome if replications else ema.ScalarOutcome)
    cls = ema.ReplicatorModel if replications else ema.Model
    em = cls(name, function=run_clustersim)
    em.uncertainties = [ema_parameter(p) for p in unc]
    em.levers = [ema_parameter(p) for p in lev] + (
        [ema.CategoricalParameter(POLICY_LEVER, sets)] if len(sets) > 1 else [])
    constants = {"preset": preset, "years": int(years)}
    if len(sets) == 1:
        constants[POLICY_LEVER] = sets[0]
    if replications:
        from clustersim.experiments.batch.spec import replicate_seeds

        em.replications = [{"seed": s} for s in replicate_seeds(seed, replications)]
        em.outcomes = [ema.ArrayOutcome(o) for o in names]
    else:
        constants["seed"] = int(seed)
        em.outcomes = [ema.ScalarOutcome(o) for o in names]
    em.constants = [ema.Constant(k, v) for k, v in constants.items()]
    check_names(em)
    return em


def _register_outcome_kind(names: list[str], kind: type) -> None:
    """EMA keeps one process-wide record of each outcome name's class (for
    ``save_results``) and refuses a ``gap`` ArrayOutcome once a ``gap`` ScalarOutcome has
    existed. Re-record clustersim's names so single-run and replicated models can be built
    in one session (a notebook, the tests)."""
    from ema_workbench.em_framework.outcomes import register

    for name in names:
        if register.outcomes.get(name, kind) is not kind:
            del register.outcomes[name]


def check_names(em) -> None:
    """EMA sets a lever whose name is an attribute of the model object on the model
    itself (``AbstractModel.model_init``) and uses some names for its own columns: refuse
    such names here rather than fail in the middle of an experiment set."""
    from clustersim.model.errors import UserError

    names = [p.name for p in [*em.uncertainties, *em.levers]]
    bad = [n for n in names if n in RESERVED or hasattr(em, n)]
    if bad:
        raise UserError(f"EMA cannot take a parameter named {bad[0]!r} (reserved by "
                        f"ema_workbench); rename it")
    twice = {n for n in names if names.count(n) > 1}
    if twice:
        raise UserError(f"{sorted(twice)[0]!r} is both an uncertainty and a lever")


def ema_model(preset: str = "county", years: int = 10, seed: int = 1, **kwargs: Any):
    """EMA Workbench's Model of clustersim with the registry's uncertainties and levers
    (`build_model`); for your own selection, ``ema_workbench.Model("cs",
    function=clustersim.simulate)`` works with no adapter."""
    return build_model(preset=preset, years=years, seed=seed, **kwargs)
