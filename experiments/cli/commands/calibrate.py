"""`clustersim calibrate`: fit named parameters to named figures of the validation suite."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clustersim.experiments.cli.args import add_executor_arguments

NAME = "calibrate"
HELP = ("Fit parameters to validation figures (P1-P11): a coarse design, then Nelder-Mead, on "
        "common random numbers; writes calibration.csv and fitted.json.")
FILES = ["calibration.csv", "datapackage.json", "fitted.json", "manifest.json"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--param", action="append", default=[], metavar="NAME[=LOW:HIGH]",
                   help="a numeric parameter to fit, over its declared range or LOW:HIGH "
                   "(repeat for several)")
    p.add_argument("--pattern", action="append", default=[], metavar="FIGURE",
                   help="a validation figure (e.g. maths_mean_cluster) or a whole pattern "
                   "(e.g. P7) to fit to (repeat for several)")
    add_executor_arguments(p, dask=False)  # local processes only (no --dask yet)
    p.add_argument("--replicates", type=int, default=None, metavar="N",
                   help="replicates per experiment and evaluation (default: the suite's)")
    p.add_argument("--budget", type=int, default=30, metavar="N",
                   help="most evaluations (parameter points) to run (default: 30)")
    p.add_argument("--seed", type=int, default=2026, help="root seed of the replicates")
    p.add_argument("--out", metavar="DIR", default="results/calibration",
                   help="output folder (default: results/calibration)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.batch.executors import make_executor
    from clustersim.experiments.credibility.calibrate import make_problem, run_calibration
    from clustersim.experiments.shared import io, outputs
    from clustersim.model import limits
    from clustersim.model.errors import UserError

    twice = [x for i, x in enumerate(args.pattern) if x in args.pattern[:i]]
    if twice:
        raise UserError(f"--pattern: {twice[0]} is given twice; give each figure once")
    limits.integer("--seed", args.seed, limits.SEEDS)
    problem = make_problem(args.param, args.pattern, args.replicates, args.seed, args.budget)
    make_executor(workers=args.workers)  # a bad --workers fails before anything runs
    outputs.claim(args.out, "calibrate")  # before any run: a folder of ours, new or empty
    fit = run_calibration(problem, args.out, args.workers,
                          progress=None if args.quiet else _progress(problem))
    io.write_json(Path(args.out) / "manifest.json", {
        "command": "clustersim calibrate", "files": FILES, "parameters": list(problem.names),
        "seed": args.seed, "budget": args.budget, "versions": io.versions(),
        "git_commit": io.git_commit(), "completed": True})
    print(format_fit(fit))
    print(f"\n{fit['evaluations']} evaluations in {fit['seconds']:.0f} s; wrote "
          f"{args.out}/calibration.csv and {args.out}/fitted.json")
    return 0


def _progress(problem):
    def show(row: dict) -> None:
        values = ", ".join(f"{n}={row[n]:.4g}" for n in problem.names)
        sys.stderr.write(f"[{row['evaluation'] + 1}/{problem.budget}] {row['stage']:<8}"
                         f"{values}  loss {row['loss']:.4g}\n")
    return show


def format_fit(fit: dict) -> str:
    lines = [f"{'parameter':<28}{'default':>12}{'fitted':>12}  range"]
    for n, v in fit["parameters"].items():
        lo, hi = fit["ranges"][n]
        lines.append(f"{n:<28}{fit['defaults'][n]:>12.4g}{v:>12.4g}  [{lo:g}, {hi:g}]")
    lines += ["", f"{'figure':<26}{'default':>10}{'fitted (95% CI)':>30}  target  result"]
    for f in fit["figures"]:
        model = f"{f['mean']:.3g} [{f['ci_low']:.3g}, {f['ci_high']:.3g}]"
        lines.append(f"{f['figure']:<26}{f['default_mean']:>10.3g}{model:>30}  "
                     f"{f['target_low']:g}-{f['target_high']:g}  "
                     f"{'pass' if f['pass'] else 'FAIL'}")
    lines.append(f"\nloss {fit['loss']:.4g} (at the defaults {fit['loss_at_defaults']:.4g}): "
                 "squared distances from the target midpoints, in target widths, summed")
    return "\n".join(lines)
