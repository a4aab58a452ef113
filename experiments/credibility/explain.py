"""`clustersim explain`: why a scenario differs from its baseline, by component and mechanism.

For each scenario of a spec against the spec's baseline scenario, under common random
numbers (replicate r of every run below uses the batch's seed r), the paired difference
``total = v(scenario) - v(baseline)`` in each outcome is attributed two ways:

- **Components.** A policy declares its components as switch parameters
  (`model.policies.base.Policy.components`, default on). ``v(T)`` is the scenario with only
  the components in ``T`` on. With at most `MAX_SHAPLEY` components in all, the exact
  Shapley value of each component over ``v`` is computed per replicate (``2^k`` runs);
  with more, each component's one-at-a-time knock-out ``v(all) - v(all but it)`` plus an
  interaction remainder. Either way a "structure" row ``v(empty) - v(baseline)`` holds
  what the policy does with every component off (offices and running costs, a broker
  that exists but does nothing), so the rows sum to the total, replicate by replicate.
- **Mechanisms** M1-M15. For each mechanism on in the scenario or the baseline, both are
  run again with its switch off (same seeds): the row is ``total - (scenario off -
  baseline off)``, how much of the difference goes away without it; an interaction row
  makes the rows sum to the total.

Each row's mean and 95% t interval are over replicates of the per-replicate values (a
Shapley value is computed per replicate, then averaged). Runs are deduplicated (e.g. a
CPD-bank scenario with its one component off is also the scenario without M6) and go
through the batch engine's executors (`experiments.batch.executors`: serial, fork pool, Dask);
every result is placed by its run index, so 1 and N workers give the same files.

Outputs (`experiments.credibility.explain_output`): ``explain.csv``, ``explain_replicates.csv``, one
chart per scenario, ``explain.md`` (one sentence per scenario) and ``manifest.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from clustersim.experiments.batch.spec import (
    Spec,
    SpecError,
    load_spec,
    parse_spec,
    replicate_seeds,
)
from clustersim.experiments.credibility.explain_output import label, summary_sentences  # noqa: F401 (re-exported)
from clustersim.model.errors import UserError

EQUITY = ("left_behind", "gap", "gap_change", "catch_up", "isolation_weak", "cpd_access_ratio",
          "rwm_weak")
COSTS = ("cost_per_school_year", "cost_weak_per_year")
MAX_SHAPLEY = 6  # components in a scenario up to which exact Shapley values are computed
COLUMNS = ["scenario", "kind", "name", "description", "outcome", "mean", "low", "high", "n"]
KINDS = ("total", "structure", "component", "interaction", "mechanism")


# ------------------------------------------------------------------------- the input
def load_source(path: str | Path, max_runs: int | None = None) -> tuple[Spec, Path | None]:
    """The spec of a spec file, or of a batch folder (the copy in its manifest.json), and
    the batch folder if one was given."""
    from clustersim.experiments.shared import outputs

    path = Path(path)
    if not path.is_dir():
        return load_spec(path, max_runs), None
    manifest = outputs.read_manifest(path, "give a spec file instead")
    if manifest is None or outputs.manifest_kind(manifest) != "batch":
        raise SpecError(f"{path}: not a batch folder (no manifest.json written by "
                        "`clustersim batch`); give a spec file or a batch's output folder")
    text = manifest.get("spec_text")
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"{path / outputs.MANIFEST}: holds no spec copy (spec_text); give "
                        "the spec file instead")
    import tomllib

    where = f"{path / outputs.MANIFEST} (spec copy)"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{where}: not valid TOML: {exc}") from None
    return parse_spec(data, where, text, max_runs), path


def parse_outcomes(text: str | None) -> tuple[str, ...]:
    """``--outcomes a,b``: names of end-of-run outcomes (default: the equity outcomes)."""
    from clustersim.model.metrics import SUMMARY

    if text is None:
        return EQUITY
    names = [n.strip() for n in text.split(",")]
    if not names or any(not n for n in names):
        raise UserError(f"--outcomes: {text!r} has an empty name; give names separated by "
                        f"commas, e.g. {','.join(EQUITY[:2])}")
    for n in names:
        if n not in SUMMARY:
            raise UserError(f"--outcomes: unknown outcome {n!r}; allowed: {', '.join(SUMMARY)}")
    if len(set(names)) != len(names):
        raise UserError(f"--outcomes: {text!r} names an outcome twice")
    return tuple(names)


# ------------------------------------------------------------------------- the design
@dataclass(frozen=True)
class Mechanism:
    id: str       # "M6"
    name: str     # "CPD bank"
    switch: str   # "m6_cpd_bank"


def mechanisms() -> list[Mechanism]:
    """M1-M15 as the mechanism table declares them (`validation_mechanisms`)."""
    from clustersim.experiments.credibility.validation_mechanisms import CHECKS

    return [Mechanism(c.mechanism, c.name, c.switch) for c in CHECKS]


@dataclass
class ScenarioPlan:
    """The runs one scenario's attribution needs, as indices into `Design.configs`."""

    label: str
    policies: tuple[str, ...]
    components: tuple[str, ...]          # switches on in the scenario, in declared order
    descriptions: dict[str, str]
    exact: bool                          # Shapley (else knock-outs)
    subsets: dict[int, int] = field(default_factory=dict)     # bitmask -> config (Shapley)
    knockouts: dict[str, int] = field(default_factory=dict)   # component -> config
    full: int = -1
    empty: int = -1
    mechanisms: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (scen, base)


