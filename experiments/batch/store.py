"""A batch's output folder while it runs and when it ends: one atomic JSON part per
finished run (``parts/NNNNNNN.json``), merged in run order, streaming, into the CSVs;
and the clean-up of exactly the batch's own temporary files."""

from __future__ import annotations

import json
import os
import re
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clustersim.experiments.shared import io
from clustersim.model.errors import UserError

if TYPE_CHECKING:
    from clustersim.experiments.batch.spec import Spec

PARTS = "parts"
MANIFEST = "manifest.json"
OUTPUTS = {"runs": "runs.csv", "timeseries": "timeseries.csv", "schools": "schools.csv",
           "inspections": "inspections.csv"}
TMP = ".partial"  # temporary names: ".runs.csv.partial", "parts/.0000012.json.partial"
PART_NAME = re.compile(r"\d{7,}\.json|\.\d{7,}\.json\.partial")


def part_path(out: Path, index: int) -> Path:
    return out / PARTS / f"{index:07d}.json"


def done_indices(out: Path) -> set[int]:
    """Runs whose part file is complete (temporary files from a killed write are ignored)."""
    folder = out / PARTS
    if not folder.is_dir():
        return set()
    return {int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()}


def write_part(out: Path, result: dict[str, Any]) -> None:
    path = part_path(out, result["index"])
    io.write_text(path, json.dumps(result, separators=(",", ":")), tmp_name=f".{path.name}{TMP}")


def read_part(out: Path, i: int) -> dict[str, Any]:
    path = part_path(out, i)
    try:
        part = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(part, dict) or part.get("index") != i:
            raise ValueError("not this run's result")
        return part
    except FileNotFoundError:
        raise UserError(f"{out}: run {i} has no result in {PARTS}/; run the batch again "
                        "with --resume") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path}: damaged ({str(exc).splitlines()[0]}); delete it and run "
                        "the batch again with --resume to redo that run") from None


def merge(out: Path, n_runs: int, spec: Spec) -> dict[str, float]:
    """Concatenate the parts in run order into the CSVs, streaming; return timing totals."""
    wanted = ["runs"] + (["timeseries"] if spec.timeseries else []) + \
        (["schools", "inspections"] if spec.schools != "none" else [])
    headers: dict[str, str] = {}
    seconds = []
    with ExitStack() as stack:
        files = {}
        for k in wanted:
            tmp = stack.enter_context(io.atomic_path(out / OUTPUTS[k],
                                                     tmp_name=f".{OUTPUTS[k]}{TMP}"))
            files[k] = stack.enter_context(open(tmp, "w", encoding="utf-8", newline=""))
        for i in range(n_runs):
            part = read_part(out, i)
            seconds.append(part["seconds"])
            for k in wanted:
                if k not in part:
                    raise UserError(f"{part_path(out, i)}: no {OUTPUTS[k]} rows (written by "
                                    "an older clustersim): start a new batch")
                header, body = part[k]
                if k not in headers:
                    headers[k] = header
                    _write(files[k], header, out / OUTPUTS[k])
                elif header != headers[k]:
                    raise UserError(f"{part_path(out, i)}: columns differ from run 0's; the "
                                    "model changed while the batch ran: start a new batch")
                _write(files[k], body, out / OUTPUTS[k])
    return {"run_seconds_total": sum(seconds), "run_seconds_mean": sum(seconds) / n_runs,
            "run_seconds_max": max(seconds)}


def _write(fh, text: str, path: Path) -> None:
    try:
        fh.write(text)
    except OSError as exc:  # a failed write() names no file: name the one being merged
        exc.filename = exc.filename or str(path)
        raise


def clean_temporaries(out: Path) -> None:
    """Remove this batch's own temporary files, by their exact names: the finished parts,
    a killed write's ``.NNNNNNN.json.partial`` and a killed merge's ``.runs.csv.partial``
    (and kin). Anything else, a user's file included, is left alone."""
    parts = out / PARTS
    if parts.is_dir():
        for entry in os.scandir(parts):
            if PART_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        with suppress(OSError):  # not empty: something not ours is in it; keep it
            parts.rmdir()
    for name in [*OUTPUTS.values(), *(io.table_name(n, "parquet") for n in OUTPUTS.values()),
                 MANIFEST]:
        (out / f".{name}{TMP}").unlink(missing_ok=True)
