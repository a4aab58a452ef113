"""A careless user's corpus: bad input to every command and every spec key.

Each case must exit with status 2, print exactly one line on stderr (naming what is wrong),
print no traceback, and write or change nothing: the whole working folder (the output
folders, the user's files, earlier results) is hashed before and after. Most cases run
in-process through `experiments.cli.main` (fast); a handful run as real processes to
prove the exit status and stderr a shell sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clustersim.experiments.cli import main

ROOT = Path(__file__).resolve().parent.parent
SENSITIVITY_TINY = ROOT / "experiments" / "specs" / "sensitivity" / "sensitivity_tiny.toml"

SPEC = """\
name = "tiny"
preset = "maximising_progress"
years = 1
replicates = 1
root_seed = 3
[[scenarios]]
label = "si"
policies = ["self_improving"]
[[scenarios]]
policies = ["superintendent"]
"""


# ------------------------------------------------------------------- the working folder


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """Results made once (a finished batch, a run folder) and copied into each case."""
    root = tmp_path_factory.mktemp("made")
    (root / "tiny.toml").write_text(SPEC)
    assert main(["batch", str(root / "tiny.toml"), "--out", str(root / "batch"),
                 "--workers", "1", "--quiet"]) == 0
    assert main(["run", "--preset", "maximising_progress", "--years", "1",
                 "--out", str(root / "run")]) == 0
    return root


@pytest.fixture
def work(made, tmp_path, monkeypatch) -> Path:
    """A folder with a good spec, a finished batch, a run, a user's folder and a file; the
    current directory, so a default --out (results/...) would land in it too."""
    w = tmp_path / "w"
    w.mkdir()
    shutil.copy(made / "tiny.toml", w / "tiny.toml")
    shutil.copytree(made / "batch", w / "batch")
    shutil.copytree(made / "run", w / "run")
    shutil.copy(SENSITIVITY_TINY, w / "sens.toml")
    (w / "user").mkdir()
    (w / "user" / "runs.csv").write_text("my,own\n1,2\n")
    (w / "user" / "schools.csv").write_text("precious\n")
    (w / "user" / ".runs.csv.bak").write_text("backup\n")
    (w / "afile.txt").write_text("a file, not a folder\n")
    monkeypatch.chdir(w)
    return w


def tree_hash(folder: Path) -> str:
    """Every path under ``folder`` with its kind, mode and content."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            h.update(f"{p.relative_to(folder)}|{st.st_mode:o}|".encode())
            if p.is_symlink():
                h.update(os.readlink(p).encode())
            elif p.is_file():
                h.update(p.read_bytes())
    return h.hexdigest()


def refused(work: Path, capsys, argv: list[str], fragment: str) -> str:
    """Run ``argv`` in-process; assert exit 2, one line holding ``fragment``, nothing
    written or changed. Returns the line."""
    capsys.readouterr()
    before = tree_hash(work)
    status = main([a.replace("{w}", str(work)) for a in argv])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert status == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert fragment.replace("{w}", str(work)) in lines[0], lines[0]
    assert tree_hash(work) == before, "the folder changed"
    return lines[0]


# ------------------------------------------------------------------- damage, as setups


def damage(path: str, data: bytes | None):
    def apply(w: Path) -> None:
        target = w / path
        if data is None:
            target.unlink()
        else:
            target.write_bytes(data)
    return apply


def truncate(path: str, keep: int):
    def apply(w: Path) -> None:
        target = w / path
        target.write_bytes(target.read_bytes()[:keep])
    return apply


def unfinished(w: Path) -> None:
    m = json.loads((w / "batch" / "manifest.json").read_text())
    m["completed"] = False
    (w / "batch" / "manifest.json").write_text(json.dumps(m))


def parts_only(w: Path) -> None:
    (w / "lonely" / "parts").mkdir(parents=True)
    (w / "lonely" / "parts" / "0000000.json").write_text("{}")


def changed_spec(w: Path) -> None:
    (w / "tiny.toml").write_text(SPEC.replace("root_seed = 3", "root_seed = 4"))


def huge_grid(w: Path) -> None:
    values = ", ".join(f"{n} = [{', '.join(str(round(0.01 * k, 2)) for k in range(1, 11))}]"
                       for n in ("seek_rate", "homophily_weight", "distance_weight",
                                 "complementarity_weight", "engagement_base",
                                 "selfeval_mean"))
    (w / "tiny.toml").write_text(SPEC + f'[sweep]\nmethod = "grid"\nvalues = {{ {values} }}\n')


# ------------------------------------------------------------------- command-line cases

