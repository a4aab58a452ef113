"""Issue 18 item 2 / issue 20 item 6: schools and clusters are rows, the Mesa agents are
the brokers, and ``agents/`` reaches the world through ``self.model`` (it imports
``clustersim.model`` only for type checking)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from clustersim.model.model import ClusterModel

AGENTS = Path(__file__).resolve().parents[1] / "agents"


def _runtime_imports(tree: ast.Module) -> list[str]:
    """Modules imported outside ``if TYPE_CHECKING:`` blocks."""
    out = []

    def visit(node, typing_only=False):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.Import) and not typing_only:
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not typing_only:
            out.append(node.module or "")
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree)
    return out


def test_agents_import_the_model_only_for_type_checking():
    for path in AGENTS.glob("*.py"):
        imports = _runtime_imports(ast.parse(path.read_text()))
        bad = [m for m in imports if m.startswith(("clustersim.model", "clustersim.experiments",
                                                   "clustersim.viz"))]
        assert not bad, f"{path.name} imports {bad} at run time"


def test_the_mesa_agents_are_the_brokers_and_clusters_come_and_go_as_rows():
    m = ClusterModel({"preset": "county", "policies": ["superintendent"], "years": 2}, 4)
    registered = len(m.agents)
    assert registered == len(m.brokers) > 0
    assert {type(a).__name__ for a in m.agents} == {"Broker"}
    while m.running:
        m.step()
    assert m.c.count > 0 and len(m.agents) == registered  # clusters registered no agents
    dead = ~m.c.alive[: m.c.count]
    assert (m.c.size[: m.c.count][dead] == 0).all()
    assert not np.isin(m.s.cluster, np.flatnonzero(dead)).any()
