"""`clustersim batch`: run a spec's scenarios x sweep points x replicates, resumably."""

from __future__ import annotations

import argparse

NAME = "batch"
HELP = ("Run an experiment spec (TOML): every scenario and sweep point over common-random-"
        "number replicates, streamed to CSVs; resumable after an interruption.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="spec file, e.g. experiments/specs/policy_comparison.toml")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes (default: all cores; 1 = serial)")
    p.add_argument("--dask", metavar="tcp://HOST:PORT", default=None,
                   help="run on an existing Dask scheduler instead of local processes")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted batch in --out (same spec)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: results/<spec name>)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or closing line")
    p.add_argument("--check", action="store_true",
                   help="validate the spec, print its size and exit without running")


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
