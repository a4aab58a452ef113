"""Start and stop a local Dask cluster (one scheduler, N workers) on 127.0.0.1, by PID.

Every listener, dashboards included, is bound to 127.0.0.1 (``--no-dashboard`` alone
left a worker listening on 0.0.0.0). Workers run without a nanny, so each
worker is one process whose PID we hold; they are stopped before the scheduler, each
with SIGTERM, a timeout, then SIGKILL. The repository root is put on ``PYTHONPATH`` so
workers can import ``experiments`` and ``model`` even without an installed package.

Usage (any ``python``: one that cannot import dask hands over to the checkout's
``.venv/bin/python``)::

    python scripts/dask_cluster.py start --workers 2    # prints the address
    clustersim batch experiments/specs/policy_comparison.toml --dask tcp://127.0.0.1:PORT
    python scripts/dask_cluster.py stop

State. Logs, the scheduler file and ``cluster.json`` (address, PIDs) live in a private
folder the script creates itself (mode 0700, marked as its own): ``--dir`` or, by
default, ``~/.cache/clustersim/dask``. An existing folder it did not create, one that is a
symbolic link, or one other users can enter is refused; files in it are opened with
``O_NOFOLLOW``. ``stop`` kills a PID only when its command line is this cluster's dask
process (``dask scheduler``/``dask worker`` naming the state folder) and its start time
is the recorded one, so a planted or recycled PID is left alone.

From Python (the tests)::

    with local_cluster(2) as cluster:
        ... cluster.address ...
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import stat
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
MARKER = ".clustersim-dask"  # written when the script creates the folder
DEFAULT_DIR = Path("~/.cache/clustersim/dask")
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
HANDOVER = "CLUSTERSIM_DASK_HANDOVER"


class ClusterError(RuntimeError):
    """A refusal the command line prints in one line (exit status 2)."""


@dataclass
class DaskCluster:
    """A running local cluster: its address, PIDs (with start times) and state folder."""

    address: str
    scheduler_pid: int
    worker_pids: list[int] = field(default_factory=list)
    workdir: str = ""
    start_times: dict[str, str] = field(default_factory=dict)  # str(pid) -> /proc start


# ------------------------------------------------------------------- the private folder


def private_dir(path: str | os.PathLike | None, create: bool = True) -> Path:
    """The state folder, created here (0700, with our marker) or checked to be ours."""
    wd = Path(os.path.expanduser(os.fspath(path))) if path else \
        Path(tempfile.mkdtemp(prefix="clustersim-dask-"))
    if not wd.is_symlink() and not wd.exists():
        if not create:
            raise ClusterError(f"{wd}: no such folder; nothing was started there")
        wd.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(wd, 0o700)
    info = os.lstat(wd)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ClusterError(f"{wd}: not a folder (a symbolic link or a file); give --dir a "
                           "new folder")
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ClusterError(f"{wd}: not private (owned by uid {info.st_uid}, mode "
                           f"{stat.S_IMODE(info.st_mode):o}); give --dir a new folder")
    marker = wd / MARKER
    if not os.listdir(wd):  # new (or empty and private): claim it
        _write(marker, "created by scripts/dask_cluster.py\n", exclusive=True)
    elif not marker.is_file() or marker.is_symlink():
        raise ClusterError(f"{wd}: this script did not create it (no {MARKER}); give --dir a "
                           "new folder")
    return wd


def _open(path: Path, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)


def _write(path: Path, text: str, exclusive: bool = False) -> None:
    """Write a file without following a symbolic link planted at its name."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    with os.fdopen(_open(path, flags), "w") as fh:
        fh.write(text)


def _read_state(wd: Path) -> DaskCluster | None:
    try:
        with os.fdopen(_open(wd / STATE, os.O_RDONLY)) as fh:
            data = json.load(fh)
        return DaskCluster(**data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterError(f"{wd / STATE}: unreadable ({exc}); stop the processes by hand "
                           "and delete it") from None


# ------------------------------------------------------------------- processes


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    fd = _open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    with os.fdopen(fd, "ab") as fh:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=fh, stderr=fh,
                                stdin=subprocess.DEVNULL, env=_env(), cwd=log.parent,
                                start_new_session=True)


