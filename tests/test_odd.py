"""docs/ODD.md is generated from the code and cannot drift from it (issue 6, part 4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from clustersim.experiments.cli import main
from clustersim.experiments.credibility.odd import (
    MECHANISM_GROUP,
    TEMPLATE,
    phase_descriptions,
    render,
)
from clustersim.model import PARAMS
from clustersim.model.model import STREAMS, ClusterModel

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ODD.md"
REGENERATE = "regenerate: .venv/bin/clustersim odd --markdown > docs/ODD.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text()


@pytest.fixture(scope="module")
def rendered() -> str:
    return render()


def test_odd_md_is_up_to_date(doc, rendered):
    assert doc == rendered + "\n", f"docs/ODD.md is out of date with the code; {REGENERATE}"


def test_every_parameter_is_in_the_odd(doc):
    missing = [name for name in PARAMS.names() if f"| `{name}` |" not in doc]
    assert missing == [], f"parameters missing from docs/ODD.md: {missing}; {REGENERATE}"


def test_every_phase_is_in_the_odd_in_tick_order(doc):
    listed = re.findall(r"^(\d+)\. \*\*(\w+)\*\*", doc, re.M)
    assert listed == [(str(k), name) for k, name in enumerate(ClusterModel.PHASES, 1)], (
        f"the tick order in docs/ODD.md differs from ClusterModel.PHASES; {REGENERATE}")


def test_tick_order_docstring_matches_phases():
    """The numbered list in ClusterModel's docstring is the ODD's process overview."""
    assert list(phase_descriptions()) == list(ClusterModel.PHASES), (
        "ClusterModel's numbered docstring and PHASES disagree: update the docstring")


def test_every_mechanism_group_has_submodel_prose():
    template = TEMPLATE.read_text()
    groups = {m.group(1): g for g in PARAMS.groups() if (m := MECHANISM_GROUP.match(g))}
    missing = [g for n, g in groups.items() if f"{{{{mechanism {n}}}}}" not in template]
    assert missing == [], f"add a submodel section to docs/odd_template.md for {missing}"


def test_streams_policies_metrics_and_presets_are_listed(doc):
    from clustersim.model import POLICIES, PRESETS, SUMMARY

    names = [*STREAMS, *POLICIES, *SUMMARY, *PRESETS]
    missing = [n for n in names if f"`{n}`" not in doc]
    assert missing == [], f"missing from docs/ODD.md: {missing}; {REGENERATE}"


def test_new_parameters_and_phases_are_picked_up(monkeypatch):
    """What the lead adds to the registry or the tick order appears with no prose change."""
    from clustersim.model.registry import Param, Registry

    from clustersim import model

    extra = [Param("zz_bank_levy", 0.1, 0.0, 1.0, "fraction", "M6 CPD bank", "m", "assumption"),
             Param("zz_new_thing", 2, 1, 5, "units", "a brand-new group", "m", "assumption")]
    monkeypatch.setattr(model, "PARAMS", Registry([*PARAMS, *extra]))
    monkeypatch.setattr(ClusterModel, "PHASES", (*ClusterModel.PHASES, "commissioning"))
    text = render()
    assert "| `zz_bank_levy` |" in text and "| `zz_new_thing` |" in text
    assert "*Parameters (M6 CPD bank):*" in text
    assert f"{len(ClusterModel.PHASES)}. **commissioning**" in text


def test_unknown_template_marker_is_an_error():
    with pytest.raises(ValueError, match="unknown marker"):
        render("# t\n{{nonsense}}\n")


def test_cli_check_and_markdown(capsys, rendered):
    assert main(["odd"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["odd", "--markdown"]) == 0
    assert capsys.readouterr().out == rendered + "\n"
