"""The one interface every executor keeps (`executors.SerialExecutor`, `ProcessExecutor`,
`DaskExecutor`), so the batch engine, validate, calibrate, explain and sensitivity run
their tasks the same way whatever runs them.

An executor is a context manager: entering it starts its workers (or connects to the
Dask scheduler), leaving it stops them. Inside, ``imap_unordered(fn, tasks)`` yields
``fn(task)`` for every task in whatever order the tasks finish; a task that raises is
re-raised as `executors.RunFailed` naming the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, Self, runtime_checkable


@runtime_checkable
class Executor(Protocol):
    """What `executors.make_executor` returns."""

    workers: int  # worker processes (Dask: known once connected; 0 before)

    def describe(self) -> str:
        """A short name for the manifest and messages: "serial", "processes(4)", ..."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """``fn(task)`` for every task, in the order they finish."""
        ...
