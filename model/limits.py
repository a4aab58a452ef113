"""The limits of a run and of a batch, declared once.

The model (`model.config`), the spec files (`experiments.batch.spec`) and the command line
(`experiments.cli` and its commands) all read these bounds, so a spec that `--check`
accepts is one the model runs, and every refusal quotes the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clustersim.model.errors import UserError

TERMS_PER_YEAR = 3  # a step is a school term (docs/ODD.md section 2)


def in_window(last_term, term):
    """Whether ``term`` lies in a window of k terms opened at term t, whose ``last_term`` is
    t + k: it covers the k terms t+1 .. t+k that follow the event (a poor grade, a results
    drop), all of them. Every "..._until" marker of the model reads this one rule."""
    return last_term >= term
YEARS = (1, 50)  # horizon in years (three terms each)
SEEDS = (0, 2**63 - 1)  # --seed and root_seed: numpy's SeedSequence takes any int >= 0
SAMPLE_SEEDS = (0, 2**32 - 1)  # seeds of sampled designs (SALib uses numpy's legacy seeding)
REPLICATES = (1, 100_000)  # replicates of a batch spec
MAX_RUNS = 1_000_000  # runs per batch (scenarios x sweep points x replicates); --max-runs


@dataclass(frozen=True)
class RunSetting:
    """A setting of a run beside its parameters: what the model, a spec, the command line
    and the web page start from when it is not given, and the bounds it must keep."""

    name: str
    default: Any
    meaning: str
    bounds: tuple[int, int] | None = None


# The run settings, declared once: `model.config` (the model), `experiments.spec` (batch
# specs), `clustersim run` and the web page (viz.inputs) all take their defaults from here.
RUN_SETTINGS: dict[str, RunSetting] = {s.name: s for s in (
    RunSetting("preset", "county", "region preset (model.region.PRESETS)"),
    RunSetting("policies", ("self_improving",), "a scenario's policies (one middle tier and "
               "any add-ons)"),
    RunSetting("years", 10, "horizon in years (three terms each)", YEARS),
    RunSetting("seed", 0, "seed (a batch's root seed): fixes the region and every random draw",
               SEEDS),
    RunSetting("replicates", 10, "common-random-number replicates of each scenario of a batch",
               REPLICATES),
)}


def default(name: str) -> Any:
    """The default of a run setting (`RUN_SETTINGS`)."""
    return RUN_SETTINGS[name].default


def integer(name: str, value: Any, bounds: tuple[int, int]) -> int:
    """``value`` as an int within ``bounds``; `UserError` naming ``name`` and the range."""
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UserError(f"{name}: {value!r} is not allowed; expected an integer in "
                        f"[{show(low)}, {show(high)}]")
    return value


def show(bound: int) -> str:
    """A bound as people write it: 2^63-1 rather than 9223372036854775807."""
    for bits in (32, 63, 64):
        if bound == 2**bits - 1:
            return f"2^{bits}-1"
    return str(bound)


def check_runs(n_runs: int, limit: int | None = None, what: str = "the batch") -> None:
    """Refuse a batch of more than ``limit`` (default `MAX_RUNS`) runs, before expanding it."""
    limit = MAX_RUNS if limit is None else limit
    if n_runs > limit:
        raise UserError(f"{what} has {n_runs:,} runs, more than the limit of {limit:,}; "
                        f"shrink it, or allow it with --max-runs {n_runs}")
