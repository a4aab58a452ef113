"""`clustersim specs`: the spec file format, from the declarations the validator uses."""

from __future__ import annotations

import argparse

NAME = "specs"
HELP = "Print the experiment spec format: every key, its allowed values and an example."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--markdown", action="store_true", help="print docs/specs.md")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.batch.spec_doc import markdown

    print(markdown())
    return 0
