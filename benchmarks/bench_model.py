"""Model benchmark: seconds per run, school-terms per second, peak memory, scaling.

Each preset is run in a fresh process (so peak memory is that run's own) for 30 terms,
``--reps`` times, under the policies given (default: the superintendent with every add-on, the
heaviest case). ``--rounds`` repeats the whole set a few times, spread over minutes:
this host's speed drifts by up to ~1.6x for minutes at a time (same code, same seed),
so the best of runs taken in several rounds is a steadier figure than one round's.
Before each round a fixed reference workload (Python and numpy, independent of the
model) is timed: a larger figure means a slower host at that moment. Prints a table;
timing lives here, never in the tests.

    python benchmarks/bench_model.py [--reps 3] [--rounds 2] [--policies a+b]
                                     [--presets county,england]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

CHILD = r"""
import json, resource, sys, time
from clustersim.model import run
from clustersim.model.policies import ADD_ONS
preset, policies, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
# the heaviest mix: the busiest middle tier with every add-on
policies = "+".join(["superintendent", *ADD_ONS]) if policies == "all" else policies
times = []
for rep in range(reps):
    t = time.perf_counter()
    res = run({"preset": preset, "policies": policies, "years": 10}, seed=rep + 1)
    times.append(time.perf_counter() - t)
n = len(res.schools)
print(json.dumps({"preset": preset, "schools": n, "times": times,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def host_check() -> float:
    """Seconds for a fixed mix of Python and numpy work, independent of the model (best
    of 3): compare it between rounds to see when the host was slow."""
    a = np.random.default_rng(0).random(200_000)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        np.sort(a)
        sum(i * i for i in range(100_000))
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--policies", default="all", help="'all' or e.g. superintendent+cpd_bank")
    ap.add_argument("--presets", default="maximising_progress,county,large_county,england")
    args = ap.parse_args()
    if args.reps < 1 or args.rounds < 1:
        ap.error("--reps and --rounds must be at least 1")
    presets = args.presets.split(",")
    runs: dict[str, dict] = {}
    for k in range(args.rounds):
        print(f"round {k + 1}: host check {host_check() * 1e3:.1f} ms", flush=True)
        for preset in presets:
            out = subprocess.run([sys.executable, "-c", CHILD, preset, args.policies,
                                  str(args.reps)], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            seen = runs.setdefault(preset, {"times": [], "peak_mib": 0.0})
            seen["times"] += r["times"]
            seen["schools"], seen["peak_mib"] = r["schools"], max(seen["peak_mib"], r["peak_mib"])
    print(f"\npolicies: {args.policies}; 30 terms; best and median of {args.reps} runs x "
          f"{args.rounds} rounds\n")
    print(f"{'preset':<20}{'schools':>8}{'best s':>9}{'median s':>10}"
          f"{'school-terms/s':>16}{'peak MiB':>10}{'s per 1k schools':>18}")
    for preset in presets:
        r = runs[preset]
        times = sorted(r["times"])
        best, median = times[0], times[len(times) // 2]
        rate = r["schools"] * 30 / median
        print(f"{preset:<20}{r['schools']:>8}{best:>9.3f}{median:>10.3f}{rate:>16,.0f}"
              f"{r['peak_mib']:>10.0f}{median / r['schools'] * 1000:>18.3f}")


if __name__ == "__main__":
    main()
