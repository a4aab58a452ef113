"""Calibrate the measurement parameters to the status quo's starting state (term 0).

Grades, the floor and the attainment scale are *measurements* of a school's latent
effectiveness, so their cut points and offsets are set from published shares, on the
england preset, at term 0 (after the burn-in: the status quo's steady state):

    grade_cut_outstanding   21% outstanding                 (evidence B1, 2018)
    grade_cut_good          88% good or outstanding         (B1-B2: 86-90%)
    grade_cut_ri            3% inadequate                   (B1-B2: 2-4%)
    progress_points_per_sd  4% of schools below the floor   (B2-4)
    attain_offset_*         a mean of 60% at the expected standard in RWM (B2-1); the
                            four subject offsets move together, keeping their gaps
    deprivation_slope       RI or inadequate 4.4 times as common in the most deprived
                            fifth of schools (by FSM) as in the least (B5: 8.0% / 1.8%)

No policy, mechanism or validation pattern over time enters: the patterns (P1, P10,
P11...) are then tested by `clustersim validate`, not fitted. The cuts change the
dynamics a little (a poor grade starts a school's own response, M13), so the fit is a
fixed point: each round moves each cut by the difference between the quantiles of a
fresh judgement (effectiveness plus inspection noise) at the target and at the observed
share of latest grades. Prints the values to copy into model/params.py.

    .venv/bin/python scripts/calibrate_start.py [--seeds 1,2] [--rounds 4]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import norm

TARGETS = {"outstanding": 0.21, "good_or_better": 0.88, "inadequate": 0.03,
           "below_floor": 0.04, "mean_rwm": 60.0, "deprivation_ratio": 4.4}
OFFSETS = ("attain_offset_rwm", "attain_offset_maths", "attain_offset_english",
           "attain_offset_science")


def measure(values: dict, seeds: list[int]) -> dict:
    """Term-0 shares, pooled over seeds, and fresh judgements for the quantiles."""
    from clustersim.experiments.credibility.validation_experiments import deprivation_ratio
    from clustersim.model.metrics import METRICS
    from clustersim.model.model import ClusterModel
    from clustersim.model.state import GOOD, INADEQUATE, OUTSTANDING

    names = [m.name for m in METRICS]
    grades, judged, floor, rwm, ratio = [], [], [], [], []
    for seed in seeds:
        m = ClusterModel({"preset": "england", "policies": ["self_improving"], "years": 1,
                          **values}, seed=seed)
        grades.append(m.s.grade.copy())
        ratio.append(deprivation_ratio(m.s.region.fsm, m.s.grade))  # P2's own measure
        noise = np.random.default_rng(seed).standard_normal(m.s.n)
        judged.append(m.s.effectiveness + m.p.inspection_noise_sd * noise)
        floor.append(m.history[0, names.index("below_floor")])
        rwm.append(m.history[0, names.index("mean_rwm")])
    g = np.concatenate(grades)
    return {"outstanding": np.mean(g == OUTSTANDING), "good_or_better": np.mean(g <= GOOD),
            "inadequate": np.mean(g == INADEQUATE), "below_floor": float(np.mean(floor)),
            "mean_rwm": float(np.mean(rwm)), "deprivation_ratio": float(np.mean(ratio)),
            "judged": np.concatenate(judged)}


def main() -> None:
    from clustersim.model import PARAMS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    names = ("grade_cut_outstanding", "grade_cut_good", "grade_cut_ri",
             "progress_points_per_sd", *OFFSETS, "deprivation_slope")
    v = {n: PARAMS[n].default for n in names}
    for r in range(args.rounds + 1):
        got = measure(v, seeds)
        print(f"round {r}: " + ", ".join(f"{k} {got[k]:.4f}" for k in TARGETS))
        if r == args.rounds:
            break
        judged = got["judged"]
        q = lambda share, j=judged: float(np.quantile(j, share))  # noqa: E731
        v["grade_cut_outstanding"] += q(1 - TARGETS["outstanding"]) - q(1 - got["outstanding"])
        v["grade_cut_good"] += q(1 - TARGETS["good_or_better"]) - q(1 - got["good_or_better"])
        v["grade_cut_ri"] += q(TARGETS["inadequate"]) - q(got["inadequate"])
        # damped: the share below the floor is steep in the scale
        v["progress_points_per_sd"] *= (TARGETS["below_floor"] / got["below_floor"]) ** 0.25
        shift = norm.ppf(TARGETS["mean_rwm"] / 100) - norm.ppf(got["mean_rwm"] / 100)
        for n in OFFSETS:
            v[n] += shift
        # damped: the slope moves the whole spread, and with it the other shares
        v["deprivation_slope"] *= (np.log(TARGETS["deprivation_ratio"])
                                   / np.log(got["deprivation_ratio"])) ** 0.5
    print("values:")
    for n in names:
        print(f"  {n} = {v[n]:.3f}   (was {PARAMS[n].default})")


if __name__ == "__main__":
    main()
