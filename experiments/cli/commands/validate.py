"""`clustersim validate`: patterns P1-P11 of docs/evidence.md and mechanisms M1-M15."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from clustersim.experiments.cli.args import add_executor_arguments

NAME = "validate"
HELP = ("Run the validation suite (patterns P1-P11 against targets, mechanisms M1-M15 "
        "switched off in pairs) and print both tables with 95% intervals.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="results/validation", help="output folder")
    add_executor_arguments(p)
    p.add_argument("--replicates", type=float, default=1.0, metavar="SCALE",
                   help="multiply every experiment's default replicates (min 2 each)")
    p.add_argument("--only", default=None, metavar="P1,P10,M3",
                   help="run only these patterns and mechanisms (comma-separated: P1-P11, "
                   "M1-M15, 'patterns', 'mechanisms')")
    p.add_argument("--markdown", action="store_true",
                   help="print the tables as Markdown (the README's validation section)")
    p.add_argument("--seed", type=int, default=2026, help="root seed of the suite")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.batch.executors import make_executor, probe
    from clustersim.experiments.credibility import validate as v
    from clustersim.experiments.credibility import validation_mechanisms as vm
    from clustersim.experiments.shared import outputs
    from clustersim.model import limits
    from clustersim.model.errors import UserError

    wanted, mechanisms = v.parse_only(args.only)  # refuses unknown names and repeats
    if not 0 < args.replicates <= 20:
        raise UserError(f"--replicates: {args.replicates} is out of range; expected (0, 20]")
    limits.integer("--seed", args.seed, limits.SEEDS)
    outputs.claim(args.out, "validate")  # before any run: a folder of ours, new or empty
    probe(make_executor(workers=args.workers, dask=args.dask))  # bad --workers, --dask
    experiments = {f.experiment for f in v.FIGURES if f.pattern in wanted}
    replicates = {name: max(2, round(n * args.replicates))
                  for name, (_, n) in v.EXPERIMENTS.items() if name in experiments}
    started = time.time()
    results = v.run_suite(replicates, args.seed, workers=args.workers, dask=args.dask,
                          progress=_progress)
    mech = vm.run_mechanisms(mechanisms, max(2, round(vm.DEFAULT_REPLICATES * args.replicates)),
                             args.seed, workers=args.workers, dask=args.dask, progress=_progress)
    sys.stderr.write("\n")
    rows = [r for r in v.table(results) if r["pattern"] in wanted]
    write_outputs(Path(args.out), rows, results, args, time.time() - started, mech)
    print(v.markdown(rows, mech) if args.markdown else "\n\n".join(
        t for t in (rows and format_table(rows), mech and vm.format_table(mech)) if t))
    passed, designed = sum(r["pass"] for r in rows), sum(r["as_designed"] for r in mech)
    print(f"\n{passed} of {len(rows)} figures within target; {designed} of {len(mech)} "
          f"mechanisms as designed; {time.time() - started:.0f} s; wrote {args.out}/")
    return 0


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rvalidation runs {done}/{total}")


def format_table(rows: list[dict]) -> str:
    lines = [f"{'pattern':<8}{'figure':<26}{'model (95% CI)':<30}{'target':<16}result",
             "-" * 86]
    for r in rows:
        model = f"{r['mean']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}] {r['unit']}"
        target = f"{r['target_low']:g}-{r['target_high']:g}"
        lines.append(f"{r['pattern']:<8}{r['figure']:<26}{model:<30}{target:<16}"
                     f"{'pass' if r['pass'] else 'FAIL'}")
    return "\n".join(lines)


def write_outputs(out: Path, rows: list[dict], results: dict, args, seconds: float,
                  mechanisms: list[dict] = ()) -> None:
    import pandas as pd
    from clustersim.experiments.credibility.columns import validate_columns
    from clustersim.experiments.credibility.validate import SEED_003
    from clustersim.experiments.shared import datapackage, io, outputs

    outputs.claim(out, "validate")  # again: the folder may have changed while the suite ran
    files = ["validation.csv", "validation_runs.csv",
             *[f"{p}.png" for p in sorted({r["pattern"] for r in rows})], "manifest.json",
             *(["mechanisms.csv", "mechanisms.png"] if mechanisms else []), "datapackage.json"]
    io.write_csv(out / "validation.csv", pd.DataFrame(rows))
    runs = [{"experiment": name, "replicate": r, **figures}
            for name, reps in results.items() for r, figures in enumerate(reps)]
    io.write_csv(out / "validation_runs.csv", pd.DataFrame(runs))
    if mechanisms:
        from clustersim.experiments.credibility import validation_mechanisms as vm

        io.write_csv(out / "mechanisms.csv", pd.DataFrame(mechanisms))
        vm.plot(mechanisms, out / "mechanisms.png")
    for pattern in sorted({r["pattern"] for r in rows}):
        plot_pattern([r for r in rows if r["pattern"] == pattern], out / f"{pattern}.png")
    datapackage.write(out, files, "clustersim validate", validate_columns())
    io.write_json(out / "manifest.json", {
        "command": "clustersim validate", "seed": args.seed, "replicates": args.replicates,
        "seed_003_reported": SEED_003, "versions": io.versions(),
        "git_commit": io.git_commit(), "seconds": round(seconds, 1), "completed": True,
        "files": files})


def plot_pattern(rows: list[dict], path: Path) -> None:
    """Each figure: the model's mean and 95% interval beside its target band."""
    from clustersim.experiments.shared.plots import plt, save

    fig, axes = plt.subplots(len(rows), 1, figsize=(7, 1.3 * len(rows) + 0.6), squeeze=False)
    for ax, r in zip(axes[:, 0], rows, strict=True):
        ax.axvspan(r["target_low"], r["target_high"], color="tab:green", alpha=0.2,
                   label="target")
        err = [[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]]
        ax.errorbar([r["mean"]], [0], xerr=err, fmt="o", color="black", capsize=4,
                    label="model, 95% CI")
        ax.set_yticks([])
        ax.set_title(f"{r['figure']}: {r['description']}", fontsize=8, loc="left")
        lo = min(r["target_low"], r["ci_low"] if r["ci_low"] == r["ci_low"] else r["mean"])
        hi = max(r["target_high"], r["ci_high"] if r["ci_high"] == r["ci_high"] else r["mean"])
        pad = 0.15 * (hi - lo or 1.0)
        ax.set_xlim(lo - pad, hi + pad)
    axes[0, 0].legend(fontsize=7, loc="upper right", frameon=False)
    fig.suptitle(f"{rows[0]['pattern']}: model vs target", fontsize=10)
    fig.tight_layout()
    save(fig, path)
