"""Spec files: every shipped spec validates; every kind of mistake fails naming file and key."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from clustersim.experiments.batch.spec import SpecError, load_spec, parse_spec, replicate_seeds
from clustersim.model import PARAMS

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "experiments" / "specs").glob("*.toml"))

BASE = """
name = "t"
preset = "maximising_progress"
years = 2
replicates = 3
root_seed = 5
[[scenarios]]
label = "si"
policies = ["self_improving"]
[[scenarios]]
policies = ["superintendent"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(textwrap.dedent(text))
    return path


def error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_shipped_specs_validate(path):
    spec = load_spec(path)
    assert spec.name == path.stem
    assert spec.n_runs >= 1
    assert spec.baseline in [s.label for s in spec.scenarios]


def test_policy_comparison_has_enough_replicates():
    path = ROOT / "experiments" / "specs" / "policy_comparison.toml"
    if not path.exists():
        pytest.skip("policy_comparison.toml not shipped yet")
    assert load_spec(path).replicates >= 30


def test_valid_spec_defaults_and_size(tmp_path):
    spec = load_spec(write(tmp_path, BASE))
    assert [s.label for s in spec.scenarios] == ["si", "superintendent"]
    assert spec.baseline == "si"  # the first scenario by default
    assert spec.n_runs == 2 * 1 * 3
    assert spec.schools == "weak" and spec.timeseries
    assert len(spec.sha256) == 64


def test_replicate_seeds_come_from_one_root():
    expected = [int(ss.generate_state(1, np.uint32)[0])
                for ss in np.random.SeedSequence(5).spawn(4)]
    assert replicate_seeds(5, 4) == expected
    assert replicate_seeds(5, 2) == expected[:2]  # more replicates keep the earlier seeds
    assert len(set(expected)) == 4


@pytest.mark.parametrize("extra, key, hint", [
    ('colour = "red"', "colour", "allowed: name, description"),
    ('preset = "atlantis"', "preset", "allowed: maximising_progress"),
    ("years = 0", "years", "[1, 50]"),
    ("years = 51", "years", "[1, 50]"),  # the model's limit (model.limits), not the spec's own
    ('years = "3"', "years", "integer"),
    ("replicates = 0", "replicates", "[1, 100000]"),
    ("replicates = 2.5", "replicates", "integer"),
    ("root_seed = -1", "root_seed", "integer"),
    ('baseline = "nobody"', "baseline", "allowed: si, superintendent"),
    ("[params]\nseek_rat = 0.1", "params.seek_rat", "did you mean seek_rate"),
    ("[params]\nseek_rate = 1.5", "params.seek_rate", "float in [0, 1]"),
    ("[params]\nm4_cohesion = 3", "params.m4_cohesion", "true or false"),
    ("[params]\nm4_cohesion = 1", "params.m4_cohesion", "true or false"),
    ('[params]\nm4_cohesion = "true"', "params.m4_cohesion", "no quotes"),
    ('[params]\nseek_rate = "0.1"', "params.seek_rate", "float in [0, 1] (TOML values are typed"),
    ('[params]\nreveal_terms = "3"', "params.reveal_terms", "no quotes"),
    ('[sweep]\nmethod = "grid"\nvalues = { seek_rate = ["0.1"] }', "sweep.values.seek_rate",
     "no quotes"),
    ("[outputs]\nschools = \"some\"", "outputs.schools", "allowed: none, weak, all"),
    ("[outputs]\ncsv = true", "outputs.csv", "allowed: timeseries, schools"),
    ('[sweep]\nmethod = "random"', "sweep.method", "allowed: grid, list, lhs, sobol"),
    ('[sweep]\nmethod = "grid"\nvalues = { seek_rate = [0.1, 2.0] }', "sweep.values.seek_rate",
     "float in [0, 1]"),
    ('[sweep]\nmethod = "grid"\nvalues = { nope = [1] }', "sweep.values.nope",
     "unknown parameter"),
    ('[sweep]\nmethod = "grid"\npoints = [{ seek_rate = 0.1 }]', "sweep.points",
     "allowed: method, values"),
    ('[sweep]\nmethod = "list"\npoints = [{ seek_rate = 0.1 }, { reveal_terms = 3 }]',
     "sweep.points[1]", "must set exactly seek_rate"),
    ('[sweep]\nmethod = "lhs"\nranges = { seek_rate = [0.1, 0.2] }', "sweep.samples",
     "required"),
    ('[sweep]\nmethod = "lhs"\nsamples = 4\nranges = { seek_rate = [0.1, 1.2] }',
     "sweep.ranges.seek_rate", "within float in [0, 1]"),
    ('[sweep]\nmethod = "lhs"\nsamples = 4\nranges = { seek_rate = [0.3, 0.2] }',
     "sweep.ranges.seek_rate", "low < high"),
    ('[sweep]\nmethod = "lhs"\nsamples = 4\nranges = { m4_cohesion = [0, 1] }',
     "sweep.ranges.m4_cohesion", "numeric"),
    ('[sweep]\nmethod = "sobol"\nsamples = 6\nranges = { seek_rate = [0.1, 0.2] }',
     "sweep.samples", "power of two"),
])
def test_errors_name_file_key_and_allowed_values(tmp_path, extra, key, hint):
    if extra.startswith("["):
        text = BASE + extra
    else:  # a top-level key: replace the line that sets it, or add one
        lines = [ln for ln in BASE.splitlines() if ln.split(" = ")[0] != extra.split(" = ")[0]]
        text = "\n".join([lines[0], lines[1], extra, *lines[2:]]) + "\n"
    message = error(tmp_path, text)
    assert f": {key}: " in message, message
    assert hint in message, message


def test_scenario_errors(tmp_path):
    msg = error(tmp_path, BASE + '[[scenarios]]\npolicies = ["superintendant"]\n')
    assert "scenarios[2].policies" in msg and "allowed: self_improving" in msg
    msg = error(tmp_path, BASE + '[[scenarios]]\nlabel = "si"\npolicies = ["local_authority"]\n')
    assert "scenarios[2].label" in msg and "earlier scenario" in msg
    msg = error(tmp_path, BASE + '[[scenarios]]\npolicies = []\n')
    assert "scenarios[2].policies" in msg
    msg = error(tmp_path, BASE + '[[scenarios]]\npolicies = ["local_authority"]\nwho = 1\n')
    assert "scenarios[2].who" in msg and "allowed: label, policies, params" in msg
    msg = error(tmp_path, BASE + '[[scenarios]]\npolicies = ["local_authority"]\n'
                '[scenarios.params]\nla_cluster_size = 40\n')
    assert "scenarios[2].params.la_cluster_size" in msg and "int in [2, 12]" in msg
    msg = error(tmp_path, 'name = "t"\n')
    assert ": scenarios: " in msg


def test_swept_parameter_cannot_also_be_a_scenario_override(tmp_path):
    text = BASE + ('[scenarios.params]\nseek_rate = 0.3\n'
                   '[sweep]\nmethod = "grid"\nvalues = { seek_rate = [0.1, 0.2] }\n')
    assert "also swept" in error(tmp_path, text)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match="cannot read spec"):
        load_spec(tmp_path / "missing.toml")
    assert "not valid TOML" in error(tmp_path, "name = \n")


