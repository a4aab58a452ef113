"""`clustersim calibrate`: fit a parameter to a validation figure, deterministically, with
the candidate values reaching the model through each experiment's config."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from clustersim.experiments.cli import main
from clustersim.experiments.credibility import validate
from clustersim.experiments.credibility.calibrate import make_problem, run_task

from tests.test_datapackage import check_package, fields

FIT = ["calibrate", "--param", "homophily_weight=0:10", "--pattern", "partner_quality_ratio",
       "--replicates", "3", "--budget", "6", "--quiet"]


def _seed(experiment: str) -> int:
    return validate.tasks({experiment: 1}, 2026)[0][2]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "out"
    assert main([*FIT, "--workers", "2", "--out", str(out)]) == 0
    return out


def test_overrides_reach_every_experiment_they_are_given_to():
    """The bug this replaces: run_task ignored overrides for six of seven experiments."""
    seed = _seed("no_middle_tier")
    low = run_task(("no_middle_tier", 0, seed, {"seek_rate": 0.01}))[2]
    high = run_task(("no_middle_tier", 0, seed, {"seek_rate": 0.9}))[2]
    assert low["quality_ties_corr"] != high["quality_ties_corr"]
    assert low["weak_isolation_excess"] != high["weak_isolation_excess"]
    same = run_task(("no_middle_tier", 0, seed, {}))[2]
    assert same == validate.EXPERIMENTS["no_middle_tier"][0](seed, {})
    # a design's own settings win over an override (and say so)
    assert validate.pinned("maximising_progress", {"specialist_adoption": 0.0,
                                                   "specialist_rate": 0.5}) == [
        "specialist_adoption"]
    seed = _seed("maximising_progress")
    pinned = run_task(("maximising_progress", 0, seed, {"specialist_adoption": 0.0}))[2]
    assert pinned == validate.EXPERIMENTS["maximising_progress"][0](seed, {})
    lo = run_task(("maximising_progress", 0, seed, {"specialist_rate": 0.02}))[2]
    hi = run_task(("maximising_progress", 0, seed, {"specialist_rate": 0.5}))[2]
    assert lo["maths_mean_cluster"] < hi["maths_mean_cluster"]


@pytest.mark.slow
def test_fit_to_p5_moves_the_figure_toward_its_target(fitted):
    """Calibrating homophily against P5 would fail if the overrides were ignored: every
    evaluation would give the same figure and the fit could not improve on the default."""
    fit = json.loads((fitted / "fitted.json").read_text())
    runs = pd.read_csv(fitted / "calibration.csv")
    assert list(runs.columns) == ["evaluation", "stage", "homophily_weight",
                                  "partner_quality_ratio", "loss"]
    assert 3 <= len(runs) <= 6 == fit["budget"] and fit["evaluations"] == len(runs)
    assert runs["homophily_weight"].between(0.0, 10.0).all() and runs["stage"][0] == "default"
    assert runs["homophily_weight"].nunique() == len(runs)  # no point evaluated twice
    assert runs["partner_quality_ratio"].nunique() == len(runs)  # every point moved it
    at = dict(zip(runs["homophily_weight"], runs["partner_quality_ratio"], strict=True))
    assert at[0.0] > at[10.0]  # stronger homophily: partners more alike
    figure = fit["figures"][0]
    mid = figure["target_mid"]
    assert figure["figure"] == "partner_quality_ratio" and mid == pytest.approx(0.45)
    assert abs(figure["mean"] - mid) < abs(figure["default_mean"] - mid)
    assert fit["loss"] == pytest.approx(runs["loss"].min())
    assert fit["loss"] < fit["loss_at_defaults"]
    best = runs.loc[runs["loss"].idxmin()]
    assert fit["parameters"]["homophily_weight"] == best["homophily_weight"]
    assert figure["ci_low"] <= figure["mean"] <= figure["ci_high"]


@pytest.mark.slow
def test_serial_and_parallel_fits_are_identical(fitted, tmp_path):
    assert main([*FIT, "--workers", "1", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "calibration.csv").read_bytes() == \
        (fitted / "calibration.csv").read_bytes()


@pytest.mark.slow  # the fitted fixture: a small calibration
def test_calibration_folder_carries_a_valid_datapackage(fitted):
    package = check_package(fitted)
    columns = fields(package, "calibration.csv")
    assert columns["homophily_weight"]["description"].startswith("parameter:")
    assert columns["partner_quality_ratio"]["unit"] == "x" and columns["loss"]["unit"]
    assert "datapackage.json" in json.loads((fitted / "manifest.json").read_text())["files"]


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
    p10 = make_problem(["inspection_noise_sd"], ["P10"])
    assert [f.name for f in p10.figures] == ["ri_good_next_si", "stuck_y20_si",
                                             "ri_good_next_la", "stuck_y20_la"]
    assert list(p10.replicates) == ["status_quo_si", "status_quo_la"]
