"""The import structure of the package, read from the source with ``ast`` (issue 20).

Rules:
- no import cycle between modules (imports inside functions count: a cycle closed by a
  function-level import is still two modules that cannot be understood apart);
- ``model/`` and ``agents/`` import nothing from ``experiments/`` or ``viz/``;
- ``agents/`` imports ``clustersim.model`` only under ``TYPE_CHECKING`` (agents reach the
  world through ``self.model``);
- no private name (``_x``) is imported from another module.

Imports under ``if TYPE_CHECKING:`` are for annotations only and never run, so they are
left out of the graph.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the repository's rooms and the package names they install as (pyproject.toml)
ROOMS = {"clustersim": "clustersim", "model": "clustersim.model",
         "agents": "clustersim.agents", "experiments": "clustersim.experiments",
         "viz": "clustersim.viz"}


@dataclass(frozen=True)
class Import:
    module: str       # the importing module
    target: str       # the package module it reaches: a module, or the package that holds a name
    name: str | None  # the name imported from ``target``'s package (None for ``import x``)
    line: int
    type_checking: bool  # under ``if TYPE_CHECKING:``: never runs


@cache
def modules() -> dict[str, Path]:
    """Every module of the package, by its installed name."""
    out = {}
    for room, package in ROOMS.items():
        for path in sorted((ROOT / room).rglob("*.py")):
            parts = list(path.relative_to(ROOT / room).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([package, *parts])] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


@cache
def imports() -> tuple[Import, ...]:
    """Every import of a package module by a package module, anywhere in its source."""
    known = modules()
    found: list[Import] = []
    for module, path in known.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]

        def visit(node: ast.AST, tc: bool, module=module, package=package) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _is_type_checking(child):
                    for x in child.body:
                        visit_one(x, True, module, package)
                    for x in child.orelse:
                        visit_one(x, tc, module, package)
                else:
                    visit_one(child, tc, module, package)

        def visit_one(child: ast.AST, tc: bool, module: str, package: str) -> None:
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, alias.name, None, child.lineno, tc))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, *([base] if base else [])])
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    target = sub if sub in known else base
                    found.append(Import(module, target, alias.name, child.lineno, tc))
            visit(child, tc)

        visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return tuple(i for i in found if i.target == "clustersim" or
                 i.target.startswith("clustersim."))


def graph() -> dict[str, set[str]]:
    """module -> the package modules it imports at run time."""
    out: dict[str, set[str]] = {m: set() for m in modules()}
    for i in imports():
        if not i.type_checking:
            out[i.module].add(i.target)
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module that
    imports itself): Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1 or v in edges.get(v, ()):
                    out.append(sorted(component))
    return out


def describe(component: list[str]) -> str:
    members = set(component)
    links = sorted({f"{i.module}:{i.line} -> {i.target}" for i in imports()
                    if not i.type_checking and i.module in members and i.target in members})
    return "cycle " + " <-> ".join(component) + "\n    " + "\n    ".join(links)


def room(module: str) -> str:
    """The room a module lives in: model, agents, experiments, viz or clustersim."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else "clustersim"


def test_the_scanner_sees_the_package():
    mods = modules()
    assert {"clustersim.model.model", "clustersim.agents.broker", "clustersim.viz.server",
            "clustersim.experiments.cli", "clustersim", "clustersim.model"} <= set(mods)
    # a function-level import counts; a TYPE_CHECKING one is kept apart
    found = {(i.module, i.target, i.type_checking) for i in imports()}
    assert ("clustersim.agents.broker", "clustersim.model.model", True) in found
    assert ("clustersim.model.config", "clustersim.model.gias", False) in found


def test_cycles_are_found():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert sorted(cycles(edges)) == [["a", "b", "c"], ["d"]]


@pytest.mark.parametrize("rooms", [
    ("clustersim", "model", "agents", "viz"),
    ("experiments",),
], ids=["model-agents-viz-clustersim", "experiments"])
def test_no_import_cycle(rooms):
    """A cycle is reported in the room of its first module (cycles across rooms would
    also break the room rules below)."""
    found = [c for c in cycles(graph()) if room(c[0]) in rooms]
    assert not found, "\n".join(describe(c) for c in found)


def test_model_and_agents_import_nothing_from_experiments_or_viz():
    bad = [f"{i.module}:{i.line} imports {i.target}" for i in imports()
           if room(i.module) in ("model", "agents")
           and room(i.target) in ("experiments", "viz")]
    assert not bad, "\n".join(bad)


def test_agents_import_model_only_for_type_checking():
    bad = [f"{i.module}:{i.line} imports {i.target}" for i in imports()
           if room(i.module) == "agents" and room(i.target) == "model"
           and not i.type_checking]
    assert not bad, "\n".join(bad)


def test_no_private_name_imported_across_modules():
    bad = [f"{i.module}:{i.line} imports {i.name} from {i.target}" for i in imports()
           if i.name and i.name.startswith("_") and not i.name.startswith("__")
           and i.target != i.module]
    assert not bad, "\n".join(bad)
