"""Batches of the real model: common random numbers, executors, streaming, resume, lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from clustersim.experiments.batch.engine import run_batch, tasks
from clustersim.experiments.batch.executors import execute_run
from clustersim.experiments.batch.lock import LOCK, BatchLock, start_time
from clustersim.experiments.batch.spec import load_spec, replicate_seeds
from clustersim.experiments.batch.store import (
    MANIFEST,
    PARTS,
    clean_temporaries,
    merge,
    write_part,
)
from clustersim.model.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
CSVS = ("runs.csv", "timeseries.csv", "schools.csv", "inspections.csv")

SPEC = """
name = "tiny"
preset = "maximising_progress"
years = {years}
replicates = {replicates}
root_seed = 11
baseline = "self_improving"
[[scenarios]]
label = "self_improving"
policies = ["self_improving"]
[[scenarios]]
policies = ["superintendent"]
[sweep]
method = "grid"
values = {{ seek_rate = [0.1, 0.3] }}
[outputs]
schools = "all"
"""


def make_spec(folder: Path, years: int = 2, replicates: int = 2) -> Path:
    path = folder / "tiny.toml"
    path.write_text(SPEC.format(years=years, replicates=replicates))
    return path


def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clustersim", *args], cwd=ROOT,
                          capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    """The reference: a serial batch of 2 scenarios x 2 points x 2 replicates."""
    folder = tmp_path_factory.mktemp("serial")
    return run_batch(make_spec(folder), out=folder / "out", workers=1, quiet=True)


def same_bytes(a: Path, b: Path) -> None:
    for name in CSVS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_outputs_are_tidy_and_complete(serial):
    runs = pd.read_csv(serial / "runs.csv")
    assert list(runs.columns[:6]) == ["run_id", "scenario", "policies", "point", "replicate",
                                      "seed"]
    assert runs["run_id"].tolist() == list(range(8))
    # parameters are named param.NAME, outcomes plain names (issue 17 item 5)
    assert {"param.seek_rate", "param.super_broker_capacity", "gap", "left_behind",
            "preset", "years"} <= set(runs.columns)
    assert not {"seek_rate", "param.gap", "param.preset"} & set(runs.columns)
    assert runs.groupby(["scenario", "point"]).size().eq(2).all()
    assert sorted(runs["param.seek_rate"].unique()) == [0.1, 0.3]
    ts = pd.read_csv(serial / "timeseries.csv")
    assert len(ts) == 8 * (3 * 2 + 1)  # one row per run and term 0..3*years
    assert ts[["run_id", "term"]].drop_duplicates().shape[0] == len(ts)
    schools = pd.read_csv(serial / "schools.csv")
    assert schools.groupby("run_id").size().eq(67).all()
    assert sorted(os.listdir(serial)) == sorted([*CSVS, MANIFEST, "datapackage.json"])  # no lock


def test_manifest_records_everything_needed_to_rerun(serial):
    m = json.loads((serial / MANIFEST).read_text())
    spec = load_spec(serial.parent / "tiny.toml")
    assert m["completed"] is True and m["runs_done"] == m["n_runs"] == 8
    assert m["spec_sha256"] == spec.sha256 and m["spec_text"] == spec.text
    assert m["replicate_seeds"] == replicate_seeds(11, 2)
    assert {"python", "mesa", "numpy", "pandas"} <= set(m["versions"])
    assert m["git_commit"]
    assert [s["label"] for s in m["scenarios"]] == ["self_improving", "superintendent"]
    assert m["scenarios"][1]["resolved"]["super_broker_capacity"] > 0
    assert m["sweep"]["points"] == [{"seek_rate": 0.1}, {"seek_rate": 0.3}]
    assert m["timings"]["wall_seconds"] > 0 and m["timings"]["run_seconds_mean"] > 0


def test_common_random_numbers(serial):
    """Replicate r: the same seed, region and starting state under every scenario and point."""
    runs = pd.read_csv(serial / "runs.csv")
    seeds = runs.groupby("replicate")["seed"].unique()
    assert [list(s) for s in seeds] == [[x] for x in replicate_seeds(11, 2)]
    schools = pd.read_csv(serial / "schools.csv")
    start = ["school", "la", "x_km", "y_km", "pupils", "rural", "fsm", "governance",
             "weak", "effectiveness_start", "rwm_start", "grade_start"]
    for _, group in schools.groupby("replicate"):
        tables = [g[start].reset_index(drop=True) for _, g in group.groupby("run_id")]
        for t in tables[1:]:
            pd.testing.assert_frame_equal(t, tables[0])
    by_rep = [g[start].reset_index(drop=True) for _, g in schools.groupby("replicate")]
    assert not by_rep[0].equals(by_rep[1])  # different replicates, different regions
    ts = pd.read_csv(serial / "timeseries.csv")
    term0 = ts[ts["term"] == 0].drop(columns=["run_id", "scenario", "point"])
    for _, group in term0.groupby("replicate"):
        assert len(group.drop_duplicates()) == 1


def test_two_processes_write_the_same_bytes(serial, tmp_path):
    out = run_batch(serial.parent / "tiny.toml", out=tmp_path / "p2", workers=2, quiet=True)
    same_bytes(serial, out)


def test_existing_folder_needs_resume_and_the_same_spec(serial, tmp_path):
    with pytest.raises(UserError, match="already holds a completed batch"):
        run_batch(serial.parent / "tiny.toml", out=serial, workers=1, quiet=True)
    changed = make_spec(tmp_path, replicates=3)
    with pytest.raises(UserError, match="changed since the batch started"):
        run_batch(changed, out=serial, workers=1, resume=True, quiet=True)
    # resuming a completed batch changes nothing
    before = {n: (serial / n).read_bytes() for n in CSVS}
    run_batch(serial.parent / "tiny.toml", out=serial, workers=1, resume=True, quiet=True)
    assert before == {n: (serial / n).read_bytes() for n in CSVS}


@pytest.mark.slow
def test_kill_9_then_resume_gives_the_uninterrupted_files(tmp_path):
    spec = make_spec(tmp_path, years=4, replicates=12)  # 48 runs
    reference = run_batch(spec, out=tmp_path / "ref", workers=2, quiet=True)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "clustersim", "batch", str(spec),
                             "--out", str(out), "--workers", "2", "--quiet"], cwd=ROOT,
                            start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        parts = list((out / "parts").glob("*.json")) if (out / "parts").is_dir() else []
        if len(parts) >= 6:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes, at once
    proc.wait()
    done = len(list((out / "parts").glob("*.json")))
    assert 6 <= done < 48 and not (out / "runs.csv").exists(), "not killed mid-batch"
    assert (out / LOCK).exists()  # a stale lock from a dead PID is left behind
    refused = cli("batch", str(spec), "--out", str(out), "--quiet")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = cli("batch", str(spec), "--out", str(out), "--resume", "--workers", "2",
                  "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    same_bytes(reference, out)
    assert sorted(os.listdir(out)) == sorted(os.listdir(reference))
    sessions = json.loads((out / MANIFEST).read_text())["timings"]["sessions"]
    assert len(sessions) == 2 and "finished" not in sessions[0]
    assert sessions[1]["runs_before"] == done


def test_lock_refuses_a_second_batch(serial, tmp_path):
    spec = serial.parent / "tiny.toml"
    out = tmp_path / "locked"
    out.mkdir()
    with BatchLock(out):
        with pytest.raises(UserError, match="another batch is writing here"):
            run_batch(spec, out=out, workers=1, quiet=True)
        proc = cli("batch", str(spec), "--out", str(out))
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1
        assert f"PID {os.getpid()}" in proc.stderr
    assert not (out / LOCK).exists()  # released on exit


def test_stale_locks_are_taken_over(serial, tmp_path):
    spec = serial.parent / "tiny.toml"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    reused = {"pid": os.getpid(), "start_time": "1", "host": os.uname().nodename}
    for i, owner in enumerate([{"pid": dead.pid, "host": os.uname().nodename}, reused]):
        out = tmp_path / f"stale{i}"
        out.mkdir()
        (out / LOCK).write_text(json.dumps(owner))
        run_batch(spec, out=out, workers=1, quiet=True)
        same_bytes(serial, out)
        assert not (out / LOCK).exists()
    assert start_time(os.getpid()) not in (None, "1")


@pytest.mark.slow
def test_progress_is_quiet_without_a_terminal(serial, tmp_path):
    proc = cli("batch", str(serial.parent / "tiny.toml"), "--out", str(tmp_path / "q"),
               "--workers", "1")
    assert proc.returncode == 0
    assert "\r" not in proc.stderr and "it/s" not in proc.stderr and "run/s" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == (f"batch tiny: 8 runs -> {tmp_path / 'q'} (runs.csv, timeseries.csv, "
                        "schools.csv, inspections.csv, manifest.json)")
    assert len(lines) == 2 and lines[1].startswith("headline at sweep point 0: weak schools "
                                                   "left behind under self_improving")
    quiet = cli("batch", str(serial.parent / "tiny.toml"), "--out", str(tmp_path / "q2"),
                "--workers", "1", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_shipped_specs_resolve_in_the_model():
    """Every scenario x point of every shipped spec is a valid model configuration."""
    from clustersim import model

    for path in sorted((ROOT / "experiments" / "specs").glob("*.toml")):
        spec = load_spec(path)
        for s in spec.scenarios:
            for point in spec.sweep.generate():
                model.resolve_config(spec.config(s, point))


@pytest.mark.slow
def test_report_of_a_sweep_labels_points_and_draws_the_sweep(serial, tmp_path):
    from clustersim.experiments.analysis.report import make_report

    page = make_report(serial, out=tmp_path).read_text()
    assert "superintendent [seek_rate=0.1]" in page
    assert (tmp_path / "report" / "sweep_seek_rate.png").exists()
    paired = pd.read_csv(tmp_path / "report" / "paired.csv")
    assert sorted(paired[["point"]].drop_duplicates()["point"]) == [0, 1]  # per sweep point


def _sampled_spec(tmp_path: Path, extra: str = "") -> Path:
    spec = tmp_path / "sampled.toml"
    spec.write_text(SPEC.format(years=1, replicates=1).split("[sweep]")[0] + (
        '[sweep]\nmethod = "lhs"\nsamples = 8\nseed = 1\n'
        'ranges = { cluster_min_size = [2, 10], cluster_max_size = [2, 6] }\n' + extra))
    return spec


def test_sampled_points_breaking_model_rules_are_skipped_and_counted(tmp_path, capsys):
    """issue 17 item 4: the project's samplers skip infeasible points and say how many."""
    path = _sampled_spec(tmp_path)
    spec = load_spec(path)
    design = spec.sweep.generate()
    bad = [j for j, p in enumerate(design) if p["cluster_min_size"] > p["cluster_max_size"]]
    assert 0 < len(bad) < len(design)  # the box is part feasible, part not
    assert [j for j, _ in spec.skipped] == bad
    assert spec.n_runs == 2 * (len(design) - len(bad))
    out = run_batch(path, out=tmp_path / "out", workers=1)
    err = capsys.readouterr().err
    assert f"{len(bad)} of {len(design)} sampled points break a model rule" in err
    assert "cluster_min_size must not exceed cluster_max_size" in err
    runs = pd.read_csv(out / "runs.csv")
    kept = sorted(set(range(len(design))) - set(bad))
    assert sorted(runs["point"].unique()) == kept  # the design's own point numbers
    assert (runs["param.cluster_min_size"] <= runs["param.cluster_max_size"]).all()
    manifest = json.loads((out / MANIFEST).read_text())
    assert [s["point"] for s in manifest["sweep"]["skipped"]] == bad
    assert manifest["n_runs"] == len(runs)


