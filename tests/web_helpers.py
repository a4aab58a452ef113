"""Run a web server and Debian's chromium for browser tests, and clean both up.

The server is a subprocess in its own process group (we keep its PID and end that group
only); chromium is driven by the `playwright` package with an explicit executable, so
`playwright install` is never needed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# schemes that never reach a network (in-page data, object URLs, the browser's own pages)
OFFLINE_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}


def chromium_executable() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(argv: Sequence[str], url: str, log: Path, *, env: Mapping[str, str],
                 cwd: Path, timeout: float = 90.0) -> Server:
    """Start `argv` in a new process group and wait until `url` answers 200."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    server = Server(proc, url, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"server not answering at {url} after {timeout:.0f} s:\n"
                       f"{server.log_tail()}")


def stop_server(server: Server, grace: float = 10.0) -> None:
    """SIGTERM the server's process group, then SIGKILL it if it lingers."""
    proc = server.proc
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@dataclass
class Traffic:
    """Every URL the browser asked for (HTTP requests and websockets)."""

    urls: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        """URLs that would have left this machine."""
        out = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in OFFLINE_SCHEMES:
                continue
            if parts.hostname not in LOCAL_HOSTS and parts.hostname != "127.0.0.1":
                out.append(url)
        return out


@contextlib.contextmanager
def chromium_page(viewport: tuple[int, int] = (1600, 1000)) -> Iterator[tuple[object, Traffic]]:
    """A playwright page in a fresh headless chromium profile, with its traffic log."""
    from playwright.sync_api import sync_playwright

    exe = chromium_executable()
    if exe is None:
        raise RuntimeError("chromium not found; run scripts/setup_web.py")
    traffic = Traffic()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, \
            sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=exe, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            context.on("request", lambda r: traffic.urls.append(r.url))
            page = context.pages[0] if context.pages else context.new_page()
            page.on("websocket", lambda ws: traffic.urls.append(ws.url))
            yield page, traffic
        finally:
            context.close()
