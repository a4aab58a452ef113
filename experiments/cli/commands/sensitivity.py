"""`clustersim sensitivity`: Morris screening, then Sobol indices, on the batch engine."""

from __future__ import annotations

import argparse
import sys

from clustersim.experiments.cli.args import add_batch_arguments

NAME = "sensitivity"
HELP = ("Sensitivity analysis of a spec (TOML): Morris screening of the parameters, then "
        "Sobol indices of the most influential; CSVs and plots; parallel, Dask, resumable.")
SHOWN = 5  # parameters printed per outcome


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="sensitivity spec, e.g. "
                   "experiments/specs/sensitivity/sensitivity_equity.toml")
    add_batch_arguments(p, "run (either stage)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from clustersim.experiments.batch.engine import batch_options
    from clustersim.experiments.batch.executors import make_executor, probe
    from clustersim.experiments.batch.unused import sensitivity_warning
    from clustersim.experiments.credibility.sensitivity import load_sensitivity
    from clustersim.experiments.shared import outputs
    from clustersim.experiments.shared.stopping import Interrupted
    from clustersim.model import limits

    max_runs = None if args.max_runs is None else limits.integer(
        "--max-runs", args.max_runs, (1, 2**63 - 1))
    spec = load_sensitivity(args.spec)
    for stage in ("morris", "sobol"):
        limits.check_runs(spec.runs(stage), max_runs, f"{spec.path}: the {stage} stage")
    warning = sensitivity_warning(spec)
    if warning:
        print(warning, file=sys.stderr)
    if args.check:
        print(describe(spec))
        return 0
    from clustersim.experiments.credibility.sensitivity import run_sensitivity

    if args.out is not None:
        outputs.check_path(args.out)  # before Path(): Path("") would be "."
    out = Path(args.out) if args.out is not None else Path("results") / spec.name
    tolerate = {".lock"} | ({Path(spec.path).name} if out.is_dir() and
                            Path(spec.path).parent.resolve() == out.resolve() else set())
    # resume's rules (--resume, the same spec) are checked by run_sensitivity, before it writes
    outputs.claim(out, "sensitivity", tolerate=tolerate,
                  recover="run the sensitivity analysis into another --out")
    probe(make_executor(args.workers, args.dask))  # connect to --dask before writing
    try:
        with batch_options(max_runs, warn_unused=False):  # the screen covers every parameter
            out = run_sensitivity(args.spec, out=out, workers=args.workers, dask=args.dask,
                                  resume=args.resume, quiet=args.quiet)
    except Interrupted as exc:  # resume the whole analysis, not the stage's batch
        how = "interrupted" if exc.signame == "SIGINT" else f"stopped by {exc.signame}"
        raise Interrupted(f"{out}: {how}; the runs done are kept; continue with `clustersim "
                          f"sensitivity {args.spec} --out {out} --resume`", exc.signame) from None
    describe_tables(out, spec.name)
    if not args.quiet:
        print(summary(out))
    return 0


def describe_tables(out, name: str) -> None:
    """datapackage.json beside morris.csv and sobol.csv (written by run_sensitivity, whose
    manifest keeps no list of files; the stages' batch folders have their own)."""
    from clustersim.experiments.credibility.columns import SENSITIVITY
    from clustersim.experiments.shared import datapackage

    datapackage.write(out, ["morris.csv", "sobol.csv", "ranking.csv"],
                      f"clustersim sensitivity {name}",
                      SENSITIVITY)


def describe(spec) -> str:
    sobol = (f"Sobol: top {spec.top_k} x {spec.samples} base samples = up to "
             f"{spec.runs('sobol')} runs" if spec.top_k else "no Sobol stage")
    lines = [f"{spec.path}: ok: {len(spec.ranges)} parameters screened for "
             f"{', '.join(spec.outcomes)} ({spec.preset}, {spec.years} years, "
             f"{'+'.join(spec.policies)})",
             f"Morris: {spec.trajectories} trajectories x {len(spec.ranges) + 1} points x "
             f"{spec.replicates} replicates = {spec.runs('morris')} runs; {sobol}"]
    if spec.ranking:
        lines.append(f"Ranking: the Morris points also run {', '.join(spec.ranking)} (by "
                     f"{spec.ranking_outcome}; baseline {spec.ranking[0]})")
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
    if (out / "ranking.csv").exists():
        import json

        from clustersim.experiments.credibility.ranking import summary_lines

        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        lines += summary_lines(manifest["ranking"], pd.read_csv(out / "ranking.csv"))
    return "\n".join(lines)
