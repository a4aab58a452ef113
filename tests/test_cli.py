"""Bad input: one line naming the field and the allowed values, exit 2, nothing written."""

from __future__ import annotations

import subprocess
import sys

import pytest

BAD = [
    (["--policy", "nope"], "unknown policy 'nope'; allowed: self_improving"),
    (["--policy", "superintendent+nope"], "unknown policy 'nope'"),
    (["--preset", "wales"], "unknown preset 'wales'; allowed: maximising_progress"),
    (["--set", "seek_rat=0.1"], "unknown parameter 'seek_rat'; did you mean seek_rate"),
    (["--set", "seek_rate=2"],
     "parameter seek_rate: 2.0 is out of range; expected float in [0, 1]"),
    (["--set", "seek_rate=abc"], "parameter seek_rate: 'abc' is not a number"),
    (["--set", "reveal_terms=2.5"], "parameter reveal_terms: '2.5' is not a whole number"),
    (["--set", "m1_hard_to_reach=maybe"], "m1_hard_to_reach: 'maybe' is not a boolean"),
    (["--set", "seek_rate"], "--set expects NAME=VALUE"),
    (["--years", "0"], "years: 0 is not allowed; expected an integer in [1, 50]"),
    (["--seed", "x"], "argument --seed: invalid int value"),
]


def clustersim(*args, cwd=None):
    """The command in a real process (its exit status, stdout and stderr)."""
    return subprocess.run([sys.executable, "-m", "clustersim", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.fixture
def cli(capsys):
    """The command in this process, through the entry point's ``main`` (what the
    console script calls): the same exit status and streams as a real process, without
    its ~1 s start (a real process is tested by test_unknown_command_exits_2 and
    tests/test_badinput.py)."""
    from clustersim.experiments.cli import main

    def run(*args):
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["clustersim", *args], code, out, err)

    return run


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, args, message, cli):
    out = tmp_path / "out"
    preset = [] if "--preset" in args else ["--preset", "maximising_progress"]
    res = cli("run", *preset, *args, "--out", str(out))
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_unknown_command_exits_2():
    res = clustersim("frobnicate")
    assert res.returncode == 2 and "invalid choice" in res.stderr


@pytest.mark.slow  # two whole runs in subprocesses
def test_second_run_replaces_files_whole(tmp_path, cli):
    out = tmp_path / "o"
    for seed in ("1", "2"):
        res = cli("run", "--preset", "maximising_progress", "--years", "1", "--seed", seed,
                         "--out", str(out))
        assert res.returncode == 0, res.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary leftovers
    assert '"seed": 2' in (out / "manifest.json").read_text()


def test_params_and_policies_commands_list_everything(cli):
    from clustersim.model import PARAMS, POLICIES

    res = cli("params")
    assert res.returncode == 0
    for p in PARAMS:
        assert f"  {p.name} = " in res.stdout
    res = cli("policies")
    for name in POLICIES:
        assert f"{name}: " in res.stdout


def test_help_of_every_command(cli):
    from clustersim.experiments.cli import build_parser

    res = clustersim("--help")  # a real process once
    assert res.returncode == 0, res.stderr
    names = [a for a in build_parser()._subparsers._group_actions[0].choices]
    assert {"run", "params", "policies", "validate"} <= set(names)
    for name in names:
        res = cli(name, "--help")
        assert res.returncode == 0 and "usage: clustersim" in res.stdout, (name, res.stderr)


def test_results_are_readable_by_others(tmp_path, cli):
    res = cli("run", "--preset", "maximising_progress", "--years", "1",
                     "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "o" / "summary.csv").stat().st_mode & 0o044 == 0o044


def test_params_filters_by_name_and_group(capsys):
    from clustersim.experiments.cli import main

    assert main(["params", "seek_rate"]) == 0
    out = capsys.readouterr().out
    assert "seek_rate = " in out and out.count(" = ") == 1
    assert main(["params", "--group", "M1", "--group", "superintendent"]) == 0
    out = capsys.readouterr().out
    assert "[M1 hard to reach]" in out and "[policy: superintendent]" in out
    assert "[M10" not in out and "seek_rate" not in out
    assert main(["params", "--group", "M"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "matches 19 groups" in err
