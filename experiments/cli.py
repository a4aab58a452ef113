"""The `clustersim` command line: discovers sub-commands in `experiments.commands`.

Bad input (an unknown name, a wrong type, a value out of range, a malformed spec, a
missing file) raises `UserError` or one of its kin; the dispatcher prints it as one line
and exits with status 2, with no traceback and nothing written.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from experiments import commands
from model.errors import UserError


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2."""

    def error(self, message: str):  # noqa: D102
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clustersim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"experiments.commands.{info.name}")
        # argparse %-formats help (not descriptions): a literal "95%" must not break it
        p = sub.add_parser(mod.NAME, help=mod.HELP.replace("%", "%%"), description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UserError as exc:
        sys.stderr.write(f"clustersim {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("clustersim: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
