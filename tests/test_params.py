"""The parameter declaration is complete, and docs/parameters.md is generated from it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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
                      if f.name not in ("params.py", "registry.py", "param_values.py"))
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


# ------------------------------------------------------------------ typed values: m.p
def test_params_class_is_generated_from_the_registry():
    from clustersim.model.registry import PARAMS_CLASS_FILE, params_class_source

    assert (ROOT / PARAMS_CLASS_FILE).read_text(encoding="utf-8") == params_class_source(
        PARAMS), "run `.venv/bin/python scripts/update_params_class.py` to regenerate"


def test_params_fields_are_the_registry_typed_by_kind():
    import dataclasses
    import typing

    from clustersim.model.param_values import Params

    fields = dataclasses.fields(Params)
    assert [f.name for f in fields] == PARAMS.names()
    hints = typing.get_type_hints(Params)
    assert {f.name: hints[f.name] for f in fields} == {
        p.name: {"float": float, "int": int, "bool": bool}[p.kind] for p in PARAMS}


def test_params_are_frozen_and_typed_from_a_resolved_config():
    import dataclasses

    from clustersim.model.param_values import Params

    p = Params.of(resolve_config({"seek_rate": 0.3, "search_neighbours": 5.0}))
    assert p.seek_rate == 0.3 and p.search_neighbours == 5
    for param in PARAMS:
        value = getattr(p, param.name)
        assert type(value) is {"float": float, "int": int, "bool": bool}[param.kind], param.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.seek_rate = 0.5
    assert dataclasses.replace(p, seek_rate=0.5).seek_rate == 0.5


def test_params_are_a_drop_in_for_the_models_namespace(monkeypatch):
    """The model reads ``m.p.name``; with `Params` in place of a namespace every
    policy's run gives the same outcomes."""
    import clustersim.model.model as model_module
    from clustersim.model.param_values import Params
    from clustersim.model.policies import ADD_ONS, MIDDLE_TIERS

    configs = [{"preset": "maximising_progress", "years": 2, "policies": [tier, *ADD_ONS]}
               for tier in MIDDLE_TIERS]
    before = [simulate(config, seed=3) for config in configs]
    if not isinstance(model_module.ClusterModel(configs[0], 3).p, Params):
        # model/model.py still builds a SimpleNamespace (its owner switches it to
        # Params.of(self.config) and dataclasses.replace for the burn-in's switches)
        monkeypatch.setattr(model_module, "SimpleNamespace", lambda **kw: Params.of(kw))
        m = model_module.ClusterModel(configs[0], 3)
        assert isinstance(m.p, Params) and isinstance(m.p_before, Params)
    for config, outcomes in zip(configs, before, strict=True):
        np.testing.assert_equal(simulate(config, seed=3), outcomes)  # NaN equals NaN


# ------------------------------------------------------------------ run settings
def test_run_settings_are_declared_once_and_everyone_reads_them():
    """Preset, policies, years, seed and replicates: the model, a spec, `clustersim run`
    and the web page start from the same defaults and keep the same bounds."""
    import inspect

    from clustersim.experiments.batch import spec
    from clustersim.experiments.cli import build_parser
    from clustersim.model import limits
    from clustersim.model.api import simulate as api_simulate
    from clustersim.model.config import DEFAULTS, MAX_YEARS
    from clustersim.viz.inputs import run_defaults

    d = limits.default
    run = build_parser().parse_args(["run"])
    assert (run.preset, run.seed, run.years) == (d("preset"), d("seed"), d("years"))
    model_defaults, spec_defaults = DEFAULTS, spec.DEFAULTS
    assert model_defaults == {"preset": d("preset"), "policies": list(d("policies")),
                              "years": d("years")}
    assert resolve_config({})["policies"] == list(d("policies"))
    assert spec_defaults == {"preset": d("preset"), "years": d("years"),
                             "replicates": d("replicates"), "root_seed": d("seed")}
    page = run_defaults()
    assert (page["seed"], page["years"]) == (d("seed"), d("years"))
    assert page["years_range"] == limits.YEARS == limits.RUN_SETTINGS["years"].bounds
    assert limits.YEARS[1] == MAX_YEARS
    assert inspect.signature(api_simulate).parameters["seed"].default == d("seed")
    # the same years bound refuses in the model and in a spec
    with pytest.raises(Exception, match=str(limits.YEARS[1])):
        resolve_config({"years": limits.YEARS[1] + 1})
    with pytest.raises(spec.SpecError, match=str(limits.YEARS[1])):
        spec.parse_spec({"name": "x", "years": limits.YEARS[1] + 1,
                         "scenarios": [{"name": "a", "policies": ["self_improving"]}]})
    resolve_config({"years": limits.YEARS[1]})
