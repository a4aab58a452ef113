"""The EMA Workbench example runs, and its X and L are the parameter registry's (issue 6, 5)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from clustersim.experiments.credibility.ema import (
    POLICY_LEVER,
    build_model,
    default_levers,
    default_uncertainties,
    import_ema,
    run_clustersim,
)
from clustersim.model import PARAMS, POLICIES, SUMMARY, UserError
from clustersim.model.metrics import EXTRA_SUMMARY, METRICS

pytestmark = pytest.mark.slow  # importing the EMA Workbench alone takes seconds
ROOT = Path(__file__).resolve().parent.parent
SMALL = {"preset": "maximising_progress", "years": 1}
# Outcomes whose declaration says they may be NaN (e.g. cost per point when none gained).
MAY_BE_NAN = {m.name for m in [*METRICS, *EXTRA_SUMMARY] if "NaN" in m.description}


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("ema_example", ROOT / "examples" /
                                                  "ema_workbench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def results(example):
    return example.explore(8, **SMALL)


def test_example_runs_8_experiments_with_finite_outcomes(example, results):
    experiments, outcomes = results
    frame = example.outcomes_frame(outcomes)
    assert len(experiments) == 8 and len(frame) == 8
    assert list(frame.columns) == list(SUMMARY)
    checked = frame.drop(columns=sorted(MAY_BE_NAN | {"cpd_access_ratio"}))
    assert np.isfinite(checked.to_numpy()).all(), checked.T
    # weak vs other CPD hours is undefined only when the other schools received none
    ratio_ok = frame["cpd_access_ratio"].notna() | (frame["cpd_hours_other"] == 0)
    assert ratio_ok.all(), frame[["cpd_access_ratio", "cpd_hours_other"]]
    assert set(experiments[POLICY_LEVER]) <= set(POLICIES)


def test_sampled_values_lie_in_the_registry_ranges(results):
    experiments, _ = results
    for name in [*default_uncertainties(), *default_levers()]:
        p = PARAMS[name]
        if p.numeric:
            values = experiments[name].astype(float)
            assert values.between(p.low, p.high).all(), name


def test_uncertainties_and_levers_carry_the_registry_bounds():
    em = build_model(**SMALL)
    unc = {u.name: u for u in em.uncertainties}
    assert list(unc) == default_uncertainties()
    for name, u in unc.items():
        p = PARAMS[name]
        if p.kind == "bool":
            assert [c.value for c in u.categories] == [False, True], name
        else:
            assert (u.lower_bound, u.upper_bound) == (p.low, p.high), name
        assert u.default == p.default, name
    levers = {lever.name for lever in em.levers}
    assert levers == {*default_levers(), POLICY_LEVER}
    assert not levers & {"policy", "scenario", "model"}
    assert [o.name for o in em.outcomes] == list(SUMMARY)


def test_constrained_parameters_sampled_on_request_give_nan_when_infeasible():
    assert "grade_cut_good" not in default_uncertainties()
    out = run_clustersim(**SMALL, grade_cut_good=np.float64(1.0))
    assert set(out) == set(SUMMARY) and all(math.isnan(v) for v in out.values())


def test_replications_give_one_value_per_crn_seed(example):
    experiments, outcomes = example.explore(2, **SMALL, replications=2, levers=[],
                                            policy_sets=["superintendent"])
    assert outcomes["gap"].shape == (2, 2)
    assert len(example.outcomes_frame(outcomes)) == 4


def test_bad_names_fail_loudly():
    with pytest.raises(UserError, match="unknown policy"):
        build_model(**SMALL, policy_sets=["nope"])
    with pytest.raises(UserError, match="unknown outcome"):
        build_model(**SMALL, outcomes=["nope"])
    em = build_model(**SMALL, levers=[], policy_sets=["self_improving"])
    em.levers = [import_ema().RealParameter("policy", 0.0, 1.0)]
    from clustersim.experiments.credibility.ema import check_names

    with pytest.raises(UserError, match="reserved"):
        check_names(em)
