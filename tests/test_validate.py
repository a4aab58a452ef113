"""The validation suite: patterns P1-P11 against targets, mechanisms M1-M15 in pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clustersim.experiments.cli import main
from clustersim.experiments.credibility import validate as v
from clustersim.experiments.credibility import validation_mechanisms as vm
from clustersim.experiments.credibility.validation_records import Inspections, run_observed
from clustersim.model.errors import UserError


def test_every_pattern_has_an_experiment_and_a_target():
    assert [f"P{k}" for k in range(1, 12)] == v.PATTERNS
    names = [f.name for f in v.FIGURES]
    assert len(names) == len(set(names))
    for f in v.FIGURES:
        assert f.experiment in v.EXPERIMENTS and f.low < f.high


def test_status_quo_is_reported_under_both_policies_at_years_10_and_20():
    p1 = {f.name for f in v.FIGURES if f.pattern == "P1"}
    p11 = {f.name for f in v.FIGURES if f.pattern == "P11"}
    for tag in ("si", "la"):
        for y in ("y10", "y20"):
            assert {f"good_outstanding_{y}_{tag}", f"ri_{y}_{tag}",
                    f"inadequate_{y}_{tag}"} <= p1
            assert f"below_floor_{y}_{tag}" in p11
    for name in ("status_quo_si", "status_quo_la"):
        assert v.DESIGNS[name][0]["years"] == 20


def test_experiments_return_their_figures():
    for name in ("no_middle_tier", "maximising_progress", "cpd_effect"):
        fn, _ = v.EXPERIMENTS[name]
        out = fn(3, {})
        wanted = {f.name for f in v.FIGURES if f.experiment == name}
        assert wanted <= set(out) and all(np.isfinite(out[k]) for k in wanted)


# ---------------------------------------------------------------------------- P10 counting
def test_inspection_counting_by_hand():
    # school 0: RI -> good (lifted); school 1: RI at every inspection for 30+ terms (stuck);
    # school 2: inadequate -> RI -> RI -> outstanding at term 40 (not stuck at 60, from RI
    # once good next); school 3: good throughout, never RI
    events = [(0, 0, 2), (0, 7, 1), (0, 19, 1),
              (1, 0, 2), (1, 7, 2), (1, 14, 3), (1, 21, 2), (1, 28, 2), (1, 35, 2),
              (1, 42, 2), (1, 49, 2), (1, 56, 3),
              (2, 0, 3), (2, 7, 2), (2, 14, 2), (2, 21, 2), (2, 40, 0),
              (3, 0, 1), (3, 12, 1), (3, 24, 0)]
    school, term, grade = (np.array(x) for x in zip(*events, strict=True))
    order = np.random.default_rng(0).permutation(len(events))  # order must not matter
    rec = Inspections.from_events(4, school[order], term[order], grade[order])
    n, share = rec.ri_next_good()
    # from RI: school 0 (0->good); school 1 at 0, 7, 21, 28, 35, 42, 49 (all to RI/inad);
    # school 2 at 7, 14 (to RI) and 21 (to outstanding): 11 transitions, 2 to good or better
    assert n == 11 and share == pytest.approx(2 / 11)
    assert rec.stuck(60, 30).tolist() == [False, True, False, False]
    # at 40 the window opens at 10: school 2's grade in force then was RI (term 7), and
    # stays below good to 40 (outstanding comes at 40, inside the window: lifted)
    assert rec.stuck(40, 30).tolist() == [False, True, False, False]
    assert rec.stuck(39, 30).tolist() == [False, True, True, False]
    with pytest.raises(ValueError):
        rec.stuck(20, 30)


def test_inspection_record_matches_a_direct_recount():
    """The recorder (next_inspection changed) against a recount from the model's own rule
    (a school is inspected when its next inspection is due), term by term."""
    from clustersim.model.model import ClusterModel

    rec = Inspections()
    m = ClusterModel({"preset": "county", "policies": ["self_improving"], "years": 12}, 11)
    rec.start(m)
    seen = {i: [(0, int(g))] for i, g in enumerate(m.s.grade)}  # (term, grade) per school
    while m.running:
        due = np.flatnonzero(m.s.next_inspection <= m.term + 1)
        m.step()
        rec.observe(m)
        for i in due.tolist():
            seen[i].append((m.term, int(m.s.grade[i])))
    pairs = [(a[1], b[1]) for g in seen.values() for a, b in zip(g, g[1:], strict=False)]
    from_ri = [b for a, b in pairs if a == 2]
    n, share = rec.ri_next_good()
    assert n == len(from_ri) > 20
    assert share == pytest.approx(sum(b <= 1 for b in from_ri) / len(from_ri))
    start = m.term - 30
    stuck = [[g for t, g in seen[i] if t <= start][-1] >= 2
             and all(g >= 2 for t, g in seen[i] if t > start) for i in range(m.s.n)]
    assert rec.stuck(m.term, 30).tolist() == stuck
    assert 0 < sum(stuck) < m.s.n


# ---------------------------------------------------------------------------- mechanisms
def test_mechanism_table_is_declared_once_and_complete():
    from clustersim.model.params import PARAMS

    assert [f"M{k}" for k in range(1, 16)] == vm.MECHANISMS
    for c in vm.CHECKS:
        assert c.switch.startswith(c.mechanism.lower() + "_") and PARAMS[c.switch].kind == "bool"
        assert c.sign in (-1, 1)
        vm.outcome(c.outcome)  # every outcome resolves (a metric or a computed one)
        assert c.config(False)[c.switch] is False and c.config(True)[c.switch] is True
    signs = {c.mechanism: c.sign for c in vm.CHECKS}
    assert signs["M3"] == signs["M1"] == signs["M13"] == 1  # clustered, isolated, revealed
    assert signs["M7"] == signs["M10"] == signs["M11"] == signs["M14"] == -1
    # mechanisms that act only under some policies are tested where they act
    assert "cpd_bank" in vm.BY_ID["M6"].policies and "federation" in vm.BY_ID["M12"].policies
    assert "teaching_school_hubs" in vm.BY_ID["M11"].policies
    with pytest.raises(KeyError):
        vm.outcome("no_such_outcome")


def test_a_robust_mechanism_comes_out_as_designed():
    (row,) = vm.run_mechanisms(["M3"], replicates=3, workers=1)
    assert row["outcome"] == "clustered_share" and row["replicates"] == 3
    assert row["off_mean"] == 0.0 < row["on_mean"]
    assert row["ci_low"] > 0 and row["as_designed"] and row["result"] == "as designed"


def test_row_reads_the_interval_against_the_expected_sign():
    check = vm.BY_ID["M7"]  # expected to fall
    assert vm.row(check, [(1.0, 2.0), (1.1, 2.0), (0.9, 2.0)])["result"] == "as designed"
    assert vm.row(check, [(3.0, 2.0), (3.1, 2.0), (2.9, 2.0)])["result"] == "wrong way"
    assert vm.row(check, [(1.0, 2.0), (3.0, 2.0), (2.0, 2.1)])["result"] == "no clear effect"


# ---------------------------------------------------------------------------- the command
def test_only_names_patterns_and_mechanisms():
    assert v.parse_only("P10,m3") == (["P10"], ["M3"])
    assert v.parse_only("mechanisms") == ([], vm.MECHANISMS)
    assert v.parse_only(None) == (v.PATTERNS, vm.MECHANISMS)
    with pytest.raises(UserError, match="given twice"):
        v.parse_only("P1,p1")


@pytest.mark.slow
def test_validate_only_p10_writes_the_csv(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", "--only", "P10", "--replicates", "0.1", "--workers", "2",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out / "validation.csv")
    assert list(table["figure"]) == ["ri_good_next_si", "stuck_y20_si", "ri_good_next_la",
                                     "stuck_y20_la"]
    assert (table["replicates"] == 2).all()
    assert table["mean"].between(0, 1).all()
    assert (out / "P10.png").exists() and not (out / "mechanisms.csv").exists()
    printed = capsys.readouterr().out
    assert "ri_good_next_si" in printed and "figures within target" in printed


def test_validate_writes_both_tables_and_markdown(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", "--only", "P5,M4", "--replicates", "0.1", "--workers", "1",
                 "--markdown", "--out", str(out)]) == 0
    assert set(pd.read_csv(out / "validation.csv")["pattern"]) == {"P5"}
    mech = pd.read_csv(out / "mechanisms.csv")
    assert list(mech["mechanism"]) == ["M4"] and mech["replicates"].iloc[0] == 2
    assert (out / "mechanisms.png").stat().st_size > 5000 and (out / "P5.png").exists()
    printed = capsys.readouterr().out
    assert "| pattern | figure |" in printed and "| M4 cohesion |" in printed


def test_validate_rejects_unknown_pattern(tmp_path, capsys):
    assert main(["validate", "--only", "P42", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown pattern or mechanism 'P42'" in err[0]
    assert "P1-P11, M1-M15" in err[0]
    assert not (tmp_path / "x").exists()


def test_run_observed_equals_a_plain_run():
    from clustersim.model.api import run_to_end

    cfg = {"preset": "county", "policies": ["local_authority"], "years": 2}
    assert run_observed(cfg, 4, [Inspections()]).summary() == run_to_end(cfg, 4).summary()
