"""The report's numbers against hand computation on a tiny batch of the real model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clustersim.experiments.analysis.outcomes import replicates_to_resolve
from clustersim.experiments.analysis.report import make_report
from clustersim.experiments.analysis.stats import MIRRORS, WORSE_FOR_WEAK, t_interval, threshold
from clustersim.experiments.batch.engine import run_batch

from tests.test_datapackage import check_package, fields

ROOT = Path(__file__).resolve().parent.parent
T975_DF2 = 4.302652729911275  # Student t, 97.5th percentile, 2 degrees of freedom

SPEC = """
name = "tiny_report"
preset = "maximising_progress"
years = 3
replicates = 3
root_seed = 4
baseline = "self_improving"
[[scenarios]]
policies = ["self_improving"]
[[scenarios]]
policies = ["superintendent"]
[outputs]
schools = "weak"
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    (folder / "spec.toml").write_text(SPEC)
    out = run_batch(folder / "spec.toml", out=folder / "out", workers=1, quiet=True)
    make_report(out)
    return out


def by_hand(x) -> tuple[float, float, float]:
    x = [float(v) for v in x]
    mean = sum(x) / 3
    sd = math.sqrt(sum((v - mean) ** 2 for v in x) / 2)
    half = T975_DF2 * sd / math.sqrt(3)
    return mean, mean - half, mean + half


def test_t_interval_and_replicates_needed_by_hand():
    n, mean, sd, lo, hi = t_interval([1.0, 2.0, 3.0, float("nan")])
    assert (n, mean, sd) == (3, 2.0, 1.0)
    assert lo == pytest.approx(2 - T975_DF2 / math.sqrt(3))
    assert hi == pytest.approx(2 + T975_DF2 / math.sqrt(3))
    # t(0.975, 5)/sqrt(6) = 1.0496 > 1 but t(0.975, 6)/sqrt(7) = 0.9249 < 1
    assert replicates_to_resolve(1.0, 1.0) == 7
    assert replicates_to_resolve(-1.0, 1.0) == 7
    assert math.isinf(replicates_to_resolve(0.0, 1.0))


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_scenario_intervals_match_hand_computation(batch):
    runs = pd.read_csv(batch / "runs.csv")
    summary = pd.read_csv(batch / "report" / "summary.csv")
    for outcome in ("gap", "rwm_weak", "terms_below_floor_weak"):  # quantities: Student t
        for scenario in ("self_improving", "superintendent"):
            x = runs.loc[runs["scenario"] == scenario].sort_values("replicate")[outcome]
            mean, lo, hi = by_hand(x)
            row = summary[(summary["label"] == scenario) & (summary["outcome"] == outcome)]
            assert row["n"].item() == 3
            assert row["mean"].item() == pytest.approx(mean, rel=1e-8, abs=1e-12)
            assert row["ci_low"].item() == pytest.approx(lo, rel=1e-8, abs=1e-12)
            assert row["ci_high"].item() == pytest.approx(hi, rel=1e-8, abs=1e-12)


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_share_intervals_stay_within_0_and_100_percent(batch):
    runs = pd.read_csv(batch / "runs.csv")
    summary = pd.read_csv(batch / "report" / "summary.csv")
    shares = summary[summary["interval"] == "bootstrap"]
    assert {"left_behind", "isolation_weak"} <= set(shares["outcome"])
    assert ((shares["ci_low"] >= 0) & (shares["ci_high"] <= 1)).all()
    for scenario in ("self_improving", "superintendent"):  # within its replicates' range
        x = runs.loc[runs["scenario"] == scenario, "left_behind"]
        row = shares[(shares["label"] == scenario) & (shares["outcome"] == "left_behind")]
        assert x.min() - 1e-12 <= row["ci_low"].item() <= row["mean"].item()
        assert row["mean"].item() <= row["ci_high"].item() <= x.max() + 1e-12


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_paired_differences_match_hand_computation(batch):
    runs = pd.read_csv(batch / "runs.csv").set_index(["scenario", "replicate"])
    paired = pd.read_csv(batch / "report" / "paired.csv")
    assert set(paired["label"]) == {"superintendent"}
    for outcome in ("left_behind", "gap", "catch_up", "isolation_weak"):
        d = [runs.loc[("superintendent", r), outcome] - runs.loc[("self_improving", r), outcome]
             for r in range(3)]
        mean, lo, hi = by_hand(d)
        row = paired[paired["outcome"] == outcome].iloc[0]
        assert row["mean_diff"] == pytest.approx(mean, rel=1e-8, abs=1e-12)
        assert row["ci_low"] == pytest.approx(lo, rel=1e-8, abs=1e-12)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-8, abs=1e-12)
        significant = lo > 0 or hi < 0
        assert bool(row["significant"]) == significant
        practical = abs(mean) >= threshold(outcome)
        worse = (significant and practical and outcome not in MIRRORS
                 and np.sign(mean) == WORSE_FOR_WEAK[outcome])
        assert bool(row["worse_for_weak"]) == worse
        assert bool(row["practical"]) == practical


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_left_behind_profile_matches_schools_table(batch):
    schools = pd.read_csv(batch / "schools.csv")
    profile = pd.read_csv(batch / "report" / "left_behind.csv")
    weak = schools[schools["weak"] & (schools["scenario"] == "self_improving")]
    rural = weak[weak["rural"]]
    row = profile[(profile["label"] == "self_improving") & (profile["level"] == "rural")]
    assert row["weak_schools"].item() == len(rural)
    assert row["share"].item() == pytest.approx(rural["left_behind"].mean())
    total = profile[(profile["label"] == "self_improving")
                    & (profile["characteristic"] == "all weak schools")]
    assert total["share"].item() == pytest.approx(weak["left_behind"].mean())
    assert total["mean_terms_below_floor"].item() == pytest.approx(
        weak["terms_below_floor"].mean())
    assert {"rural", "size", "disadvantage", "isolation", "initial grade",
            "governance"} <= set(profile["characteristic"])


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_html_and_plots(batch):
    page = (batch / "report.html").read_text()
    assert page.index("class=verdict") < page.index("<h2>")  # the verdict comes first
    for heading in ("Cost and benefit", "The policies", "Caveats", "Flags against self improving",
                    "Outcomes per scenario", "Where weak schools are left behind",
                    "Grade histories of weak schools", "Who is left behind",
                    "How many replicates"):
        assert heading in page
    paired = pd.read_csv(batch / "report" / "paired.csv")
    assert ("Worse for weak schools:" in page) == bool(paired["worse_for_weak"].any())
    for stem in ("fan_gap", "fan_left_behind", "forest_paired_differences", "weak_end_state",
                 "cost_benefit"):
        for ext in ("png", "svg"):
            path = batch / "report" / f"{stem}.{ext}"
            assert path.stat().st_size > 1000, path
            assert f"report/{stem}.png" in page


