"""The house's layout (issue 20 item 7): experiments/ in rooms, each an installed package,
short modules, one executor Protocol. The import rules (no circles, no private names
across modules, model/ and agents/ apart from experiments/ and viz/) are
tests/test_imports.py's."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"
ROOMS = {
    "cli": {"__init__", "args"},
    "cli/commands": {"batch", "run", "report", "validate", "calibrate", "sensitivity",
                     "explain"},
    "batch": {"spec", "engine", "executors", "executor_protocol"},
    "analysis": {"report", "report_html", "report_plots", "stats", "load"},
    "credibility": {"validate", "calibrate", "sensitivity", "explain"},
    "shared": {"io", "outputs", "datapackage", "plots", "stopping"},
}
MAX_LINES = 400
LONG: dict[str, str] = {}  # modules allowed over MAX_LINES, each with its reason (none now)


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_experiments_has_its_rooms(room):
    folder = EXPERIMENTS / room
    assert (folder / "__init__.py").is_file(), f"experiments/{room}/ is not a package"
    present = {p.stem for p in folder.glob("*.py")}
    assert ROOMS[room] <= present, f"experiments/{room}/ lacks {ROOMS[room] - present}"


def test_no_module_left_at_the_top_of_experiments():
    assert sorted(p.name for p in EXPERIMENTS.glob("*.py")) == ["__init__.py"]


def test_every_room_is_an_installed_package():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    for init in EXPERIMENTS.rglob("__init__.py"):
        rel = init.parent.relative_to(EXPERIMENTS).parts
        assert ".".join(["clustersim.experiments", *rel]) in listed, init


def test_executors_share_one_protocol():
    source = (EXPERIMENTS / "batch" / "executor_protocol.py").read_text()
    assert "class Executor(Protocol)" in source
    tree = ast.parse((EXPERIMENTS / "batch" / "executors.py").read_text())
    make = next(n for n in tree.body if isinstance(n, ast.FunctionDef)
                and n.name == "make_executor")
    assert ast.unparse(make.returns) == "Executor"
    from clustersim.experiments.batch.executor_protocol import Executor
    from clustersim.experiments.batch.executors import DaskExecutor, ProcessExecutor, make_executor

    for executor in (make_executor(1), ProcessExecutor(2), DaskExecutor("tcp://127.0.0.1:1")):
        assert isinstance(executor, Executor), executor  # built only: nothing starts


def test_no_module_of_experiments_is_over_400_lines():
    long = {}
    for path in EXPERIMENTS.rglob("*.py"):
        rel = path.relative_to(EXPERIMENTS).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and rel not in LONG:
            long[rel] = n
    assert not long, f"over {MAX_LINES} lines: {long}"
    assert all((EXPERIMENTS / rel).is_file() for rel in LONG), "a stale LONG entry"
