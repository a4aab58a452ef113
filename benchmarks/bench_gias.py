"""GIAS loader benchmark: seconds to load a national-sized register file (target < 3 s).

Writes a ~25,000-row file in the published format (cp1252, the register's 139 columns)
with the sample's generator (scripts/make_gias_sample.py) in a temporary folder, then
times, best and median of ``--reps``:

- a full load in this process (read, decode, parse, filter, impute, build the Region),
  with the loader's caches emptied before each rep;
- one LA from a file already parsed (the cached case: a batch, or the page changing LA);
- a cold process: Python start-up, imports and a full load, as `clustersim run` pays it.

Prints a table; timing lives here, never in the tests.

    python benchmarks/bench_gias.py [--rows 25000] [--reps 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
COLD = "import sys; from model.gias import load_gias; print(load_gias(sys.argv[1]).n)"


def maker():
    spec = importlib.util.spec_from_file_location("make_gias_sample",
                                                  ROOT / "scripts" / "make_gias_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_gias_sample"] = module
    spec.loader.exec_module(module)
    return module


def timed(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=25_000)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args(argv)
    if args.rows < 100 or args.reps < 1:
        p.error("--rows must be at least 100 and --reps at least 1")
    from clustersim.model import gias

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "edubasealldata.csv"
        t = time.perf_counter()
        m = maker()
        path.write_bytes(m.to_bytes(m.national_rows(args.rows)))
        made = time.perf_counter() - t

        def full():
            gias._CACHE.clear()
            gias._PARSED.clear()
            return gias.load_gias(path)

        region = full()
        rep = region.register.report
        one_la = rep.las[0].split()[0]

        def cached_la():
            gias._CACHE.clear()
            return gias.load_gias(path, la=[one_la])

        rows = [("full load, in process", timed(full, args.reps)),
                ("one LA, file already parsed", timed(cached_la, args.reps)),
                ("cold process (imports + load)", timed(lambda: subprocess.run(
                    [sys.executable, "-c", COLD, str(path)], check=True, capture_output=True,
                    cwd=ROOT), max(1, args.reps // 2)))]
        size = path.stat().st_size / 2**20
    print(f"{rep.rows} rows x {len(m.COLUMNS)} columns ({size:.1f} MiB, written in "
          f"{made:.1f} s): {rep.schools} schools in {len(rep.las)} LAs, {rep.trusts} trusts")
    print(f"{'case':<34}{'best s':>8}{'median s':>10}")
    for name, times in rows:
        print(f"{name:<34}{min(times):>8.3f}{float(np.median(times)):>10.3f}")
    best = min(rows[0][1])
    print(f"target: a full load under 3 s: {'met' if best < 3.0 else 'NOT met'} ({best:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
