"""Run a spec's batch: common random numbers, streamed atomic results, resume and a lock.

Layout of an output folder::

    manifest.json    spec copy and sha256, resolved scenarios, seeds, versions, timings,
                     completed flag (written at the start, updated at the end)
    runs.csv         one row per run: run_id, scenario, policies, point, replicate, seed,
                     every parameter, every outcome
    timeseries.csv   one row per run and term: run_id, scenario, point, replicate, term, ...
    schools.csv      one row per run and school (all schools, or weak ones only; optional)
    inspections.csv  one row per inspection of those schools: run keys, school, term, grade
    parts/           while running: one JSON file per finished run, written atomically
    .lock            while running: the PID that owns the folder

Runs are numbered in a fixed order (scenario, then sweep point, then replicate); workers
take them replicate-major, the scenarios of one replicate together so that they share
one built world (`task_groups`), and each finished run is written to
``parts/NNNNNNN.json`` in one atomic rename, whatever the executor and whatever order
runs finish in. At the end the parts are merged in run order,
streaming, into the CSVs, so serial, process-pool and Dask batches write the same bytes,
and a batch killed at any moment resumes (``--resume``) to exactly those files.
"""

from __future__ import annotations

import contextvars
import sys
import time
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

from clustersim.experiments.batch.design import SAMPLED
from clustersim.experiments.batch.executors import Task, execute_group
from clustersim.experiments.batch.lock import LOCK, BatchLock, now
from clustersim.experiments.batch.spec import Spec, load_spec
from clustersim.experiments.batch.store import (
    MANIFEST,
    OUTPUTS,
    PARTS,
    TMP,
    clean_temporaries,
    done_indices,
    merge,
    write_part,
)
from clustersim.experiments.shared import io, outputs
from clustersim.experiments.shared.stopping import Interrupted, StopOnSignals
from clustersim.model.config import broken_constraint
from clustersim.model.errors import UserError

# set by a command that runs batches through other code (sensitivity's stages): its
# --max-runs, and whether to warn about parameters no policy reads (a screen covers all)
_OPTIONS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("batch_options",
                                                                     default=None)


def tasks(spec: Spec, skip: set[int] | frozenset = frozenset()):
    """Yield the batch's runs in run order, leaving out indices in ``skip``."""
    seeds, points = spec.replicate_seeds(), spec.points
    index = 0
    for scenario in spec.scenarios:
        for p, point in points:
            config = spec.config(scenario, point)
            for r, seed in enumerate(seeds):
                if index not in skip:
                    yield Task(index, scenario.label, p, r, seed, config, spec.timeseries,
                               spec.schools)
                index += 1


def task_groups(spec: Spec, skip: set[int] | frozenset = frozenset()):
    """The batch's runs in groups that share a built world: for each sweep point and
    replicate (replicate-major), the scenarios whose configurations differ only in their
    policies and years, in run order. A worker runs a group in turn, building the region
    and its burn-in once (`executors.execute_group`); each run's result, and so every
    CSV (merged in run order), is the same as running it alone."""
    groups: dict[tuple, list[Task]] = {}
    for task in tasks(spec, skip):
        shared = {k: v for k, v in task.config.items() if k not in ("policies", "years")}
        key = (task.point, task.replicate, repr(sorted(shared.items(), key=lambda kv: kv[0])))
        groups.setdefault(key, []).append(task)
    yield from sorted(groups.values(), key=lambda g: (g[0].point, g[0].replicate, g[0].index))


# ------------------------------------------------------------------- the manifest