def test_grid_and_list_points_in_declared_order():
    spec = parse_spec({"name": "g", "scenarios": [{"policies": ["self_improving"]}],
                       "sweep": {"method": "grid",
                                 "values": {"seek_rate": [0.1, 0.2], "reveal_terms": [3, 6, 9]}}})
    points = spec.sweep.generate()
    assert spec.sweep.size() == len(points) == 6
    assert points[:3] == [{"seek_rate": 0.1, "reveal_terms": r} for r in (3, 6, 9)]
    listed = parse_spec({"name": "l", "scenarios": [{"policies": ["self_improving"]}],
                         "sweep": {"method": "list", "points": [{"seek_rate": 0.3},
                                                                {"seek_rate": 0.1}]}})
    assert listed.sweep.generate() == [{"seek_rate": 0.3}, {"seek_rate": 0.1}]


def test_lhs_and_sobol_samples_are_seeded_bounded_and_typed():
    ranges = {"seek_rate": [0.05, 0.3], "reveal_terms": [2, 12]}
    lhs = parse_spec({"name": "h", "scenarios": [{"policies": ["self_improving"]}],
                      "sweep": {"method": "lhs", "samples": 10, "seed": 3, "ranges": ranges}})
    points = lhs.sweep.generate()
    assert len(points) == lhs.sweep.size() == 10
    assert points == lhs.sweep.generate()  # same seed, same design
    assert all(0.05 <= p["seek_rate"] <= 0.3 for p in points)
    assert all(isinstance(p["reveal_terms"], int) and 2 <= p["reveal_terms"] <= 12
               for p in points)
    # Latin hypercube: one sample in each tenth of each range
    strata = sorted(int((p["seek_rate"] - 0.05) / 0.025) for p in points)
    assert strata == list(range(10))
    sobol = parse_spec({"name": "s", "scenarios": [{"policies": ["self_improving"]}],
                        "sweep": {"method": "sobol", "samples": 8, "seed": 1, "ranges": ranges}})
    assert len(sobol.sweep.generate()) == sobol.sweep.size() == 8 * (2 + 2)
    for p in sobol.sweep.generate():
        for name, value in p.items():
            PARAMS[name].check(value)


