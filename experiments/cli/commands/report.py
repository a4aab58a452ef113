"""`clustersim report`: intervals, paired differences and who is left behind, for a batch."""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

NAME = "report"
HELP = ("Report a finished batch: a verdict first (who leaves the fewest and the most weak "
        "schools behind, by how much, at what cost), flags, policies, caveats, maps, grade "
        "histories, plots (PNG+SVG) and report.html.")
FILES = ["report.html", "report", "manifest.json"]  # in an --out folder of its own
KEYS = ["run_id", "scenario", "policies", "point", "replicate", "seed"]
FRAME_KEYS = ["run_id", "scenario", "point", "replicate"]
TAIL = 1 << 16  # bytes read from each end of the large CSVs


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help="a batch folder written by `clustersim batch`")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="where to write report.html and report/ (default: the batch folder)")
    p.add_argument("--min-effect", type=float, default=2.0, metavar="PP",
                   help="practical threshold in percentage points of weak schools: smaller "
                        "differences are ties whatever their p-value (default: 2)")


def run(args: argparse.Namespace) -> int:
    from clustersim.experiments.analysis.report import make_report
    from clustersim.experiments.shared import io, outputs
    from clustersim.model.errors import UserError

    folder = Path(args.dir)
    if not (0 <= args.min_effect <= 100) or args.min_effect != args.min_effect:
        raise UserError(f"--min-effect: {args.min_effect:g} is not a number of percentage "
                        "points in [0, 100]")
    if not folder.is_dir():
        raise UserError(f"{args.dir}: no such folder; expected a batch folder "
                        "(e.g. results/policy_comparison)")
    check_batch(folder)
    own = args.out is not None and os.path.realpath(args.out) != os.path.realpath(folder)
    if own:
        outputs.claim(args.out, "report")
    else:
        outputs.check_path(folder, "the batch folder")
    path = make_report(folder, args.out, min_effect=args.min_effect / 100)
    if own:
        io.write_json(Path(args.out) / "manifest.json", {
            "command": "clustersim report", "batch": os.path.realpath(folder),
            "files": FILES, "versions": io.versions(), "git_commit": io.git_commit(),
            "completed": True})
    print(f"report: {path}")
    return 0


def check_batch(folder: Path) -> None:
    """Refuse, in one line naming the file and how to recover, a batch folder the report
    cannot read: no or a damaged manifest, another command's folder, an unfinished batch,
    a runs.csv that is missing, empty, binary, truncated or of the wrong size, or a
    timeseries/schools CSV that is missing, empty, binary or cut off."""
    from clustersim.experiments.shared import io, outputs
    from clustersim.model.errors import UserError

    again = ("make it again: `clustersim batch` with the spec kept in manifest.json "
             "(spec_text) into another --out gives the same files")
    manifest = outputs.read_manifest(folder, "restore it, or run the batch's spec again into "
                                             "another --out (the same spec gives the same "
                                             "files)")
    if manifest is None:
        raise UserError(f"{folder}: no manifest.json; expected a folder written by "
                        "`clustersim batch`")
    kind = outputs.manifest_kind(manifest)
    if kind != "batch":
        raise UserError(f"{folder}: holds the output of `clustersim {kind or 'unknown'}`, "
                        "not a batch; report needs a folder written by `clustersim batch`")
    if manifest.get("completed") is not True:
        raise UserError(f"{folder}: the batch is not complete ({manifest.get('runs_done', 0)} "
                        f"of {manifest.get('n_runs')} runs); finish it with "
                        "`clustersim batch SPEC --out DIR --resume`")
    problem = _manifest_problem(manifest)
    if problem:
        raise UserError(f"{folder / 'manifest.json'}: damaged ({problem}); restore it, or "
                        "run the batch's spec again into another --out")
    fmt = (manifest.get("outputs") or {}).get("format", "csv")  # older batches: csv
    runs = folder / io.table_name("runs.csv", fmt if fmt in io.FORMATS else "csv")
    problem = _parquet_problem(runs, manifest["n_runs"]) if runs.suffix == ".parquet" else \
        _runs_problem(runs, manifest["n_runs"])
    if problem:
        raise UserError(f"{runs}: {problem}; {again}")
    years = manifest.get("years")
    for name in manifest.get("files", []):
        if Path(name).stem in ("timeseries", "schools"):
            rows = manifest["n_runs"] * (3 * years + 1) if name.startswith("timeseries") and \
                isinstance(years, int) else None  # one row per run and term 0..3*years
            problem = _parquet_problem(folder / name, rows) if name.endswith(".parquet") \
                else _frame_problem(folder / name, manifest["n_runs"], rows)
            if problem:
                raise UserError(f"{folder / name}: {problem}; {again}")