def new_manifest(spec: Spec, executor: str) -> dict[str, Any]:
    from clustersim import model

    scenarios = [{**asdict(s), "resolved": model.resolve_config(spec.config(s, {}))}
                 for s in spec.scenarios]
    sweep = {"method": spec.sweep.method, "params": list(spec.sweep.names),
             "points": spec.sweep.generate()}
    if spec.sweep.method in SAMPLED:
        sweep.update(samples=spec.sweep.samples, seed=spec.sweep.seed,
                     ranges=spec.sweep.ranges, second_order=spec.sweep.second_order,
                     infeasible=spec.sweep.infeasible,
                     skipped=[{"point": j, "rule": rule} for j, rule in spec.skipped])
    return {
        "command": "clustersim batch",
        "name": spec.name, "description": spec.description, "spec_path": spec.path,
        "spec_sha256": spec.sha256, "spec_text": spec.text,
        "preset": spec.preset, "years": spec.years, "baseline": spec.baseline,
        "n_runs": spec.n_runs, "replicates": spec.replicates, "root_seed": spec.root_seed,
        "replicate_seeds": spec.replicate_seeds(), "scenarios": scenarios, "sweep": sweep,
        "outputs": {"timeseries": spec.timeseries, "schools": spec.schools,
                    "format": spec.format},
        "versions": io.versions(), "git_commit": io.git_commit(),
        "timings": {"started": now(), "sessions": []}, "runs_done": 0, "completed": False,
        "executor": executor,
    }


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    io.write_json(out / MANIFEST, manifest, tmp_name=f".{MANIFEST}{TMP}")


def _tolerated(out: Path, spec: Spec) -> set[str]:
    """Entries that leave a folder "empty" for a batch: a stale lock, the spec being run."""
    names = {LOCK}
    spec_file = Path(spec.path)
    if spec_file.parent.resolve() == out.resolve():
        names.add(spec_file.name)
    return names


def _check_folder(out: Path, spec: Spec, resume: bool) -> dict[str, Any] | None:
    """The output-folder rule for a batch (experiments.outputs), then resume's rules: the
    folder's manifest if it holds this batch, None if new or empty. Writes nothing."""
    kept = len(done_indices(out))
    recover = (f"{kept} finished runs are kept in {PARTS}/; " if kept else "") + (
        "restore it, or run the batch into another --out (the same spec gives the same files)")
    old = outputs.claim(out, "batch", tolerate=_tolerated(out, spec), recover=recover)
    if old is None:
        if (out / PARTS).exists():
            raise UserError(f"{out}: holds {PARTS}/ but no {MANIFEST}; delete the folder or "
                            "use another --out")
        return None
    done = len(done_indices(out))
    state = "a completed batch" if old.get("completed") is True else (
        f"an unfinished batch ({done} of {old.get('n_runs')} runs done)")
    if not resume:
        hint = "use --resume to continue it, " if old.get("completed") is not True else ""
        raise UserError(f"{out}: already holds {state} of {old.get('name')!r}; "
                        f"{hint}choose another --out or delete the folder")
    if old.get("spec_sha256") != spec.sha256:
        was = old.get("spec_sha256")
        raise UserError(f"{out}: cannot resume: {spec.path} changed since the batch "
                        f"started (sha256 {str(was)[:12] if was else '?'}… vs "
                        f"{spec.sha256[:12]}…); use another --out")
    if not isinstance(old.get("timings"), dict) or \
            not isinstance(old["timings"].get("sessions"), list):
        raise UserError(f"{out / MANIFEST}: damaged (no timings.sessions list); {recover}")
    return old


def _prepare(out: Path, spec: Spec, resume: bool, executor: str) -> dict[str, Any]:
    """Check the folder again under the lock and return the manifest to continue or start."""
    old = _check_folder(out, spec, resume)
    if old is not None:
        return old
    manifest = new_manifest(spec, executor)
    _write_manifest(out, manifest)
    return manifest


# ------------------------------------------------------------------- the batch


@contextmanager
def batch_options(max_runs: int | None = None, warn_unused: bool = True):
    """Batches started inside the block may have up to ``max_runs`` runs (--max-runs) and
    warn (or not) about parameters that no policy of their scenario reads."""
    token = _OPTIONS.set({"max_runs": max_runs, "warn_unused": warn_unused})
    try:
        yield
    finally:
        _OPTIONS.reset(token)


