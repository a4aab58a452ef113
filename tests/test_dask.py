"""A real Dask cluster (scheduler + 2 worker processes on 127.0.0.1) writes the local bytes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.batch import run_batch
from model.errors import UserError

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
    with dask_cluster.local_cluster(2, tmp_path_factory.mktemp("dask")) as c:
        yield c
    for pid in [*c.worker_pids, c.scheduler_pid]:
        assert not dask_cluster._alive(pid), f"dask process {pid} still running"


def _listeners(pids: list[int]) -> list[str]:
    """Local addresses on which these processes listen (from ss), e.g. '127.0.0.1:8786'."""
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
    return [line.split()[3] for line in out.splitlines()
            if any(f"pid={pid}," in line for pid in pids)]


def test_every_listener_is_on_loopback(cluster):
    if subprocess.run(["which", "ss"], capture_output=True).returncode:
        pytest.skip("ss (iproute2) not installed")
    listeners = _listeners([*cluster.worker_pids, cluster.scheduler_pid])
    assert len(listeners) >= 1 + 2  # the scheduler and each worker at least
    assert all(addr.startswith("127.0.0.1:") for addr in listeners), listeners


def test_dask_writes_the_same_bytes_as_serial_and_processes(cluster, tmp_path):
    spec = tmp_path / "tiny_dask.toml"
    spec.write_text(SPEC)
    serial = run_batch(spec, out=tmp_path / "serial", workers=1, quiet=True)
    pool = run_batch(spec, out=tmp_path / "pool", workers=2, quiet=True)
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "batch", str(spec),
                           "--out", str(tmp_path / "dask"), "--dask", cluster.address,
                           "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in CSVS:
        data = (serial / name).read_bytes()
        assert data == (pool / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    assert '"executor": "dask(tcp://127.0.0.1:' in (tmp_path / "dask" / "manifest.json"
                                                     ).read_text()


def test_unreachable_scheduler_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setattr("experiments.executors.DASK_CONNECT_TIMEOUT", 1.0)
    spec = tmp_path / "tiny_dask.toml"
    spec.write_text(SPEC)
    with pytest.raises(UserError, match="cannot reach a Dask scheduler"):
        run_batch(spec, out=tmp_path / "nowhere", dask="tcp://127.0.0.1:9", quiet=True)
    with pytest.raises(UserError, match="exclude each other"):
        run_batch(spec, out=tmp_path / "both", dask="tcp://127.0.0.1:9", workers=2)
