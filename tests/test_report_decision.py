"""The decision numbers on crafted tiny batches: the verdict's wording (a clear winner, a
tie under the threshold, a statistically significant but tiny difference, ranking ties),
honest flags, cost per weak school lifted, share intervals, the transition matrix and
grade histories by hand, maps, and `clustersim run`'s new outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clustersim.experiments.analysis import longitudinal as hist
from clustersim.experiments.analysis import maps, stats
from clustersim.experiments.analysis import verdict as words
from clustersim.experiments.analysis.report import make_report

ROOT = Path(__file__).resolve().parent.parent
BASE = [0.40, 0.42, 0.38, 0.41, 0.39, 0.43]


def runs_of(scenarios: dict[str, list[float]], costs: dict[str, float] | None = None):
    rows = []
    for label, values in scenarios.items():
        for r, v in enumerate(values):
            rows.append({"label": label, "scenario": label, "replicate": r, "left_behind": v,
                         "cost_per_school_year": (costs or {}).get(label, 1000.0) + 10 * r})
    return pd.DataFrame(rows)


def verdict_of(scenarios, min_effect=0.02, costs=None, why=None) -> tuple[str, list]:
    runs = runs_of(scenarios, costs)
    rows = words.compare(runs, "base", 10, 500, 100, min_effect)
    return words.verdict(rows, runs, "base", 10, min_effect, why), rows


def shifted(delta: list[float] | float) -> list[float]:
    d = np.broadcast_to(np.asarray(delta, float), (len(BASE),))
    return list(np.asarray(BASE) + d)


# ------------------------------------------------------------------------- the verdict
def test_verdict_names_a_clear_winner_with_its_interval_and_cost():
    text, rows = verdict_of({"base": BASE, "super": shifted([-.10, -.11, -.09, -.10, -.10, -.10])},
                            costs={"base": 1000.0, "super": 5000.0},
                            why={"super": "super vs base: 10 points fewer, mostly from funded "
                                          "support."})
    assert text.startswith("Under base (the baseline) 40% of weak schools are left behind "
                           "after 10 years")
    assert "Differences smaller than 2 percentage points of weak schools are called ties" in text
    assert "Super leaves the fewest weak schools behind: 30%, 10.0 percentage points fewer " \
           "than base (paired 95% interval" in text
    assert "fewer, 6 replicates)" in text
    # £4,000 x 10 years x 500 schools / 10 weak schools lifted = £2.0m
    assert "it costs £4,000 more per school per year than base, £2.0m per weak school kept " \
           "out of \"left behind\"" in text
    assert "Why: super vs base: 10 points fewer, mostly from funded support." in text
    assert "No policy leaves more weak schools behind than base" in text
    assert [r.status for r in rows] == ["baseline", "fewer"]


def test_a_difference_under_the_threshold_is_a_tie_whatever_its_interval():
    noisy = shifted([0.03, -0.02, 0.01, -0.01, 0.0, 0.002])  # +0.2 pp, wide interval
    text, rows = verdict_of({"base": BASE, "noisy": noisy})
    assert "No policy leaves fewer weak schools behind than base by 2 points or more" in text
    assert "No policy leaves more weak schools behind than base by 2 points or more" in text
    assert "Tied with base (within 2 points): noisy (+0.2 pp)." in text
    assert "leaves the fewest" not in text and "leaves the most" not in text
    assert rows[1].status == "tie"


def test_a_statistically_significant_but_tiny_difference_is_still_a_tie():
    tiny = shifted([0.005, 0.004, 0.006, 0.005, 0.005, 0.005])  # +0.5 pp, clear interval
    text, rows = verdict_of({"base": BASE, "tiny": tiny})
    assert rows[1].low > 0  # statistically significant ...
    assert rows[1].status == "tie"  # ... but under 2 pp: a tie
    assert "Tied with base (within 2 points): tiny (+0.5 pp). Of these, tiny differs " \
           "statistically but by less than the threshold" in text
    assert "leaves the most" not in text
    # with a practical threshold under it, the same data names tiny as leaving the most
    text, rows = verdict_of({"base": BASE, "tiny": tiny}, min_effect=0.001)
    assert "Tiny leaves the most weak schools behind" in text and rows[1].status == "more"
    assert "Differences smaller than 0.1 percentage points" in text


def test_ranking_ties_and_unclear_differences_are_said():
    text, _ = verdict_of({
        "base": BASE,
        "a": shifted([-.10, -.11, -.09, -.10, -.10, -.10]),
        "b": shifted([-.095, -.105, -.095, -.10, -.09, -.10]),    # within 2 pp of a
        "c": shifted([-.05, -.04, -.06, -.05, -.05, -.05]),       # clearly fewer, not best
        "d": shifted([0.10, -0.08, 0.12, -0.06, 0.09, -0.02])})   # +2.5 pp, unclear
    assert "A leaves the fewest weak schools behind" in text
    assert "It ties for the fewest with b" in text
    assert "Also clearly fewer left behind than base: c (-5.0 pp" in text
    assert "Not yet clear" in text and "d (+2.5 pp" in text


def test_cost_per_weak_lifted_by_hand():
    # (£20,000 - £4,000) x 10 years x 500 schools / (40 - 30 weak schools) = £8m
    assert stats.cost_per_weak_lifted(20000, 4000, 10, 500, 40, 30) == pytest.approx(8e6)
    # paired replicates are averaged: extra (16,000 + 18,000)/2, lifted (10 + 12)/2
    assert stats.cost_per_weak_lifted([20000, 22000], [4000, 4000], 10, 500, [40, 42],
                                         [30, 30]) == pytest.approx(17000 * 5000 / 11)
    assert stats.cost_per_weak_lifted(20000, 4000, 10, 500, 30, 30) is None  # no gain
    assert stats.cost_per_weak_lifted(20000, 4000, 10, 500, 30, 35) is None
    assert stats.cost_per_weak_lifted(3000, 4000, 10, 500, 40, 30) == pytest.approx(-5e5)
    text, _ = verdict_of({"base": BASE, "worse": shifted(0.05)},
                         costs={"base": 1000.0, "worse": 3000.0})
    assert "Worse leaves the most weak schools behind" in text
    assert "(no gain: no weak school is kept out of \"left behind\")" in text


def test_share_intervals_stay_within_0_and_1():
    lo, hi = stats.wilson_interval(0, 10)
    assert lo == 0 and 0 < hi < 0.35
    lo, hi = stats.wilson_interval(10, 10)
    assert 0.65 < lo < 1 and hi == pytest.approx(1) and hi <= 1
    lo, hi = stats.bootstrap_interval([0.0, 0.0, 0.0, 0.01, 0.02])
    assert 0 <= lo <= hi <= 0.02


# ------------------------------------------------------------------------- the longitudinal view
INSPECTIONS = pd.DataFrame({
    "run_id": [0, 0, 0, 1],
    "school": [1, 1, 2, 1],
    "term": [3, 9, 6, 3],
    "grade": ["requires_improvement", "good", "inadequate", "good"]})
START = pd.DataFrame({"run_id": [0, 0, 1], "school": [1, 2, 1], "weak": [True, True, True],
                      "grade_start": ["good", "requires_improvement", "inadequate"],
                      "label": ["s", "s", "s"]})


def test_transition_matrix_by_hand():
    counts = hist.transition_matrix(INSPECTIONS, START)
    # run 0 school 1: good -> RI -> good; school 2: RI -> inadequate; run 1: inadequate -> good
    expected = pd.DataFrame(0, index=stats.GRADES, columns=stats.GRADES)
    expected.loc["good", "requires_improvement"] = 1
    expected.loc["requires_improvement", "good"] = 1
    expected.loc["requires_improvement", "inadequate"] = 1
    expected.loc["inadequate", "good"] = 1
    assert (counts.to_numpy() == expected.to_numpy()).all()
    shares = hist.row_shares(counts)
    assert shares.loc["requires_improvement", "good"] == 0.5
    assert shares.loc["inadequate", "good"] == 1.0
    assert shares.loc["outstanding"].isna().all()
    # without the start grades only consecutive inspections count: RI -> good in run 0
    alone = hist.transition_matrix(INSPECTIONS)
    assert alone.to_numpy().sum() == 1 and alone.loc["requires_improvement", "good"] == 1


def test_grade_histories_by_hand():
    h = hist.school_histories(START, INSPECTIONS, end_term=30).set_index(
        ["run_id", "school"])
    assert h.loc[(0, 1), "ever_good"] and h.loc[(0, 1), "terms_below_good"] == 6  # 3 -> 9
    assert not h.loc[(0, 2), "ever_good"] and h.loc[(0, 2), "stuck"]
    assert h.loc[(0, 2), "terms_below_good"] == 30 and h.loc[(0, 2), "below_good_at_end"]
    assert h.loc[(1, 1), "terms_below_good"] == 3 and h.loc[(1, 1), "started_below_good"]
    summary = hist.longitudinal(h.reset_index()).iloc[0]
    assert summary["ever_good"] == pytest.approx(2 / 3)
    assert summary["ever_good_from_below"] == pytest.approx(1 / 2)
    assert summary["spells_below_good"] == 3
    assert summary["mean_spell_terms"] == pytest.approx((6 + 30 + 3) / 3)
    assert summary["spells_open_at_end"] == 1


# ------------------------------------------------------------------------- a crafted batch folder
def crafted_batch(folder: Path, explain: bool = False) -> Path:
    """A finished batch folder written by hand: three scenarios, six replicates."""
    from clustersim import model

    labels = {"self_improving": ["self_improving"], "superintendent": ["superintendent"],
              "federation": ["federation"]}
    resolved = {k: model.resolve_config({"preset": "county", "policies": v, "years": 10})
                for k, v in labels.items()}
    noise = np.array([0.0, 0.01, -0.01, 0.005, -0.005, 0.0])
    values = {  # left_behind, gap, cost per school per year
        "self_improving": (0.40 + noise, 15.0 + noise * 10, 1000.0),
        "superintendent": (0.30 + noise + noise[::-1] / 4, 13.0 + noise * 10, 5000.0),
        "federation": (0.405 + noise, 15.2 + noise * 10, 1200.0),  # clear but tiny
    }
    rows, i = [], 0
    for label, (lb, gap, cost) in values.items():
        for r in range(6):
            rows.append({"run_id": i, "scenario": label, "policies": label, "point": 0,
                         "replicate": r, "seed": 100 + r, "left_behind": lb[r], "gap": gap[r],
                         "gap_change": gap[r] - 15.0, "catch_up": 15.0 - gap[r],
                         "isolation_weak": [0.0, 0.0, 0.01, 0.0, 0.02, 0.0][r],
                         "cost_per_school_year": cost + r})
            i += 1
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / "runs.csv", index=False)
    manifest = {"command": "clustersim batch", "name": "crafted", "description": "by hand",
                "preset": "county", "years": 10, "baseline": "self_improving", "n_runs": i,
                "replicates": 6, "root_seed": 1, "git_commit": "none", "spec_sha256": "0" * 64,
                "scenarios": [{"label": k, "policies": v, "resolved": resolved[k]}
                              for k, v in labels.items()],
                "sweep": {"method": "none", "params": [], "points": [{}]},
                "outputs": {"timeseries": False, "schools": "none"}, "files": ["runs.csv"],
                "completed": True}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    if explain:
        pd.DataFrame([{"scenario": "superintendent", "kind": "total", "name": "total",
                       "description": "superintendent minus the baseline self_improving "
                                      "(same seeds)", "outcome": "left_behind", "mean": -0.1,
                       "low": -0.12, "high": -0.08, "n": 6},
                      {"scenario": "superintendent", "kind": "component",
                       "name": "super_funded_support", "description": "funded support",
                       "outcome": "left_behind", "mean": -0.09, "low": -0.11, "high": -0.07,
                       "n": 6}]).to_csv(folder / "explain.csv", index=False)
    return folder


def test_flags_need_statistical_and_practical_significance_and_count_mirrors_once(tmp_path):
    folder = crafted_batch(tmp_path / "b")
    make_report(folder)
    paired = pd.read_csv(folder / "report" / "paired.csv").set_index(["label", "outcome"])
    sup, fed = "superintendent", "federation"
    assert paired.loc[(sup, "left_behind"), "better_for_weak"]
    assert paired.loc[(sup, "gap"), "better_for_weak"]
    # mirrors stay in the CSV but are never flagged
    assert paired.loc[(sup, "catch_up"), "significant"]
    assert not paired.loc[(sup, "catch_up"), "better_for_weak"]
    assert not paired.loc[(sup, "gap_change"), "better_for_weak"]
    assert paired.loc[(sup, "catch_up"), "mirror_of"].startswith("gap_change")
    # federation: statistically clear on left_behind (+0.5 pp) and gap (+0.2 pp), but tiny
    assert paired.loc[(fed, "left_behind"), "significant"]
    assert paired.loc[(fed, "gap"), "significant"]
    assert not paired.loc[(fed, "left_behind"), "worse_for_weak"]
    assert not paired.loc[(fed, "gap"), "worse_for_weak"]
    page = (folder / "report.html").read_text()
    assert page.count("Better for weak schools:") == 1
    flag = page.split("Better for weak schools:")[1].split("</p>")[0]
    assert flag.count("weak schools left behind") == 1 and flag.count("attainment gap") == 1
    assert "catch-up" not in flag and "change in the gap" not in flag
    assert "Worse for weak schools:" not in page
    summary = pd.read_csv(folder / "report" / "summary.csv")
    iso = summary[summary["outcome"] == "isolation_weak"]
    assert (iso["ci_low"] >= 0).all() and (iso["ci_high"] <= 1).all()
    # policies described from their declarations, caveats generated, explain pointed to
    assert "budget <code>super_budget_per_school</code> = £16,000" in page
    assert "super_funded_support" in page
    assert "Budgets are not equalised" in page and "clustersim sensitivity" in page
    assert "no explain.csv in this folder" in page


@pytest.mark.slow
def test_the_verdict_quotes_explain_csv_and_min_effect_is_stated(tmp_path):
    folder = crafted_batch(tmp_path / "b", explain=True)
    proc = subprocess.run([sys.executable, "-m", "clustersim", "report", str(folder),
                           "--min-effect", "0.1"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = (folder / "report" / "verdict.txt").read_text()
    assert "Differences smaller than 0.1 percentage points" in text
    assert "Why: superintendent vs self_improving" in text
    assert "Federation leaves the most weak schools behind" in text  # +0.5 pp > 0.1 pp


def test_bad_min_effect_is_one_line_and_writes_nothing(tmp_path):
    folder = crafted_batch(tmp_path / "b")
    before = sorted(p.name for p in folder.iterdir())
    proc = subprocess.run([sys.executable, "-m", "clustersim", "report", str(folder),
                           "--min-effect", "-1"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "--min-effect" in proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


# ------------------------------------------------------------------------- maps
def test_map_marks_majority_over_replicates_where_the_geography_is_fixed(tmp_path):
    one = pd.DataFrame({"school": [0, 1, 2, 3], "x_km": [0.0, 1.0, 0.0, 1.0],
                        "y_km": [0.0, 0.0, 1.0, 1.0], "la": [0, 0, 0, 0],
                        "weak": [True, True, False, False], "cluster_end": [0, 0, 0, -1],
                        "trust": [-1, -1, -1, -1]})
    frames = [one.assign(replicate=r, left_behind=[lb, False, False, False])
              for r, lb in enumerate([True, True, False])]
    drawn, note = maps.representative(pd.concat(frames))
    assert "majority over 3 replicates" in note
    assert drawn.set_index("school")["left_behind"].tolist() == [True, False, False, False]
    paths, note = maps.scenario_map(pd.concat(frames), "s", ["superintendent"], tmp_path, "m")
    assert [p.name for p in paths] == ["m.png", "m.svg"] and all(p.stat().st_size > 1000
                                                                 for p in paths)
    moved = [f.assign(x_km=f["x_km"] + r) for r, f in enumerate(frames)]
    _, note = maps.representative(pd.concat(moved))
    assert "each replicate draws its own region" in note


@pytest.mark.slow
def test_run_writes_inspections_and_a_map_and_replicates_make_a_small_batch(tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "clustersim", *args], cwd=ROOT,
                              capture_output=True, text=True)

    proc = cli("run", "--preset", "maximising_progress", "--years", "1", "--policy",
               "self_improving", "--policy", "superintendent", "--out", str(tmp_path / "one"))
    assert proc.returncode == 0, proc.stderr
    ins = pd.read_csv(tmp_path / "one" / "inspections.csv")
    assert list(ins.columns) == ["scenario", "school", "term", "grade"]
    assert set(ins["scenario"]) == {"self_improving", "superintendent"}
    assert (tmp_path / "one" / "map.png").stat().st_size > 1000
    out = tmp_path / "many"
    proc = cli("run", "--preset", "maximising_progress", "--years", "1", "--policy",
               "self_improving", "--policy", "superintendent", "--replicates", "3",
               "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("rank scenario") and "[95% CI]" in lines[0]
    assert len(pd.read_csv(out / "runs.csv")) == 6
    assert (out / "map.png").exists() and (out / "inspections.csv").exists()
    again = cli("run", "--preset", "maximising_progress", "--years", "1", "--policy",
                "self_improving", "--policy", "superintendent", "--replicates", "3",
                "--out", str(out))  # the same run again: resumed, nothing redone
    assert again.returncode == 0, again.stderr
    assert cli("report", str(out)).returncode == 0
    assert (out / "report.html").exists()