@pytest.mark.slow  # the batch fixture
def test_report_folder_carries_a_valid_datapackage(batch):
    package = check_package(batch / "report")
    assert {"summary.csv", "paired.csv", "left_behind.csv", "costs.csv"} <= {
        r["path"] for r in package["resources"]}
    count = fields(package, "left_behind.csv")["left_behind"]  # a count here, not a share
    assert count["type"] == "integer" and count["unit"] == "schools"


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_incomplete_or_missing_batches_are_one_line_errors(batch, tmp_path, capsys):
    from clustersim.experiments.cli import main  # the console script's entry point

    manifest = json.loads((batch / "manifest.json").read_text())
    manifest["completed"] = False
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "manifest.json").write_text(json.dumps(manifest))
    for folder, words in ((tmp_path / "half", "not complete"),
                          (tmp_path, "no manifest.json"),
                          (tmp_path / "nowhere", "no such folder")):
        capsys.readouterr()
        assert main(["report", str(folder)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and words in err, err


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_maps_for_every_scenario_say_only_weak_schools_were_kept(batch):
    page = (batch / "report.html").read_text()
    for scenario in ("self_improving", "superintendent"):
        for ext in ("png", "svg"):
            assert (batch / "report" / f"map_{scenario}.{ext}").stat().st_size > 1000
        assert f"report/map_{scenario}.png" in page
    assert "only weak schools were kept" in page  # outputs.schools = "weak": said, not hidden


@pytest.mark.slow  # the batch fixture: a batch and its whole report (plots, maps)
def test_inspections_csv_and_transitions_of_the_batch(batch):
    ins = pd.read_csv(batch / "inspections.csv")
    assert list(ins.columns) == ["run_id", "scenario", "point", "replicate", "school", "term",
                                 "grade"]
    schools = pd.read_csv(batch / "schools.csv")
    assert set(zip(ins["run_id"], ins["school"], strict=True)) <= set(
        zip(schools["run_id"], schools["school"], strict=True))  # the schools written (weak)
    assert ins["term"].between(1, 9).all()
    # every inspection is one transition, from the grade before it (or the start's)
    transitions = pd.read_csv(batch / "report" / "transitions.csv")
    for scenario, g in transitions.groupby("label"):
        assert g["count"].sum() == (ins["scenario"] == scenario).sum()
    longit = pd.read_csv(batch / "report" / "longitudinal.csv")
    assert ((longit["ever_good_low"] >= 0) & (longit["ever_good_high"] <= 1)).all()
    assert set(longit["label"]) == {"self_improving", "superintendent"}
