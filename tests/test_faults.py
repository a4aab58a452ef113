"""A hostile environment: kill -9 at several points, SIGTERM/SIGHUP, two batches at once,
stale locks, a full disk, and the user's own files in the output folder.

Every interrupted batch must resume (``--resume``) to exactly the bytes of an
uninterrupted one, leave nothing behind but its outputs, and touch no file it did not
create. The full-disk cases mount a small tmpfs, so they need root (skipped otherwise)
and always unmount.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clustersim.experiments.batch.engine import run_batch
from clustersim.experiments.batch.lock import LOCK
from clustersim.experiments.batch.store import MANIFEST, PARTS
from clustersim.model.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
CSVS = ("runs.csv", "timeseries.csv", "schools.csv", "inspections.csv")

SPEC = """\
name = "faults"
preset = "maximising_progress"
years = {years}
replicates = {replicates}
root_seed = 5
[[scenarios]]
policies = ["self_improving"]
[[scenarios]]
policies = ["superintendent"]
[outputs]
schools = "all"
"""
LONG = {"years": 1, "replicates": 12}  # 24 runs, a second or two: time to interrupt it
SHORT = {"years": 1, "replicates": 2}  # 4 runs


def spec_file(folder: Path, size: dict) -> Path:
    path = folder / f"faults_{size['replicates']}.toml"
    path.write_text(SPEC.format(**size))
    return path


def n_runs(size: dict) -> int:
    return 2 * size["replicates"]


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    """The specs and their uninterrupted reference batches (serial)."""
    folder = tmp_path_factory.mktemp("reference")
    out = {}
    for name, size in (("long", LONG), ("short", SHORT)):
        path = spec_file(folder, size)
        out[name] = (path, run_batch(path, out=folder / name, workers=1, quiet=True),
                     n_runs(size))
    return out


def same_as(reference: Path, out: Path, extra: set[str] = frozenset()) -> None:
    """The same CSV bytes, and nothing left behind but the outputs (and ``extra``)."""
    for name in CSVS:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert set(os.listdir(out)) == set(os.listdir(reference)) | set(extra)
    m = json.loads((out / MANIFEST).read_text())
    assert m["completed"] is True and m["runs_done"] == m["n_runs"]


def start(spec: Path, out: Path, *args: str) -> subprocess.Popen:
    """A batch in a process group of its own (so a group signal reaches its workers)."""
    return subprocess.Popen([sys.executable, "-m", "clustersim", "batch", str(spec),
                             "--out", str(out), "--quiet", *args], cwd=ROOT,
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def parts(out: Path) -> int:
    try:
        return sum(1 for n in os.listdir(out / PARTS) if n.endswith(".json")
                   and not n.startswith("."))
    except FileNotFoundError:
        return 0


def wait_for(condition, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the batch ended early: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def resume(spec: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clustersim", "batch", str(spec),
                           "--out", str(out), "--resume", "--quiet", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def children(pid: int) -> list[int]:
    try:
        return [int(c) for t in os.listdir(f"/proc/{pid}/task")
                for c in Path(f"/proc/{pid}/task/{t}/children").read_text().split()]
    except OSError:
        return []


def gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------- kill -9


@pytest.fixture(scope="module")
def killed(specs, tmp_path_factory) -> Path:
    """A long batch killed -9 (with its workers) after its first few runs."""
    spec, _, total = specs["long"]
    out = tmp_path_factory.mktemp("killed") / "out"
    proc = start(spec, out, "--workers", "2")
    wait_for(lambda: parts(out) >= 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 3 <= parts(out) < total and not (out / "runs.csv").exists()
    return out


def _as_killed(w: Path) -> None:
    pass


def _in_a_part_write(w: Path) -> None:
    # the kill may itself have left a part half-written (".NNNNNNN.json.partial"): count
    # only the finished parts
    done = {int(p[:7]) for p in os.listdir(w / PARTS) if not p.startswith(".")}
    missing = min(set(range(1000)) - done)
    (w / PARTS / f".{missing:07d}.json.partial").write_text('{"index": ')


def _in_the_merge(w: Path) -> None:
    for name in CSVS:
        (w / f".{name}.partial").write_text("run_id,scen")


def _in_a_manifest_write(w: Path) -> None:
    (w / f".{MANIFEST}.partial").write_text('{"name": "fau')


def _after_a_stale_merge(w: Path) -> None:
    for name in CSVS:  # files of an earlier merge: ours (the manifest lists them), replaced
        (w / name).write_text("stale\n")


@pytest.mark.parametrize("point", [_as_killed, *(pytest.param(f, marks=pytest.mark.slow) for f
                                               in (_in_a_part_write, _in_the_merge,
                                                   _in_a_manifest_write, _after_a_stale_merge))],
                         ids=["mid-run", "in-a-part-write", "in-the-merge",
                              "in-a-manifest-write", "after-a-stale-merge"])
def test_kill_9_then_resume_gives_the_uninterrupted_bytes(specs, killed, tmp_path, point):
    """The files a batch killed at each point leaves (its exactly named temporary files
    included) resume to the reference, and the temporaries are cleaned away."""
    spec, reference, _ = specs["long"]
    out = tmp_path / "out"
    shutil.copytree(killed, out)
    point(out)
    with pytest.raises(UserError, match="an unfinished batch .* use --resume"):
        run_batch(spec, out=out, workers=1, quiet=True)
    run_batch(spec, out=out, workers=1, resume=True, quiet=True)
    same_as(reference, out)


@pytest.mark.parametrize("state", ["empty folder", "lock only"])
def test_killed_before_the_manifest_starts_again(specs, tmp_path, state):
    """Killed between mkdir and the lock, or between the lock and the manifest."""
    spec, reference, _ = specs["short"]
    out = tmp_path / "out"
    out.mkdir()
    if state == "lock only":
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        (out / LOCK).write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename}))
    run_batch(spec, out=out, workers=1, quiet=True)
    same_as(reference, out)


@pytest.mark.slow
def test_kill_9_late_in_the_batch(specs, tmp_path):
    spec, reference, total = specs["long"]
    out = tmp_path / "out"
    proc = start(spec, out, "--workers", "2")
    wait_for(lambda: parts(out) >= total - 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = resume(spec, out, "--workers", "2")
    assert done.returncode == 0, done.stderr
    same_as(reference, out)


# ------------------------------------------------------------------- signals


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", pytest.param("SIGHUP", marks=pytest.mark.slow),
                                 pytest.param("SIGTERM to the group",
                                              marks=pytest.mark.slow)])
def test_a_signal_ends_the_batch_like_ctrl_c(specs, tmp_path, how):
    """Workers stopped, lock released, one line naming what was kept, then resumable."""
    spec, reference, total = specs["long"]
    out = tmp_path / "out"
    proc = start(spec, out, "--workers", "2")
    wait_for(lambda: parts(out) >= 2 and len(children(proc.pid)) >= 2, proc)
    workers = children(proc.pid)
    sig = signal.SIGHUP if how == "SIGHUP" else signal.SIGTERM
    if how.endswith("group"):
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    name = "SIGHUP" if how == "SIGHUP" else "SIGTERM"
    assert proc.returncode == 128 + sig, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"stopped by {name}" in lines[0] and "runs kept" in lines[0]
    assert f"--out {out} --resume" in lines[0]
    assert not (out / LOCK).exists()
    assert all(gone(w) for w in workers), "a worker outlived the batch"
    kept = parts(out)
    assert 2 <= kept < total and f"{kept} of {total} runs kept" in lines[0]
    done = resume(spec, out, "--workers", "2")
    assert done.returncode == 0, done.stderr
    same_as(reference, out)


# ------------------------------------------------------------------- locks


@pytest.mark.slow
def test_two_batches_at_once(specs, tmp_path):
    """The second is refused in one line; the first finishes with the reference bytes.
    (The first is paused while the second tries, so the two surely overlap.)"""
    spec, reference, _ = specs["long"]
    out = tmp_path / "out"
    first = start(spec, out, "--workers", "1")
    wait_for(lambda: parts(out) >= 1, first)
    os.killpg(first.pid, signal.SIGSTOP)
    try:
        second = subprocess.run([sys.executable, "-m", "clustersim", "batch", str(spec),
                                 "--out", str(out), "--resume", "--quiet"], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    assert second.returncode == 2
    assert len(second.stderr.strip().splitlines()) == 1
    assert f"another batch is writing here (PID {first.pid}" in second.stderr
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    same_as(reference, out)


@pytest.mark.parametrize("lock", ["dead pid", "recycled pid", "garbage, old"])
def test_a_stale_lock_is_taken_over(specs, tmp_path, lock):
    spec, reference, _ = specs["short"]
    out = tmp_path / "out"
    out.mkdir()
    if lock == "dead pid":
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        (out / LOCK).write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename}))
    elif lock == "recycled pid":  # a live PID that started at another time: not the owner
        (out / LOCK).write_text(json.dumps({"pid": os.getpid(), "start_time": "1",
                                            "host": os.uname().nodename}))
    else:  # a lock file cut off while being written, long ago
        (out / LOCK).write_text('{"pid": 12')
        os.utime(out / LOCK, (time.time() - 60, time.time() - 60))
    run_batch(spec, out=out, workers=1, quiet=True)
    same_as(reference, out)


# ------------------------------------------------------------------- the user's files


def test_user_files_in_a_batch_folder_are_untouched(specs, killed, tmp_path):
    """Files the user adds to a batch folder (look-alikes of ours included) survive a
    resume and its clean-up byte for byte."""
    spec, reference, _ = specs["long"]
    out = tmp_path / "out"
    shutil.copytree(killed, out)
    mine = {"notes.txt": b"my notes\n", ".runs.csv.bak": b"backup\n",
            ".runs.csv.old": b"old\n", ".manifest.json.orig": b"{}\n"}
    for name, data in mine.items():
        (out / name).write_bytes(data)
    (out / PARTS / "README").write_bytes(b"mine too\n")
    run_batch(spec, out=out, workers=1, resume=True, quiet=True)
    same_as(reference, out, extra={*mine, PARTS})
    for name, data in mine.items():
        assert (out / name).read_bytes() == data
    assert os.listdir(out / PARTS) == ["README"]  # our parts gone, the user's file kept


# ------------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path):
    """mount(size) mounts a tmpfs of that many KiB (root only); always unmounted."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    mounted = []

    def mount(kib: int) -> Path:
        opts = f"size={kib}k"
        cmd = ["mount", "-o", f"remount,{opts}", str(mnt)] if mounted else \
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mnt)]
        if subprocess.run(cmd, capture_output=True).returncode:
            pytest.skip("cannot mount a tmpfs here")
        mounted.append(kib)
        return mnt

    try:
        yield mount
    finally:
        if mounted:
            subprocess.run(["umount", str(mnt)], check=False)


