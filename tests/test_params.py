"""The parameter declaration is complete, and docs/parameters.md is generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from clustersim.experiments.cli.commands.params import markdown
from clustersim.model import PARAMS, ParamError, simulate
from clustersim.model.config import resolve_config

ROOT = Path(__file__).resolve().parent.parent


def test_docs_parameters_md_is_in_sync():
    doc = ROOT / "docs" / "parameters.md"
    assert doc.read_text() == markdown() + "\n", "run `make docs` to regenerate"


@pytest.mark.parametrize("p", list(PARAMS), ids=lambda p: p.name)
def test_every_parameter_is_documented(p):
    assert p.meaning and p.unit and p.source and p.group
    if p.numeric:
        assert p.low <= p.default <= p.high


def test_every_parameter_is_used_by_the_model():
    """A parameter nobody reads is a slider that does nothing."""
    sources = "".join(f.read_text() for f in (ROOT / "model").rglob("*.py")
                      if f.name not in ("params.py", "registry.py"))
    sources += "".join(f.read_text() for f in (ROOT / "agents").rglob("*.py"))
    unused = [p.name for p in PARAMS if f"p.{p.name}" not in sources
              and f"p.{p.name}" not in sources.replace("self.model.p", "p")
              and f'self.on("{p.name}")' not in sources]  # a policy's component switch
    assert unused == []


def test_resolve_rejects_bad_values():
    with pytest.raises(ParamError, match="unknown parameter 'nope'"):
        resolve_config({"nope": 1})
    with pytest.raises(ParamError, match="out of range"):
        resolve_config({"cohesion_initial": 1.5})
    with pytest.raises(ParamError, match="got a boolean"):
        resolve_config({"seek_rate": True})


def test_simulate_returns_named_outcomes():
    out = simulate({"preset": "maximising_progress", "years": 1, "policies": ["superintendent"],
                    "seek_rate": 0.3}, seed=1)
    assert {"gap", "left_behind", "catch_up", "isolation_weak", "cpd_access_ratio",
            "mean_rwm", "sd_rwm", "gini_rwm", "cost_per_school"} <= set(out)
    assert all(isinstance(v, float) for v in out.values())


def test_inconsistent_parameters_are_rejected():
    with pytest.raises(ParamError, match="cluster_min_size must not exceed cluster_max_size"):
        resolve_config({"cluster_min_size": 6, "cluster_max_size": 4})
    with pytest.raises(ParamError, match="grade cut points must rise"):
        resolve_config({"grade_cut_good": 0.5})


def test_validation_does_not_import_mesa():
    """Spec and CLI validation stay fast: checking a config never imports mesa (~1 s)."""
    import subprocess
    import sys

    code = ("import sys, model; from model.config import resolve_config; "
            "resolve_config({'policies': 'superintendent+cpd_bank', 'seek_rate': 0.2}); "
            "assert model.POLICY_NAMES == tuple(model.POLICIES); "
            "print('mesa' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
