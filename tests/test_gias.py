"""Real regions from the DfE register (issue 16): the sample's documented counts, the
loader's rules, column-order independence, bad input, every policy on a loaded region,
and reproducibility."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from clustersim.experiments.cli import main
from clustersim.model import gias
from clustersim.model.gias import load_gias
from clustersim.model.region import (
    LA_MAINTAINED,
    PRIMARY,
    SECONDARY,
    STANDALONE_ACADEMY,
    TRUST_ACADEMY,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "regions" / "gias_sample.csv"
ARRAYS = ("la", "x", "y", "phase", "pupils", "rural", "fsm", "governance", "trust",
          "la_centre", "la_region", "grade")


def read_rows(path: Path = SAMPLE) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="cp1252", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, columns: list[str], rows: list[dict], encoding: str = "cp1252"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
    return path


def same_region(a, b) -> None:
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    ra, rb = a.register, b.register
    np.testing.assert_array_equal(ra.urn, rb.urn)
    assert (ra.name, ra.la_code, ra.la_name, ra.region_name, ra.trust_code, ra.trust_name) == \
        (rb.name, rb.la_code, rb.la_name, rb.region_name, rb.trust_code, rb.trust_name)
    da, db = ra.report.as_dict(), rb.report.as_dict()
    da.pop("source"), db.pop("source")
    assert da == db


def load_maker():
    """scripts/make_gias_sample.py as a module (scripts/ is not a package)."""
    import sys

    if "make_gias_sample" not in sys.modules:
        spec = importlib.util.spec_from_file_location("make_gias_sample",
                                                      ROOT / "scripts" / "make_gias_sample.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_gias_sample"] = module
        spec.loader.exec_module(module)
    return sys.modules["make_gias_sample"]


@pytest.fixture(scope="module")
def sample():
    return load_gias(SAMPLE)


# --- the shipped sample and its documented counts (examples/regions/README.md) ----------

def test_sample_loads_with_documented_counts(sample):
    rep = sample.register.report
    assert (rep.rows, rep.schools, rep.primary, rep.secondary) == (245, 216, 186, 30)
    assert rep.las == ("961 Avonmere", "962 Sedgeford", "963 Lowen Bay")
    assert rep.gors == ("South East", "South West")
    assert rep.trusts == 15 and rep.grades_known == 203
    assert rep.excluded == {"closed": 11, "independent_or_other": 8, "special": 5,
                            "alternative_provision": 2, "other_phase": 3, "outside_filter": 0}
    assert rep.imputed == {"pupils": 4, "fsm": 3, "position": 2, "urban_rural": 1}
    assert np.bincount(sample.governance).tolist() == [100, 9, 107]
    assert np.bincount(sample.la).tolist() == [87, 68, 61]


def test_sample_is_synthetic_register_format_and_regenerates_byte_for_byte():
    raw = SAMPLE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                      # cp1252, as published: not UTF-8
    text = raw.decode("cp1252")
    assert "\u2019" in text and "\u2013" in text and "ë" in text
    columns, rows = read_rows()
    assert len(columns) > 100 and set(gias.REQUIRED + gias.OPTIONAL) <= set(columns)
    maker = load_maker()
    assert maker.to_bytes(maker.sample_rows()) == raw


def test_rules_keep_open_state_mainstream_and_map_fields(sample):
    _, rows = read_rows()
    by_urn = {int(r["URN"]): r for r in rows}
    kept = [by_urn[int(u)] for u in sample.register.urn]
    assert {r["EstablishmentStatus (name)"] for r in kept} == set(gias.OPEN)
    assert {r["EstablishmentTypeGroup (name)"] for r in kept} <= set(gias.MAINSTREAM_GROUPS)
    phases = {r["PhaseOfEducation (name)"]: p for r, p in zip(kept, sample.phase, strict=True)}
    assert phases == {"Primary": PRIMARY, "Middle deemed primary": PRIMARY,
                      "Secondary": SECONDARY, "Middle deemed secondary": SECONDARY,
                      "All-through": SECONDARY}
    left_out = set(by_urn) - set(sample.register.urn.tolist())
    assert all(by_urn[u]["EstablishmentStatus (name)"] not in gias.OPEN
               or "special" in by_urn[u]["TypeOfEstablishment (name)"].lower()
               or by_urn[u]["EstablishmentTypeGroup (name)"] not in gias.MAINSTREAM_GROUPS
               or by_urn[u]["PhaseOfEducation (name)"] not in gias.PHASES
               or by_urn[u]["TypeOfEstablishment (name)"] in (
                   "Pupil referral unit", "Academy alternative provision converter")
               for u in left_out)
    assert np.all(np.diff(sample.register.urn) > 0)          # ordered by URN
    for r, x, y, fsm, pupils, rural, gov, trust in zip(
            kept, sample.x, sample.y, sample.fsm, sample.pupils, sample.rural,
            sample.governance, sample.trust, strict=True):
        if r["Easting"]:
            assert (x, y) == (int(r["Easting"]) / 1000, int(r["Northing"]) / 1000)
        if r["PercentageFSM"]:
            assert fsm == pytest.approx(float(r["PercentageFSM"]) / 100)
        if r["NumberOfPupils"]:
            assert pupils == int(r["NumberOfPupils"])
        if r["UrbanRural (name)"]:
            assert rural == ("rural" in r["UrbanRural (name)"].lower())
        flag = r["TrustSchoolFlag (name)"]
        if r["EstablishmentTypeGroup (name)"] == "Local authority maintained schools":
            assert (gov, trust) == (LA_MAINTAINED, -1)   # a foundation trust is no MAT
        elif "multi-academy" in flag:
            assert gov == TRUST_ACADEMY
            assert sample.register.trust_code[trust] == r["Trusts (code)"]
        else:
            assert (gov, trust) == (STANDALONE_ACADEMY, -1)
    # the LA's centre is its schools' pupil-weighted mean position
    w = sample.pupils[sample.la == 0]
    assert sample.la_centre[0, 0] == pytest.approx(np.average(sample.x[sample.la == 0], weights=w))
    assert sample.register.region_name[sample.la_region[2]] == "South East"


def test_missing_values_take_the_la_median(sample):
    _, rows = read_rows()
    by_urn = {int(r["URN"]): r for r in rows}
    kept = [by_urn[int(u)] for u in sample.register.urn]
    code = np.array([r["LA (code)"] for r in kept])
    fsm_blank = np.array([r["PercentageFSM"] == "" for r in kept])
    place_blank = np.array([r["Easting"] == "" for r in kept])
    assert fsm_blank.sum() == 3 and place_blank.sum() == 2
    for i in np.flatnonzero(fsm_blank):
        known = (code == code[i]) & ~fsm_blank
        assert sample.fsm[i] == pytest.approx(np.median(sample.fsm[known]))
    for i in np.flatnonzero(place_blank):
        known = (code == code[i]) & ~place_blank
        assert sample.x[i] == pytest.approx(np.median(sample.x[known]))


def test_loaded_arrays_are_read_only_and_cached(sample):
    assert load_gias(SAMPLE) is sample
    with pytest.raises(ValueError):
        sample.fsm[0] = 0.5


def test_cache_follows_the_file(tmp_path):
    columns, rows = read_rows()
    path = write_rows(tmp_path / "g.csv", columns, rows)
    first = load_gias(path)
    assert load_gias(str(path)) is first
    rows[0]["EstablishmentName"] += " (renamed)"      # a new download: new size and time
    write_rows(path, columns, rows)
    os.utime(path, ns=(first_ns := path.stat().st_mtime_ns, first_ns + 10**9))
    assert load_gias(path) is not first


# --- column order, extra columns, encoding ---------------------------------------------

def test_reordered_and_extra_columns_load_identically(sample, tmp_path):
    columns, rows = read_rows()
    rng = np.random.default_rng(5)
    shuffled = [columns[i] for i in rng.permutation(len(columns))]
    extra = [f"Unused{i} (name)" for i in range(12)]
    for r in rows:
        r.update({c: "x, y" for c in extra})
    rows = [rows[i] for i in rng.permutation(len(rows))]
    path = write_rows(tmp_path / "reordered.csv", extra[:6] + shuffled + extra[6:], rows)
    same_region(load_gias(path), sample)
    utf8 = write_rows(tmp_path / "utf8.csv", columns, rows, encoding="utf-8-sig")
    same_region(load_gias(utf8), sample)


def test_filters_by_code_name_and_region(sample):
    by_code = load_gias(SAMPLE, la=["963"])
    by_name = load_gias(SAMPLE, la="lowen bay")
    by_gor = load_gias(SAMPLE, gor="south east")
    same_region(by_code, by_name)
    same_region(by_code, by_gor)
    assert by_code.n == 61 and by_code.register.report.excluded["outside_filter"] == 155
    # a school gets the same values whichever filter selects it (medians are file-wide)
    whole = np.isin(sample.register.urn, by_code.register.urn)
    np.testing.assert_array_equal(sample.fsm[whole], by_code.fsm)
    np.testing.assert_array_equal(sample.x[whole], by_code.x)
    two = load_gias(SAMPLE, la=[961, "Sedgeford"])
    assert two.register.la_code == ("961", "962") and two.n == 87 + 68


def test_attainment_file_sets_known_results(sample, tmp_path):
    urns = sample.register.urn
    ks2 = pd.DataFrame({"RECTYPE": ["1", "1", "1", "1", "4"],
                        "URN": [str(urns[0]), str(urns[1]), str(urns[2]), "999999", ""],
                        "SCHNAME": ["a", "b", "c", "d", "LA total"],
                        "PTRWM_EXP": ["65%", "SUPP", "48", "70%", "59%"]})
    path = tmp_path / "england_ks2final.csv"
    ks2.to_csv(path, index=False, encoding="cp1252")
    region = load_gias(SAMPLE, attainment=path)
    assert region.rwm[0] == 65.0 and np.isnan(region.rwm[1]) and region.rwm[2] == 48.0
    assert np.isnan(region.rwm[3:]).all()
    assert region.register.report.attainment_known == 2


def test_known_grades_and_results_condition_the_starting_level(sample):
    from clustersim.model import PARAMS
    from clustersim.model.mechanisms.inspection import grade_of

    p = SimpleNamespace(**PARAMS.resolve({}))
    # exact conditioning: for each grade, the draws match rejection sampling from the prior
    n = 20_000
    prior = np.random.default_rng(6).normal(0.1, 0.3, 4 * n)
    judged = grade_of(prior + p.inspection_noise_sd * np.random.default_rng(7).normal(
        0, 1, 4 * n), p)
    for g in range(4):
        region = SimpleNamespace(n=n, grade=np.full(n, g, np.int8), rwm=None)
        level = gias.condition_on_known(0.1, 0.3, region, p, np.random.default_rng(g))
        accepted = prior[judged == g]
        assert level.mean() == pytest.approx(accepted.mean(), abs=0.01)
        assert level.std() == pytest.approx(accepted.std(), rel=0.05)
    # on the sample: schools graded better start higher; unknown grades keep the prior
    level = gias.condition_on_known(-0.5 * (sample.fsm - 0.24), 0.3, sample, p,
                                    np.random.default_rng(7))
    by_grade = [level[sample.grade == g].mean() for g in range(4) if (sample.grade == g).any()]
    assert by_grade == sorted(by_grade, reverse=True)
    # a known KS2 result pulls the level of a large cohort close to what the result implies
    rwm = np.full(sample.n, np.nan)
    rwm[:50] = np.linspace(30, 90, 50)
    region = SimpleNamespace(n=sample.n, rwm=rwm, grade=None, fsm=sample.fsm,
                             phase=sample.phase, pupils=np.full(sample.n, 3000))
    n = sample.n
    level = gias.condition_on_known(np.zeros(n), 0.3, region, p, np.random.default_rng(8))
    from scipy.special import ndtr

    implied = 100 * ndtr(p.attain_offset_rwm + level[:50]
                         - p.fsm_pupil_gap * (sample.fsm[:50] - 0.24))
    assert np.abs(implied - rwm[:50]).max() < 5.0


# --- bad input: one line, exit 2, nothing written ----------------------------------------

def cli_error(capsys, tmp_path, *argv: str) -> str:
    out = tmp_path / "out"
    rc = main(["run", *argv, "--years", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def variant(tmp_path, change, drop: str | None = None) -> str:
    columns, rows = read_rows()
    for r in rows:
        change(r)
    if drop:
        columns.remove(drop)
    return str(write_rows(tmp_path / "variant.csv", columns, rows))


def test_missing_required_column(capsys, tmp_path):
    path = variant(tmp_path, lambda r: None, drop="PercentageFSM")
    assert "region:" in (err := cli_error(capsys, tmp_path, "--region", path))
    assert "'PercentageFSM'" in err


def test_not_a_gias_file(capsys, tmp_path):
    other = tmp_path / "ks2.csv"
    other.write_text("URN,SCHNAME,PTRWM_EXP\n100000,A school,65%\n", encoding="cp1252")
    assert "not a GIAS" in cli_error(capsys, tmp_path, "--region", str(other))
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "region:" in cli_error(capsys, tmp_path, "--region", str(binary))
    assert "cannot read" in cli_error(capsys, tmp_path, "--region", str(tmp_path / "none.csv"))


def test_unknown_la_lists_valid_ones(capsys, tmp_path):
    err = cli_error(capsys, tmp_path, "--region", str(SAMPLE), "--la", "961", "Atlantis")
    assert "la: 'Atlantis'" in err and "961 Avonmere" in err and "963 Lowen Bay" in err
    err = cli_error(capsys, tmp_path, "--region", str(SAMPLE), "--gor", "Mars")
    assert "gor: 'Mars'" in err and "South West" in err
    assert "needs region" in cli_error(capsys, tmp_path, "--la", "961")


def test_no_schools_left_after_filtering(capsys, tmp_path):
    err = cli_error(capsys, tmp_path, "--region", str(SAMPLE), "--la", "961",
                    "--gor", "South East")
    assert err.startswith("clustersim run: error: la: no open state-funded")
    path = variant(tmp_path, lambda r: r.update({"EstablishmentStatus (name)": "Closed"}))
    assert "closed 245" in cli_error(capsys, tmp_path, "--region", path)


def test_coordinates_outside_great_britain(capsys, tmp_path):
    _, rows = read_rows()
    urn = next(r["URN"] for r in rows if r["EstablishmentStatus (name)"] == "Open"
               and r["PhaseOfEducation (name)"] == "Primary" and r["Easting"])
    path = variant(tmp_path, lambda r: r.update({"Easting": "812345"}) if r["URN"] == urn
                   else None)
    err = cli_error(capsys, tmp_path, "--region", path)
    assert f"Easting 812345 of URN {urn} is outside Great Britain" in err


def test_bad_attainment_file(capsys, tmp_path):
    bad = tmp_path / "ks2.csv"
    bad.write_text("URN,PTRWM\n100000,65\n")
    err = cli_error(capsys, tmp_path, "--region", str(SAMPLE), "--attainment", str(bad))
    assert "attainment:" in err and "'PTRWM_EXP'" in err


def test_spec_region_keys_are_validated_up_front():
    from clustersim.experiments.batch.spec import SpecError, parse_spec

    base = {"name": "g", "region": str(SAMPLE), "replicates": 1,
            "scenarios": [{"policies": ["local_authority"]}]}
    spec = parse_spec({**base, "la": ["Avonmere"]})
    config = spec.config(spec.scenarios[0], {})
    assert config["region"] == str(SAMPLE.resolve()) and config["la"] == "Avonmere"
    with pytest.raises(SpecError, match=r"^<spec>: la: 'Nowhere' is not an LA"):
        parse_spec({**base, "la": ["Nowhere"]})
    with pytest.raises(SpecError, match=r"^<spec>: gor: needs region"):
        parse_spec({"name": "g", "gor": "London", "scenarios": [{"policies": ["superintendent"]}]})


# --- runs on a loaded region --------------------------------------------------------------

@pytest.mark.parametrize("middle_tier", ["self_improving", "local_authority", "superintendent"])
def test_every_policy_runs_on_the_loaded_region(middle_tier):
    from clustersim.model.model import ClusterModel
    from clustersim.model.policies import ADD_ONS, MIDDLE_TIERS, POLICY_NAMES

    assert set(MIDDLE_TIERS) | set(ADD_ONS) == set(POLICY_NAMES)
    assert middle_tier in MIDDLE_TIERS
    m = ClusterModel({"region": str(SAMPLE), "policies": [middle_tier, *ADD_ONS],
                      "years": 2}, seed=4)
    while m.running:
        m.step()
    assert m.s.n == 216 and m.term == 6
    summary = m.summary()
    assert all(np.isfinite(v) for v in summary.values())
    if middle_tier != "self_improving":
        brokers = [b for p in m.policies if p.name == middle_tier for b in p.brokers]
        assert {b.la for b in brokers} <= {0, 1, 2} and len(brokers) >= 3  # each LA served


def test_same_seed_same_outputs_and_reparse_is_identical():
    from clustersim.model import run

    config = {"region": str(SAMPLE), "la": ["961", "962"], "policies": ["local_authority"],
              "years": 2}
    a = run(config, seed=9)
    gias._CACHE.clear()
    gias._PARSED.clear()
    b = run(config, seed=9)
    np.testing.assert_equal(a.summary, b.summary)   # NaN outcomes compare equal too
    pd.testing.assert_frame_equal(a.schools, b.schools)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert a.schools["urn"].is_monotonic_increasing and a.schools["name"].str.len().min() > 0


def test_run_command_reports_the_load(capsys, tmp_path):
    out = tmp_path / "run"
    rc = main(["run", "--region", str(SAMPLE), "--la", "Lowen Bay", "--policy",
               "superintendent", "--years", "1", "--out", str(out)])
    stdout = capsys.readouterr().out
    assert rc == 0
    assert stdout.splitlines()[0].startswith("region gias_sample.csv: 61 schools")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["region"]["schools"] == 61 and manifest["region"]["las"] == ["963 Lowen Bay"]
    assert manifest["parameters"]["la"] == "Lowen Bay"
    schools = pd.read_csv(out / "schools.csv")
    assert {"urn", "name"} <= set(schools.columns) and len(schools) == 61


def test_generator_writes_a_national_sized_file(tmp_path):
    maker = load_maker()
    path = tmp_path / "national.csv"
    assert maker.main(["--rows", "3000", "--out", str(path)]) == 0
    region = load_gias(path)
    rep = region.register.report
    assert rep.rows == 3000 and len(rep.gors) == 9 and rep.schools > 2000
    assert io.BytesIO(path.read_bytes()).read().decode("cp1252")


def test_batch_on_a_real_region_records_its_keys(capsys, tmp_path):
    spec = tmp_path / "real.toml"
    spec.write_text(f'name = "real"\nregion = "{SAMPLE.as_posix()}"\nla = ["961", "Sedgeford"]\n'
                    'years = 1\nreplicates = 1\n[[scenarios]]\npolicies = ["local_authority"]\n')
    out = tmp_path / "batch"
    assert main(["batch", str(spec), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    runs = pd.read_csv(out / "runs.csv")
    assert runs.loc[0, "region"] == str(SAMPLE.resolve()) and runs.loc[0, "la"] == "961+Sedgeford"
    assert len(runs.columns) == len(pd.read_csv(out / "runs.csv", header=None).columns)


def test_a_loaded_region_starts_from_the_register_grades():
    """Known grades survive the burn-in as the term-0 grades, and the schools' drawn
    effectiveness follows them (conditioning on the grade, model.state)."""

    from clustersim.model.model import ClusterModel

    m = ClusterModel({"region": str(SAMPLE), "years": 1}, 3)
    known = m.s.region.grade >= 0
    assert (m.s.grade[known] == m.s.region.grade[known]).all()
    eff, g = m.eff0[known], m.s.region.grade[known]
    assert eff[g <= 1].mean() > eff[g >= 2].mean() + 0.1


def test_undefined_cp1252_bytes_and_a_zero_coordinate(sample, tmp_path):
    """A real extract may hold one of the five bytes cp1252 leaves undefined (it still
    loads, read as latin-1), and writes 0 for an unknown easting or northing (imputed)."""
    raw = SAMPLE.read_bytes()
    at = raw.index(b"School", raw.index(b"\n"))
    odd = tmp_path / "odd_bytes.csv"
    odd.write_bytes(raw[:at] + b"Sch\x81ol" + raw[at + 6:])
    assert load_gias(str(odd)).n == sample.n
    columns, rows = read_rows()
    kept = load_gias(str(SAMPLE))
    urn = int(kept.register.urn[0])
    row = next(r for r in rows if int(r["URN"]) == urn)
    row["Easting"] = "0"
    zero = tmp_path / "zero_easting.csv"
    write_rows(zero, columns, rows)
    loaded = load_gias(str(zero))
    assert loaded.n == sample.n
    assert (loaded.register.report.imputed["position"]
            == sample.register.report.imputed["position"] + 1)
