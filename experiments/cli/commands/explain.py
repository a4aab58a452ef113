"""`clustersim explain`: attribute each scenario's difference from the baseline to its
policy's components (Shapley values) and to mechanisms M1-M15, under common random
numbers."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from clustersim.experiments.cli.args import add_executor_arguments

NAME = "explain"
HELP = ("Why does a policy differ from the baseline? For each scenario of a spec (or a "
        "batch folder), attribute the paired difference in each equity outcome to the "
        "policy's components (Shapley values) and to mechanisms M1-M15, each with a 95% "
        "interval; writes explain.csv, explain.md and a chart per scenario.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SPEC_OR_BATCH_DIR",
                   help="a spec file, or a batch's output folder (its manifest's spec copy)")
    p.add_argument("--replicates", type=int, default=None, metavar="N",
                   help="replicates (default: the spec's); the seeds are the batch's first N")
    add_executor_arguments(p)
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: BATCH_DIR/explain, or "
                        "results/explain_<spec name>)")
    p.add_argument("--outcomes", metavar="a,b", default=None,
                   help="outcomes to explain (default: left_behind, gap, gap_change, "
                        "catch_up, isolation_weak, cpd_access_ratio, rwm_weak)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--check", action="store_true",
                   help="validate the input, print the number of runs and exit")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.batch.executors import make_executor, probe
    from clustersim.experiments.credibility import explain as ex
    from clustersim.experiments.credibility import explain_output as xo
    from clustersim.experiments.shared import outputs
    from clustersim.model import limits

    if args.replicates is not None:
        limits.integer("--replicates", args.replicates, limits.REPLICATES)
    outcomes = ex.parse_outcomes(args.outcomes)
    spec, batch = ex.load_source(args.source)
    out = Path(args.out) if args.out is not None else (
        batch / "explain" if batch is not None else Path("results") / f"explain_{spec.name}")
    outputs.claim(args.out if args.out is not None else out, "explain")  # writes nothing
    executor = make_executor(args.workers, args.dask)  # bad --workers / --dask: refused here
    d = ex.design(spec, args.replicates or spec.replicates, outcomes)
    what = (f"{len(d.plans)} scenarios against {spec.baseline}: {len(d.configs)} distinct "
            f"runs x {d.replicates} replicates = {d.n_runs} runs")
    if args.check:
        methods = ", ".join(f"{p.label} ({len(p.components)} components, "
                            f"{'Shapley' if p.exact else 'knock-outs'})" for p in d.plans)
        print(f"{spec.path}: ok: {what}; {methods}")
        return 0
    probe(executor)  # a Dask scheduler that cannot be reached fails before any run
    started = time.perf_counter()
    values = ex.run_design(d, executor=executor, quiet=args.quiet)
    frame, reps = ex.frames(d, ex.attribute(d, values))
    sentences = xo.summary_sentences(frame, spec.baseline)
    seconds = time.perf_counter() - started
    xo.write_outputs(out, d, frame, reps, sentences, seconds, executor.describe())
    for text in sentences.values():
        print(text)
    print(f"explain {spec.name}: {what} in {seconds:.0f} s -> {out}/ (explain.csv, "
          "explain.md, explain_<scenario>.png/.svg)", file=sys.stderr)
    return 0
