"""A real Dask cluster (scheduler + 2 worker processes on 127.0.0.1) writes the local bytes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clustersim.experiments.batch.engine import run_batch
from clustersim.model.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
CSVS = ("runs.csv", "timeseries.csv", "schools.csv")

SPEC = """
name = "tiny_dask"
preset = "maximising_progress"
years = 2
replicates = 3
root_seed = 3
[[scenarios]]
policies = ["self_improving"]
[[scenarios]]
policies = ["local_authority"]
[outputs]
schools = "weak"
"""


def _load_cluster_script():
    spec = importlib.util.spec_from_file_location("dask_cluster", ROOT / "scripts" /
                                                  "dask_cluster.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


dask_cluster = _load_cluster_script()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with dask_cluster.local_cluster(2, tmp_path_factory.mktemp("dask") / "state") as c:
        yield c
    for pid in [*c.worker_pids, c.scheduler_pid]:
        assert not dask_cluster._alive(pid), f"dask process {pid} still running"


def _listeners(pids: list[int]) -> list[str]:
    """Local addresses on which these processes listen (from ss), e.g. '127.0.0.1:8786'."""
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
    return [line.split()[3] for line in out.splitlines()
            if any(f"pid={pid}," in line for pid in pids)]


@pytest.mark.slow
def test_every_listener_is_on_loopback(cluster):
    if subprocess.run(["which", "ss"], capture_output=True).returncode:
        pytest.skip("ss (iproute2) not installed")
    listeners = _listeners([*cluster.worker_pids, cluster.scheduler_pid])
    assert len(listeners) >= 1 + 2  # the scheduler and each worker at least
    assert all(addr.startswith("127.0.0.1:") for addr in listeners), listeners


@pytest.mark.slow
def test_dask_writes_the_same_bytes_as_serial_and_processes(cluster, tmp_path):
    spec = tmp_path / "tiny_dask.toml"
    spec.write_text(SPEC)
    serial = run_batch(spec, out=tmp_path / "serial", workers=1, quiet=True)
    pool = run_batch(spec, out=tmp_path / "pool", workers=2, quiet=True)
    proc = subprocess.run([sys.executable, "-m", "clustersim", "batch", str(spec),
                           "--out", str(tmp_path / "dask"), "--dask", cluster.address,
                           "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in CSVS:
        data = (serial / name).read_bytes()
        assert data == (pool / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    assert '"executor": "dask(tcp://127.0.0.1:' in (tmp_path / "dask" / "manifest.json"
                                                     ).read_text()


def test_unreachable_scheduler_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setattr("clustersim.experiments.batch.executors.DASK_CONNECT_TIMEOUT", 1.0)
    spec = tmp_path / "tiny_dask.toml"
    spec.write_text(SPEC)
    with pytest.raises(UserError, match="cannot reach a Dask scheduler"):
        run_batch(spec, out=tmp_path / "nowhere", dask="tcp://127.0.0.1:9", quiet=True)
    assert not (tmp_path / "nowhere").exists()  # connected before anything is written
    with pytest.raises(UserError, match="exclude each other"):
        run_batch(spec, out=tmp_path / "both", dask="tcp://127.0.0.1:9", workers=2)


@pytest.mark.slow  # test_unreachable_scheduler_is_a_one_line_error stays in the fast set
def test_unreachable_scheduler_under_sensitivity_writes_nothing(tmp_path, monkeypatch, capsys):
    from clustersim.experiments.cli import main

    monkeypatch.setattr("clustersim.experiments.batch.executors.DASK_CONNECT_TIMEOUT", 1.0)
    spec = ROOT / "experiments" / "specs" / "sensitivity" / "sensitivity_tiny.toml"
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "s"),
                 "--dask", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot reach a Dask scheduler" in err[0]
    assert not (tmp_path / "s").exists()


def test_unparsable_and_empty_addresses_fail_before_anything_is_written(tmp_path):
    spec = tmp_path / "tiny_dask.toml"
    spec.write_text(SPEC)
    for address in ("notanaddress", "", "tcp://127.0.0.1:99999", "http://127.0.0.1:8786"):
        with pytest.raises(UserError, match="is not a scheduler address"):
            run_batch(spec, out=tmp_path / "out", dask=address, quiet=True)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------- the helper's safety


def test_state_folder_must_be_one_the_script_created(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    (theirs / "notes.txt").write_text("mine")
    link = tmp_path / "link"
    link.symlink_to(theirs)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    for folder, why in [(theirs, "did not create it"), (link, "symbolic link"),
                        (shared, "not private")]:
        with pytest.raises(dask_cluster.ClusterError, match=why):
            dask_cluster.start(1, folder)
    assert (theirs / "notes.txt").read_text() == "mine"
    assert sorted(os.listdir(theirs)) == ["notes.txt"]
    ours = dask_cluster.private_dir(tmp_path / "ours")
    assert (ours / dask_cluster.MARKER).is_file()
    assert os.stat(ours).st_mode & 0o777 == 0o700
    assert dask_cluster.private_dir(ours) == ours  # ours: accepted again


def test_a_planted_symlink_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    wd = dask_cluster.private_dir(tmp_path / "state")
    (wd / "scheduler.log").symlink_to(victim)
    with pytest.raises(OSError):
        dask_cluster.start(1, wd, timeout=5)
    assert victim.read_text() == "precious\n"


def test_stop_kills_only_this_clusters_processes(tmp_path):
    """A PID planted in cluster.json (an unrelated process) is left running."""
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        wd = dask_cluster.private_dir(tmp_path / "state")
        (wd / dask_cluster.STATE).write_text(json.dumps({
            "address": "tcp://127.0.0.1:1", "scheduler_pid": bystander.pid,
            "worker_pids": [bystander.pid], "workdir": str(wd)}))
        res = subprocess.run([sys.executable, str(ROOT / "scripts" / "dask_cluster.py"),
                              "stop", "--dir", str(wd)], capture_output=True, text=True,
                             timeout=60)
        assert res.returncode == 0, res.stderr
        assert f"left alone PID {bystander.pid}" in res.stderr
        assert bystander.poll() is None  # still running
    finally:
        bystander.kill()
        bystander.wait()


@pytest.mark.slow
def test_readme_example_works_with_plain_python(tmp_path):
    """`python scripts/dask_cluster.py start` (the README's words), default folder; a
    python without dask hands over to the checkout's .venv."""
    python = shutil.which("python") or shutil.which("python3")
    if python is None:
        pytest.skip("no `python` on PATH")
    env = {**os.environ, "HOME": str(tmp_path)}  # the default folder is under ~/.cache
    script = str(ROOT / "scripts" / "dask_cluster.py")
    started = subprocess.run([python, script, "start", "--workers", "1"], capture_output=True,
                             text=True, env=env, cwd=ROOT, timeout=120)
    try:
        assert started.returncode == 0, started.stderr
        assert started.stdout.strip().startswith("tcp://127.0.0.1:")
        state = json.loads((tmp_path / ".cache/clustersim/dask/cluster.json").read_text())
    finally:
        stopped = subprocess.run([python, script, "stop"], capture_output=True, text=True,
                                 env=env, cwd=ROOT, timeout=120)
    assert stopped.returncode == 0, stopped.stderr
    for pid in [state["scheduler_pid"], *state["worker_pids"]]:
        assert not dask_cluster._alive(pid)
