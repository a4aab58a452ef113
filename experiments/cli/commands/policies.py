"""`clustersim policies`: each policy as declared beside it (model/policies): what it does,
its tier, its public budget and its components, and its parameters."""

from __future__ import annotations

import argparse

NAME = "policies"
HELP = ("List the middle-tier policies: description, tier, budget (£ per school per year), "
        "components (switches) and parameters.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from clustersim.model import PARAMS, POLICIES

    for name, cls in POLICIES.items():
        tier = "middle tier (one per scenario)" if cls.tier == "middle_tier" else "add-on"
        print(f"{name}: {cls.description}")
        print(f"    tier: {tier}")
        if cls.budget:
            print(f"    budget: {cls.budget} = £{PARAMS[cls.budget].default:,.0f} per school "
                  "per year (default)")
        else:
            print("    budget: none of its own")
        for switch, what in cls.components.items():
            print(f"    component {switch}: {what}")
        names = [n for n in cls.param_names() if n not in cls.components and n != cls.budget]
        print(f"    parameters: {', '.join(names) if names else '(none of its own)'}")
    print("\nCombine components with '+', e.g. --policy superintendent+cpd_bank; switch a "
          "component off with --set NAME=false")
    return 0
