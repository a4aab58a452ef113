"""Outputs describe themselves: datapackage.json beside the CSVs (issue 17 item 5)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from clustersim.experiments.cli import main


def check_package(folder) -> dict:
    """Every CSV has a resource whose fields are its columns, in order, each typed and
    described, and every value parses as its declared type."""
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    csvs = sorted(p.name for p in folder.glob("*.csv"))
    assert sorted(r["path"] for r in package["resources"]) == csvs
    for r in package["resources"]:
        frame = pd.read_csv(folder / r["path"], dtype=str, keep_default_na=False)
        fields = r["schema"]["fields"]
        assert [f["name"] for f in fields] == list(frame.columns)
        for f in fields:
            assert f["description"], (r["path"], f["name"])
            values = frame[f["name"]][frame[f["name"]] != ""]
            if f["type"] in ("integer", "number"):
                parsed = pd.to_numeric(values, errors="raise")
                if f["type"] == "integer":
                    assert (np.asarray(parsed) == np.round(np.asarray(parsed))).all()
            elif f["type"] == "boolean":
                assert set(values) <= {"True", "False", "true", "false"}
    return package


def fields(package: dict, path: str) -> dict[str, dict]:
    """One resource's fields by column name."""
    resource = next(r for r in package["resources"] if r["path"] == path)
    return {f["name"]: f for f in resource["schema"]["fields"]}


def tiny_batch(tmp_path, extra: str, replicates: int = 2, policy: str = "self_improving"):
    """A one-scenario, one-year batch of the maximising_progress preset in tmp_path/b."""
    spec = tmp_path / "tiny.toml"
    spec.write_text(f'name = "tiny"\npreset = "maximising_progress"\nyears = 1\n'
                    f'replicates = {replicates}\nroot_seed = 3\n{extra}\n'
                    f'[[scenarios]]\nlabel = "{policy}"\npolicies = ["{policy}"]\n')
    assert main(["batch", str(spec), "--out", str(tmp_path / "b"), "--workers", "1",
                 "--quiet"]) == 0
    return tmp_path / "b"


def test_run_and_batch_folders_carry_a_valid_datapackage(tmp_path):
    assert main(["run", "--preset", "maximising_progress", "--years", "1",
                 "--out", str(tmp_path / "run")]) == 0
    package = check_package(tmp_path / "run")
    summary = next(r for r in package["resources"] if r["path"] == "summary.csv")
    left = next(f for f in summary["schema"]["fields"] if f["name"] == "left_behind")
    assert left["unit"] == "fraction of weak schools" and left["type"] == "number"
    package = check_package(tiny_batch(tmp_path, "[params]\nseek_rate = 0.2"))
    runs = next(r for r in package["resources"] if r["path"] == "runs.csv")
    seek = next(f for f in runs["schema"]["fields"] if f["name"] == "param.seek_rate")
    assert seek["description"].startswith("parameter:") and seek["unit"]
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert "datapackage.json" in manifest["files"]


def test_a_rerun_from_the_recorded_seed_matches_the_csv_bitwise(tmp_path):
    """Floats are written in full (repr), so runs.csv holds exactly what a rerun from the
    recorded seed returns."""
    from clustersim import simulate

    folder = tiny_batch(tmp_path, "[params]\nseek_rate = 0.2", policy="superintendent")
    runs = pd.read_csv(folder / "runs.csv")  # pandas 3 parses floats round-trip
    for row in runs.itertuples(index=False):
        again = simulate(seed=int(row.seed), preset="maximising_progress", years=1,
                         policies=["superintendent"], seek_rate=0.2)
        for name in ("gap", "left_behind", "mean_rwm", "public_cost_per_school_year"):
            assert getattr(row, name) == again[name], name


def test_none_is_an_empty_cell_not_minus_one(tmp_path):
    tiny_batch(tmp_path, '[outputs]\nschools = "all"', replicates=1)
    assert main(["run", "--preset", "maximising_progress", "--years", "1",
                 "--out", str(tmp_path / "r")]) == 0
    for folder in ("b", "r"):
        schools = pd.read_csv(tmp_path / folder / "schools.csv", dtype=str,
                              keep_default_na=False)
        for column in ("trust", "trust_end", "cluster_end"):
            assert "-1" not in set(schools[column]) and "" in set(schools[column]), column


def test_a_tables_own_meanings_win_and_may_declare_a_type():
    from clustersim.experiments.analysis.columns import REPORT
    from clustersim.experiments.shared import datapackage

    shared = datapackage.field("name", np.dtype(float))
    assert shared["description"] == "the register's establishment name"
    own = datapackage.field("name", np.dtype(float), {"name": ("", "the mechanism's name",
                                                               "string")})
    assert own == {"name": "name", "type": "string", "description": "the mechanism's name"}
    assert datapackage.field("stuck", np.dtype(int), REPORT["stuck.csv"])[
        "unit"] == "schools"


def test_validate_folder_carries_a_valid_datapackage(tmp_path):
    """validate's three tables; the smallest run test_validate uses for both of them.
    (calibrate, sensitivity, explain and report are checked on the module-scoped outputs
    of their own test files: test_*_folder_carries_a_valid_datapackage.)"""
    out = tmp_path / "val"
    assert main(["validate", "--only", "P5,M4", "--replicates", "0.1", "--workers", "1",
                 "--out", str(out)]) == 0
    package = check_package(out)
    assert [r["path"] for r in package["resources"]] == [
        "validation.csv", "validation_runs.csv", "mechanisms.csv"]
    figure = fields(package, "validation_runs.csv")["partner_distance_ratio"]
    assert figure["unit"] == "x" and figure["description"].startswith("P5 figure (")
    assert fields(package, "validation.csv")["unit"]["type"] == "string"
    assert fields(package, "mechanisms.csv")["name"]["description"] == "the mechanism's name"
    manifest = json.loads((out / "manifest.json").read_text())
    assert "datapackage.json" in manifest["files"]
