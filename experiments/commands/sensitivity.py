"""`clustersim sensitivity`: Morris screening, then Sobol indices, on the batch engine."""

from __future__ import annotations

import argparse

from experiments.cli_args import add_batch_arguments

NAME = "sensitivity"
HELP = ("Sensitivity analysis of a spec (TOML): Morris screening of the parameters, then "
        "Sobol indices of the most influential; CSVs and plots; parallel, Dask, resumable.")
SHOWN = 5  # parameters printed per outcome


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="sensitivity spec, e.g. "
                   "experiments/specs/sensitivity/sensitivity_equity.toml")
    add_batch_arguments(p, "run (either stage)")


def run(args: argparse.Namespace) -> int:
    from experiments.sensitivity import load_sensitivity

    spec = load_sensitivity(args.spec)
    if args.check:
        print(describe(spec))
        return 0
    from experiments.sensitivity import run_sensitivity

    out = run_sensitivity(args.spec, out=args.out, workers=args.workers, dask=args.dask,
                          resume=args.resume, quiet=args.quiet)
    if not args.quiet:
        print(summary(out))
    return 0


def describe(spec) -> str:
    sobol = (f"Sobol: top {spec.top_k} x {spec.samples} base samples = up to "
             f"{spec.runs('sobol')} runs" if spec.top_k else "no Sobol stage")
    lines = [f"{spec.path}: ok: {len(spec.ranges)} parameters screened for "
             f"{', '.join(spec.outcomes)} ({spec.preset}, {spec.years} years, "
             f"{'+'.join(spec.policies)})",
             f"Morris: {spec.trajectories} trajectories x {len(spec.ranges) + 1} points x "
             f"{spec.replicates} replicates = {spec.runs('morris')} runs; {sobol}"]
    lines += [f"  {name}: {note}" for name, note in spec.narrowed.items()]
    return "\n".join(lines)


def summary(out) -> str:
    """The leading parameters per outcome, from the written CSVs."""
    from pathlib import Path

    import pandas as pd

    out = Path(out)
    morris = pd.read_csv(out / "morris.csv")
    lines = [f"Morris mu* (largest {SHOWN} per outcome; {out / 'morris.csv'}):"]
    for o, part in morris.groupby("outcome", sort=False):
        tops = ", ".join(f"{r.parameter} {r.mu_star:.3g}" for r in part.head(SHOWN).itertuples())
        lines.append(f"  {o:<16}{tops}")
    if (out / "sobol.csv").exists():
        sobol = pd.read_csv(out / "sobol.csv")
        lines.append(f"Sobol S1 / ST ({out / 'sobol.csv'}):")
        for o, part in sobol.groupby("outcome", sort=False):
            cells = ", ".join(f"{r.parameter} {r.S1:.2f}/{r.ST:.2f}" for r in part.itertuples())
            lines.append(f"  {o:<16}{cells}")
    return "\n".join(lines)