def test_validation_needs_no_mesa(tmp_path):
    """Validating a whole spec (and reporting a typo) does not pay for mesa's import."""
    bad = write(tmp_path, BASE + "[params]\nseek_rat = 0.1\n")
    good = ROOT / "experiments" / "specs" / "policy_comparison.toml"
    code = ("import sys\nfrom experiments.batch.spec import load_spec, SpecError\n"
            f"load_spec({str(good)!r})\n"
            f"try:\n    load_spec({str(bad)!r})\nexcept SpecError:\n    pass\n"
            "assert 'mesa' not in sys.modules, 'mesa imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_cli_reports_one_line_and_exit_2(tmp_path):
    path = write(tmp_path, BASE + "[params]\nseek_rate = 7\n")
    proc = subprocess.run([sys.executable, "-m", "clustersim", "batch", str(path),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "params.seek_rate" in lines[0], proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_check_prints_size(tmp_path):
    path = write(tmp_path, BASE)
    proc = subprocess.run([sys.executable, "-m", "clustersim", "batch", str(path),
                           "--check"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "= 6 runs" in proc.stdout


def test_cross_parameter_rules_name_the_scenario_and_point(tmp_path):
    text = BASE + ('[sweep]\nmethod = "grid"\n'
                   'values = { cluster_min_size = [2, 9], cluster_max_size = [7] }\n')
    msg = error(tmp_path, text)
    assert ": scenarios[0]: si at sweep point 1: cluster_min_size must not exceed" in msg


def test_a_scenario_has_one_middle_tier_and_names_its_policies():
    from clustersim.model.errors import UserError
    from clustersim.model.policies import parse_policies

    assert parse_policies("local_authority+cpd_bank") == ["local_authority", "cpd_bank"]
    assert parse_policies(["cpd_bank"]) == ["cpd_bank"]  # add-ons alone: no middle tier
    with pytest.raises(UserError, match="2 middle tiers; choose one of self_improving"):
        parse_policies("self_improving+superintendent")
    with pytest.raises(UserError, match="none given"):
        parse_policies([])


def test_a_scenario_follows_the_models_policy_rules(tmp_path):
    msg = error(tmp_path, BASE + '[[scenarios]]\n'
                'policies = ["superintendent", "local_authority"]\n')
    assert "scenarios[2].policies" in msg and "middle tiers" in msg


def test_a_huge_spec_is_refused_from_its_size_before_expanding(tmp_path):
    """2 x 10^11 runs: refused in milliseconds, naming the size and the --max-runs override."""
    values = ", ".join(f"{n} = [{', '.join(str(round(0.01 * k, 2)) for k in range(1, 11))}]"
                       for n in ("seek_rate", "homophily_weight", "distance_weight",
                                 "complementarity_weight", "engagement_base",
                                 "selfeval_mean", "peer_cpd_quality", "skill_fade_year",
                                 "engagement_isolation_penalty", "engagement_rural_penalty"))
    text = BASE + f'[sweep]\nmethod = "grid"\nvalues = {{ {values} }}\n'
    msg = error(tmp_path, text)
    assert "60,000,000,000 runs, more than the limit of 1,000,000" in msg
    assert "--max-runs 60000000000" in msg
    path = write(tmp_path, BASE)
    assert load_spec(path, max_runs=6).n_runs == 6
    with pytest.raises(SpecError, match="more than the limit of 5"):
        load_spec(path, max_runs=5)


def test_docs_specs_md_is_written_from_the_declarations():
    from pathlib import Path

    from clustersim.experiments.batch import spec_doc
    from clustersim.experiments.batch.spec import (
        OUTPUT_KEYS,
        SCENARIO_KEYS,
        SWEEP_KEYS,
        TOP_KEYS,
        load_spec,
    )

    root = Path(__file__).resolve().parent.parent
    assert (root / "docs" / "specs.md").read_text() == spec_doc.markdown() + "\n"
    assert set(TOP_KEYS) == set(spec_doc.TOP) and set(SCENARIO_KEYS) == set(spec_doc.SCENARIO)
    assert {k for keys in SWEEP_KEYS.values() for k in keys} == set(spec_doc.SWEEP)
    assert set(OUTPUT_KEYS) == set(spec_doc.OUTPUTS)
    assert load_spec(spec_doc.EXAMPLE).name == "la_decline"  # the worked example validates
