"""`clustersim explain`: attribution sums to the paired total, knock-outs past six
components, the same bytes on 1 and 2 workers, bad input refused; the equal-cost spec."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clustersim.experiments.batch.spec import load_spec, replicate_seeds
from clustersim.experiments.cli import main
from clustersim.experiments.credibility.explain import shapley, summary_sentences

from tests.test_datapackage import check_package, fields

ROOT = Path(__file__).resolve().parent.parent
OUTCOMES = "left_behind,gap,rwm_weak"
SPEC = """
name = "tiny_explain"
preset = "maximising_progress"
years = 1
replicates = 2
root_seed = 11
baseline = "self_improving"
[[scenarios]]
label = "self_improving"
policies = ["self_improving"]
[[scenarios]]
label = "local_authority"
policies = ["local_authority"]
[[scenarios]]
label = "superintendent+incentives"
policies = ["superintendent", "incentives"]
"""
CONFIG = {"preset": "maximising_progress", "years": 1}


def _explain(folder: Path, workers: str) -> Path:
    spec = folder / "tiny.toml"
    spec.write_text(SPEC)
    out = folder / f"w{workers}"
    if not out.exists():
        assert main(["explain", str(spec), "--workers", workers, "--outcomes", OUTCOMES,
                     "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def explain_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("explain")


@pytest.fixture(scope="module")
def spec_file(explain_folder) -> Path:
    """The tiny spec, not yet explained (for what --check and bad input read)."""
    spec = explain_folder / "tiny.toml"
    spec.write_text(SPEC)
    return spec


@pytest.fixture(scope="module")
def runs(explain_folder):
    """The tiny spec explained serially (spec, its output folder, None)."""
    return explain_folder / "tiny.toml", _explain(explain_folder, "1"), None


@pytest.fixture(scope="module")
def pooled(explain_folder, runs):
    """... and on two workers (starting a process pool: slow)."""
    return _explain(explain_folder, "2")


def _replicates(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "explain_replicates.csv")


def _sums(reps: pd.DataFrame, scenario: str, rows) -> pd.DataFrame:
    """Per outcome and replicate: the total and the sum of the chosen rows."""
    g = reps[reps["scenario"] == scenario]
    total = g[g["kind"] == "total"].set_index(["outcome", "replicate"])["value"]
    parts = g[rows(g)].groupby(["outcome", "replicate"])["value"].sum()
    return pd.DataFrame({"total": total, "parts": parts})


def test_shapley_of_a_known_game():
    # two players: v({}) = 0, v({1}) = 1, v({2}) = 2, v({1, 2}) = 4
    phi = shapley(np.array([0.0, 1.0, 2.0, 4.0]))
    assert phi.tolist() == [1.5, 2.5]


@pytest.mark.slow  # the explain fixture: ~130 runs and plots
def test_shapley_rows_and_structure_sum_to_the_paired_total(runs):
    spec, serial, _ = runs
    reps = _replicates(serial)
    la = reps[reps["scenario"] == "local_authority"]
    assert set(la[la["kind"] == "component"]["name"]) == {"la_grouping", "la_monitoring",
                                                           "la_funded_support"}
    assert not ((la["kind"] == "interaction") & (la["name"] == "components")).any()
    s = _sums(reps, "local_authority", lambda g: g["kind"].isin(["structure", "component"]))
    assert len(s) == 3 * 2
    np.testing.assert_allclose(s["parts"], s["total"], rtol=0, atol=1e-9)
    # the total is the paired difference of the batch's replicate seeds (CRN)
    from clustersim import model

    seed = replicate_seeds(11, 2)[1]
    direct = (model.simulate({**CONFIG, "policies": ["local_authority"]}, seed)["gap"]
              - model.simulate({**CONFIG, "policies": ["self_improving"]}, seed)["gap"])
    assert s.loc[("gap", 1), "total"] == pytest.approx(direct, abs=1e-9)
    # hence the summed means lie within the total's interval
    table = pd.read_csv(serial / "explain.csv")
    t = table[(table["scenario"] == "local_authority") & (table["outcome"] == "gap")]
    total = t[t["kind"] == "total"].iloc[0]
    summed = t[t["kind"].isin(["structure", "component"])]["mean"].sum()
    assert summed == pytest.approx(total["mean"], abs=1e-9)
    assert total["low"] <= summed <= total["high"]


@pytest.mark.slow  # the explain fixture: ~130 runs and plots
def test_mechanism_rows_and_interaction_sum_to_the_total(runs):
    _, serial, _ = runs
    reps = _replicates(serial)
    for scenario in ("local_authority", "superintendent+incentives"):
        g = reps[reps["scenario"] == scenario]
        assert sorted(set(g[g["kind"] == "mechanism"]["name"]), key=lambda m: int(m[1:])) == \
            [f"M{i}" for i in range(1, 16)]
        s = _sums(reps, scenario, lambda g: (g["kind"] == "mechanism") | (
            (g["kind"] == "interaction") & (g["name"] == "mechanisms")))
        np.testing.assert_allclose(s["parts"], s["total"], rtol=0, atol=1e-9)


@pytest.mark.slow  # the explain fixture: ~130 runs and plots
def test_knock_outs_past_six_components(runs):
    _, serial, _ = runs
    manifest = json.loads((serial / "manifest.json").read_text())
    methods = {s["label"]: (s["method"], len(s["components"])) for s in manifest["scenarios"]}
    assert methods == {"local_authority": ("shapley", 3),
                       "superintendent+incentives": ("knock-out", 8)}
    reps = _replicates(serial)
    s = _sums(reps, "superintendent+incentives", lambda g: g["kind"].isin(
        ["structure", "component"]) | ((g["kind"] == "interaction") & (g["name"] == "components")))
    np.testing.assert_allclose(s["parts"], s["total"], rtol=0, atol=1e-9)
    # a component's row is the run with everything on minus the run without it
    from clustersim import model

    seed = replicate_seeds(11, 2)[0]
    config = {**CONFIG, "policies": ["superintendent", "incentives"]}
    direct = (model.simulate(config, seed)["rwm_weak"]
              - model.simulate({**config, "super_funded_support": False}, seed)["rwm_weak"])
    g = reps[(reps["scenario"] == "superintendent+incentives") & (reps["replicate"] == 0)
             & (reps["name"] == "super_funded_support") & (reps["outcome"] == "rwm_weak")]
    assert g["value"].iloc[0] == pytest.approx(direct, abs=1e-9)


@pytest.mark.slow
def test_one_and_two_workers_write_the_same_bytes(runs, pooled):
    _, serial, _ = runs
    pool = pooled
    names = sorted(p.name for p in serial.iterdir())
    assert names == sorted(p.name for p in pool.iterdir())
    assert {"explain.csv", "explain.md", "explain_local_authority.png",
            "explain_superintendent+incentives.svg"} <= set(names)
    for name in names:
        if name != "manifest.json":  # it records the executor and the time taken
            assert (serial / name).read_bytes() == (pool / name).read_bytes(), name


@pytest.mark.slow  # the explain fixture
def test_explain_folder_carries_a_valid_datapackage(runs):
    package = check_package(runs[1])
    assert [r["path"] for r in package["resources"]] == ["explain.csv",
                                                         "explain_replicates.csv"]
    assert fields(package, "explain.csv")["name"]["description"].startswith("the component")
    manifest = json.loads((runs[1] / "manifest.json").read_text())
    assert "datapackage.json" in manifest["files"]


@pytest.mark.slow  # the explain fixture: ~130 runs and plots
def test_summary_sentences(runs, capsys):
    _, serial, _ = runs
    table = pd.read_csv(serial / "explain.csv")  # no attrs: the baseline is read from it
    assert list(table.columns) == ["scenario", "kind", "name", "description", "outcome",
                                   "mean", "low", "high", "n"]
    sentences = summary_sentences(table)
    assert set(sentences) == {"local_authority", "superintendent+incentives"}
    for scenario, text in sentences.items():
        assert text.startswith(f"{scenario} vs self_improving: ")
        assert re.search(r"-?\d+\.\d pp \[-?\d+\.\d, -?\d+\.\d\]", text), text
        assert text.count(".") >= 2 and text.endswith(".")
    md = (serial / "explain.md").read_text()
    assert all(s in md for s in sentences.values())


def test_a_batch_folder_is_read_from_its_manifest(spec_file, tmp_path, capsys):
    spec = spec_file
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "manifest.json").write_text(json.dumps({
        "command": "clustersim batch", "spec_text": spec.read_text(), "spec_sha256": "x"}))
    assert main(["explain", str(batch), "--replicates", "3", "--check"]) == 0
    assert "64 distinct runs x 3 replicates" in capsys.readouterr().out
    assert not (batch / "explain").exists()


@pytest.mark.parametrize("args, says", [
    (["--outcomes", "left_behind,nope"], "unknown outcome 'nope'"),
    (["--replicates", "0"], "--replicates: 0 is not allowed"),
    (["MISSING"], "cannot read spec"),
])
def test_bad_input_one_line_exit_2_nothing_written(spec_file, tmp_path, capsys, args, says):
    spec = spec_file
    out = tmp_path / "out"
    source = [str(tmp_path / "missing.toml")] if args == ["MISSING"] else [str(spec), *args]
    assert main(["explain", *source, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1, err
    assert not out.exists()


# ----------------------------------------------------------------------- equal cost
def test_equal_cost_spec_gives_every_policy_the_same_budget(capsys):
    from clustersim.model.policies import POLICIES

    path = ROOT / "experiments" / "specs" / "equal_cost.toml"
    assert main(["batch", str(path), "--check"]) == 0
    assert "440 runs" in capsys.readouterr().out
    spec = load_spec(path)
    assert (spec.preset, spec.baseline) == ("county", "self_improving")
    levels: dict[str, set[float]] = {}
    for s in spec.scenarios:
        if s.label == spec.baseline:
            assert s.policies == ("self_improving",) and not s.params
            continue
        (policy,) = s.policies
        budget = POLICIES[policy].budget
        name, level = s.label.split("@")
        assert name == policy and s.params == {budget: float(level)}, s
        levels.setdefault(policy, set()).add(float(level))
    assert set(levels) == {n for n, c in POLICIES.items() if c.budget}
    assert all(v == {2000.0, 5000.0, 10000.0} for v in levels.values()), levels


def test_sentences_say_which_way_a_difference_goes():
    """A clear difference is put in words with positive figures ("18.0 pp ... fewer"); an
    unclear one keeps signed figures and says which sign means fewer."""
    rows = []
    for scenario, (mean, low, high) in {"clear": (-0.18, -0.20, -0.16),
                                        "unclear": (-0.062, -0.151, 0.026)}.items():
        rows.append({"scenario": scenario, "kind": "total", "name": "total",
                     "description": "scenario minus the baseline self_improving (paired)",
                     "outcome": "left_behind", "mean": mean, "low": low, "high": high,
                     "n": 20})
        rows.append({"scenario": scenario, "kind": "component", "name": "funded_support",
                     "description": "", "outcome": "left_behind", "mean": mean * 0.8,
                     "low": low * 0.8, "high": high * 0.8, "n": 20})
    text = summary_sentences(pd.DataFrame(rows), baseline="self_improving")
    assert "18.0 pp [16.0, 20.0] fewer weak schools left behind" in text["clear"]
    assert "no clear difference" in text["unclear"]
    assert "-6.2 pp [-15.1, 2.6]; below zero means fewer weak schools left behind" in \
        text["unclear"]
