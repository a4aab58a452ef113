"""Start and stop a local Dask cluster (one scheduler, N workers) on 127.0.0.1, by PID.

Every listener, dashboards included, is bound to 127.0.0.1 (``--no-dashboard`` alone
left a worker listening on 0.0.0.0, STACK.md). Workers run without a nanny, so each
worker is one process whose PID we hold; they are stopped before the scheduler, each
with SIGTERM, a timeout, then SIGKILL. The repository root is put on ``PYTHONPATH`` so
workers can import ``experiments`` and ``model`` even without an installed package.

Usage::

    python scripts/dask_cluster.py start --workers 2 --dir /tmp/dask   # prints the address
    clustersim batch experiments/specs/policy_comparison.toml --dask tcp://127.0.0.1:PORT
    python scripts/dask_cluster.py stop --dir /tmp/dask

From Python (the tests)::

    with local_cluster(2) as cluster:
        ... cluster.address ...
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STATE = "cluster.json"


@dataclass
class DaskCluster:
    """A running local cluster: its address, PIDs and working folder."""

    address: str
    scheduler_pid: int
    worker_pids: list[int] = field(default_factory=list)
    workdir: str = ""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as fh:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=fh, stderr=fh,
                                stdin=subprocess.DEVNULL, env=_env(), cwd=log.parent,
                                start_new_session=True)


def _wait_for_file(path: Path, proc: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {proc.returncode}; see {path.parent}")
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.05)
    raise TimeoutError(f"dask scheduler did not write {path} within {timeout:g} s")


def _wait_for_workers(address: str, n: int, timeout: float) -> None:
    from distributed import Client

    with Client(address, timeout=timeout) as client:
        client.wait_for_workers(n, timeout=timeout)


def start(n_workers: int = 2, workdir: str | os.PathLike | None = None,
          timeout: float = 60.0) -> DaskCluster:
    """Start a scheduler and ``n_workers`` single-threaded workers; return once all joined."""
    wd = Path(workdir or tempfile.mkdtemp(prefix="clustersim-dask-"))
    wd.mkdir(parents=True, exist_ok=True)
    sched_file = wd / "scheduler.json"
    sched_file.unlink(missing_ok=True)
    sched = _spawn(["scheduler", "--host", HOST, "--port", "0",
                    "--dashboard-address", f"{HOST}:0", "--scheduler-file", str(sched_file),
                    "--no-show"], wd / "scheduler.log")
    cluster = DaskCluster(address="", scheduler_pid=sched.pid, workdir=str(wd))
    try:
        cluster.address = _wait_for_file(sched_file, sched, timeout)["address"]
        for i in range(n_workers):
            w = _spawn(["worker", cluster.address, "--host", HOST, "--nthreads", "1",
                        "--no-nanny", "--dashboard-address", f"{HOST}:0",
                        "--name", f"worker-{i}", "--memory-limit", "0",
                        "--local-directory", str(wd / f"worker-{i}")], wd / f"worker-{i}.log")
            cluster.worker_pids.append(w.pid)
        (wd / STATE).write_text(json.dumps(asdict(cluster), indent=2))
        _wait_for_workers(cluster.address, n_workers, timeout)
    except BaseException:
        stop(cluster)
        raise
    return cluster


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # reap it if it is our child
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:  # a zombie waiting for someone else to reap it has exited
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _alive(pid):
        time.sleep(0.02)


def stop(cluster: DaskCluster, timeout: float = 10.0) -> None:
    """Stop the workers first, then the scheduler (each: SIGTERM, timeout, SIGKILL)."""
    for pid in cluster.worker_pids:
        _terminate(pid, timeout)
    _terminate(cluster.scheduler_pid, timeout)
    if cluster.workdir:
        (Path(cluster.workdir) / STATE).unlink(missing_ok=True)


@contextmanager
def local_cluster(n_workers: int = 2, workdir: str | os.PathLike | None = None):
    """``with local_cluster(2) as c: ... c.address``; always stopped on exit."""
    cluster = start(n_workers, workdir)
    try:
        yield cluster
    finally:
        stop(cluster)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("start", "stop"))
    ap.add_argument("--workers", type=int, default=2, help="worker processes (start)")
    ap.add_argument("--dir", required=True, help="folder for logs and the PID file")
    args = ap.parse_args(argv)
    if args.action == "start":
        print(start(args.workers, args.dir).address)
        return 0
    state = Path(args.dir) / STATE
    if not state.exists():
        print(f"no running cluster recorded in {state}", file=sys.stderr)
        return 1
    stop(DaskCluster(**json.loads(state.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
