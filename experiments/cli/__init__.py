"""The `clustersim` command line: discovers sub-commands in `experiments.commands`.

Every error a user can cause or meet prints one line and exits with status 2, with no
traceback: bad input (an unknown name, a wrong type, a value out of range, a malformed
spec, a missing file, an option given twice) raises `UserError` or one of its kin and
nothing is written; a full disk, a read-only folder or a closed pipe are reported the
same way. Ctrl-C, SIGTERM and SIGHUP end a batch with one line (what was kept, how to
resume). Anything else is a bug: one line names the log file that holds the traceback,
and the exit status is 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import tempfile
import traceback

from clustersim.experiments.cli import commands
from clustersim.model.errors import UserError

INTERNAL = 1
USAGE = 2


class _Once(argparse.Action):
    """An option that takes one value and may be given once: a second one is refused
    rather than silently replacing the first."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault("_given_once", set())
        if self.dest in given:
            parser.error(f"argument {'/'.join(self.option_strings)}: given twice (the second "
                         f"is {values!r}); give it once")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2 and refuses an
    option given twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the default action, for this parser and its argument groups (they share registries)
        self.register("action", None, _Once)
        self.register("action", "store", _Once)

    def error(self, message: str):  # noqa: D102
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clustersim", description=__doc__.splitlines()[0])
    from clustersim import __version__

    parser.add_argument("--version", action="version", version=f"clustersim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"clustersim.experiments.cli.commands.{info.name}")
        # argparse %-formats help (not descriptions): a literal "95%" must not break it
        p = sub.add_parser(mod.NAME, help=mod.HELP.replace("%", "%%"), description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "(no message)"


def _say(command: str, message: object) -> None:
    sys.stderr.write(f"clustersim {command}: error: {_one_line(message)}\n")


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status (0 ok, 2 the user's error, 1 a bug)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error, already printed in one line
        return exc.code if isinstance(exc.code, int) else USAGE
    from clustersim.experiments.shared.stopping import Interrupted, StopOnSignals

    command = args.command
    try:
        with StopOnSignals():  # SIGTERM and SIGHUP unwind like Ctrl-C
            status = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except UserError as exc:
        _say(command, exc)
        return USAGE
    except KeyboardInterrupt as exc:
        import signal

        name = exc.signame if isinstance(exc, Interrupted) else "SIGINT"
        message = exc.message if isinstance(exc, Interrupted) and exc.message else \
            f"interrupted by {name}; results written so far are kept"
        sys.stderr.write(f"clustersim {command}: {_one_line(message)}\n")
        return 128 + int(getattr(signal, name, signal.SIGINT))
    except BrokenPipeError:
        _quiet_stdout()
        _say(command, "the output was closed before it was all written (broken pipe)")
        return USAGE
    except OSError as exc:
        from clustersim.experiments.shared.outputs import describe_os_error, is_environment_error

        if not is_environment_error(exc):
            return _internal(command, exc)
        _say(command, describe_os_error(exc))
        return USAGE
    except Exception as exc:  # a bug: keep the traceback in a file, say where
        return _internal(command, exc)


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _internal(command: str, exc: BaseException) -> int:
    text = "".join(traceback.format_exception(exc))
    try:
        fd, log = tempfile.mkstemp(prefix="clustersim-error-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"clustersim {command} (argv {sys.argv!r})\n{text}")
        where = f"the traceback is in {log}"
    except OSError:
        where = "the traceback could not be saved"
    first = _one_line(f"{type(exc).__name__}: {exc}")[:300]
    sys.stderr.write(f"clustersim {command}: internal error ({first}); {where}; please "
                     "report it\n")
    return INTERNAL


if __name__ == "__main__":
    sys.exit(main())
