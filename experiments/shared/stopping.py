"""Stopping a command cleanly: Ctrl-C, SIGTERM and SIGHUP all become `Interrupted`.

`experiments.cli` turns SIGTERM and SIGHUP into `Interrupted` (a `KeyboardInterrupt`)
for the whole command, so every ``with`` block unwinds as for Ctrl-C: a batch stops its
workers, releases its lock and says in one line what it kept and how to resume.
"""

from __future__ import annotations

import signal
import threading


class Interrupted(KeyboardInterrupt):
    """A command stopped by Ctrl-C, SIGTERM or SIGHUP: the message says what was kept."""

    def __init__(self, message: str = "", signame: str = "SIGINT"):
        super().__init__(message)
        self.message, self.signame = message, signame


class StopOnSignals:
    """Within the block, SIGTERM and SIGHUP raise `Interrupted` in the main thread (once:
    a second signal must not cut the clean-up short); ``received`` names the signal."""

    SIGNALS = (signal.SIGTERM, signal.SIGHUP)

    def __init__(self):
        self.received: str | None = None
        self.old: dict = {}

    def _handle(self, signum, frame) -> None:
        self.received = signal.Signals(signum).name
        for s in self.SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signame=self.received)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.old = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc) -> None:
        for s, handler in self.old.items():
            signal.signal(s, handler)
