"""The validation suite runs end to end and reports figures against targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments import validate as v
from experiments.cli import main


def test_every_pattern_has_an_experiment_and_a_target():
    assert {f.pattern for f in v.FIGURES} == {f"P{k}" for k in range(1, 10)}
    for f in v.FIGURES:
        assert f.experiment in v.EXPERIMENTS and f.low < f.high


def test_experiments_return_their_figures():
    for name in ("no_middle_tier", "maximising_progress", "cpd_effect"):
        fn, _ = v.EXPERIMENTS[name]
        out = fn(3)
        wanted = {f.name for f in v.FIGURES if f.experiment == name}
        assert wanted <= set(out) and all(np.isfinite(out[k]) for k in wanted)


def test_validate_command_writes_table_and_plots(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", "--only", "P5,P7", "--replicates", "0.1", "--workers", "1",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out / "validation.csv")
    assert set(table["pattern"]) == {"P5", "P7"}
    assert (table["replicates"] >= 2).all()
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    assert (out / "P5.png").stat().st_size > 5000 and (out / "P7.png").exists()
    printed = capsys.readouterr().out
    assert "maths_best_cluster" in printed and "figures within target" in printed


def test_validate_rejects_unknown_pattern(tmp_path, capsys):
    assert main(["validate", "--only", "P42", "--out", str(tmp_path / "x")]) == 2
    assert "unknown pattern 'P42'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
