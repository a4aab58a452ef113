"""`clustersim sensitivity`: Morris then Sobol on the batch engine, on a tiny spec."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clustersim.experiments.cli import main
from clustersim.experiments.credibility.sensitivity import (
    as_points,
    load_sensitivity,
    morris_design,
    parse_sensitivity,
    top_parameters,
)

from tests.test_datapackage import check_package, fields

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "experiments" / "specs" / "sensitivity"
TINY = SPECS / "sensitivity_tiny.toml"
FILES = ("morris.csv", "sobol.csv", "morris_mu_star.png", "morris_sigma.png", "sobol.png")


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sens") / "out"
    assert main(["sensitivity", str(TINY), "--out", str(out), "--workers", "2",
                 "--quiet"]) == 0
    return out


@pytest.mark.slow  # the tiny fixture: a whole Morris and Sobol run
def test_tiny_spec_computes_indices_and_writes_files(tiny):
    spec = load_sensitivity(TINY)
    for name in FILES:
        assert (tiny / name).stat().st_size > (1000 if name.endswith(".png") else 100), name
    morris = pd.read_csv(tiny / "morris.csv")
    assert list(morris.columns[:2]) == ["parameter", "outcome"]
    assert {"mu", "mu_star", "sigma", "mu_star_conf"} <= set(morris.columns)
    assert len(morris) == len(spec.ranges) * len(spec.outcomes)
    assert list(morris["outcome"].unique()) == list(spec.outcomes)
    assert (morris["mu_star"] >= morris["mu"].abs() - 1e-9).all()
    gap = morris[morris["outcome"] == "gap"]
    assert np.isfinite(gap["mu_star"]).all() and gap["mu_star"].max() > 0
    assert gap["mu_star"].is_monotonic_decreasing  # rows ranked within each outcome

    runs = pd.read_csv(tiny / "morris" / "runs.csv")  # the batch engine's output
    assert len(runs) == spec.runs("morris") and runs["replicate"].nunique() == spec.replicates
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()  # CRN: seed per replicate

    manifest = json.loads((tiny / "manifest.json").read_text())
    assert manifest["completed"] and manifest["spec_sha256"] == spec.sha256
    top = manifest["sobol"]["parameters"]
    assert top == top_parameters(spec, morris) and len(top) == spec.top_k
    sobol = pd.read_csv(tiny / "sobol.csv")
    assert list(sobol.columns) == ["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(sobol) == spec.top_k * len(spec.outcomes)
    assert set(sobol["parameter"]) == set(top)
    assert np.isfinite(sobol[sobol["outcome"] == "gap"][["S1", "ST"]]).all().all()
    assert len(pd.read_csv(tiny / "sobol" / "runs.csv")) == spec.runs("sobol")


@pytest.mark.slow  # the tiny fixture
def test_sensitivity_folder_carries_a_valid_datapackage(tiny):
    package = check_package(tiny)  # morris/ and sobol/ are batches with their own
    assert [r["path"] for r in package["resources"]] == ["morris.csv", "sobol.csv"]
    assert fields(package, "sobol.csv")["S1"]["unit"] == "fraction of variance"


@pytest.mark.slow  # the tiny fixture: a whole Morris and Sobol run
def test_resume_after_completion_is_a_no_op(tiny, capsys):
    before = digests(tiny)
    assert main(["sensitivity", str(TINY), "--out", str(tiny), "--workers", "1"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sensitivity", str(TINY), "--out", str(tiny), "--resume", "--quiet"]) == 0
    assert digests(tiny) == before


@pytest.mark.slow
def test_resume_runs_a_missing_sobol_stage_to_the_same_files(tiny, tmp_path):
    out = tmp_path / "cut"
    shutil.copytree(tiny, out)
    shutil.rmtree(out / "sobol")
    for name in ("sobol.csv", "sobol.png"):
        (out / name).unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "completed": False}))
    assert main(["sensitivity", str(TINY), "--out", str(out), "--resume", "--workers", "1",
                 "--quiet"]) == 0
    for name in FILES + ("sobol/runs.csv", "morris/runs.csv"):
        assert (out / name).read_bytes() == (tiny / name).read_bytes(), name


BAD = [
    ("trajectories = 5\n", "trajectories: unknown key; allowed: name, description"),
    ("[morris]\nlevels = 3\n", "morris.levels: 3 is not allowed; expected an even integer"),
    ("[morris]\nsteps = 3\n", "morris.steps: unknown key; allowed: trajectories, levels, seed"),
    ("[sobol]\nsamples = 10\n", "sobol.samples: 10 is not allowed; Sobol needs a power of two"),
    ("[sobol]\ntop_k = 9\n", "sobol.top_k: 9 is not allowed; expected an integer in [0, 3]"),
    ("[parameters]\ninclude = [\"seek_rat\", \"seek_rate\"]\n",
     "parameters.include: unknown parameter 'seek_rat'; did you mean seek_rate"),
    ("[parameters]\ninclude = [\"m9_specialist\", \"seek_rate\"]\n",
     "parameters.include: m9_specialist is a switch (bool)"),
    ("[parameters]\nranges = { seek_rate = [0.0, 2.0] }\n",
     "parameters.ranges.seek_rate: [0.0, 2.0] is not allowed; expected low < high within "
     "float in [0, 1]"),
    ("[parameters]\nexclude = [\"nonsense\"]\n", "parameters.exclude: 'nonsense' is neither"),
    ("[parameters]\nranges = { cluster_min_size = [2, 9], cluster_max_size = [6, 12] }\n",
     "parameters.ranges.cluster_min_size: cluster_min_size must not exceed cluster_max_size"),
    ("outcomes = [\"gap\", \"equity\"]\n", "outcomes: 'equity' is not allowed; allowed: gap"),
    ("policies = [\"nobody\"]\n", "policies: 'nobody' is not allowed; allowed: self_improving"),
    ("[ranking]\nscenarios = [\"self_improving\"]\n",
     "ranking.scenarios: must list two or more scenarios"),
    ("[ranking]\nscenarios = [\"self_improving\", \"superintendant\"]\n",
     "ranking.scenarios: 'superintendant' is not allowed"),
    ("[ranking]\nscenarios = [\"self_improving\", \"superintendent\"]\noutcome = \"x\"\n",
     "ranking.outcome: 'x' is not allowed"),
]
BASE = """name = "bad"
preset = "maximising_progress"
years = 1
{top}[parameters]
include = ["seek_rate", "cluster_min_size", "cluster_max_size"]
"""


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_bad_spec_exits_2_naming_file_and_key(tmp_path, capsys, extra, message):
    top = extra if not extra.startswith("[") else ""
    text = BASE.format(top=top)
    if extra.startswith("[parameters]"):
        text = text.replace('[parameters]\ninclude = ["seek_rate", "cluster_min_size", '
                            '"cluster_max_size"]\n', extra)
    elif extra.startswith("["):
        text += extra
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{path}: " in err[0] and message in err[0], err
    assert not out.exists()


@pytest.mark.parametrize("given", [{}, {"grade_cut_good": [-0.3, 0.4],
                                      "cluster_min_size": [2, 6]}])
def test_constrained_parameters_are_screened_without_breaking_the_rules(given):
    from clustersim import model

    spec = parse_sensitivity({
        "name": "c", "preset": "maximising_progress", "years": 1,
        "parameters": {"include": ["cluster_min_size", "cluster_max_size", "grade_cut_ri",
                                   "grade_cut_good", "grade_cut_outstanding"],
                       "ranges": given},
        "morris": {"trajectories": 30}})
    assert set(spec.narrowed) == set(spec.ranges) - set(given)
    for name, rng in given.items():
        assert spec.ranges[name] == tuple(rng)  # a range the spec gives is kept
    for point in as_points(spec, morris_design(spec)):
        model.resolve_config({"preset": "maximising_progress", **point})  # raises if broken
        assert isinstance(point["cluster_min_size"], int)


def test_shipped_sensitivity_specs_validate():
    from clustersim.model import PARAMS

    for path in sorted(SPECS.glob("*.toml")):
        spec = load_sensitivity(path)
        assert spec.name == path.stem and spec.runs("morris") > 0
    equity = load_sensitivity(SPECS / "sensitivity_equity.toml")
    assert set(equity.ranges) == {p.name for p in PARAMS if p.numeric}
    assert equity.outcomes == ("gap", "left_behind", "catch_up", "isolation_weak")


@pytest.mark.slow
def test_dask_cluster_gives_the_same_indices(tiny, tmp_path):
    """The stages run on the batch engine, so a Dask cluster computes the same bytes."""
    loader = importlib.util.spec_from_file_location("dask_cluster",
                                                    ROOT / "scripts" / "dask_cluster.py")
    dask_cluster = importlib.util.module_from_spec(loader)
    sys.modules[loader.name] = dask_cluster  # dataclasses look their module up there
    loader.loader.exec_module(dask_cluster)
    with dask_cluster.local_cluster(2, tmp_path / "dask") as cluster:
        assert main(["sensitivity", str(TINY), "--out", str(tmp_path / "out"), "--dask",
                     cluster.address, "--quiet"]) == 0
    for name in ("morris.csv", "sobol.csv", "morris/runs.csv", "sobol/runs.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tiny / name).read_bytes(), name
    manifest = json.loads((tmp_path / "out" / "morris" / "manifest.json").read_text())
    assert manifest["executor"].startswith("dask(")


@pytest.mark.slow  # the tiny fixture, then a Morris stage of four scenarios
def test_ranking_screens_the_policy_order_without_changing_the_screen(tiny, tmp_path, capsys):
    """issue 14 item 8: [ranking] runs each scenario at every Morris point on the same seeds;
    ranking.csv gives each parameter's effect on each paired difference and how often a
    step reorders the policies; the spec's own Morris screen is unchanged."""
    spec_path = tmp_path / "ranked.toml"
    text = TINY.read_text().split("[sobol]")[0] + (
        "[sobol]\ntop_k = 0\n\n[ranking]\n"
        'scenarios = ["self_improving", "superintendent", "local_authority+academy_chains"]\n'
        'outcome = "left_behind"\n')
    spec_path.write_text(text)
    spec = load_sensitivity(spec_path)
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec_path), "--out", str(out), "--workers", "2"]) == 0
    assert (out / "morris.csv").read_bytes() == (tiny / "morris.csv").read_bytes()
    runs = pd.read_csv(out / "morris" / "runs.csv")
    assert len(runs) == spec.runs("morris") == 4 * 4 * 2 * 4  # 4 scenarios per point
    ranking = pd.read_csv(out / "ranking.csv")
    assert len(ranking) == len(spec.ranges) * 2
    assert set(ranking["comparison"]) == {"superintendent - self_improving",
                                          "local_authority+academy_chains - self_improving"}
    assert ranking["ranking_changes"].between(0, 1).all()
    assert (ranking["mu_star"] >= ranking["mu"].abs() - 1e-9).all()
    # the paired differences by hand, at the first point
    first = runs[runs["point"] == 0].groupby("scenario")["left_behind"].mean()
    manifest = json.loads((out / "manifest.json").read_text())
    summary = manifest["ranking"]
    assert sorted(summary["modal_order"]) == sorted(spec.ranking)
    assert 0 < summary["modal_share"] <= 1 and summary["points"] == 4 * 4
    assert first.index.tolist() == sorted(["sensitivity", *(f"ranking:{s}" for s in
                                                              spec.ranking)])
    printed = capsys.readouterr().out
    assert "Policy ranking by left_behind" in printed
    check_package(out)
