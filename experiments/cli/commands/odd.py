"""`clustersim odd`: the ODD model description, generated from the code and its template."""

from __future__ import annotations

import argparse

NAME = "odd"
HELP = ("Check that docs/ODD.md (the model described in the ODD protocol) matches the code; "
        "--markdown prints it (regenerate: clustersim odd --markdown > docs/ODD.md).")
REGENERATE = "clustersim odd --markdown > docs/ODD.md"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--markdown", action="store_true",
                   help="print docs/ODD.md, generated from docs/odd_template.md, the "
                        "parameter registry, the tick order, metrics, policies and presets")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.credibility.odd import REPO, render

    text = render()
    if args.markdown:
        print(text)
        return 0
    from clustersim.model.errors import UserError

    doc = REPO / "docs" / "ODD.md"
    if not doc.is_file() or doc.read_text() != text + "\n":
        raise UserError(f"{doc} is out of date with the code; regenerate it: {REGENERATE}")
    print(f"{doc}: up to date ({len(text.splitlines())} lines)")
    return 0