@dataclass
class Design:
    spec: Spec
    replicates: int
    outcomes: tuple[str, ...]
    configs: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)
    baseline: int = -1
    plans: list[ScenarioPlan] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        """The batch's replicate seeds (`experiments.batch.spec.replicate_seeds`): the first
        ``replicates`` of a batch of the same spec, whatever its replicate count."""
        return replicate_seeds(self.spec.root_seed, self.replicates)

    @property
    def n_runs(self) -> int:
        return len(self.configs) * self.replicates

    def add(self, config: dict[str, Any]) -> int:
        """The index of ``config``, added unless a config resolving the same is there."""
        from clustersim import model

        key = json.dumps(model.resolve_config(config), sort_keys=True, default=str)
        if key not in self.keys:
            self.keys[key] = len(self.configs)
            self.configs.append(config)
        return self.keys[key]


def design(spec: Spec, replicates: int, outcomes: tuple[str, ...]) -> Design:
    """Every run the attribution needs, each config once; refused (one line) for a spec
    with more than one sweep point, or more runs than `model.limits.MAX_RUNS`."""
    from clustersim.model import limits

    from clustersim import model

    if spec.sweep.size() != 1:
        raise SpecError(f"{spec.path}: [sweep] has {spec.sweep.size()} points; explain "
                        "compares scenarios at one setting: give a spec without a sweep")
    point = spec.sweep.generate()[0]
    by_label = {s.label: s for s in spec.scenarios}
    d = Design(spec, replicates, outcomes)
    base_cfg = spec.config(by_label[spec.baseline], point)
    d.baseline = d.add(base_cfg)
    base_resolved = model.resolve_config(base_cfg)
    for s in spec.scenarios:
        if s.label == spec.baseline:
            continue
        cfg = spec.config(s, point)
        resolved = model.resolve_config(cfg)
        comps, desc = [], {}
        for p in s.policies:
            for name, what in model.POLICIES[p].components.items():
                if resolved[name] and name not in desc:  # one the spec switched off stays off
                    comps.append(name)
                    desc[name] = what
        plan = ScenarioPlan(s.label, s.policies, tuple(comps), desc,
                            exact=len(comps) <= MAX_SHAPLEY)
        k = len(comps)

        def with_on(on: set[str], cfg=cfg, comps=comps) -> dict[str, Any]:
            return {**cfg, **{c: c in on for c in comps}}

        if plan.exact:
            for mask in range(2**k):
                plan.subsets[mask] = d.add(with_on({c for i, c in enumerate(comps)
                                                    if mask >> i & 1}))
            plan.full, plan.empty = plan.subsets[2**k - 1], plan.subsets[0]
        else:
            plan.full, plan.empty = d.add(with_on(set(comps))), d.add(with_on(set()))
            for c in comps:
                plan.knockouts[c] = d.add(with_on(set(comps) - {c}))
        for mech in mechanisms():
            if resolved[mech.switch] or base_resolved[mech.switch]:
                plan.mechanisms[mech.id] = (d.add({**cfg, mech.switch: False}),
                                            d.add({**base_cfg, mech.switch: False}))
        d.plans.append(plan)
    limits.check_runs(d.n_runs, None, f"explain of {spec.path} ({len(d.configs)} distinct "
                      f"runs x {replicates} replicates)")
    return d


# ------------------------------------------------------------------------- the runs
@dataclass(frozen=True)
class ExplainTask:
    """One run: its index (config-major within a replicate), seed and config."""

    index: int
    replicate: int
    seed: int
    config: dict[str, Any]
    outcomes: tuple[str, ...]


def run_task(task: ExplainTask) -> tuple[int, list[float]]:
    """Worker entry point (importable by Dask workers): the run's outcomes, in order."""
    from clustersim import model

    summary = model.simulate(task.config, task.seed)
    return task.index, [float(summary[o]) for o in task.outcomes]


def tasks(d: Design):
    seeds = d.seeds
    for r, seed in enumerate(seeds):
        for j, config in enumerate(d.configs):
            yield ExplainTask(r * len(d.configs) + j, r, seed, config, d.outcomes)


