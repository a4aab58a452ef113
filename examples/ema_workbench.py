"""clustersim under the EMA Workbench: uncertainties x policy levers -> named outcomes.

EMA Workbench (ema-workbench 3.0) frames a study as XLRM: uncertainties X, levers L, a
model R, outcomes M. ``experiments.credibility.ema.build_model`` wraps
``model.simulate`` as an EMA ``Model`` whose X and L come from the parameter registry
(``model/params.py``: each numeric parameter a ``RealParameter`` or ``IntegerParameter``
with its declared range, each switch a ``BooleanParameter``, the policy components a
categorical lever named ``policy_set``) and whose M are the named outcomes of
``model.SUMMARY`` (gap, left_behind, catch_up, isolation_weak, ...). Nothing is retyped,
so a parameter the model gains tomorrow is sampled tomorrow.

Run from the repository root:

    .venv/bin/python examples/ema_workbench.py --experiments 8 --preset maximising_progress \\
        --years 1
    .venv/bin/python examples/ema_workbench.py --experiments 100 --replications 5 \\
        --out results/ema

Each experiment draws one point of the uncertainties and one of the levers (Latin
hypercube, ``combine="sample"``) and runs the model on the same seed (common random
numbers: the same region and shocks everywhere), or on ``--replications`` CRN seeds, in
which case each outcome is an array with one value per replication. Experiments run in
this process (``SequentialEvaluator``); for thousands of runs on several cores or a Dask
cluster use ``clustersim batch`` instead.

Things to know about ema-workbench 3.0: ``EMAError`` derives from ``BaseException``, so
``except Exception`` does not catch it; a lever named ``policy``, ``scenario`` or
``model`` breaks it (hence ``policy_set``); its ``MultiprocessingEvaluator`` forks,
which Python 3.12 warns about; PRIM's ``inspect(style="table")`` and ``Logit`` fail on the
categorical ``policy_set`` column under pandas 3 (drop or encode it first).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
# This file is named like the package it demonstrates: take its folder off the import path
# so that `import ema_workbench` finds the package, and put the repository root first.
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from clustersim.experiments.credibility.ema import build_model, import_ema  # noqa: E402


def explore(n: int = 8, preset: str = "county", years: int = 10, seed: int = 1,
            replications: int | None = None, sampling_seed: int = 0, **build_kwargs):
    """Run ``n`` experiments; return EMA's (experiments table, {outcome: array}).

    Args:
        n: number of experiments (each is one uncertainty point x one lever point).
        preset, years, seed, replications: see `experiments.credibility.ema.build_model`.
        sampling_seed: seed of the Latin hypercube samples of uncertainties and levers.
        **build_kwargs: ``uncertainties=``, ``levers=``, ``policy_sets=``, ``outcomes=``.
    """
    ema = import_ema()
    em = build_model(preset=preset, years=years, seed=seed, replications=replications,
                     **build_kwargs)
    with ema.SequentialEvaluator(em) as evaluator:
        return ema.perform_experiments(
            em, scenarios=n, policies=n if len(em.levers) else 0, combine="sample",
            evaluator=evaluator, uncertainty_sampling_kwargs={"rng": sampling_seed},
            lever_sampling_kwargs={"rng": sampling_seed + 1})


def outcomes_frame(outcomes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Outcomes as a tidy table: one row per experiment, or per experiment and
    replication when the outcomes are arrays (``--replications``)."""
    first = next(iter(outcomes.values()))
    if first.ndim == 1:
        return pd.DataFrame({k: np.asarray(v, float) for k, v in outcomes.items()})
    n, reps = first.shape
    frame = pd.DataFrame({"experiment": np.repeat(np.arange(n), reps),
                          "replication": np.tile(np.arange(reps), n)})
    for k, v in outcomes.items():
        frame[k] = np.asarray(v, float).reshape(-1)
    return frame


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=int, default=8, help="number of experiments")
    ap.add_argument("--preset", default="maximising_progress", help="region preset")
    ap.add_argument("--years", type=int, default=1, help="horizon in years")
    ap.add_argument("--seed", type=int, default=1, help="run seed (root seed with replications)")
    ap.add_argument("--replications", type=int, default=None, help="CRN runs per experiment")
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for experiments.csv and outcomes.csv")
    args = ap.parse_args(argv)
    experiments, outcomes = explore(args.experiments, args.preset, args.years, args.seed,
                                    args.replications)
    frame = outcomes_frame(outcomes)
    cols = [c for c in ("policy_set", "seek_rate", "cpd_effect_per_hour")
            if c in experiments]
    summary = experiments[cols].join(frame.groupby(frame.get("experiment", frame.index))[
        ["gap", "left_behind", "catch_up", "isolation_weak"]].mean())
    print(summary.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        experiments.to_csv(args.out / "experiments.csv", index=False)
        frame.to_csv(args.out / "outcomes.csv", index=False)
        print(f"wrote {args.out}/experiments.csv and outcomes.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
