"""`clustersim batch`: run a spec's scenarios x sweep points x replicates, resumably."""

from __future__ import annotations

import argparse

from experiments.cli_args import add_batch_arguments

NAME = "batch"
HELP = ("Run an experiment spec (TOML): every scenario and sweep point over common-random-"
        "number replicates, streamed to CSVs; resumable after an interruption.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="spec file, e.g. experiments/specs/policy_comparison.toml")
    add_batch_arguments(p, "batch")


def run(args: argparse.Namespace) -> int:
    from experiments.spec import load_spec

    spec = load_spec(args.spec)
    if args.check:
        print(f"{spec.path}: ok: {len(spec.scenarios)} scenarios x {spec.sweep.size()} "
              f"sweep points x {spec.replicates} replicates = {spec.n_runs} runs "
              f"({spec.preset}, {spec.years} years)")
        return 0
    from experiments.batch import run_batch

    run_batch(args.spec, out=args.out, workers=args.workers, dask=args.dask,
              resume=args.resume, quiet=args.quiet)
    return 0