def run_design(d: Design, workers: int | None = None, dask: str | None = None,
               quiet: bool = False, executor=None) -> np.ndarray:
    """Run every task; values[config, replicate, outcome]."""
    import sys

    from clustersim.experiments.batch.executors import make_executor
    from tqdm import tqdm

    values = np.full((len(d.configs), d.replicates, len(d.outcomes)), np.nan)
    tqdm.monitor_interval = 0  # no monitor thread: the process pool forks after this
    bar = tqdm(total=d.n_runs, unit="run", desc=f"explain {d.spec.name}", smoothing=0.05,
               disable=quiet or not sys.stderr.isatty(), file=sys.stderr, dynamic_ncols=True)
    executor = executor or make_executor(workers, dask)
    try:
        with executor as ex:
            for index, out in ex.imap_unordered(run_task, tasks(d)):
                r, j = divmod(index, len(d.configs))
                values[j, r] = out
                bar.update(1)
    finally:
        bar.close()
    return values


# ------------------------------------------------------------------------- attribution
def shapley(v: np.ndarray) -> np.ndarray:
    """Exact Shapley values: ``v[mask]`` is the game's value (any trailing shape) on the
    coalition ``mask`` of k players; returns phi[k, ...], summing to v[full] - v[0]."""
    k = int(round(math.log2(len(v))))
    weight = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k)
              for s in range(k)]
    phi = np.zeros((k, *v.shape[1:]))
    for i in range(k):
        bit = 1 << i
        for mask in range(2**k):
            if not mask & bit:
                phi[i] += weight[bin(mask).count("1")] * (v[mask | bit] - v[mask])
    return phi


def attribute(d: Design, values: np.ndarray) -> list[tuple[str, str, str, str, np.ndarray]]:
    """Per-replicate rows: (scenario, kind, name, description, array[replicate, outcome])."""
    from clustersim.model import PARAMS

    base = values[d.baseline]
    rows = []
    for plan in d.plans:
        total = values[plan.full] - base
        rows.append((plan.label, "total", "total",
                     f"{plan.label} minus the baseline {d.spec.baseline} (same seeds)", total))
        rows.append((plan.label, "structure", "structure",
                     "the policy with every component switched off, against the baseline",
                     values[plan.empty] - base))
        if plan.exact:
            if plan.components:
                v = np.stack([values[plan.subsets[m]] for m in range(len(plan.subsets))])
                for c, phi in zip(plan.components, shapley(v), strict=True):
                    rows.append((plan.label, "component", c, plan.descriptions[c], phi))
        else:
            parts = values[plan.empty] - base
            for c in plan.components:
                part = values[plan.full] - values[plan.knockouts[c]]
                parts = parts + part
                rows.append((plan.label, "component", c, plan.descriptions[c], part))
            rows.append((plan.label, "interaction", "components",
                         "what the one-at-a-time knock-outs leave unexplained: components "
                         "acting together", total - parts))
        explained = np.zeros_like(total)
        for mech in mechanisms():
            if mech.id not in plan.mechanisms:
                continue
            scen, bas = plan.mechanisms[mech.id]
            part = total - (values[scen] - values[bas])
            explained = explained + part
            rows.append((plan.label, "mechanism", mech.id,
                         f"{mech.name}: {PARAMS[mech.switch].meaning}", part))
        rows.append((plan.label, "interaction", "mechanisms",
                     "what switching mechanisms off one at a time leaves unexplained: "
                     "mechanisms acting together", total - explained))
    return rows


def frames(d: Design, rows) -> tuple[Any, Any]:
    """(explain frame: one row per scenario, kind, name and outcome with its mean and 95%
    interval; per-replicate frame)."""
    import pandas as pd
    from clustersim.experiments.analysis.stats import t_interval

    out, reps = [], []
    seeds = d.seeds
    for scenario, kind, name, description, arr in rows:
        for o, outcome in enumerate(d.outcomes):
            n, mean, _, low, high = t_interval(arr[:, o])
            out.append([scenario, kind, name, description, outcome, mean, low, high, n])
            for r, seed in enumerate(seeds):
                reps.append([scenario, kind, name, outcome, r, seed, float(arr[r, o])])
    frame = pd.DataFrame(out, columns=COLUMNS)
    frame.attrs["baseline"] = d.spec.baseline
    return frame, pd.DataFrame(reps, columns=["scenario", "kind", "name", "outcome",
                                              "replicate", "seed", "value"])


def explain(source: str | Path, replicates: int | None = None,
            outcomes: tuple[str, ...] = EQUITY, workers: int | None = None,
            dask: str | None = None, quiet: bool = True):
    """Load, design, run and attribute: (design, explain frame, per-replicate frame)."""
    spec, _ = load_source(source)
    d = design(spec, replicates or spec.replicates, outcomes)
    values = run_design(d, workers, dask, quiet)
    frame, reps = frames(d, attribute(d, values))
    return d, frame, reps
