"""One rule for output folders, shared by every command that writes (run, batch, report,
sensitivity, calibrate, validate).

A command writes only into

- a new folder, or an empty one, or
- a folder whose ``manifest.json`` says the same command wrote it (and, for ``--resume``,
  the same spec: the batch and sensitivity commands check that against the manifest).

Anything else (a folder of the user's own files, another command's results, a damaged
manifest, a path that is a file, under a file or not writable) is refused with one line
before any work starts, and nothing is created. No command deletes or replaces a file it
did not create: the files it writes have fixed names, recorded in its manifest, and the
batch's clean-up removes only its own exactly named temporary files.

`claim` does the checking and writes nothing; each command calls it before it runs, and
the long-running ones again just before they write, in case the folder changed meanwhile.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

from clustersim.model.errors import UserError

MANIFEST = "manifest.json"
KINDS = ("run", "batch", "report", "sensitivity", "calibrate", "validate", "explain")
# OSErrors that are the environment's, not a bug: reported in one line, exit status 2.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
UNWRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EISDIR,
                        errno.ENAMETOOLONG, errno.ELOOP, errno.EEXIST})


class FolderError(UserError):
    """An output folder this command may not write into (or a damaged one it must read)."""


def check_path(path: str | os.PathLike | None, option: str = "--out") -> Path:
    """``path`` as a folder this process could create or write into; `FolderError` if not.

    Refused: an empty path, an existing file, a path under a file, a folder (or its first
    existing parent) that is read-only or not ours to write. Nothing is created.
    """
    text = "" if path is None else os.fspath(path)
    if not text.strip():
        raise FolderError(f"{option}: an empty path is not a folder; give a folder, "
                          "e.g. results/mine")
    if "\0" in text:
        raise FolderError(f"{option}: {text!r} holds a NUL character; give a folder path")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise FolderError(f"{option} {path}: exists and is not a folder; give a folder")
    existing = path
    while not existing.exists() and not existing.is_symlink():
        if existing == existing.parent:
            break
        existing = existing.parent
    if existing.is_symlink() and not existing.exists():
        raise FolderError(f"{option} {path}: {existing} is a broken symbolic link")
    if not existing.is_dir():
        raise FolderError(f"{option} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        why = "read-only file system" if _read_only(existing) else "no write permission"
        raise FolderError(f"{option} {path}: cannot write in {existing} ({why}); "
                          f"choose another {option}")
    return path


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def read_manifest(folder: str | os.PathLike, recover: str = "") -> dict[str, Any] | None:
    """The folder's manifest, or None if it has none; `FolderError` naming the file if it
    is damaged (unreadable, not JSON, not a JSON object). ``recover`` ends the message."""
    path = Path(folder) / MANIFEST
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise FolderError(f"{path}: cannot read it ({exc.strerror}){_hint(recover)}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        what = "empty" if path.stat().st_size == 0 else f"not valid JSON: {_first_line(exc)}"
        raise FolderError(f"{path}: damaged ({what}){_hint(recover)}") from None
    if not isinstance(data, dict):
        raise FolderError(f"{path}: damaged (a JSON {type(data).__name__}, not an "
                          f"object){_hint(recover)}")
    return data


def _hint(recover: str) -> str:
    return f"; {recover}" if recover else ""


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def manifest_kind(manifest: dict[str, Any]) -> str | None:
    """Which command wrote a manifest: its ``command`` field, or (manifests written before
    that field existed) the sensitivity and batch layouts."""
    command = manifest.get("command")
    if isinstance(command, str) and command.startswith("clustersim "):
        return command.split()[1]
    if "spec_sha256" in manifest and "morris" in manifest:
        return "sensitivity"
    if "spec_sha256" in manifest and "n_runs" in manifest:
        return "batch"
    return None


def _legacy_kind(folder: Path) -> str | None:
    """Calibration folders written before calibrate wrote a manifest: fitted.json says so."""
    try:
        fitted = json.loads((folder / "fitted.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return "calibrate" if isinstance(fitted, dict) and \
        fitted.get("command") == "clustersim calibrate" else None


def claim(path: str | os.PathLike | None, kind: str, option: str = "--out",
          tolerate: tuple[str, ...] | set[str] = (), recover: str = "") -> dict | None:
    """Check that command ``kind`` may write into ``path``; write nothing.

    Returns the folder's manifest when it holds earlier output of ``kind`` (the caller
    decides about resuming), None for a new or empty folder. ``tolerate`` names entries
    that do not make a folder "not empty" (the batch's own lock, the spec being run).
    """
    assert kind in KINDS, kind
    path = check_path(path, option)
    if not path.exists():
        return None
    entries = sorted(e for e in os.listdir(path) if e not in tolerate)
    if not entries:
        return None
    manifest = read_manifest(path, recover or f"choose another {option}, or move the "
                             "folder aside")
    if manifest is None:
        if _legacy_kind(path) == kind:
            return {"command": f"clustersim {kind}"}
        shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3
                                          else "")
        raise FolderError(f"{option} {path}: holds files that clustersim did not write "
                          f"({shown}) and no {MANIFEST}; `clustersim {kind}` writes only "
                          f"into a new or empty folder, or one it wrote; choose another "
                          f"{option}")
    found = manifest_kind(manifest)
    if found != kind:
        what = f"`clustersim {found}`" if found else "an unknown command"
        raise FolderError(f"{option} {path}: holds the output of {what}; `clustersim {kind}` "
                          f"writes only into a new or empty folder, or one it wrote; choose "
                          f"another {option}")
    return manifest


# ------------------------------------------------------------------- errors while writing


def is_environment_error(exc: BaseException) -> bool:
    """An OSError that is the machine's (disk full, read-only, permissions), not a bug."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL | UNWRITABLE


def describe_os_error(exc: OSError, kept: str = "") -> str:
    """One line: which file, what went wrong, what was kept and what to do."""
    where = exc.filename if exc.filename is not None else "a result file"
    if exc.errno in DISK_FULL:
        return (f"{where}: disk full ({exc.strerror}) while writing it; "
                f"{kept or 'files written before are intact'}; free space and "
                f"{'use --resume' if kept else 'run the command again'}")
    return f"{where}: cannot write ({exc.strerror}); {kept or 'choose another --out'}"