def _csv_bytes(reference: Path) -> int:
    return sum((reference / n).stat().st_size for n in CSVS)


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["parts", "merge"])
def test_a_full_disk_is_one_line_and_resumable(specs, small_disk, stage):
    spec, reference, total = specs["long"]
    csv_kib = _csv_bytes(reference) // 1024
    # parts take about the CSVs' size; the merge needs as much again
    disk = small_disk(csv_kib // 3 if stage == "parts" else csv_kib * 3 // 2)
    out = disk / "out"
    res = subprocess.run([sys.executable, "-m", "clustersim", "batch", str(spec),
                          "--out", str(out), "--workers", "1", "--quiet"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    kept = parts(out)
    assert "disk full" in lines[0] and "free space and use --resume" in lines[0]
    assert f"{kept} of {total} runs are kept" in lines[0]
    if stage == "parts":
        assert 0 < kept < total and f"{out / PARTS}/" in lines[0]
    else:
        assert kept == total and any(f"{out / n}:" in lines[0] for n in CSVS), lines[0]
    assert not (out / LOCK).exists()
    assert not [n for n in os.listdir(out) if n.endswith(".partial")]  # no temporaries
    small_disk(csv_kib * 4)  # space freed
    done = resume(spec, out, "--workers", "1")
    assert done.returncode == 0, done.stderr
    same_as(reference, out)


@pytest.mark.slow
def test_a_full_disk_under_run_is_one_line(small_disk):
    disk = small_disk(16)
    res = subprocess.run([sys.executable, "-m", "clustersim", "run", "--preset",
                          "maximising_progress", "--years", "1", "--out", str(disk / "o")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "disk full (No space left on device)" in lines[0] and str(disk / "o") in lines[0]
    leftovers = [n for n in os.listdir(disk / "o") if n.startswith(".")]
    assert leftovers == []  # a failed atomic write leaves no temporary file
