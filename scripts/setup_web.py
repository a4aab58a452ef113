"""Install what the interactive page and its browser test need, when it is missing.

Run by `make test` (and `make web-setup`) before pytest; idempotent, and well under a
second when everything is present. It needs no standard input (CI runs it with none).

1. Chromium: Debian's `chromium` package, installed with apt-get (as root) when
   /usr/bin/chromium is missing. Playwright drives it; `playwright install` is never used.
2. Solara's front-end assets: Solara loads its JavaScript and CSS from a public CDN
   through its own proxy (`/_solara/cdn/<package>@<version>/<file>`), which serves files
   from `SOLARA_ASSETS_PROXY_CACHE_DIR` when they are there. We fill that folder from the
   npm registry (`npm pack`), one unpacked package per folder named exactly as the URL
   names it (`@widgetti/solara-vuetify-app@10.1.1/`, `vega@5/`), so the page works with
   no internet. The versions are read from the installed solara's own sources, so a
   solara upgrade picks up its new versions by itself.

Usage: python scripts/setup_web.py [--assets-only | --chromium-only] [--check]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = ROOT / ".cache" / "solara-assets"
CHROMIUM = "/usr/bin/chromium"
MARKER = ".clustersim-complete"

# npm packages the page loads through solara's CDN proxy. Versions are not typed here:
# they are read from the solara sources below (and the page's own templates). ipyvue<2
# means the Vue 2 app (solara-vuetify-app), not solara-vuetify3-app; vega* serve the
# page's charts (viz/vega_view.vue) and Altair charts.
NEEDED = (
    "@widgetti/solara-vuetify-app",
    "requirejs",
    "font-awesome",
    "@widgetti/vue-grid-layout",
    "vega",
    "vega-lite",
    "vega-embed",
)
# solara files that name those packages in CDN URLs (relative to the solara package)
SOURCES = ("server/templates/solara.html.j2", "server/settings.py", "widgets/vue/*.vue")
# the page's own templates that load packages through the same proxy (viz/vega_view.vue)
OWN_SOURCES = ("viz/*.vue",)


def log(msg: str) -> None:
    print(f"setup_web: {msg}", flush=True)


# --------------------------------------------------------------------------- assets
def solara_dir() -> Path:
    spec = importlib.util.find_spec("solara")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "setup_web: solara is not installed in this Python; run `make venv` "
            "(pip install -e '.[dev]') first"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def asset_specs() -> list[str]:
    """Return the `name@version` folders solara requests for the NEEDED packages."""
    base = solara_dir()
    files = [p for pat in SOURCES for p in base.glob(pat)]
    files += [p for pat in OWN_SOURCES for p in ROOT.glob(pat)]
    text = "\n".join(p.read_text(errors="replace") for p in files)
    specs: list[str] = []
    for name in NEEDED:
        found = sorted(set(re.findall(r"/" + re.escape(name) + r"@([\w.+-]+)/", text)))
        if not found:
            raise SystemExit(
                f"setup_web: the installed solara ({base}) no longer names {name}@<version> "
                "in a CDN URL; update NEEDED in scripts/setup_web.py"
            )
        specs += [f"{name}@{v}" for v in found]
    return specs


def missing_assets(specs: list[str]) -> list[str]:
    return [s for s in specs if not (ASSETS_DIR / s / MARKER).is_file()]


def npm_pack(specs: list[str], dest: Path) -> dict[str, Path]:
    """Download the tarballs of `specs` from the npm registry into `dest`."""
    npm = shutil.which("npm")
    if npm is None:
        apt_install("npm")
        npm = shutil.which("npm") or "npm"
    cmd = [npm, "pack", *specs, "--json", "--pack-destination", str(dest)]
    out = subprocess.run(cmd, cwd=dest, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise SystemExit(f"setup_web: `npm pack` failed:\n{out.stderr.strip()}")
    entries = json.loads(out.stdout)
    if len(entries) != len(specs):
        raise SystemExit(f"setup_web: npm pack returned {len(entries)} files for {specs}")
    # npm answers in the order asked
    return {spec: dest / e["filename"] for spec, e in zip(specs, entries, strict=True)}


def unpack(tgz: Path, target: Path) -> None:
    """Unpack an npm tarball into `target`, dropping its top folder (`package/`)."""
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=ASSETS_DIR))
    try:
        with tarfile.open(tgz) as tar:
            members = []
            for m in tar.getmembers():
                parts = Path(m.name).parts
                if len(parts) < 2:
                    continue
                m.name = str(Path(*parts[1:]))
                members.append(m)
            tar.extractall(staging, members=members, filter="data")
        (staging / MARKER).write_text(tgz.name + "\n")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def ensure_assets() -> None:
    specs = asset_specs()
    todo = missing_assets(specs)
    if not todo:
        return
    t0 = time.perf_counter()
    ASSETS_DIR.mkdir(parents=True, exist_ok=True)
    log(f"packing {len(todo)} front-end package(s) from npm into {ASSETS_DIR}: {', '.join(todo)}")
    with tempfile.TemporaryDirectory(prefix="npm-pack-") as tmp:
        for spec, tgz in npm_pack(todo, Path(tmp)).items():
            unpack(tgz, ASSETS_DIR / spec)
    log(f"front-end assets ready ({time.perf_counter() - t0:.1f} s)")


# --------------------------------------------------------------------------- chromium
def chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def apt_install(package: str) -> None:
    if os.geteuid() != 0:
        raise SystemExit(
            f"setup_web: {package} is missing and this is not root; install it with "
            f"`sudo apt-get install -y {package}` and re-run"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    policy = _run(["apt-cache", "policy", package], env, check=False)
    if "Candidate:" not in policy.stdout or "Candidate: (none)" in policy.stdout:
        log("apt-get update")
        _run(["apt-get", "update", "-q"], env)
    log(f"apt-get install {package}")
    _run(["apt-get", "install", "-y", "-q", "--no-install-recommends", package], env)


def _run(cmd: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    """Run quietly; on failure show the end of the output and stop."""
    out = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if check and out.returncode != 0:
        tail = "\n".join((out.stdout + out.stderr).splitlines()[-20:])
        raise SystemExit(f"setup_web: `{' '.join(cmd)}` failed ({out.returncode}):\n{tail}")
    return out


def ensure_chromium() -> None:
    if chromium_path():
        return
    t0 = time.perf_counter()
    apt_install("chromium")
    if not chromium_path():
        raise SystemExit("setup_web: apt-get installed chromium but no chromium binary was found")
    log(f"chromium ready ({time.perf_counter() - t0:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--assets-only", action="store_true", help="skip chromium")
    only.add_argument("--chromium-only", action="store_true", help="skip the front-end assets")
    ap.add_argument("--check", action="store_true",
                    help="install nothing; exit 1 and list what is missing")
    args = ap.parse_args(argv)
    if args.check:
        missing = [] if args.chromium_only else missing_assets(asset_specs())
        if not args.assets_only and not chromium_path():
            missing.append("chromium")
        for m in missing:
            print(f"missing: {m}")
        return 1 if missing else 0
    if not args.assets_only:
        ensure_chromium()
    if not args.chromium_only:
        ensure_assets()
    return 0


if __name__ == "__main__":
    sys.exit(main())