def test_sampled_points_breaking_model_rules_can_be_refused(tmp_path):
    path = _sampled_spec(tmp_path, 'infeasible = "error"\n')
    with pytest.raises(UserError, match=r"sweep.infeasible: sampled point \d+ breaks a rule: "
                       r"cluster_min_size must not exceed cluster_max_size"):
        run_batch(path, out=tmp_path / "out", workers=1, quiet=True)
    assert not (tmp_path / "out").exists()
    path.write_text(path.read_text().replace("[2, 10]", "[7, 10]"))  # every point breaks it
    with pytest.raises(UserError, match="every point does: narrow sweep.ranges"):
        load_spec(path)


def test_parquet_outputs_round_trip_to_the_csv_values(serial, tmp_path):
    """issue 17 item 5: format = "parquet" writes the same tables, exactly."""
    from clustersim import load_batch

    spec = tmp_path / "tiny.toml"
    spec.write_text(SPEC.format(years=2, replicates=2) + 'format = "parquet"\n')
    out = run_batch(spec, out=tmp_path / "pq", workers=1, quiet=True)
    names = [n.replace(".csv", ".parquet") for n in CSVS]
    assert sorted(os.listdir(out)) == sorted([*names, MANIFEST, "datapackage.json"])
    for csv_name, pq_name in zip(CSVS, names, strict=True):
        a, b = pd.read_csv(serial / csv_name), pd.read_parquet(out / pq_name)
        assert list(a.columns) == list(b.columns)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=True)
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["param.seek_rate"].dtype == "float64" and runs["run_id"].dtype == "int64"
    package = json.loads((out / "datapackage.json").read_text())
    assert [r["path"] for r in package["resources"]] == names
    assert {r["format"] for r in package["resources"]} == {"parquet"}
    batch = load_batch(out)  # the analysis API reads either format
    pd.testing.assert_frame_equal(batch.runs, load_batch(serial).runs, check_dtype=False)
    assert len(batch.paired("left_behind")) == 2 * 2  # 2 points x 2 replicates