def _wait_for_file(path: Path, proc: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {proc.returncode}; see {path.parent}")
        try:
            with os.fdopen(_open(path, os.O_RDONLY)) as fh:
                return json.load(fh)
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.05)
    raise TimeoutError(f"dask scheduler did not write {path} within {timeout:g} s")


def _wait_for_workers(address: str, n: int, timeout: float) -> None:
    from distributed import Client

    with Client(address, timeout=timeout) as client:
        client.wait_for_workers(n, timeout=timeout)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell PID reuse."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def is_ours(cluster: DaskCluster, pid: int) -> bool:
    """True if ``pid`` is this cluster's dask scheduler or worker, started when recorded."""
    args = _cmdline(pid)
    if "dask" not in args or not ({"scheduler", "worker"} & set(args)):
        return False
    wd = cluster.workdir.rstrip("/")
    if not wd or not any(a == wd or a.startswith(wd + "/") for a in args):
        return False
    recorded = cluster.start_times.get(str(pid)) or None
    return recorded is None or recorded == _start_time(pid)


def start(n_workers: int = 2, workdir: str | os.PathLike | None = None,
          timeout: float = 60.0) -> DaskCluster:
    """Start a scheduler and ``n_workers`` single-threaded workers; return once all joined."""
    if n_workers < 1:
        raise ClusterError(f"--workers: {n_workers} is not allowed; expected an integer >= 1")
    wd = private_dir(workdir)
    running = _read_state(wd)
    if running and any(_alive(p) and is_ours(running, p)
                       for p in [running.scheduler_pid, *running.worker_pids]):
        raise ClusterError(f"{wd}: a cluster is already running at {running.address}; stop it "
                           "first (stop --dir)")
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
        cluster.start_times = {str(p): _start_time(p) or ""
                               for p in [cluster.scheduler_pid, *cluster.worker_pids]}
        _write(wd / STATE, json.dumps(asdict(cluster), indent=2))
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


def stop(cluster: DaskCluster, timeout: float = 10.0) -> list[int]:
    """Stop the workers first, then the scheduler (each: SIGTERM, timeout, SIGKILL); return
    the PIDs left alone because they are not this cluster's processes."""
    spared = []
    for pid in [*cluster.worker_pids, cluster.scheduler_pid]:
        if not _alive(pid):
            continue
        if is_ours(cluster, pid):
            _terminate(pid, timeout)
        else:
            spared.append(pid)
    if cluster.workdir:
        (Path(cluster.workdir) / STATE).unlink(missing_ok=True)
    return spared


@contextmanager
def local_cluster(n_workers: int = 2, workdir: str | os.PathLike | None = None):
    """``with local_cluster(2) as c: ... c.address``; always stopped on exit."""
    cluster = start(n_workers, workdir)
    try:
        yield cluster
    finally:
        stop(cluster)


# ------------------------------------------------------------------- the command line


def _ensure_dask() -> None:
    """Hand over to the checkout's virtual environment when this python lacks dask."""
    if importlib.util.find_spec("distributed") is not None:
        return
    if VENV_PYTHON.exists() and not os.environ.get(HANDOVER):  # once: never a loop
        os.environ[HANDOVER] = "1"
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.stderr.write(f"dask_cluster: {sys.executable} cannot import dask; run this script "
                     f"with {VENV_PYTHON} (`make venv` builds it)\n")
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("start", "stop"))
    ap.add_argument("--workers", type=int, default=2, help="worker processes (start)")
    ap.add_argument("--dir", default=str(DEFAULT_DIR),
                    help=f"private folder for logs and PIDs (default: {DEFAULT_DIR})")
    args = ap.parse_args(argv)
    try:
        if args.action == "start":
            _ensure_dask()
            print(start(args.workers, args.dir).address)
            return 0
        wd = private_dir(args.dir, create=False)
        cluster = _read_state(wd)
        if cluster is None:
            print(f"no running cluster recorded in {wd / STATE}", file=sys.stderr)
            return 1
        cluster.workdir = str(wd)  # the PIDs must name this folder, whatever the file says
        spared = stop(cluster)
        if spared:
            print(f"left alone PID {', '.join(map(str, spared))}: not this cluster's dask "
                  "processes", file=sys.stderr)
        return 0
    except ClusterError as exc:
        print(f"dask_cluster: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
