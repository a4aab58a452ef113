"""The golden baseline: outcome tables of a fixed set of short runs, compared exactly.

Every policy alone and two combinations, on two presets, one seed, three years. Values
are written with ``repr`` (the shortest string that reads back to the same float), so a
comparison of the text is a bitwise comparison of the outcomes. `scripts/update_baseline.py`
regenerates the tables and is the only way to change them; a commit that changes them
says why.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

HERE = Path(__file__).parent / "baseline"
PRESETS = ("maximising_progress", "county")
COMBINATIONS = ("superintendent+cpd_bank",
                "local_authority+academy_chains+teaching_school_hubs+federation+incentives")
SEED = 20261203
YEARS = 3
FILES = ("summary.csv", "timeseries.csv", "schools.csv")


def scenarios() -> list[str]:
    from clustersim.model.policies import POLICY_NAMES

    return [*POLICY_NAMES, *COMBINATIONS]


def _cell(v) -> str:
    if isinstance(v, float):
        return repr(v)
    return str(v)


def tables() -> dict[str, str]:
    """The baseline's three tables as text (long format: one value per line)."""
    from clustersim.model import run

    summary, series, schools = ["preset,scenario,outcome,value"], [
        "preset,scenario,term,metric,value"], ["preset,scenario,schools_table_sha256"]
    for preset in PRESETS:
        for label in scenarios():
            res = run({"preset": preset, "policies": label, "years": YEARS}, SEED)
            key = f"{preset},{label}"
            summary += [f"{key},{k},{_cell(v)}" for k, v in sorted(res.summary.items())]
            ts = res.timeseries
            for col in ts.columns.drop(["term", "year"]):
                series += [f"{key},{t},{col},{_cell(float(v))}"
                           for t, v in zip(ts["term"].tolist(), ts[col].tolist(), strict=True)]
            text = "\n".join(",".join(_cell(v) for v in row)
                             for row in res.schools.itertuples(index=False))
            schools.append(f"{key},{hashlib.sha256(text.encode()).hexdigest()}")
    return {name: "\n".join(lines) + "\n"
            for name, lines in zip(FILES, (summary, series, schools), strict=True)}


def write() -> None:
    HERE.mkdir(exist_ok=True)
    for name, text in tables().items():
        (HERE / name).write_text(text)
