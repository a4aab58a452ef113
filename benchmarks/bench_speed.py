"""Issue 18's benchmark: each preset against a bare per-agent Mesa loop of the same size,
measured in the same process, and the national policy comparison's throughput.

1. For each preset (county, large_county, england) and each policy alone, the CPU and
   wall time of one run (``model.run``, 10 years = 30 terms, tables included) and the
   ratio of its CPU time to a bare Mesa loop of the same size: N agents created, then
   30 steps of ``model.agents.shuffle_do("step")`` with one float update per agent per
   step. A last row per preset runs the 8 policies on one seed as a batch runs a
   replicate's scenarios (one built world, restored for each: `model.run_each`) and
   gives the CPU and wall time per run. The loop and the runs are interleaved in rounds
   in this one process and the best of the rounds is kept (other jobs share this host:
   the best is the steadiest).
2. The national comparison (england x 8 policies x 50 replicates = 400 runs): a slice of
   it (``--replicates`` replicates, default 6: 48 runs, an even number of replicate
   groups so that 2 workers end together) is run through the batch engine
   (`clustersim.experiments.batch.run_batch`, schools = "weak", time series) in a fresh
   process with 1 and with 2 workers; the 400 runs' time is extrapolated from the 2-worker
   slice (the formula is printed), the parallel efficiency is T(1) / (2 x T(2)), and the
   peak memory per worker is the largest worker's maximum resident set.

    .venv/bin/python benchmarks/bench_speed.py [--rounds 3] [--presets county,england]
                                               [--replicates 5] [--skip-batch]

Targets (issue 18): england, every policy, at most 0.5x the bare loop's CPU; large_county
at most 0.05 s CPU a run; the 400 runs in at most 2 minutes on 2 cores; efficiency at
least 0.9; under 400 MiB per worker. Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = 30
NATIONAL = 400  # england x 8 policies x 50 replicates
SHARED = "per run, shared world"  # the 8 policies on one seed, one world (as a batch)

SPEC = """
name = "national_slice"
preset = "england"
years = 10
replicates = {replicates}
root_seed = 2026
baseline = "self_improving"
{scenarios}
[outputs]
timeseries = true
schools = "weak"
"""

CHILD = """
import json, resource, sys, time
from clustersim import model
model.run  # import mesa and the model before timing
from clustersim.experiments.batch.engine import run_batch
spec_path, out, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0, c0 = time.perf_counter(), time.process_time()
run_batch(spec_path, out=out, workers=workers, quiet=True)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "cpu": cpu + kids.ru_utime + kids.ru_stime,
                  "worker_mib": (kids.ru_maxrss if workers > 1 else me.ru_maxrss) / 1024}))
