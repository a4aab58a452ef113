"""`clustersim policies`: the policy components and their parameters."""

from __future__ import annotations

import argparse

NAME = "policies"
HELP = "List the middle-tier policies with a one-line description and their parameters."


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from model import POLICIES

    for name, cls in POLICIES.items():
        print(f"{name}: {cls.description}")
        names = cls.param_names()
        print(f"    parameters: {', '.join(names) if names else '(none of its own)'}")
    print("\nCombine components with '+', e.g. --policy superintendent+local_authority")
    return 0
