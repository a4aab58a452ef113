"""`clustersim run`: one region, one seed, one or more scenarios compared side by side."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

NAME = "run"
HELP = "Run the model on a preset under one or more policies and write CSVs and plots."
FILES = ["timeseries.csv", "schools.csv", "summary.csv", "inspections.csv", "gap.png",
         "left_behind.png", "map.png", "datapackage.json", "manifest.json"]
SPEC = "run_spec.toml"  # --replicates: the batch spec written into the output folder


def add_arguments(p: argparse.ArgumentParser) -> None:
    from clustersim.model.limits import default  # every run setting's default, declared once

    p.add_argument("--preset", default=default("preset"),
                   help=f"region preset (default: {default('preset')})")
    p.add_argument("--policy", action="append", dest="policies", metavar="POLICY",
                   help="a scenario's policies, combined with '+' (e.g. superintendent+cpd_bank); "
                        f"repeat to compare scenarios (default: {'+'.join(default('policies'))})")
    p.add_argument("--seed", type=int, default=default("seed"),
                   help=f"seed: fixes the region and all shocks (default: {default('seed')})")
    p.add_argument("--years", type=int, default=default("years"),
                   help=f"horizon in years (3 terms each; default: {default('years')})")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (see `clustersim params`); repeatable")
    p.add_argument("--out", default="results/run", help="output folder (default: results/run)")
    p.add_argument("--format", default="csv", choices=["csv", "parquet"],
                   help="format of the tables (default: csv; parquet needs pyarrow)")
    p.add_argument("--replicates", type=int, default=None, metavar="N",
                   help="run N common-random-number replicates (seeds from --seed) as a "
                        "small batch: batch files in --out, a ranked table with 95%% "
                        "intervals, map.png; then `clustersim report DIR`")
    real = p.add_argument_group("a real region (docs/regions.md)")
    real.add_argument("--region", metavar="PATH.csv", default=None,
                      help="the DfE register's establishments CSV (GIAS); its schools replace "
                           "the preset's")
    real.add_argument("--la", nargs="+", action="extend", metavar="CODE_OR_NAME", default=None,
                      help="keep these local authorities only (codes or names)")
    real.add_argument("--gor", metavar="NAME", default=None,
                      help="keep one Government Office region only (e.g. 'South West')")
    real.add_argument("--attainment", metavar="PATH.csv", default=None,
                      help="KS2 school-level results (URN, PTRWM_EXP) for starting attainment")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.batch.unused import run_warning
    from clustersim.experiments.shared import outputs
    from clustersim.model import PARAMS, limits
    from clustersim.model.config import resolve_config
    from clustersim.model.errors import UserError

    pairs = [PARAMS.parse_assignment(a) for a in args.set]
    overrides = dict(pairs)
    if len(overrides) < len(pairs):
        twice = next(n for i, (n, _) in enumerate(pairs) if n in dict(pairs[:i]))
        raise UserError(f"--set: {twice} is given twice; give each parameter once")
    scenarios = args.policies or ["+".join(limits.default("policies"))]
    limits.integer("--seed", args.seed, limits.SEEDS)
    configs = {}
    for label in scenarios:
        cfg = resolve_config({"preset": args.preset, "policies": label, "years": args.years,
                              **_region_keys(args), **overrides})
        twin = next((k for k, c in configs.items() if set(c["policies"]) ==
                     set(cfg["policies"])), None)
        if twin is not None:
            raise UserError(f"--policy: {label!r} is the same scenario as {twin!r}; give each "
                            "scenario once")
        configs[label] = cfg
    if args.replicates is not None:
        return _replicates(args, configs, overrides)
    outputs.claim(args.out, "run")  # before any work: a folder of ours, or new or empty
    out = Path(args.out)
    warning = run_warning([c["policies"] for c in configs.values()], overrides)
    if warning:
        print(warning, file=sys.stderr)

    import pandas as pd
    from clustersim.experiments.shared import io, plots
    from clustersim.model import run as run_model

    started = time.time()
    loaded = _region_report(next(iter(configs.values())))
    if loaded:
        print(loaded.line())
    series, schools, summary, inspections = [], [], [], []
    for label, cfg in configs.items():
        res = run_model(cfg, args.seed)
        series.append(res.timeseries.assign(scenario=label))
        schools.append(res.schools.assign(scenario=label))
        inspections.append(res.inspections[["school", "term", "grade"]].assign(scenario=label))
        summary.append({"scenario": label, "seed": args.seed, **res.summary})
        print(f"{label:<40} gap {res.summary['gap']:6.2f} pp   left behind "
              f"{res.summary['left_behind']:.1%}   isolation of weak "
              f"{res.summary['isolation_weak']:.1%}")
    ts = pd.concat(series, ignore_index=True)
    ts = ts[["scenario", *[c for c in ts.columns if c != "scenario"]]]
    sc = pd.concat(schools, ignore_index=True)
    sc = sc[["scenario", *[c for c in sc.columns if c != "scenario"]]]
    outputs.claim(out, "run")  # again: the folder may have changed while the model ran
    ins = pd.concat(inspections, ignore_index=True)
    for name, frame in {"timeseries.csv": ts, "schools.csv": sc,
                        "summary.csv": pd.DataFrame(summary),
                        "inspections.csv": ins[["scenario", "school", "term", "grade"]]}.items():
        io.write_table(out / name, frame, args.format)
    files = [io.table_name(f, args.format) if f.endswith(".csv") else f for f in FILES]
    from clustersim.experiments.analysis import maps

    maps.run_map({lb: g.drop(columns="scenario") for lb, g in sc.groupby("scenario",
                                                                        sort=False)},
                 out / "map.png")
    plots.timeseries_by_scenario(ts, "gap", "RWM gap, other minus weak (pp)",
                                 "Attainment gap between weak and other schools",
                                 out / "gap.png")
    plots.timeseries_by_scenario(ts, "left_behind", "share of weak schools",
                                 "Weak schools left behind (below floor or RI/inadequate)",
                                 out / "left_behind.png")
    from clustersim.experiments.shared import datapackage

    datapackage.write(out, files, f"clustersim run {', '.join(scenarios)}")
    io.write_json(out / "manifest.json", {
        "command": "clustersim run", "preset": args.preset, "seed": args.seed,
        "years": args.years, "scenarios": scenarios, "overrides": overrides,
        "parameters": {k: v for k, v in next(iter(configs.values())).items()
                       if k not in ("policies",)},
        "versions": io.versions(), "git_commit": io.git_commit(),
        "seconds": round(time.time() - started, 3), "completed": True, "files": files,
        **({"region": loaded.as_dict()} if loaded else {}),
    })
    print(f"wrote {out}/: {' '.join(files)}")
    return 0


def _replicates(args: argparse.Namespace, configs: dict, overrides: dict) -> int:
    """--replicates N: the scenarios as a small batch (common random numbers, root seed
    --seed, every school kept) in --out, a ranked table with intervals, and map.png."""
    import hashlib
    import json

    from clustersim.experiments.analysis.verdict import compare, n_schools, ranked_table
    from clustersim.experiments.batch.engine import run_batch
    from clustersim.experiments.shared import outputs
    from clustersim.model import limits

    n = limits.integer("--replicates", args.replicates, limits.REPLICATES)
    limits.check_runs(n * len(configs))
    lines = [f"name = {json.dumps(Path(args.out).name or 'run')}",
             f"description = \"clustersim run --replicates {n}\"",
             f"preset = {json.dumps(args.preset)}", f"years = {args.years}",
             f"replicates = {n}", f"root_seed = {args.seed}",
             f"baseline = {json.dumps(next(iter(configs)))}"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in _region_keys(args).items()]
    if overrides:
        lines += ["[params]"] + [f"{k} = {json.dumps(v)}" for k, v in overrides.items()]
    for label, cfg in configs.items():
        lines += ["[[scenarios]]", f"label = {json.dumps(label)}",
                  f"policies = {json.dumps(list(cfg['policies']))}"]
    lines += ["[outputs]", "timeseries = true", 'schools = "all"', f'format = "{args.format}"']
    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    old = outputs.claim(out, "batch", tolerate={SPEC, ".lock"})
    same = old is not None and old.get("spec_sha256") == hashlib.sha256(
        text.encode("utf-8")).hexdigest()
    if old is not None and not same:
        raise outputs.FolderError(f"--out {out}: holds another batch ({old.get('name')!r}); "
                                  "choose another --out or delete the folder")
    out.mkdir(parents=True, exist_ok=True)
    if not same:
        from clustersim.experiments.shared import io

        io.write_text(out / SPEC, text)
    run_batch(out / SPEC, out=out, workers=min(2, n * len(configs)), resume=same)
    from clustersim.experiments.analysis import maps
    from clustersim.experiments.analysis.report import Batch
    from clustersim.experiments.shared import io

    batch = Batch(out)
    total, weak = n_schools(out, batch.manifest)
    rows = compare(batch.runs, batch.baseline, args.years, total, weak)
    print(ranked_table(rows, batch.baseline))
    schools = io.read_table(out, "schools.csv")
    maps.run_map({lb: g for lb, g in schools.groupby("scenario", sort=False)}, out / "map.png")
    print(f"wrote {out}/: the batch files and map.png; `clustersim report {out}` writes "
          "report.html")
    return 0


def _region_keys(args: argparse.Namespace) -> dict:
    """The region keys given on the command line (resolve_config checks and loads them)."""
    given = {"region": args.region, "la": args.la, "gor": args.gor,
             "attainment": args.attainment}
    return {k: v for k, v in given.items() if v is not None}


def _region_report(config: dict):
    """What loading the config's real region kept and imputed, or None for a preset."""
    from clustersim.model.gias import region_for

    region = region_for(config)
    return region.register.report if region is not None else None