"""


def bare_mesa(n: int) -> tuple[float, float]:
    """CPU and wall seconds of n Mesa agents created and stepped 30 times, one float
    update per agent per step (the idiomatic per-agent loop)."""
    import mesa

    class Agent(mesa.Agent):
        def __init__(self, model):
            super().__init__(model)
            self.value = 0.0

        def step(self):
            self.value += 0.5 * (1.0 - self.value)

    class Model(mesa.Model):
        def __init__(self):
            super().__init__(rng=0)
            for _ in range(n):
                Agent(self)

        def step(self):
            self.agents.shuffle_do("step")

    c, t = time.process_time(), time.perf_counter()
    m = Model()
    for _ in range(STEPS):
        m.step()
    return time.process_time() - c, time.perf_counter() - t


def one_run(preset: str, policies: str, seed: int) -> tuple[float, float]:
    from clustersim.model import run

    c, t = time.process_time(), time.perf_counter()
    run({"preset": preset, "policies": policies, "years": STEPS // 3}, seed)
    return time.process_time() - c, time.perf_counter() - t


def shared_world(preset: str, seed: int) -> tuple[float, float]:
    """CPU and wall seconds per run of every policy alone on one seed, run as a batch
    runs a replicate's scenarios: one built world, restored for each (`run_each`)."""
    from clustersim.model.api import run_each
    from clustersim.model.policies import POLICY_NAMES

    configs = [{"preset": preset, "policies": p, "years": STEPS // 3} for p in POLICY_NAMES]
    c, t = time.process_time(), time.perf_counter()
    for _ in run_each(configs, seed):
        pass
    n = len(configs)
    return (time.process_time() - c) / n, (time.perf_counter() - t) / n


def models(presets: list[str], rounds: int) -> None:
    from clustersim.model.policies import POLICY_NAMES
    from clustersim.model.region import get_preset
    from clustersim.model.threads import one_blas_thread

    one_blas_thread()
    one_run("county", "self_improving", 1)  # warm: imports, caches
    best: dict[tuple[str, str], list[float]] = {}
    for k in range(rounds):
        for preset in presets:
            n = get_preset(preset).n_schools
            cases = [("bare Mesa loop", None), *((p, p) for p in POLICY_NAMES),
                     (SHARED, SHARED)]
            for label, policies in cases:
                cpu, wall = (bare_mesa(n) if policies is None else shared_world(preset, 1)
                             if policies == SHARED else one_run(preset, policies, 1))
                got = best.setdefault((preset, label), [float("inf"), float("inf")])
                got[0], got[1] = min(got[0], cpu), min(got[1], wall)
        print(f"round {k + 1} of {rounds} done", file=sys.stderr, flush=True)
    print(f"\none run, {STEPS} terms (10 years), best of {rounds} interleaved rounds; ratio = "
          "run CPU / bare Mesa loop CPU (same N, same process)\n")
    print(f"{'preset':<14}{'policy':<24}{'CPU s':>8}{'wall s':>8}{'ratio':>8}")
    for preset in presets:
        bare = best[(preset, "bare Mesa loop")][0]
        for (pre, label), (cpu, wall) in best.items():
            if pre == preset:
                ratio = "" if label == "bare Mesa loop" else f"{cpu / bare:8.2f}"
                print(f"{preset:<14}{label:<24}{cpu:8.3f}{wall:8.3f}{ratio:>8}")
        runs = [v[0] for (pre, label), v in best.items()
                if pre == preset and label not in ("bare Mesa loop", SHARED)]
        print(f"{preset:<14}{'(mean of the 8 alone)':<24}{sum(runs) / len(runs):8.3f}"
              f"{'':>8}{sum(runs) / len(runs) / bare:8.2f}")


def national(replicates: int) -> None:
    from clustersim.model.policies import POLICY_NAMES

    scenarios = "".join(f'[[scenarios]]\npolicies = ["{p}"]\n' for p in POLICY_NAMES)
    runs = len(POLICY_NAMES) * replicates
    folder = Path(tempfile.mkdtemp(prefix="clustersim-national-"))
    spec = folder / "national_slice.toml"
    spec.write_text(SPEC.format(replicates=replicates, scenarios=scenarios))
    result = {}
    for workers in (1, 2):
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(CHILD), str(spec),
                               str(folder / f"out{workers}"), str(workers)], cwd=ROOT,
                              capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"batch with {workers} workers failed:\n{proc.stderr}")
        result[workers] = json.loads(proc.stdout.strip().splitlines()[-1])
    one, two = result[1], result[2]
    efficiency = one["wall"] / (2 * two["wall"])
    total = NATIONAL / runs * two["wall"]
    load = os.getloadavg()[0]
    print(f"\nnational comparison: a slice of {runs} runs (england x {len(POLICY_NAMES)} "
          f"policies x {replicates} replicates, schools = weak, time series), load average "
          f"{load:.1f}")
    print(f"  1 worker : {one['wall']:7.2f} s wall, {one['cpu']:7.2f} s CPU, "
          f"{runs / one['wall']:.2f} runs/s")
    print(f"  2 workers: {two['wall']:7.2f} s wall, {two['cpu']:7.2f} s CPU, "
          f"{runs / two['wall']:.2f} runs/s")
    print(f"  400 runs on 2 workers ~= 400 / {runs} x {two['wall']:.2f} s = {total:.1f} s "
          f"({total / 60:.2f} min)")
    print(f"  parallel efficiency = T(1) / (2 x T(2)) = {one['wall']:.2f} / (2 x "
          f"{two['wall']:.2f}) = {efficiency:.2f}")
    # on a shared host the wall times carry other jobs' load; the CPU seconds do not
    ideal = NATIONAL / runs * two["cpu"] / 2
    print(f"  400 runs on 2 free cores ~= 400 / {runs} x {two['cpu']:.2f} s CPU / 2 = "
          f"{ideal:.1f} s ({ideal / 60:.2f} min)")
    print(f"  CPU cost of running in parallel = CPU(1) / CPU(2) = {one['cpu']:.2f} / "
          f"{two['cpu']:.2f} = {one['cpu'] / two['cpu']:.2f}")
    print(f"  peak memory per worker: {two['worker_mib']:.0f} MiB (largest worker's max RSS; "
          f"serial process {one['worker_mib']:.0f} MiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--presets", default="county,large_county,england")
    ap.add_argument("--replicates", type=int, default=6, help="of the national slice")
    ap.add_argument("--skip-batch", action="store_true", help="no national comparison")
    args = ap.parse_args()
    if args.rounds < 1 or args.replicates < 1:
        ap.error("--rounds and --replicates must be at least 1")
    models(args.presets.split(","), args.rounds)
    if not args.skip_batch:
        national(args.replicates)


if __name__ == "__main__":
    main()