def _manifest_problem(m: dict) -> str | None:
    scenarios = m.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios or not all(
            isinstance(s, dict) and isinstance(s.get("resolved"), dict) for s in scenarios):
        return "no list of resolved scenarios"
    if not isinstance(m.get("baseline"), str):
        return "no baseline"
    if not isinstance(m.get("sweep"), dict) or not isinstance(m["sweep"].get("points"), list):
        return "no sweep points"
    n = m.get("n_runs")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        return "no run count"
    files = m.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return "files is not a list of names"
    return None


def _runs_problem(path: Path, n_runs: int) -> str | None:
    """What is wrong with runs.csv (one row per run), or None."""
    if not path.is_file():
        return "missing"
    if path.stat().st_size == 0:
        return "empty"
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            header = next(rows, [])
            if header[:len(KEYS)] != KEYS:
                return f"not a runs table (its header does not start {','.join(KEYS)})"
            count = 0
            for row in rows:
                if len(row) != len(header):
                    return (f"damaged: row {count + 1} has {len(row)} fields, the header "
                            f"{len(header)} (truncated?)")
                count += 1
    except UnicodeDecodeError:
        return "damaged: not text (binary data)"
    except csv.Error as exc:
        return f"damaged: {exc}"
    if count != n_runs:
        return f"damaged: {count} runs where the manifest says {n_runs} (truncated?)"
    if not _ends_with_newline(path):
        return "damaged: its last line is cut off (truncated?)"
    return None


def _parquet_problem(path: Path, rows: int | None) -> str | None:
    """A check of a Parquet table: present, readable metadata, (when known) its rows."""
    if not path.is_file():
        return "missing (the manifest lists it)"
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        found = pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        return f"damaged: not a readable Parquet file ({str(exc).splitlines()[0]})"
    if rows is not None and found != rows:
        return f"damaged: {found} rows where the batch wrote {rows} (truncated?)"
    return None


def _frame_problem(path: Path, n_runs: int, rows: int | None = None) -> str | None:
    """A check of a large CSV: present, text, its header, a whole last line from the last
    run, and (when known) its number of rows."""
    if not path.is_file():
        return "missing (the manifest lists it)"
    size = path.stat().st_size
    if size == 0:
        return "empty"
    with open(path, "rb") as fh:
        head = fh.read(TAIL)
        fh.seek(max(0, size - TAIL))
        tail = fh.read()
    try:
        header = head.split(b"\n", 1)[0].decode("utf-8")
        last = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("utf-8")
    except UnicodeDecodeError:
        return "damaged: not text (binary data)"
    if header.split(",")[:len(FRAME_KEYS)] != FRAME_KEYS:
        return f"damaged: its header does not start {','.join(FRAME_KEYS)}"
    if not tail.endswith(b"\n"):
        return "damaged: its last line is cut off (truncated?)"
    fields = next(csv.reader([last]), [])
    if len(fields) != len(next(csv.reader([header]))):
        return "damaged: its last row has the wrong number of fields (truncated?)"
    if fields[0] != str(n_runs - 1):
        return f"damaged: it ends in run {fields[0]}, not run {n_runs - 1} (truncated?)"
    if rows is not None:
        with open(path, "rb") as fh:
            lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
        if lines != rows + 1:
            return f"damaged: {lines - 1} rows where the batch wrote {rows} (truncated?)"
    return None


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"
