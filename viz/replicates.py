"""Replicates from the page: the batch engine in a background process, then the paired
difference of the left-behind share with its 95% interval.

The page writes a spec (the two scenarios, the page's parameters, N replicates, the
page's seed as root seed) into ``results/app/<stamp>/`` (`viz.server.RESULTS_DIR`) and
runs ``clustersim batch`` on it into ``results/app/<stamp>/batch/`` in a child process
(its own process group, so the page's server never forks and its cores stay free to
draw), then ``clustersim report``. Progress is read from the batch's ``parts/`` folder
(one file per finished run). Under common random numbers replicate r of both scenarios
meets the same region and shocks, so the effect is estimated from the per-replicate
differences (`paired_difference`), as `experiments.analysis.report` does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clustersim.experiments.shared import io
from clustersim.viz.adapter import ROLES, Scenario

REPO = Path(__file__).resolve().parent.parent
RESULTS = None  # default: viz.server.RESULTS_DIR, where the page serves reports from
OUTCOME = "left_behind"
REPLICATES = (2, 200)  # the page's range of replicates
WORKERS = 2
REGION_KEYS = ("preset", "region", "la")  # how the page names its region in a config


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def spec_text(name: str, common: Mapping[str, Any], scenarios: Mapping[str, Scenario],
              root_seed: int, replicates: int) -> str:
    """A batch spec for the two scenarios: every parameter the page changed, the rest at
    its default (the spec and the page read the same registry)."""
    from clustersim.model import PARAMS

    base, pol = scenarios["baseline"], scenarios["policy"]
    if base.label == pol.label:
        raise ValueError("replicates: the baseline and the policy are the same scenario "
                         f"({base.label}); choose a different policy")
    changed = {k: v for k, v in common.items() if k in PARAMS and v != PARAMS[k].default}
    lines = [f"name = {_toml_value(name)}",
             f"description = {_toml_value(f'{pol.label} against {base.label}, from the page')}",
             *[f"{k} = {_toml_value(common[k])}" for k in REGION_KEYS if common.get(k)],
             f"years = {int(common['years'])}",
             f"replicates = {int(replicates)}",
             f"root_seed = {int(root_seed)}",
             f"baseline = {_toml_value(base.label)}", "", "[params]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in changed.items()]
    for s in (base, pol):
        policies = ", ".join(_toml_value(p) for p in s.policies)
        lines += ["", "[[scenarios]]", f"label = {_toml_value(s.label)}",
                  f"policies = [{policies}]"]
    lines += ["", "[outputs]", "timeseries = true", 'schools = "weak"', ""]
    return "\n".join(lines)


@dataclass
class Job:
    """A batch (then its report) running in a child process."""

    folder: Path
    n_runs: int
    labels: dict[str, str]
    proc: subprocess.Popen | None = None
    stage: str = "batch"          # batch -> report -> done | failed
    started: float = field(default_factory=time.monotonic)
    message: str = ""

    @property
    def log(self) -> Path:
        return self.folder / "page.log"

    @property
    def out(self) -> Path:
        """The batch's own folder (manifest, CSVs, report)."""
        return self.folder / "batch"

    def runs_done(self) -> int:
        parts = self.out / "parts"
        if self.stage != "batch":
            return self.n_runs
        return len(list(parts.glob("*.json"))) if parts.is_dir() else 0

    def poll(self) -> str:
        """Advance the job: start the report once the batch is done; return the stage."""
        if self.stage in ("done", "failed") or self.proc is None or self.proc.poll() is None:
            return self.stage
        if self.proc.returncode != 0:
            self.stage = "failed"
            self.message = _last_line(self.log) or f"exit status {self.proc.returncode}"
            return self.stage
        if self.stage == "batch":
            self.stage = "report"
            self.proc = _spawn(["report", str(self.out)], self.log)
        elif self.stage == "report":
            self.stage = "done"
        return self.stage

    def cancel(self) -> None:
        """Stop the job's process group: SIGTERM, and SIGKILL if it has not gone within 5 s
        (a loaded machine can take longer to wind a batch down; a killed batch resumes)."""
        if self.proc is not None and self.proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(5)
                    break
        self.stage = "failed"
        self.message = "cancelled"

    @property
    def report(self) -> Path:
        return self.out / "report.html"


def _last_line(path: Path) -> str:
    text = path.read_text(errors="replace").strip() if path.exists() else ""
    return text.splitlines()[-1] if text else ""


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "clustersim", *args], cwd=REPO,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def start(common: Mapping[str, Any], scenarios: Mapping[str, Scenario], seed: int,
          replicates: int, root: Path | None = RESULTS) -> Job:
    """Write the spec and start the batch; ValueError if the request cannot run."""
    if root is None:
        from clustersim.viz.server import RESULTS_DIR as root
    lo, hi = REPLICATES
    if not lo <= int(replicates) <= hi:
        raise ValueError(f"replicates: {replicates} is out of range; expected {lo}-{hi}")
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    name = f"page_{stamp}"
    folder = root / name
    text = spec_text(name, common, scenarios, seed, replicates)
    folder.mkdir(parents=True, exist_ok=False)
    spec = folder / "spec.toml"
    spec.write_text(text, encoding="utf-8")
    job = Job(folder, 2 * int(replicates), {r: scenarios[r].label for r in ROLES})
    job.proc = _spawn(["batch", str(spec), "--out", str(job.out), "--quiet",
                       "--workers", str(WORKERS)], job.log)
    return job


@dataclass(frozen=True)
class Paired:
    outcome: str
    n: int
    mean: float
    low: float
    high: float
    baseline_mean: float
    policy_mean: float

    def text(self, labels: Mapping[str, str]) -> str:
        return (f"{self.outcome}, {labels['policy']} minus {labels['baseline']}: "
                f"{self.mean:+.4f} (95% interval {self.low:+.4f} to {self.high:+.4f}, "
                f"paired over {self.n} seeds; means {self.baseline_mean:.4f} and "
                f"{self.policy_mean:.4f})")


def paired_difference(folder: Path, labels: Mapping[str, str],
                      outcome: str = OUTCOME) -> Paired:
    """Mean policy-minus-baseline difference of ``outcome`` over replicates, with the 95%
    Student-t interval of the per-replicate differences."""
    from clustersim.experiments.analysis.stats import t_interval

    runs = io.read_table(folder, "runs.csv", ["scenario", "replicate", outcome])
    wide = runs.pivot(index="replicate", columns="scenario", values=outcome)
    base, pol = wide[labels["baseline"]], wide[labels["policy"]]
    n, mean, _sd, lo, hi = t_interval((pol - base).to_numpy(float))
    return Paired(outcome, n, mean, lo, hi, float(base.mean()), float(pol.mean()))
