"""`clustersim batch`: run a spec's scenarios x sweep points x replicates, resumably."""

from __future__ import annotations

import argparse
import sys

from clustersim.experiments.cli.args import add_batch_arguments

NAME = "batch"
HELP = ("Run an experiment spec (TOML): every scenario and sweep point over common-random-"
        "number replicates, streamed to CSVs; resumable after an interruption.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="spec file, e.g. experiments/specs/policy_comparison.toml")
    add_batch_arguments(p, "batch")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.batch.spec import load_spec
    from clustersim.experiments.batch.unused import spec_warning
    from clustersim.model import limits

    max_runs = None if args.max_runs is None else limits.integer(
        "--max-runs", args.max_runs, (1, 2**63 - 1))
    spec = load_spec(args.spec, max_runs)
    if args.check:
        warning = spec_warning(spec)
        if warning:
            print(warning, file=sys.stderr)
        print(f"{spec.path}: ok: {len(spec.scenarios)} scenarios x {spec.sweep.size()} "
              f"sweep points x {spec.replicates} replicates = {spec.n_runs} runs "
              f"({spec.region.get('region') or spec.preset}, {spec.years} years)")
        return 0
    from clustersim.experiments.batch.engine import run_batch

    run_batch(args.spec, out=args.out, workers=args.workers, dask=args.dask,
              resume=args.resume, quiet=args.quiet, max_runs=max_runs)
    return 0