def test_clean_up_removes_only_its_own_exactly_named_temporaries(tmp_path):
    out = tmp_path / "o"
    (out / PARTS).mkdir(parents=True)
    ours = [f"{PARTS}/0000001.json", f"{PARTS}/.0000002.json.partial", ".runs.csv.partial",
            ".schools.csv.partial", ".manifest.json.partial", ".schools.parquet.partial"]
    theirs = [".runs.csv.bak", ".runs.csv.x1y2.tmp", "notes.txt", ".manifest.json.orig",
              f"{PARTS}/1.json", f"{PARTS}/.0000002.json.bak", f"{PARTS}/0000003.json.txt"]
    for name in ours + theirs:
        (out / name).write_text("x")
    clean_temporaries(out)
    assert not any((out / n).exists() for n in ours)
    assert all((out / n).read_text() == "x" for n in theirs)


def test_a_damaged_part_names_the_file_and_how_to_redo_the_run(tmp_path):
    spec = load_spec(make_spec(tmp_path, years=1, replicates=1))
    out = tmp_path / "o"
    for task in tasks(spec):
        write_part(out, execute_run(task))
    (out / PARTS / "0000001.json").write_text('{"index": 1, "runs": [')
    with pytest.raises(UserError, match=r"0000001.json: damaged .*delete it and run the "
                                        r"batch again with --resume"):
        merge(out, spec.n_runs, spec)
    assert not [n for n in os.listdir(out) if n.startswith(".")]  # the merge's temporaries


def test_a_batch_may_run_in_the_folder_that_holds_only_its_spec(tmp_path):
    """(Sensitivity's stages do: OUT/morris/spec.toml is run into OUT/morris.)"""
    folder = tmp_path / "stage"
    folder.mkdir()
    spec = make_spec(folder, years=1, replicates=1)
    text = spec.read_text()
    run_batch(spec, out=folder, workers=1, quiet=True)
    assert spec.read_text() == text
    assert json.loads((folder / MANIFEST).read_text())["command"] == "clustersim batch"


def test_a_parameter_no_policy_reads_is_warned_about_when_the_batch_starts(tmp_path, capsys):
    spec = tmp_path / "unused.toml"
    spec.write_text(SPEC.format(years=1, replicates=1).replace(
        "seek_rate = [0.1, 0.3]", "la_capacity_decline = [0.1, 0.3]"))
    run_batch(spec, out=tmp_path / "o", workers=1, quiet=True)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"warning: {spec}: la_capacity_decline")