RUN = ["run", "--preset", "maximising_progress", "--years", "1"]
BATCH = ["batch", "{w}/tiny.toml", "--workers", "1", "--quiet"]
SENS = ["sensitivity", "{w}/sens.toml", "--workers", "1", "--quiet"]
CAL = ["calibrate", "--param", "specialist_rate=0:0.6", "--pattern", "maths_mean_cluster",
       "--replicates", "2", "--budget", "2", "--workers", "1", "--quiet"]
VAL = ["validate", "--only", "P1", "--replicates", "0.1", "--workers", "1"]

CASES = [
    # run: names, types, ranges, duplicates
    ("run-policy-unknown", [*RUN, "--policy", "nope", "--out", "{w}/o"], "unknown policy 'nope'"),
    ("run-policy-part-unknown", [*RUN, "--policy", "superintendent+nope", "--out", "{w}/o"],
     "unknown policy 'nope'"),
    ("run-policy-empty", [*RUN, "--policy", "", "--out", "{w}/o"], "policies: none given"),
    ("run-policy-two-middle-tiers", [*RUN, "--policy", "superintendent+local_authority",
                                     "--out", "{w}/o"], "middle tiers"),
    ("run-policy-listed-twice", [*RUN, "--policy", "cpd_bank+cpd_bank", "--out", "{w}/o"],
     "policy listed twice"),
    ("run-same-scenario-twice", [*RUN, "--policy", "superintendent", "--policy",
                                 "superintendent", "--out", "{w}/o"], "same scenario"),
    ("run-same-scenario-reordered", [*RUN, "--policy", "superintendent+cpd_bank", "--policy",
                                     "cpd_bank+superintendent", "--out", "{w}/o"],
     "same scenario"),
    ("run-preset-unknown", ["run", "--preset", "wales", "--out", "{w}/o"],
     "unknown preset 'wales'"),
    ("run-preset-twice", [*RUN, "--preset", "county", "--out", "{w}/o"], "given twice"),
    ("run-set-unknown", [*RUN, "--set", "seek_rat=0.1", "--out", "{w}/o"],
     "did you mean seek_rate"),
    ("run-set-range", [*RUN, "--set", "seek_rate=2", "--out", "{w}/o"], "out of range"),
    ("run-set-not-number", [*RUN, "--set", "seek_rate=abc", "--out", "{w}/o"],
     "is not a number"),
    ("run-set-int-fraction", [*RUN, "--set", "reveal_terms=2.5", "--out", "{w}/o"],
     "is not a whole number"),
    ("run-set-nan", [*RUN, "--set", "seek_rate=nan", "--out", "{w}/o"], "seek_rate"),
    ("run-set-inf", [*RUN, "--set", "max_partner_km=inf", "--out", "{w}/o"], "out of range"),
    ("run-set-bool", [*RUN, "--set", "m1_hard_to_reach=maybe", "--out", "{w}/o"],
     "is not a boolean"),
    ("run-set-no-equals", [*RUN, "--set", "seek_rate", "--out", "{w}/o"], "NAME=VALUE"),
    ("run-set-no-name", [*RUN, "--set", "=1", "--out", "{w}/o"], "NAME=VALUE"),
    ("run-set-twice", [*RUN, "--set", "seek_rate=0.1", "--set", "seek_rate=0.2",
                       "--out", "{w}/o"], "seek_rate is given twice"),
    ("run-years-zero", ["run", "--preset", "maximising_progress", "--years", "0",
                        "--out", "{w}/o"], "expected an integer in [1, 50]"),
    ("run-years-over", ["run", "--preset", "maximising_progress", "--years", "51",
                        "--out", "{w}/o"], "expected an integer in [1, 50]"),
    ("run-years-text", ["run", "--years", "ten", "--out", "{w}/o"], "invalid int value"),
    ("run-format", [*RUN, "--format", "xlsx", "--out", "{w}/o"], "invalid choice: 'xlsx'"),
    ("run-years-twice", [*RUN, "--years", "2", "--out", "{w}/o"], "given twice"),
    ("run-seed-negative", [*RUN, "--seed", "-5", "--out", "{w}/o"],
     "--seed: -5 is not allowed"),
    ("run-seed-huge", [*RUN, "--seed", str(2**64), "--out", "{w}/o"], "2^63-1"),
    ("run-seed-text", [*RUN, "--seed", "x", "--out", "{w}/o"], "invalid int value"),
    ("run-out-empty", [*RUN, "--out", ""], "--out: an empty path"),
    ("run-out-file", [*RUN, "--out", "{w}/afile.txt"], "exists and is not a folder"),
    ("run-out-under-file", [*RUN, "--out", "{w}/afile.txt/sub"], "is a file, not a folder"),
    ("run-out-batch-folder", [*RUN, "--out", "{w}/batch"], "output of `clustersim batch`"),
    ("run-out-user-folder", [*RUN, "--out", "{w}/user"], "did not write (.runs.csv.bak"),
    ("run-out-twice", [*RUN, "--out", "{w}/a", "--out", "{w}/b"], "given twice"),
    ("run-unknown-option", [*RUN, "--frobnicate", "--out", "{w}/o"], "unrecognized"),
    # batch: the spec file, the executor, the folder, resume, limits
    ("batch-spec-missing", ["batch", "{w}/none.toml", "--out", "{w}/o"], "cannot read spec"),
    ("batch-spec-folder", ["batch", "{w}/user", "--out", "{w}/o"], "cannot read spec"),
    ("batch-spec-binary", ["batch", "{w}/batch/manifest.json", "--out", "{w}/o"],
     "not valid TOML"),
    ("batch-workers-zero", [*BATCH[:2], "--workers", "0", "--out", "{w}/o"],
     "--workers: 0 is not allowed"),
    ("batch-workers-negative", [*BATCH[:2], "--workers", "-3", "--out", "{w}/o"],
     "--workers: -3 is not allowed"),
    ("batch-workers-huge", [*BATCH[:2], "--workers", "100000", "--out", "{w}/o"],
     "expected an integer in [1, 256]"),
    ("batch-workers-text", [*BATCH[:2], "--workers", "two", "--out", "{w}/o"],
     "invalid int value"),
    ("batch-workers-twice", [*BATCH, "--workers", "2", "--out", "{w}/o"], "given twice"),
    ("batch-dask-garbage", [*BATCH[:2], "--dask", "notanaddress", "--out", "{w}/o"],
     "is not a scheduler address"),
    ("batch-dask-empty", [*BATCH[:2], "--dask", "", "--out", "{w}/o"],
     "is not a scheduler address"),
    ("batch-dask-port", [*BATCH[:2], "--dask", "tcp://127.0.0.1:99999", "--out", "{w}/o"],
     "is not a scheduler address"),
    ("batch-dask-scheme", [*BATCH[:2], "--dask", "http://127.0.0.1:8786", "--out", "{w}/o"],
     "is not a scheduler address"),
    ("batch-dask-and-workers", [*BATCH, "--dask", "tcp://127.0.0.1:8786", "--out", "{w}/o"],
     "exclude each other"),
    ("batch-out-empty", [*BATCH, "--out", ""], "--out: an empty path"),
    ("batch-out-file", [*BATCH, "--out", "{w}/afile.txt"], "exists and is not a folder"),
    ("batch-out-under-file", [*BATCH, "--out", "{w}/afile.txt/x/y"], "is a file"),
    ("batch-out-user-folder", [*BATCH, "--out", "{w}/user"],
     "did not write (.runs.csv.bak, runs.csv, schools.csv)"),
    ("batch-out-run-folder", [*BATCH, "--out", "{w}/run"], "output of `clustersim run`"),
    ("batch-out-finished", [*BATCH, "--out", "{w}/batch"], "already holds a completed batch"),
    ("batch-out-unfinished", [*BATCH, "--out", "{w}/batch"], "use --resume", unfinished),
    ("batch-resume-changed-spec", [*BATCH, "--out", "{w}/batch", "--resume"],
     "changed since the batch started", changed_spec),
    ("batch-resume-run-folder", [*BATCH, "--out", "{w}/run", "--resume"],
     "output of `clustersim run`"),
    ("batch-resume-manifest-truncated", [*BATCH, "--out", "{w}/batch", "--resume"],
     "manifest.json: damaged (not valid JSON", truncate("batch/manifest.json", 40)),
    ("batch-resume-manifest-empty", [*BATCH, "--out", "{w}/batch", "--resume"],
     "manifest.json: damaged (empty)", damage("batch/manifest.json", b"")),
    ("batch-resume-manifest-list", [*BATCH, "--out", "{w}/batch", "--resume"],
     "damaged (a JSON list, not an object)", damage("batch/manifest.json", b"[1, 2]")),
    ("batch-resume-manifest-binary", [*BATCH, "--out", "{w}/batch", "--resume"],
     "manifest.json: damaged", damage("batch/manifest.json", bytes(range(256)))),
    ("batch-resume-manifest-no-sessions", [*BATCH, "--out", "{w}/batch", "--resume"],
     "no timings.sessions", damage("batch/manifest.json", json.dumps({
         "command": "clustersim batch", "spec_sha256": hashlib.sha256(SPEC.encode()).hexdigest(),
         "n_runs": 2, "completed": False}).encode())),
    ("batch-parts-without-manifest", [*BATCH, "--out", "{w}/lonely"], "did not write (parts)",
     parts_only),
    ("batch-max-runs-zero", [*BATCH, "--max-runs", "0", "--out", "{w}/o"],
     "--max-runs: 0 is not allowed"),
    ("batch-max-runs-text", [*BATCH, "--max-runs", "many", "--out", "{w}/o"],
     "invalid int value"),
    ("batch-over-max-runs", [*BATCH, "--max-runs", "1", "--out", "{w}/o"],
     "2 runs, more than the limit of 1"),
    ("batch-huge-grid", [*BATCH, "--out", "{w}/o"], "more than the limit of 1,000,000",
     huge_grid),
    ("batch-huge-grid-check", [*BATCH, "--check"], "--max-runs 2000000", huge_grid),
    ("batch-default-out-huge", BATCH, "more than the limit", huge_grid),
    ("batch-unknown-option", [*BATCH, "--fast", "--out", "{w}/o"], "unrecognized"),
    ("batch-no-spec", ["batch"], "the following arguments are required: spec"),
    # report: damaged, missing or foreign folders; its --out
    ("report-no-folder", ["report", "{w}/nowhere"], "no such folder"),
    ("report-file", ["report", "{w}/afile.txt"], "no such folder"),
    ("report-no-manifest", ["report", "{w}/user"], "no manifest.json"),
    ("report-run-folder", ["report", "{w}/run"], "output of `clustersim run`, not a batch"),
    ("report-unfinished", ["report", "{w}/batch"], "not complete", unfinished),
    ("report-manifest-truncated", ["report", "{w}/batch"], "manifest.json: damaged",
     truncate("batch/manifest.json", 100)),
    ("report-manifest-list", ["report", "{w}/batch"], "damaged (a JSON list",
     damage("batch/manifest.json", b"[]")),
    ("report-manifest-empty", ["report", "{w}/batch"], "damaged (empty)",
     damage("batch/manifest.json", b"")),
    ("report-runs-empty", ["report", "{w}/batch"], "runs.csv: empty",
     damage("batch/runs.csv", b"")),
    ("report-runs-truncated", ["report", "{w}/batch"], "runs.csv: damaged",
     truncate("batch/runs.csv", 900)),
    ("report-runs-binary", ["report", "{w}/batch"], "runs.csv: damaged: not text",
     damage("batch/runs.csv", bytes(range(128, 256)) * 8)),
    ("report-runs-missing", ["report", "{w}/batch"], "runs.csv: missing",
     damage("batch/runs.csv", None)),
    ("report-timeseries-truncated", ["report", "{w}/batch"], "timeseries.csv: damaged",
     truncate("batch/timeseries.csv", 700)),
    ("report-schools-missing", ["report", "{w}/batch"], "schools.csv: missing",
     damage("batch/schools.csv", None)),
    ("report-out-file", ["report", "{w}/batch", "--out", "{w}/afile.txt"],
     "exists and is not a folder"),
    ("report-out-user-folder", ["report", "{w}/batch", "--out", "{w}/user"], "did not write"),
    ("report-out-run-folder", ["report", "{w}/batch", "--out", "{w}/run"],
     "output of `clustersim run`"),
    ("report-out-empty", ["report", "{w}/batch", "--out", ""], "--out: an empty path"),
    # sensitivity
    ("sens-spec-missing", ["sensitivity", "{w}/none.toml", "--out", "{w}/o"],
     "cannot read spec"),
    ("sens-spec-is-batch-spec", ["sensitivity", "{w}/tiny.toml", "--out", "{w}/o"],
     "scenarios"),
    ("sens-workers-zero", [*SENS[:2], "--workers", "0", "--out", "{w}/o"],
     "--workers: 0 is not allowed"),
    ("sens-dask-garbage", [*SENS[:2], "--dask", "nowhere", "--out", "{w}/o"],
     "is not a scheduler address"),
    ("sens-out-file", [*SENS, "--out", "{w}/afile.txt"], "exists and is not a folder"),
    ("sens-out-user", [*SENS, "--out", "{w}/user"], "did not write"),
    ("sens-out-batch", [*SENS, "--out", "{w}/batch"], "output of `clustersim batch`"),
    ("sens-out-empty", [*SENS, "--out", ""], "--out: an empty path"),
    ("sens-max-runs", [*SENS, "--max-runs", "3", "--out", "{w}/o"], "more than the limit of 3"),
    ("sens-resume-damaged", [*SENS, "--out", "{w}/batch", "--resume"], "damaged",
     truncate("batch/manifest.json", 10)),
    # calibrate
    ("cal-seed-negative", [*CAL, "--seed", "-1", "--out", "{w}/o"], "--seed: -1 is not allowed"),
    ("cal-param-unknown", ["calibrate", "--param", "nope", "--pattern", "P7",
                           "--out", "{w}/o"], "nope"),
    ("cal-param-twice", [*CAL, "--param", "specialist_rate=0:0.5", "--out", "{w}/o"],
     "given twice"),
    ("cal-no-param", ["calibrate", "--pattern", "P7", "--out", "{w}/o"],
     "give at least one parameter"),
    ("cal-pattern-unknown", ["calibrate", "--param", "specialist_rate", "--pattern", "P99",
                             "--out", "{w}/o"], "unknown figure or pattern 'P99'"),
    ("cal-pattern-twice", [*CAL, "--pattern", "maths_mean_cluster", "--out", "{w}/o"],
     "given twice"),
    ("cal-budget", [*CAL, "--budget", "1", "--out", "{w}/o"], "given twice"),
    ("cal-budget-low", ["calibrate", "--param", "specialist_rate", "--pattern", "P7",
                        "--budget", "1", "--out", "{w}/o"], "--budget: 1 is not allowed"),
    ("cal-replicates-low", ["calibrate", "--param", "specialist_rate", "--pattern", "P7",
                            "--replicates", "1", "--out", "{w}/o"], "--replicates: 1"),
    ("cal-workers-zero", ["calibrate", "--param", "specialist_rate", "--pattern", "P7",
                          "--workers", "0", "--out", "{w}/o"], "--workers: 0 is not allowed"),
    ("cal-out-file", [*CAL, "--out", "{w}/afile.txt"], "exists and is not a folder"),
    ("cal-out-user", [*CAL, "--out", "{w}/user"], "did not write"),
    ("cal-out-batch", [*CAL, "--out", "{w}/batch"], "output of `clustersim batch`"),
    # validate
    ("val-seed-negative", [*VAL, "--seed", "-5", "--out", "{w}/o"], "--seed: -5 is not allowed"),
    ("val-only-unknown", ["validate", "--only", "P99", "--out", "{w}/o"],
     "unknown pattern or mechanism 'P99'"),
    ("val-only-empty", ["validate", "--only", "", "--out", "{w}/o"],
     "unknown pattern or mechanism ''"),
    ("val-only-twice", ["validate", "--only", "P1,P1", "--out", "{w}/o"], "given twice"),
    ("val-replicates-zero", ["validate", "--replicates", "0", "--out", "{w}/o"],
     "--replicates: 0"),
    ("val-replicates-nan", ["validate", "--replicates", "nan", "--out", "{w}/o"],
     "--replicates: nan"),
    ("val-workers-twice", [*VAL, "--workers", "5", "--out", "{w}/o"], "given twice"),
    ("val-workers-zero", ["validate", "--workers", "0", "--out", "{w}/o"],
     "--workers: 0 is not allowed"),
    ("val-dask-garbage", ["validate", "--only", "P1", "--dask", "x", "--out", "{w}/o"],
     "is not a scheduler address"),
    ("val-out-file", [*VAL, "--out", "{w}/afile.txt"], "exists and is not a folder"),
    ("val-out-user", [*VAL, "--out", "{w}/user"], "did not write"),
    ("val-out-run", [*VAL, "--out", "{w}/run"], "output of `clustersim run`"),
    ("val-out-empty", [*VAL, "--out", ""], "--out: an empty path"),
    # the other commands
    ("params-unknown-option", ["params", "--html"], "unrecognized"),
    ("policies-extra", ["policies", "superintendent"], "unrecognized"),
    ("odd-unknown-option", ["odd", "--pdf"], "unrecognized"),
    ("app-port-zero", ["app", "--port", "0"], "--port 0 is not a port number"),
    ("app-port-high", ["app", "--port", "70000"], "is not a port number"),
    ("unknown-command", ["frobnicate"], "invalid choice"),
    ("no-command", [], "the following arguments are required"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_command_line(work, capsys, case):
    _, argv, fragment, *setup = case
    for s in setup:
        s(work)
    refused(work, capsys, argv, fragment)


def test_user_files_survive_every_refusal(work, capsys):
    """The user's folder keeps its files, hidden backups included, byte for byte."""
    for argv in (BATCH + ["--out", "{w}/user"], RUN + ["--out", "{w}/user"],
                 ["report", "{w}/batch", "--out", "{w}/user"]):
        refused(work, capsys, argv, "did not write")
    assert (work / "user" / ".runs.csv.bak").read_text() == "backup\n"
    assert (work / "user" / "runs.csv").read_text() == "my,own\n1,2\n"


# ------------------------------------------------------------------- spec keys


def spec_with(change: str) -> str:
    """SPEC with one line replaced ("key = value" replaces that key's line) or added."""
    if change.startswith("["):
        return SPEC + change + "\n"
    key = change.split(" = ")[0]
    lines = [ln for ln in SPEC.splitlines() if ln.split(" = ")[0] != key or ln.startswith(
        ("label", "policies"))]
    return "\n".join([change, *lines]) + "\n"


SPEC_CASES = [
    ("name-missing", SPEC.replace('name = "tiny"\n', ""), "name: is required"),
    ("name-chars", spec_with('name = "a b/c"'), "name: 'a b/c' must use only"),
    ("name-empty", spec_with('name = ""'), "name: must be a non-empty string"),
    ("name-number", spec_with("name = 3"), "name: must be a non-empty string"),
    ("description-number", spec_with("description = 3"), "description: must be a non-empty"),
    ("unknown-key", spec_with('colour = "red"'), "colour: unknown key"),
    ("preset-unknown", spec_with('preset = "atlantis"'), "preset: 'atlantis' is not allowed"),
    ("preset-number", spec_with("preset = 1"), "preset: 1 is not allowed"),
    ("years-zero", spec_with("years = 0"), "years: 0 is not allowed; expected an integer in "
                                           "[1, 50]"),
    ("years-over-model", spec_with("years = 51"), "[1, 50]"),
    ("years-string", spec_with('years = "3"'), "years: '3' is not allowed"),
    ("years-bool", spec_with("years = true"), "years: True is not allowed"),
    ("years-float", spec_with("years = 2.0"), "years: 2.0 is not allowed"),
    ("replicates-zero", spec_with("replicates = 0"), "replicates: 0 is not allowed"),
    ("replicates-float", spec_with("replicates = 2.5"), "replicates: 2.5"),
    ("replicates-over", spec_with("replicates = 100001"), "[1, 100000]"),
    ("root-seed-negative", spec_with("root_seed = -1"), "root_seed: -1"),
    ("root-seed-string", spec_with('root_seed = "7"'), "root_seed: '7'"),
    ("baseline-unknown", spec_with('baseline = "nobody"'), "baseline: 'nobody' is not allowed"),
    ("params-not-table", spec_with("params = 3"), "params: must be a table"),
    ("params-unknown", spec_with("[params]\nseek_rat = 0.1"), "did you mean seek_rate"),
    ("params-range", spec_with("[params]\nseek_rate = 1.5"), "params.seek_rate"),
    ("params-string-float", spec_with('[params]\nseek_rate = "0.1"'), "no quotes"),
    ("params-string-int", spec_with('[params]\nreveal_terms = "3"'), "no quotes"),
    ("params-string-bool", spec_with('[params]\nm4_cohesion = "true"'), "no quotes"),
    ("params-int-bool", spec_with("[params]\nm4_cohesion = 1"), "true or false"),
    ("params-bool-float", spec_with("[params]\nseek_rate = true"), "params.seek_rate"),
    ("params-int-fraction", spec_with("[params]\nreveal_terms = 2.5"), "is not a whole number"),
    ("params-nan", spec_with("[params]\nseek_rate = nan"), "params.seek_rate"),
    ("params-inf", spec_with("[params]\nmax_partner_km = inf"), "out of range"),
    ("params-rule", spec_with("[params]\ncluster_min_size = 9\ncluster_max_size = 7"),
     "cluster_min_size must not exceed"),
    ("scenarios-missing", "name = \"t\"\n", "scenarios: at least one"),
    ("scenarios-not-list", 'name = "t"\nscenarios = 3\n', "scenarios: at least one"),
    ("scenario-policies-empty", SPEC + "[[scenarios]]\npolicies = []\n",
     "scenarios[2].policies"),
    ("scenario-policies-string", SPEC + '[[scenarios]]\npolicies = "superintendent"\n',
     "scenarios[2].policies: must be a non-empty list"),
    ("scenario-policy-unknown", SPEC + '[[scenarios]]\npolicies = ["superintendant"]\n',
     "'superintendant' is not allowed"),
    ("scenario-policy-twice", SPEC + '[[scenarios]]\npolicies = ["cpd_bank", "cpd_bank"]\n',
     "names a policy twice"),
    ("scenario-two-middle-tiers", SPEC + '[[scenarios]]\npolicies = ["superintendent", '
                                         '"local_authority"]\n', "middle tiers"),
    ("scenario-label-twice", SPEC + '[[scenarios]]\nlabel = "si"\npolicies = ["cpd_bank"]\n',
     "earlier scenario"),
    ("scenario-label-comma", SPEC + '[[scenarios]]\nlabel = "a,b"\npolicies = ["cpd_bank"]\n',
     "without commas"),
    ("scenario-unknown-key", SPEC + '[[scenarios]]\npolicies = ["cpd_bank"]\nwho = 1\n',
     "scenarios[2].who: unknown key"),
    ("scenario-params-range", SPEC + '[[scenarios]]\npolicies = ["local_authority"]\n'
                                     '[scenarios.params]\nla_cluster_size = 40\n',
     "la_cluster_size"),
    ("scenario-params-string", SPEC + '[[scenarios]]\npolicies = ["local_authority"]\n'
                                      '[scenarios.params]\nla_cluster_size = "4"\n',
     "no quotes"),
    ("sweep-not-table", spec_with("sweep = 3"), "sweep: must be a table"),
    ("sweep-method", SPEC + '[sweep]\nmethod = "random"\n', "sweep.method: 'random'"),
    ("sweep-method-missing", SPEC + "[sweep]\nvalues = { seek_rate = [0.1] }\n",
     "sweep.method: None"),
    ("grid-values-empty", SPEC + '[sweep]\nmethod = "grid"\nvalues = {}\n', "sweep.values"),
    ("grid-list-empty", SPEC + '[sweep]\nmethod = "grid"\nvalues = { seek_rate = [] }\n',
     "non-empty list"),
    ("grid-value-twice", SPEC + '[sweep]\nmethod = "grid"\nvalues = { seek_rate = [0.1, 0.1] '
                                '}\n', "lists a value twice"),
    ("grid-unknown", SPEC + '[sweep]\nmethod = "grid"\nvalues = { nope = [1] }\n',
     "unknown parameter 'nope'"),
    ("grid-string", SPEC + '[sweep]\nmethod = "grid"\nvalues = { seek_rate = ["0.1"] }\n',
     "no quotes"),
    ("grid-wrong-key", SPEC + '[sweep]\nmethod = "grid"\npoints = [{ seek_rate = 0.1 }]\n',
     "sweep.points: unknown key"),
    ("grid-also-scenario", SPEC.replace('policies = ["superintendent"]',
                                        'policies = ["superintendent"]\nparams = { seek_rate = '
                                        '0.3 }') + '[sweep]\nmethod = "grid"\nvalues = '
                                                   '{ seek_rate = [0.1] }\n', "also swept"),
    ("grid-rule", SPEC + '[sweep]\nmethod = "grid"\nvalues = { cluster_min_size = [2, 9], '
                         'cluster_max_size = [7] }\n', "cluster_min_size must not exceed"),
    ("list-mismatch", SPEC + '[sweep]\nmethod = "list"\npoints = [{ seek_rate = 0.1 }, '
                             '{ reveal_terms = 3 }]\n', "must set exactly seek_rate"),
    ("list-empty", SPEC + '[sweep]\nmethod = "list"\npoints = []\n', "sweep.points"),
    ("lhs-no-samples", SPEC + '[sweep]\nmethod = "lhs"\nranges = { seek_rate = [0.1, 0.2] }\n',
     "sweep.samples: is required"),
    ("lhs-reversed", SPEC + '[sweep]\nmethod = "lhs"\nsamples = 4\nranges = { seek_rate = '
                            '[0.3, 0.2] }\n', "low < high"),
    ("lhs-outside", SPEC + '[sweep]\nmethod = "lhs"\nsamples = 4\nranges = { seek_rate = '
                           '[0.1, 1.2] }\n', "within float in [0, 1]"),
    ("lhs-bool-param", SPEC + '[sweep]\nmethod = "lhs"\nsamples = 4\nranges = { m4_cohesion = '
                              '[0, 1] }\n', "numeric"),
    ("lhs-seed-negative", SPEC + '[sweep]\nmethod = "lhs"\nsamples = 4\nseed = -1\nranges = '
                                 '{ seek_rate = [0.1, 0.2] }\n', "sweep.seed: -1"),
    ("sobol-not-power", SPEC + '[sweep]\nmethod = "sobol"\nsamples = 6\nranges = { seek_rate '
                               '= [0.1, 0.2] }\n', "power of two"),
    ("sobol-huge", SPEC + '[sweep]\nmethod = "sobol"\nsamples = 524288\nranges = { seek_rate '
                          '= [0.1, 0.2], reveal_terms = [2, 9] }\n', "more than the limit"),
    ("lhs-infeasible-word", SPEC + '[sweep]\nmethod = "lhs"\nsamples = 4\ninfeasible = "drop"'
                                   '\nranges = { seek_rate = [0.1, 0.2] }\n',
     "sweep.infeasible: 'drop' is not allowed; allowed: skip, error"),
    ("lhs-infeasible-error", SPEC + '[sweep]\nmethod = "lhs"\nsamples = 8\ninfeasible = '
                                    '"error"\nranges = { cluster_min_size = [2, 10] }\n',
     "cluster_min_size must not exceed cluster_max_size"),
    ("outputs-format", SPEC + '[outputs]\nformat = "xlsx"\n', "allowed: csv, parquet"),
    ("outputs-schools", SPEC + '[outputs]\nschools = "some"\n', "allowed: none, weak, all"),
    ("outputs-timeseries", SPEC + '[outputs]\ntimeseries = "yes"\n', "true or false"),
    ("outputs-unknown", SPEC + "[outputs]\ncsv = true\n", "outputs.csv: unknown key"),
    ("not-toml", "name = \n", "not valid TOML"),
    ("not-utf8", "name = \"caf\xe9\"\n", "not valid TOML"),
]


@pytest.mark.parametrize("case", SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_spec_key(work, capsys, case):
    _, text, fragment = case
    path = work / "bad.toml"
    if text.isascii() or "\xe9" not in text:
        path.write_text(text)
    else:
        path.write_bytes(text.encode("latin-1"))  # not UTF-8
    for argv in (["batch", "{w}/bad.toml", "--check"],
                 ["batch", "{w}/bad.toml", "--workers", "1", "--out", "{w}/o"]):
        line = refused(work, capsys, argv, fragment)
        assert f"{path}: " in line


def test_the_corpus_is_large():
    assert len(CASES) + len(SPEC_CASES) >= 100


# ------------------------------------------------------------------- warnings, not errors


def test_a_parameter_no_policy_reads_is_a_one_line_warning(work, capsys):
    (work / "unused.toml").write_text(SPEC.replace('policies = ["superintendent"]',
                                                   'policies = ["cpd_bank"]') +
                                      '[sweep]\nmethod = "grid"\n'
                                      'values = { la_capacity_decline = [0.1, 0.2] }\n')
    assert main(["batch", str(work / "unused.toml"), "--check"]) == 0
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ")
    assert "la_capacity_decline (read only by local_authority) in sweep" in lines[0]
    assert "= 4 runs" in captured.out
    (work / "used.toml").write_text(SPEC.replace('"superintendent"]', '"local_authority"]') +
                                    '[sweep]\nmethod = "grid"\n'
                                    'values = { la_capacity_decline = [0.1, 0.2] }\n')
    assert main(["batch", str(work / "used.toml"), "--check"]) == 0
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------- real processes


def clustersim(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clustersim", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, **kw)


@pytest.mark.parametrize("argv, fragment", [
    (["run", "--seed", "-5", "--out", "{w}/o"], "--seed: -5 is not allowed"),
    (["batch", "{w}/tiny.toml", "--dask", "notanaddress", "--out", "{w}/o"],
     "is not a scheduler address"),
    (["run", "--out", "{w}/batch", "--years", "1", "--preset", "maximising_progress"],
     "output of `clustersim batch`"),
    (["validate", "--out", "{w}/afile.txt"], "exists and is not a folder"),
    (["report", "{w}/user"], "no manifest.json"),
])
def test_a_real_process_exits_2_with_one_line(work, argv, fragment):
    before = tree_hash(work)
    res = clustersim(*[a.replace("{w}", str(work)) for a in argv], cwd=work)
    assert res.returncode == 2, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert fragment in res.stderr and "Traceback" not in res.stderr
    assert tree_hash(work) == before


def test_a_closed_pipe_is_one_line_not_a_traceback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "clustersim", "params"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `| head` that has read enough, before params writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 2, err
    assert err.strip().splitlines() == ["clustersim params: error: the output was closed "
                                        "before it was all written (broken pipe)"]


def test_an_internal_error_names_its_log_and_exits_1(tmp_path):
    """A bug (here: a command that divides by zero) is one line and a log file, exit 1."""
    code = textwrap.dedent("""
        import sys
        from clustersim.experiments import cli
        from clustersim.experiments.cli.commands import policies
        def boom(args):
            raise ZeroDivisionError("a bug")
        policies.run = boom
        sys.exit(cli.main(["policies"]))
    """)
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error (ZeroDivisionError: a bug)" in lines[0]
    log = Path(lines[0].split("the traceback is in ")[1].split(";")[0])
    try:
        assert "Traceback" in log.read_text() and "ZeroDivisionError" in log.read_text()
    finally:
        log.unlink()


# ------------------------------------------------------------------- read-only folders


@pytest.fixture
def read_only(tmp_path):
    """A read-only file system (a tmpfs mounted ro) when root; skipped otherwise."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a read-only tmpfs")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mnt)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


@pytest.mark.parametrize("argv", [
    [*RUN, "--out", "{ro}/o"], [*BATCH, "--out", "{ro}/o"],
    ["report", "{w}/batch", "--out", "{ro}/o"], [*SENS, "--out", "{ro}/o"],
    [*CAL, "--out", "{ro}/o"], [*VAL, "--out", "{ro}/o"],
], ids=["run", "batch", "report", "sensitivity", "calibrate", "validate"])
def test_a_read_only_out_is_refused_before_any_work(work, capsys, read_only, argv):
    line = refused(work, capsys, [a.replace("{ro}", str(read_only)) for a in argv],
                   "read-only file system")
    assert str(read_only) in line
    assert os.listdir(read_only) == []