def run_batch(spec_path: str | Path, out: str | Path | None = None, workers: int | None = None,
              dask: str | None = None, resume: bool = False, quiet: bool = False,
              max_runs: int | None = None) -> Path:
    """Run (or continue) a spec's batch into ``out``; return the folder.

    Everything that can be refused is checked before anything is written: the spec (its
    size against ``max_runs``, default `model.limits.MAX_RUNS`), every scenario x point in
    the model, the output folder (`experiments.outputs`), the workers, and the Dask
    scheduler (connected to). A full disk ends the batch with one line, its finished runs
    kept for ``--resume``; so do Ctrl-C, SIGTERM and SIGHUP (`Interrupted`).

    Args:
        spec_path: a TOML spec (see `experiments.spec`).
        out: output folder; default ``results/<spec name>``.
        workers: local processes (default: all cores; 1 runs serially in this process).
        dask: address of a Dask scheduler (``tcp://host:port``); overrides ``workers``.
        resume: continue an interrupted batch in ``out``.
        quiet: no progress bar and no closing line.
        max_runs: the most runs the spec may have (default: `batch_options`', or the
            limit's).
    """
    from clustersim.experiments.batch.executors import make_executor
    from clustersim.experiments.batch.unused import spec_warning

    options = _OPTIONS.get() or {}
    spec = load_spec(spec_path, max_runs if max_runs is not None else options.get("max_runs"))
    if out is not None:
        outputs.check_path(out)  # before Path(): Path("") would be "."
    out = Path(out) if out is not None else Path("results") / spec.name
    executor = make_executor(workers, dask)
    check_configs(spec)
    old = _check_folder(out, spec, resume)
    warning = spec_warning(spec) if options.get("warn_unused", True) else None
    if warning:
        print(warning, file=sys.stderr)
    if spec.skipped and not quiet:
        print(skipped_line(spec), file=sys.stderr)
    running = old is None or old.get("completed") is not True
    try:
        with StopOnSignals() as stop, executor if running else nullcontext():
            out.mkdir(parents=True, exist_ok=True)
            with BatchLock(out):
                manifest = _prepare(out, spec, resume, executor.describe())
                if manifest.get("completed") is not True:
                    _run_missing(out, spec, manifest, executor, quiet, stop)
                clean_temporaries(out)
    except OSError as exc:
        if not outputs.is_environment_error(exc):
            raise
        kept = len(done_indices(out))
        raise UserError(outputs.describe_os_error(
            exc, f"{kept} of {spec.n_runs} runs are kept in {out / PARTS}")) from None
    if not quiet:
        files = ", ".join(io.table_path(out, k).name for k in OUTPUTS.values()
                          if io.table_path(out, k).exists())
        print(f"batch {spec.name}: {spec.n_runs} runs -> {out} ({files}, {MANIFEST})",
              file=sys.stderr)
        from clustersim.experiments.analysis.verdict import headline_line

        line = headline_line(out)  # the closing line: the headline result, or None
        if line:
            print(line, file=sys.stderr)
    return out


def skipped_line(spec: Spec) -> str:
    """What a sampled sweep left out, in one line (the points are in the manifest)."""
    j, rule = spec.skipped[0]
    n = spec.sweep.size()
    return (f"{spec.path}: sweep: {len(spec.skipped)} of {n} sampled points break a model "
            f"rule under some scenario and are skipped ({n - len(spec.skipped)} run; first: "
            f"point {j}: {rule}); manifest.json lists them")


def check_configs(spec: Spec) -> None:
    """Let the model validate every scenario x point before anything is written.

    Each scenario is resolved by the model once; each sweep point then only has to keep
    the model's cross-parameter rules (its values were range-checked by the spec).
    """
    from clustersim import model

    for i, s in enumerate(spec.scenarios):
        try:
            base = model.resolve_config(spec.config(s, {}))
        except UserError as exc:
            raise UserError(f"{spec.path}: scenarios[{i}] ({s.label}): {exc}") from None
        for j, point in spec.points:
            broken = broken_constraint({**base, **point})
            if broken:
                at = f" at sweep point {j} {point}" if point else ""
                raise UserError(f"{spec.path}: scenarios[{i}] ({s.label}){at}: {broken}")


