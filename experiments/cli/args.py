"""Command-line options shared by the commands that run many model runs."""

from __future__ import annotations

import argparse

from clustersim.model.limits import MAX_RUNS


def add_executor_arguments(p: argparse.ArgumentParser, dask: bool = True) -> None:
    """``--workers`` (and ``--dask``): where the runs execute (experiments.executors)."""
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes (default: all cores; 1 = serial)")
    if dask:
        p.add_argument("--dask", metavar="tcp://HOST:PORT", default=None,
                       help="run on an existing Dask scheduler instead of local processes")


def add_batch_arguments(p: argparse.ArgumentParser, what: str) -> None:
    """The options of a resumable, spec-driven job: executor, resume, out, quiet, check."""
    add_executor_arguments(p)
    p.add_argument("--resume", action="store_true",
                   help=f"continue an interrupted {what} in --out (same spec)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: results/<spec name>)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or closing summary")
    p.add_argument("--check", action="store_true",
                   help="validate the spec, print its size and exit without running")
    p.add_argument("--max-runs", type=int, default=None, metavar="N",
                   help=f"allow a spec of up to N runs (default: {MAX_RUNS:,}; a larger "
                        "spec is refused before it starts)")
