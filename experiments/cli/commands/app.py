"""`clustersim app`: serve the interactive page (Mesa SolaraViz) on this machine."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "app"
HELP = ("Serve the interactive page: parameter inputs, a map of the region and live plots "
        "(open the printed address in a browser; Ctrl+C stops it).")
REPO = Path(__file__).resolve().parents[3]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; the "
                        "page has no authentication, so any other address warns)")
    p.add_argument("--port", type=int, default=8765,
                   help="port (default: 8765)")
    p.add_argument("--preset", default=None,
                   help="region the page starts with (default: the model's default preset); "
                        "the page's preset selector changes it")


def run(args: argparse.Namespace) -> int:
    from clustersim.model.errors import UserError

    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a port number (1-65535)")
    if not (REPO / "app.py").is_file() or not (REPO / "viz").is_dir():
        raise UserError(f"the page needs the source tree (app.py, viz/) at {REPO}")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from clustersim.viz import server

    if not server.is_loopback(args.host):
        print(server.NO_AUTH_WARNING.format(host=args.host, port=args.port), file=sys.stderr,
              flush=True)
    if args.preset is not None:
        from clustersim.model.region import get_preset

        # UserError, listing the presets, if unknown
        os.environ[server.PRESET_ENV] = get_preset(args.preset).name

    env = server.solara_env()
    if not server.assets_ready(env):
        raise UserError("Solara's front-end files are missing from "
                        f"{env['SOLARA_ASSETS_PROXY_CACHE_DIR']}; run `make web-setup` "
                        "(python scripts/setup_web.py) first")
    os.environ.update(env)  # before solara is imported: it reads its settings then
    import warnings

    from solara.__main__ import cli

    # solara warns on every page load over plain http to 127.0.0.1 that it cannot set
    # SameSite=None cookies; that only matters when the page is embedded in an iframe
    warnings.filterwarnings("ignore", message="Cookies with samesite=none")
    cli.main(args=server.solara_run_args(args.host, args.port), prog_name="solara",
             standalone_mode=False)
    return 0