def _run_missing(out: Path, spec: Spec, manifest: dict, executor, quiet: bool,
                 stop: StopOnSignals) -> None:
    done = done_indices(out)
    session = {"started": now(), "executor": executor.describe(), "runs_before": len(done)}
    manifest["timings"]["sessions"].append(session)  # a session killed -9 stays unfinished
    _write_manifest(out, manifest)
    t0 = time.perf_counter()
    bar = _progress(spec, len(done), quiet)
    try:
        for results in executor.imap_unordered(execute_group, task_groups(spec, skip=done)):
            for result in results:
                write_part(out, result)
            bar.update(len(results))
    except BaseException as exc:
        # a worker killed by the same SIGTERM can break the pool before our handler runs
        if not isinstance(exc, KeyboardInterrupt) and stop.received is None:
            raise
        bar.close()
        how = "interrupted" if stop.received is None else f"stopped by {stop.received}"
        raise Interrupted(f"{out}: {how}; {len(done_indices(out))} of {spec.n_runs} runs "
                          f"kept; continue with `clustersim batch {spec.path} --out {out} "
                          "--resume`", stop.received or "SIGINT") from None
    finally:
        bar.close()
        session["wall_seconds"] = round(time.perf_counter() - t0, 3)
        session["finished"] = now()
        manifest["runs_done"] = len(done_indices(out))
        with suppress(OSError):  # e.g. a full disk: the manifest of the start stays valid
            _write_manifest(out, manifest)
    manifest["timings"].update(merge(out, spec.n_runs, spec))
    manifest["timings"]["finished"] = now()
    manifest["timings"]["wall_seconds"] = round(
        sum(s.get("wall_seconds", 0.0) for s in manifest["timings"]["sessions"]), 3)
    manifest["files"] = [f for k, f in OUTPUTS.items()
                         if k == "runs" or (k == "timeseries" and spec.timeseries)
                         or (k in ("schools", "inspections") and spec.schools != "none")]
    if spec.format != "csv":  # the merged CSVs, converted (a rerun of this step redoes it)
        for i, name in enumerate(manifest["files"]):
            manifest["files"][i] = io.table_name(name, spec.format)
            io.csv_to_parquet(out / name, out / manifest["files"][i],
                              tmp_name=f".{manifest['files'][i]}{TMP}")
            (out / name).unlink()
    from clustersim.experiments.shared import datapackage

    datapackage.write(out, manifest["files"], spec.name)
    manifest["files"].append("datapackage.json")
    manifest["completed"] = True
    _write_manifest(out, manifest)


class LineProgress:
    """Progress when stderr is not a terminal (issue 15 item 10): one plain line at most
    every ``every`` seconds with the runs done, the rate and the time left; no bar."""

    def __init__(self, name: str, total: int, done: int, every: float = 10.0, file=None):
        self.name, self.total, self.done, self.every = name, total, done, every
        self.file = file or sys.stderr
        self.start = self.last = time.monotonic()
        self.first = done

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            rate = (self.done - self.first) / max(now - self.start, 1e-9)
            left = (self.total - self.done) / rate if rate > 0 else float("inf")
            eta = time.strftime("%H:%M:%S", time.gmtime(left)) if left < 86400 * 30 else "?"
            print(f"{self.name}: {self.done}/{self.total} runs, {rate:.2f} runs/s, "
                  f"ETA {eta}", file=self.file, flush=True)

    def close(self) -> None:
        pass


def _progress(spec: Spec, done: int, quiet: bool):
    from tqdm import tqdm

    if not quiet and not sys.stderr.isatty():
        return LineProgress(spec.name, spec.n_runs, done)
    tqdm.monitor_interval = 0  # no monitor thread: the process pool forks after this
    return tqdm(total=spec.n_runs, initial=done, unit="run", desc=spec.name, smoothing=0.05,
                disable=quiet or not sys.stderr.isatty(), file=sys.stderr, dynamic_ncols=True)
