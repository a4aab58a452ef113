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
    cwd = cwd or Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=cwd, capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
