"""Where runs execute: one worker function and three interchangeable executors.

`execute_run` runs one `Task` and returns its CSV fragments, formatted in the worker so
the parent only writes files. The executors share one interface (`imap_unordered`) and
keep a bounded number of runs in flight, so memory stays flat however long the batch:

- `SerialExecutor`: in this process (``--workers 1``);
- `ProcessExecutor`: a fork-based process pool (STACK.md: fork beats spawn here, since
  workers inherit the imported model instead of re-importing mesa);
- `DaskExecutor`: an existing Dask distributed scheduler (``--dask tcp://HOST:PORT``);
  its workers must be able to import ``experiments`` and ``model``.

All three call the same deterministic function on the same tasks, and the parent writes
each result to a file named by its run index, so all three write the same bytes.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from clustersim.experiments.batch.executor_protocol import Executor
from clustersim.experiments.batch.fields import cell as _cell  # noqa: F401 (old name)
from clustersim.experiments.batch.fields import csv_line, frame_csv
from clustersim.experiments.batch.fields import frame_csv as _frame_csv  # noqa: F401 (old name)
from clustersim.experiments.shared import io
from clustersim.model.errors import UserError

IN_FLIGHT_PER_WORKER = 2  # runs queued per local worker: enough to never starve it
DASK_IN_FLIGHT_PER_WORKER = 4  # more for Dask, to hide the scheduler round trip
DASK_CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
MAX_WORKERS = 256  # local worker processes; more is a typo, not a machine
DASK_ADDRESS = re.compile(r"(?:(tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*"
                          r"[A-Za-z0-9])?):(\d{1,5})")


@dataclass(frozen=True)
class Task:
    """One run: where it sits in the batch, its seed, and its (unresolved) config."""

    index: int
    scenario: str
    point: int
    replicate: int
    seed: int
    config: dict[str, Any]
    timeseries: bool = True
    schools: str = "weak"


def execute_run(task: Task) -> dict[str, Any]:
    """Run one task in a worker; return its CSV fragments (the worker formats, not the parent)."""
    return execute_group([task])[0]


def execute_group(tasks: list[Task]) -> list[dict[str, Any]]:
    """Run tasks of one seed in a worker, in order, and return their CSV fragments (the
    worker formats, not the parent). Tasks whose configurations differ only in policies
    and years share one built world (`model.run_each`): the scenarios of a replicate
    build the region once. Each result is the same as running its task alone.

    Importable by Dask workers: with `execute_run`, the only functions they need.
    """
    from clustersim.model.api import run_each

    if len({t.seed for t in tasks}) > 1:
        raise ValueError("execute_group: the tasks of a group share one seed")
    out = []
    start = time.perf_counter()
    # the school and inspection tables are built only when a task writes them
    runs = run_each((t.config for t in tasks), tasks[0].seed,
                    tables=any(t.schools != "none" for t in tasks))
    for task in tasks:
        try:
            result = format_result(task, next(runs))
        except Exception as exc:
            raise _describe_failure(task, exc) from exc
        now = time.perf_counter()
        result["seconds"], start = now - start, now
        out.append(result)
    return out


def format_result(task: Task, res) -> dict[str, Any]:
    """A run's result (`model.RunResult`) as CSV fragments: its runs.csv line, its
    timeseries.csv rows and its schools.csv rows, each with the run's keys in front."""
    keys = [task.index, task.scenario, task.point, task.replicate]
    row_names, row_values = ["run_id", "scenario", "policies", "point", "replicate", "seed"], [
        task.index, task.scenario, "+".join(res.config["policies"]), task.point, task.replicate,
        task.seed]
    for k, v in res.config.items():
        if k != "policies":
            row_names.append(io.run_column(k))
            row_values.append(v)
    clash = set(row_names) & set(res.summary)
    if clash:
        raise RuntimeError(f"outcome names clash with parameter names: {sorted(clash)}")
    row_names += list(res.summary)
    row_values += list(res.summary.values())
    out = {"index": task.index, "runs": [csv_line(row_names), csv_line(row_values)]}
    if task.timeseries:
        out["timeseries"] = frame_csv(res.timeseries, keys)
    if task.schools != "none":
        frame = res.schools
        if task.schools == "weak":
            frame = frame[frame["weak"].astype(bool)]
        out["schools"] = frame_csv(frame, keys)
        # every inspection of the schools written (term, school, grade): issue 15 item 6
        ins = res.inspections
        if task.schools == "weak" and len(ins):
            ins = ins[ins["school"].isin(frame["school"])]
        out["inspections"] = frame_csv(ins[["school", "term", "grade"]], keys)
    return out


class RunFailed(RuntimeError):
    """A run raised inside a worker; finished runs are kept, so ``--resume`` can continue."""


def _describe_failure(task, exc: BaseException) -> RunFailed:
    if isinstance(exc, RunFailed):  # already names its run (a group's)
        return exc
    what = (f"run {task.index} (scenario {task.scenario!r}, point {task.point}, replicate "
            f"{task.replicate}, seed {task.seed})" if isinstance(task, Task)
            else f"task {str(task)[:120]}")
    return RunFailed(f"{what} failed: {type(exc).__name__}: {exc}")


