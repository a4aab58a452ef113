"""`clustersim report`: intervals, paired differences and who is left behind, for a batch."""

from __future__ import annotations

import argparse

NAME = "report"
HELP = ("Report a finished batch: per-scenario means with 95% intervals, paired differences "
        "against the baseline, who is left behind, plots (PNG+SVG) and report.html.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help="a batch folder written by `clustersim batch`")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="where to write report.html and report/ (default: the batch folder)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from experiments.report import make_report
    from model.errors import UserError

    if not Path(args.dir).is_dir():
        raise UserError(f"{args.dir}: no such folder; expected a batch folder "
                        "(e.g. results/policy_comparison)")
    path = make_report(args.dir, args.out)
    print(f"report: {path}")
    return 0
