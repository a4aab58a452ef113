"""Writing results safely: atomic files, manifests with versions and the git commit.

Every file is written to a temporary sibling and renamed into place, so a crash never
leaves a half-written CSV and a second run never corrupts the first one's files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("clustersim", "mesa", "numpy", "scipy", "pandas", "matplotlib")


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "", tmp_name: str | None = None):
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds.

    The temporary file is ``.NAME.XXXXXXXX.tmp`` (random), or exactly ``tmp_name`` when
    given (the batch names its own, so that its clean-up can remove exactly those and never
    a user's file). An OSError raised while writing names ``path`` if it named no file.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if tmp_name is None:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                       suffix=suffix or ".tmp")
        else:
            tmp = str(path.parent / tmp_name)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        _name(exc, path)
        raise
    os.close(fd)
    umask = os.umask(0)  # mkstemp makes 0600 files: give results the usual permissions
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            _name(exc, path)
        raise


def _name(exc: OSError, path: Path) -> None:
    """Let a write error name the file (a failed ``write()`` names none)."""
    if exc.filename is None:
        exc.filename = str(path)


def write_text(path: str | os.PathLike, text: str, tmp_name: str | None = None) -> None:
    with atomic_path(path, tmp_name=tmp_name) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike, obj: Any, tmp_name: str | None = None) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n",
               tmp_name)


# Columns whose "none" the model codes as -1 (no trust, no cluster): written as empty cells.
NONE_CODED = frozenset({"trust", "trust_end", "cluster_end"})


def write_csv(path: str | os.PathLike, frame) -> None:
    """Write a pandas DataFrame as CSV atomically: floats in full (repr), "none" as an
    empty cell (`NONE_CODED`)."""
    coded = [c for c in frame.columns if c in NONE_CODED]
    if coded:
        frame = frame.assign(**{c: frame[c].astype("Int64").mask(frame[c] < 0) for c in coded})
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")


# ------------------------------------------------------------------ tables: CSV or Parquet
FORMATS = ("csv", "parquet")
PARAM_PREFIX = "param."  # runs tables: parameters are "param.NAME", outcomes plain names


def run_column(name: str) -> str:
    """The runs-table column of a config entry: a registry parameter gets the prefix; run
    settings (preset, years, a region's keys) and the run's keys do not."""
    from clustersim.model import PARAMS

    return PARAM_PREFIX + name if name in PARAMS else name


def table_name(name: str, fmt: str = "csv") -> str:
    """``runs.csv`` as the file name of format ``fmt`` (``runs.parquet``)."""
    return str(Path(name).with_suffix("." + fmt))


def write_table(path: str | os.PathLike, frame, fmt: str = "csv") -> Path:
    """Write a DataFrame as ``path`` (named ``*.csv``) in ``fmt``, atomically; return the
    file written. Both formats keep floats exact and "none" empty/null (`NONE_CODED`)."""
    path = Path(table_name(str(path), fmt))
    if fmt == "csv":
        write_csv(path, frame)
        return path
    _pyarrow()
    coded = [c for c in frame.columns if c in NONE_CODED]
    if coded:
        frame = frame.assign(**{c: frame[c].astype("Int64").mask(frame[c] < 0) for c in coded})
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return path


def csv_to_parquet(csv_path: str | os.PathLike, parquet_path: str | os.PathLike,
                   tmp_name: str | None = None) -> None:
    """Stream a CSV this package wrote into a Parquet file (atomically), block by block.

    Floats were written as their shortest round-trip repr, so they are read back exactly;
    the columns in `NONE_CODED` are nullable integers. A column empty throughout the first
    block is read as float (NaN outcomes); should a later block disagree with the types
    of the first, the file is read whole instead.
    """
    pa, pacsv, pq = _pyarrow()
    read = pacsv.ReadOptions(block_size=1 << 24, use_threads=False)
    with open(csv_path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split(",")
    types = {c: pa.int64() for c in header if c in NONE_CODED}
    with atomic_path(parquet_path, tmp_name=tmp_name) as tmp:
        try:
            with pacsv.open_csv(csv_path, read_options=read,
                                convert_options=pacsv.ConvertOptions(column_types=types)) as r:
                schema = pa.schema([f.with_type(pa.float64()) if pa.types.is_null(f.type)
                                    else f for f in r.schema])
            convert = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema})
            with pacsv.open_csv(csv_path, read_options=read, convert_options=convert) as r, \
                    pq.ParquetWriter(tmp, schema) as writer:
                for batch in r:
                    writer.write_batch(batch)
        except pa.ArrowInvalid:  # a later block disagreed with the first: read it whole
            table = pacsv.read_csv(csv_path, convert_options=pacsv.ConvertOptions(
                column_types=types), read_options=pacsv.ReadOptions(use_threads=False))
            pq.write_table(table, tmp)


def table_path(folder: str | os.PathLike, name: str) -> Path:
    """The file holding table ``name`` (e.g. ``runs.csv``) in ``folder``: the CSV if there
    is one, else the Parquet file of that name (which need not exist)."""
    csv = Path(folder) / name
    return csv if csv.exists() else Path(folder) / table_name(name, "parquet")


def read_table(folder: str | os.PathLike, name: str, columns=None):
    """Read table ``name`` (``runs.csv``) from ``folder``, as CSV or Parquet, whichever the
    folder holds; ``columns``: a list, or a predicate on a column's name."""
    import pandas as pd

    path = table_path(folder, name)
    if path.suffix == ".csv":
        return pd.read_csv(path, usecols=columns)
    _pyarrow()
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    wanted = [c for c in names if columns(c)] if callable(columns) else columns
    return pd.read_parquet(path, columns=wanted)


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
    except ImportError:
        from clustersim.model.errors import UserError

        raise UserError("Parquet output needs pyarrow: pip install pyarrow (or use format "
                        "\"csv\")") from None
    return pa, pacsv, pq


def _json_default(o: Any):
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, tuple)):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(cwd: str | os.PathLike | None = None) -> str:
    """The checkout's commit, with ``-dirty`` if the tree has changes; "unknown" outside git."""
    cwd = cwd or Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=cwd, capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
