"""Serve the page offline: Solara's front end from a local folder, no telemetry.

Solara fetches its JavaScript and CSS through its own CDN proxy, which reads files from
`SOLARA_ASSETS_PROXY_CACHE_DIR` first; `scripts/setup_web.py` fills that folder
(`.cache/solara-assets/`) from the npm registry. This module imports nothing heavy, so
the command line can set the environment before solara reads its settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
ASSETS_DIR = REPO / ".cache" / "solara-assets"
# the front-end bundle every page needs; its absence means setup_web.py has not run
_CORE_ASSET = ("@widgetti", "solara-vuetify-app@*")
# region the page starts with, if set (`clustersim app --preset NAME` sets it)
PRESET_ENV = "CLUSTERSIM_PAGE_PRESET"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# where the page's replicate batches are written (CLUSTERSIM_PAGE_RESULTS overrides it),
# and the URL path they are served under
RESULTS_ENV = "CLUSTERSIM_PAGE_RESULTS"
RESULTS_DIR = Path(os.environ.get(RESULTS_ENV) or REPO / "results" / "app")
RESULTS_URL = "/clustersim-results"
NO_AUTH_WARNING = ("warning: --host {host} serves the page beyond this machine and it has no "
                   "authentication: anyone who can reach {host}:{port} can run the model "
                   "and start batches")


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def solara_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return `base` (default: os.environ) plus the settings of an offline Solara server.

    Values already set in `base` win, except that the CDN proxy is always on.
    """
    env = dict(os.environ if base is None else base)
    env.setdefault("SOLARA_ASSETS_PROXY_CACHE_DIR", str(ASSETS_DIR))
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    # solara turns its proxy off inside VS Code terminals; the page would then load
    # its front end straight from the CDN and stay blank offline
    env["SOLARA_ASSETS_PROXY"] = "true"
    return env


def assets_ready(env: Mapping[str, str] | None = None) -> bool:
    """True when the asset folder holds solara's front-end bundle."""
    folder = Path(solara_env(env)["SOLARA_ASSETS_PROXY_CACHE_DIR"]) / _CORE_ASSET[0]
    return any(folder.glob(_CORE_ASSET[1]))


def apply_to_running_solara() -> None:
    """Point an already-imported solara at the local assets (for `solara run app.py`).

    `solara run` reads its settings before it imports app.py; the proxy reads the cache
    folder at each request and telemetry checks its flag at each event, so setting them
    here still takes effect. Explicit environment variables are respected.
    """
    import sys

    if "solara.server.settings" not in sys.modules:
        return
    from solara.server import settings

    env = solara_env()
    if "SOLARA_ASSETS_PROXY_CACHE_DIR" not in os.environ:
        settings.assets.proxy_cache_dir = Path(env["SOLARA_ASSETS_PROXY_CACHE_DIR"])
    if "SOLARA_TELEMETRY_MIXPANEL_ENABLE" not in os.environ:
        settings.telemetry.mixpanel_enable = False


def serve_results() -> None:
    """Serve the page's batch folders (reports, CSVs, plots) read-only under RESULTS_URL.

    Solara's server is a Starlette app whose last route catches every path, so the mount
    goes first. Idempotent; no effect outside a solara server.
    """
    import sys

    if "solara.server.starlette" not in sys.modules:
        return
    from solara.server import starlette as solara_starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    routes = solara_starlette.app.router.routes
    if any(getattr(r, "path", None) == RESULTS_URL for r in routes):
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    routes.insert(0, Mount(RESULTS_URL, app=StaticFiles(directory=RESULTS_DIR),
                           name="clustersim-results"))


def results_url(path: Path) -> str:
    """The URL of a file under RESULTS_DIR, as `serve_results` serves it."""
    return f"{RESULTS_URL}/{path.resolve().relative_to(RESULTS_DIR.resolve()).as_posix()}"


class _InstalledModules(set):
    """Module names solara's development reloader must leave alone: those it already
    ignores plus, whenever asked, any module installed under the Python prefix."""

    def __contains__(self, name: object) -> bool:
        if set.__contains__(self, name):
            return True
        import sys

        module = sys.modules.get(name)  # type: ignore[arg-type]
        path = getattr(module, "__file__", None) or ""
        return path.startswith((sys.prefix, sys.base_prefix))


def keep_installed_packages_on_reload() -> None:
    """Make `solara run app.py` (development mode) survive edits to the source files.

    On a file change solara drops every module whose file lies under the app's folder,
    to re-import it. Our virtualenv (.venv/) lies under that folder too, so numpy,
    scipy and mesa would be dropped with the project's own modules, and numpy cannot be
    imported twice in one process: the page would die on the first edit. This extends
    solara's own list of modules to keep (`reloader.ignore_modules`) with every module
    installed under the Python prefix. No effect in production mode.
    """
    import sys

    if "solara.server.reload" not in sys.modules:
        return
    from solara.server import reload, settings

    if settings.main.mode != "development":
        return
    reloader = reload.reloader
    if not isinstance(reloader.ignore_modules, _InstalledModules):
        reloader.ignore_modules = _InstalledModules(reloader.ignore_modules)


def solara_run_args(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                    app: Path = APP) -> list[str]:
    """Arguments of `solara run` for the page: production mode, no browser, no PyPI check.

    Production mode also drops the hidden solara.dev check frame of development mode.
    """
    return ["run", str(app), "--host", host, "--port", str(port), "--production",
            "--no-open", "--no-check-version", "--log-level-uvicorn", "warning"]
