"""An exclusive claim on a batch's output folder (``.lock``), taken over when stale."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from clustersim.model.errors import UserError

LOCK = ".lock"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell PID reuse."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(owner: dict) -> bool:
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = owner.get("start_time")
    return started is None or start_time(pid) in (None, started)


class BatchLock:
    """An exclusive claim on an output folder by this process, released on exit.

    The lock file records the PID, host and the process's start time. A lock left by a
    process that is gone (kill -9, a crash, a reboot) is stale and is taken over; a lock
    held by a live process, or by another host, refuses the second batch.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK

    def _owner(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def __enter__(self):
        import socket

        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "start_time": start_time(os.getpid()), "since": now()}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner.get("host", me["host"]) != me["host"]:
                    raise UserError(f"{self.folder}: locked by a batch on host "
                                    f"{owner['host']} (PID {owner.get('pid')}); if none runs "
                                    f"there, delete {self.path}") from None
                if owner and _alive(owner):
                    raise UserError(f"{self.folder}: another batch is writing here (PID "
                                    f"{owner['pid']}, since {owner.get('since')}); wait for "
                                    "it or use another --out") from None
                if not owner and time.time() - self.path.stat().st_mtime < 5:
                    time.sleep(0.2)  # a lock being written this instant: look again
                    continue
                self.path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
            return self
        raise UserError(f"{self.folder}: could not take {self.path}; another batch may be "
                        "starting here")

    def __exit__(self, *exc) -> None:
        if self._owner().get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)
