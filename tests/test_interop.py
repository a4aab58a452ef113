"""The analysts' tools without glue (issue 17): keyword calls, Mesa's conventions,
EMA Workbench's function(**kwargs), SALib's floats and infeasible points."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pytest
from clustersim.model import SUMMARY, UserError, simulate
from clustersim.model.config import feasible
from clustersim.model.metrics import METRIC_NAMES
from clustersim.model.model import ClusterModel
from clustersim.model.sampling import params_from_row, salib_problem

SMALL = {"preset": "maximising_progress", "years": 1}


def test_keyword_and_dict_calls_give_the_same_outcomes():
    assert simulate(SMALL, 3) == simulate(seed=3, **SMALL)
    assert simulate(SMALL, 3) == simulate({"preset": "maximising_progress"}, 3, years=1)


def test_integer_parameters_take_whole_floats_and_round_on_request():
    assert simulate(seed=1, search_neighbours=4.0, **SMALL) == simulate(
        seed=1, search_neighbours=4, **SMALL)
    with pytest.raises(UserError, match="search_neighbours: 4.6 is not a whole number"):
        simulate(seed=1, search_neighbours=4.6, **SMALL)
    assert simulate(seed=1, search_neighbours=4.6, on_float="round", **SMALL) == simulate(
        seed=1, search_neighbours=5, **SMALL)


def test_infeasible_points_are_named_or_return_nan():
    ok, reason = feasible(cluster_min_size=9, cluster_max_size=3)
    assert not ok and "cluster_min_size must not exceed cluster_max_size" in reason
    assert feasible(seek_rate=0.5) == (True, "")
    assert feasible(seek_rate=5.0)[0] is False
    out = simulate(seed=1, cluster_min_size=9, cluster_max_size=3, on_invalid="nan", **SMALL)
    assert set(out) == set(SUMMARY) and all(math.isnan(v) for v in out.values())
    with pytest.raises(UserError):
        simulate(seed=1, cluster_min_size=9, cluster_max_size=3, **SMALL)


def test_mesa_conventions_keyword_parameters_rng_and_datacollector():
    a = ClusterModel(preset="maximising_progress", years=1, seek_rate=0.2, rng=5)
    b = ClusterModel({"preset": "maximising_progress", "years": 1, "seek_rate": 0.2}, 5)
    assert a.seed == b.seed == 5 and a.p.seek_rate == 0.2
    fresh = ClusterModel(preset="maximising_progress", years=1, rng=None)
    again = ClusterModel(preset="maximising_progress", years=1, rng=fresh.seed)
    assert np.array_equal(fresh.s.effectiveness, again.s.effectiveness)  # recorded seed
    while a.running:
        a.step()
    frame = a.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == [*METRIC_NAMES, "seed"] and len(frame) == a.n_terms + 1
    assert frame.iloc[-1][METRIC_NAMES].tolist() == [a.summary()[k] for k in METRIC_NAMES]


@pytest.mark.slow
def test_mesa_batch_run_works_unchanged_and_matches_simulate():
    results = mesa.batch_run(ClusterModel, parameters={
        "preset": "maximising_progress", "years": 1, "seek_rate": [0.1, 0.3]},
        iterations=2, number_processes=2, display_progress=False)
    assert len(results) == 4 and len({row["seed"] for row in results}) == 4
    for row in results:  # each run drew its own seed and recorded it
        expected = simulate(seed=row["seed"], preset=row["preset"], years=row["years"],
                            seek_rate=row["seek_rate"])
        assert row["gap"] == expected["gap"]
        assert row["left_behind"] == expected["left_behind"]


def test_salib_problem_from_the_registry_and_a_morris_design_runs():
    from SALib.analyze import morris as analyse
    from SALib.sample import morris

    names = ["seek_rate", "homophily_weight", "cluster_min_size", "cluster_max_size"]
    problem = salib_problem(names)
    assert problem["names"] == names and problem["num_vars"] == 4
    lo, hi = problem["bounds"][2][1], problem["bounds"][3][0]
    assert lo <= hi  # narrowed so min size never exceeds max size
    rows = morris.sample(problem, 3, num_levels=4, seed=2)
    points = [params_from_row(problem, r) for r in rows]
    assert all(isinstance(p["cluster_min_size"], int) for p in points)
    assert all(feasible(p)[0] for p in points)
    y = np.array([simulate(seed=1, **SMALL, **p)["clustered_share"] for p in points])
    result = analyse.analyze(problem, rows, y, num_levels=4)
    assert np.isfinite(result["mu_star"]).all() and result["mu_star"].max() > 0
    # which parameter the few steps move depends on the design (e.g. at minimum size 4 no
    # cluster forms in a year, whatever seek_rate): the effect itself, directly
    assert simulate(seed=1, **SMALL, seek_rate=0.6)["clustered_share"] > \
        simulate(seed=1, **SMALL, seek_rate=0.0)["clustered_share"]
    # over the full ranges some points break the constraint: they come back as NaN
    wide = salib_problem(names, narrow=False)
    rows = morris.sample(wide, 3, num_levels=4, seed=2)
    outs = [simulate(seed=1, on_invalid="nan", on_float="round", **SMALL,
                     **params_from_row(wide, r))["gap"] for r in rows]
    bad = [not feasible(params_from_row(wide, r))[0] for r in rows]
    assert any(bad) and [math.isnan(o) for o in outs] == bad


@pytest.mark.slow  # importing the EMA Workbench alone takes seconds
@pytest.mark.parametrize("evaluator", ["sequential", "multiprocessing"])
def test_ema_workbench_calls_simulate_with_no_adapter(evaluator):
    ema = pytest.importorskip("ema_workbench")
    from clustersim.model.api import simulate as function

    model = ema.Model("cs", function=function)
    model.uncertainties = [ema.RealParameter("seek_rate", 0.05, 0.5),
                           ema.IntegerParameter("search_neighbours", 2, 12)]
    model.constants = [ema.Constant("preset", "maximising_progress"), ema.Constant("years", 1),
                       ema.Constant("on_invalid", "nan")]
    model.outcomes = [ema.ScalarOutcome("clustered_share"), ema.ScalarOutcome("left_behind")]
    if evaluator == "sequential":
        with ema.SequentialEvaluator(model) as runner:
            experiments, outcomes = runner.perform_experiments(scenarios=4)
    else:
        with ema.MultiprocessingEvaluator(model, n_processes=2) as runner:
            experiments, outcomes = runner.perform_experiments(scenarios=4)
    assert len(experiments) == 4 and np.isfinite(outcomes["clustered_share"]).all()
    row = experiments.iloc[0]
    again = simulate(seed=0, preset="maximising_progress", years=1,
                     seek_rate=float(row["seek_rate"]),
                     search_neighbours=int(row["search_neighbours"]))
    assert outcomes["clustered_share"][0] == again["clustered_share"]


@pytest.mark.slow
def test_one_package_safe_from_a_users_model_py(tmp_path):
    """Mesa's project layout puts model.py and agents.py in the working folder: they must
    not shadow clustersim's own rooms (installed as clustersim.model, ...)."""
    import subprocess
    import sys

    for name in ("model.py", "agents.py", "experiments.py"):
        (tmp_path / name).write_text('raise SystemExit("the user file was imported")\n')
    code = ("import clustersim; print(clustersim.__version__, sorted(clustersim.__all__)); "
            "print(clustersim.simulate(seed=2, preset='maximising_progress', years=1)['gap'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    for name in ("simulate", "run", "ClusterModel", "PARAMS", "POLICIES", "load_batch",
                 "salib_problem", "ema_model", "__version__"):
        assert name in out[0]
    assert float(out[1]) == simulate(seed=2, preset="maximising_progress", years=1)["gap"]
    version = subprocess.run([sys.executable, "-m", "clustersim", "--version"], cwd=tmp_path,
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith("clustersim ")


def test_load_batch_reads_a_batch_and_pairs_against_the_baseline(tmp_path):
    from clustersim.experiments.cli import main

    import clustersim

    spec = tmp_path / "tiny.toml"
    spec.write_text('name = "tiny"\npreset = "maximising_progress"\nyears = 1\n'
                    'replicates = 3\nroot_seed = 5\n'
                    '[[scenarios]]\nlabel = "self_improving"\npolicies = ["self_improving"]\n'
                    '[[scenarios]]\nlabel = "superintendent"\npolicies = ["superintendent"]\n')
    assert main(["batch", str(spec), "--out", str(tmp_path / "b"), "--workers", "1",
                 "--quiet"]) == 0
    batch = clustersim.load_batch(tmp_path / "b")
    assert len(batch.runs) == 6 and batch.manifest["name"] == "tiny"
    assert batch.timeseries is not None and batch.baseline == "self_improving"
    paired = batch.paired("left_behind").set_index("scenario")
    runs = batch.runs.set_index(["scenario", "replicate"])["left_behind"]
    by_hand = (runs["superintendent"] - runs["self_improving"]).mean()
    assert paired.loc["superintendent", "mean"] == pytest.approx(by_hand)
    assert paired.loc["self_improving", "mean"] == 0 and paired.loc["superintendent", "n"] == 3
    with pytest.raises(UserError, match="not a batch folder"):
        clustersim.load_batch(tmp_path / "nothing")