class SerialExecutor:
    """Runs tasks one after another in this process."""

    workers = 1

    def describe(self) -> str:
        return "serial"

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def imap_unordered(self, fn: Callable, tasks: Iterable[Task]) -> Iterator[Any]:
        for task in tasks:
            try:
                result = fn(task)
            except Exception as exc:
                raise _describe_failure(task, exc) from exc
            yield result


def _worker_signals() -> None:
    """In a pool worker: Ctrl-C and a hang-up are the parent's to handle (it stops the
    workers); SIGTERM ends the worker (a fork inherits the parent's batch handler)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class ProcessExecutor:
    """A fork-based process pool of ``workers`` processes."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = None

    def describe(self) -> str:
        return f"processes({self.workers})"

    def __enter__(self):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        from clustersim import model

        model.run  # noqa: B018 -- import the model (and mesa) once, before forking
        self.pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork"),
                                        initializer=_worker_signals)
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:  # interrupted or failed: do not wait for running tasks
            import multiprocessing as mp

            self.pool.shutdown(wait=False, cancel_futures=True)
            for child in mp.active_children():
                child.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def imap_unordered(self, fn: Callable, tasks: Iterable[Task]) -> Iterator[Any]:
        from concurrent.futures import FIRST_COMPLETED, wait

        todo = iter(tasks)
        pending = {self.pool.submit(fn, t): t
                   for t in islice(todo, self.workers * IN_FLIGHT_PER_WORKER)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:
                    raise _describe_failure(task, exc) from exc
                for t in islice(todo, 1):
                    pending[self.pool.submit(fn, t)] = t
                yield result


class DaskExecutor:
    """Runs tasks on an existing Dask distributed cluster."""

    def __init__(self, address: str, timeout: float | None = None):
        self.address = address
        self.timeout = DASK_CONNECT_TIMEOUT if timeout is None else timeout
        self.client = None
        self.workers = 0

    def describe(self) -> str:
        return f"dask({self.address})"

    def __enter__(self):
        from distributed import Client

        try:
            self.client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except Exception as exc:  # OSError, TimeoutError, or a refused handshake
            raise UserError(f"--dask: cannot reach a Dask scheduler at {self.address} "
                            f"({type(exc).__name__}); start one (scripts/dask_cluster.py) "
                            "or check the address") from None
        self.workers = sum(self.client.nthreads().values())
        if not self.workers:
            self.client.close()
            raise UserError(f"--dask: the scheduler at {self.address} has no workers")
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def imap_unordered(self, fn: Callable, tasks: Iterable[Task]) -> Iterator[Any]:
        from distributed import as_completed

        batch = uuid.uuid4().hex[:8]
        todo, owner = iter(tasks), {}
        queue = as_completed(loop=self.client.loop)

        def submit(task: Task) -> None:
            fut = self.client.submit(fn, task, key=f"clustersim-{batch}-{task.index}",
                                     pure=False)
            owner[fut.key] = task
            queue.add(fut)

        for t in islice(todo, self.workers * DASK_IN_FLIGHT_PER_WORKER):
            submit(t)
        for fut in queue:
            task = owner.pop(fut.key)
            try:
                result = fut.result()
            except ModuleNotFoundError as exc:
                raise UserError(f"--dask: the workers at {self.address} cannot import "
                                f"{exc.name!r}; install clustersim on them or start them "
                                "with PYTHONPATH set to the repository") from None
            except Exception as exc:
                raise _describe_failure(task, exc) from exc
            fut.release()
            for t in islice(todo, 1):
                submit(t)
            yield result


def parse_dask_address(text: str) -> str:
    """``tcp://HOST:PORT`` (or ``HOST:PORT``, or ``tls://...``) checked and normalised;
    `UserError` for anything else, before any connection is tried."""
    m = DASK_ADDRESS.fullmatch(text.strip()) if isinstance(text, str) else None
    if not m or not 1 <= int(m.group(3)) <= 65535:
        raise UserError(f"--dask: {text!r} is not a scheduler address; expected "
                        "tcp://HOST:PORT with a port in 1-65535 (e.g. tcp://127.0.0.1:8786)")
    return f"{m.group(1) or 'tcp'}://{m.group(2)}:{int(m.group(3))}"


def probe(executor) -> None:
    """Connect to a Dask scheduler and disconnect: a bad address fails before anything
    is written (for commands that hand the address on to code that writes first)."""
    if isinstance(executor, DaskExecutor):
        with executor:
            pass


def make_executor(workers: int | None = None, dask: str | None = None) -> Executor:
    """Serial for ``workers == 1``, a process pool otherwise (default: all cores), or Dask."""
    if dask is not None:
        address = parse_dask_address(dask)
        if workers is not None:
            raise UserError("--workers and --dask exclude each other (Dask decides the "
                            "workers); give one of them")
        return DaskExecutor(address)
    n = (os.cpu_count() or 1) if workers is None else workers
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WORKERS:
        raise UserError(f"--workers: {n} is not allowed; expected an integer in "
                        f"[1, {MAX_WORKERS}]")
    return SerialExecutor() if n == 1 else ProcessExecutor(n)
