"""`clustersim calibrate`: fit a parameter to a validation figure, deterministically."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from experiments import validate
from experiments.calibrate import make_problem, overridden, run_task
from experiments.cli import main

FIT = ["calibrate", "--param", "specialist_rate=0:0.6", "--pattern", "maths_mean_cluster",
       "--replicates", "3", "--budget", "10", "--quiet"]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "out"
    assert main([*FIT, "--workers", "2", "--out", str(out)]) == 0
    return out


def test_fit_moves_the_figure_toward_its_target(fitted):
    fit = json.loads((fitted / "fitted.json").read_text())
    runs = pd.read_csv(fitted / "calibration.csv")
    assert list(runs.columns) == ["evaluation", "stage", "specialist_rate",
                                  "maths_mean_cluster", "loss"]
    assert 3 <= len(runs) <= 10 == fit["budget"] and fit["evaluations"] == len(runs)
    assert runs["specialist_rate"].between(0.0, 0.6).all() and runs["stage"][0] == "default"
    assert runs["specialist_rate"].nunique() == len(runs)  # no point evaluated twice
    figure = fit["figures"][0]
    mid = figure["target_mid"]
    assert figure["figure"] == "maths_mean_cluster" and mid == 3.0
    assert abs(figure["mean"] - mid) < abs(figure["default_mean"] - mid)
    assert fit["loss"] == pytest.approx(runs["loss"].min())
    assert fit["loss"] < fit["loss_at_defaults"]
    best = runs.loc[runs["loss"].idxmin()]
    assert fit["parameters"]["specialist_rate"] == best["specialist_rate"]
    assert figure["ci_low"] <= figure["mean"] <= figure["ci_high"]


def test_serial_and_parallel_fits_are_identical(fitted, tmp_path):
    assert main([*FIT, "--workers", "1", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "calibration.csv").read_bytes() == \
        (fitted / "calibration.csv").read_bytes()


def test_overrides_reach_the_experiment_and_its_own_settings_win():
    seed = validate.tasks({"maximising_progress": 1}, 2026)[0][2]
    low = run_task(("maximising_progress", 0, seed, {"specialist_rate": 0.02}))
    high = run_task(("maximising_progress", 0, seed, {"specialist_rate": 0.5}))
    assert low[2]["maths_mean_cluster"] < high[2]["maths_mean_cluster"]
    assert low[3] == []  # the experiment does not set specialist_rate itself
    pinned = run_task(("maximising_progress", 0, seed, {"specialist_adoption": 0.0}))
    assert pinned[3] == ["specialist_adoption"]
    assert pinned[2] == validate.EXPERIMENTS["maximising_progress"][0](seed)
    import model.model as mm

    original = mm.ClusterModel
    with overridden({"seek_rate": 0.3}):
        assert mm.ClusterModel is not original
    assert mm.ClusterModel is original


BAD = [
    (["--param", "specialist_rat", "--pattern", "P7"],
     "--param: unknown parameter 'specialist_rat'; did you mean specialist_rate"),
    (["--param", "m9_specialist", "--pattern", "P7"], "m9_specialist: is a switch (bool)"),
    (["--param", "specialist_rate=0.5:2", "--pattern", "P7"],
     "[0.5, 2] is not allowed; expected LOW < HIGH within float in [0, 1]"),
    (["--param", "specialist_rate", "--pattern", "maths_mean"],
     "--pattern: unknown figure or pattern 'maths_mean'; allowed: P1, P2"),
    (["--param", "specialist_adoption", "--pattern", "P7", "--replicates", "2",
      "--budget", "2", "--workers", "1"], "set specialist_adoption themselves"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[m[:24] for _, m in BAD])
def test_bad_names_exit_2_naming_the_allowed_values(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["calibrate", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not out.exists()


def test_a_pattern_stands_for_all_its_figures():
    problem = make_problem(["specialist_rate"], ["P7", "maths_best_cluster"])
    assert [f.name for f in problem.figures] == ["maths_best_cluster", "maths_mean_cluster",
                                                 "english_mean_cluster"]
    assert problem.replicates == {"maximising_progress":
                                  validate.EXPERIMENTS["maximising_progress"][1]}
