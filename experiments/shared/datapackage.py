"""datapackage.json beside a folder's CSVs (issue 17 item 5): a Frictionless Data Package
whose Table Schemas give every column's name, type, unit and description, taken from the
declarations (outcomes: `model.metrics`; parameters: `model.params`; the rest below), so
the outputs describe themselves wherever they are opened.

Commands whose tables are not runs tables (validate, calibrate, sensitivity, explain,
report) pass their own column meanings, keyed by file name (`credibility.columns`:
`VALIDATE`, `SENSITIVITY`, `EXPLAIN`, `calibration_columns`; `analysis.columns`:
`REPORT`): a file's own meaning wins over the shared ones, since the same name can mean
different things in different tables ("stuck" is a count in report/stuck.csv and a share
in report/longitudinal.csv).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from clustersim.experiments.shared import io

# Columns that are neither an outcome nor a parameter: what each one is.
COLUMNS = {
    "run_id": ("", "the run's index in the batch (scenario-major)"),
    "scenario": ("", "the scenario's label"),
    "policies": ("", "the scenario's policy components, joined with '+'"),
    "point": ("", "the sweep point's index (0 without a sweep)"),
    "replicate": ("", "the replicate: the same seed under every scenario and point"),
    "seed": ("", "the run's seed: it fixes the region and every shock"),
    "preset": ("", "the region preset"), "years": ("years", "the run's horizon"),
    "region": ("", "a real region's register file"), "la": ("", "local authority index"),
    "gor": ("", "government office region"), "attainment": ("", "a KS2 table"),
    "term": ("terms", "school term (three a year; 0 is the start)"),
    "year": ("years", "term / 3"), "school": ("", "the school's index in the region"),
    "grade": ("", "Ofsted-style grade at that inspection"),
    "urn": ("", "the register's unique reference number"),
    "name": ("", "the register's establishment name"),
    "x_km": ("km", "map position, east"), "y_km": ("km", "map position, north"),
    "phase": ("", "primary or secondary"), "pupils": ("pupils", "pupils on roll"),
    "rural": ("", "rural (true) or urban"),
    "fsm": ("fraction 0-1", "share of pupils eligible for free school meals"),
    "governance": ("", "governance at the start"), "trust": ("", "trust index at the "
                                                               "start (empty: none)"),
    "governance_end": ("", "governance at the end"),
    "trust_end": ("", "trust index at the end (empty: none)"),
    "weak": ("", "in the weakest fifth by effectiveness at the start"),
    "effectiveness_start": ("SD", "school effectiveness at the start"),
    "effectiveness_end": ("SD", "school effectiveness at the end"),
    "rwm_start": ("% at expected standard", "reading, writing and maths, at the start"),
    "rwm_end": ("% at expected standard", "reading, writing and maths, at the end"),
    "grade_start": ("", "grade at the start"), "grade_end": ("", "latest grade at the end"),
    "below_floor_end": ("", "below the floor standard at the end"),
    "left_behind": ("", "a weak school still below the floor or below the good standard"),
    "terms_below_floor": ("terms", "terms spent below the floor"),
    "floor_spells": ("spells", "spells below the floor"),
    "longest_floor_spell": ("terms", "the longest spell below the floor"),
    "head_changes": ("heads", "new heads during the run"),
    "cluster_end": ("", "cluster id at the end (empty: none)"),
    "clusters_joined": ("clusters", "clusters joined during the run"),
    "terms_clustered": ("terms", "terms spent in a cluster"),
    "cpd_hours": ("hours per teacher", "CPD received during the run"),
    "cost": ("£", "money spent on improving the school during the run"),
}
GROUPED = [  # outcome families named by pattern
    (re.compile(r"cpd_hours_q(\d)"), "hours per teacher (cumulative)",
     "CPD received by schools in fifth {0} of initial effectiveness (1 weakest)"),
    (re.compile(r"credits_q(\d)"), "credits per teacher",
     "CPD-bank balance of schools in fifth {0} of initial effectiveness (1 weakest)"),
    (re.compile(r"market_share_(\w+)"), "fraction of revenue",
     "share of providers' revenue taken by {0} providers"),
]
TYPES = {"i": "integer", "u": "integer", "f": "number", "b": "boolean"}


@functools.cache
def _metrics() -> dict:
    """Every declared outcome by name (looked up once, not once per column)."""
    from clustersim.model.metrics import EXTRA_SUMMARY, METRICS

    return {m.name: m for m in (*METRICS, *EXTRA_SUMMARY)}


def field(name: str, dtype, columns: Mapping[str, tuple] | None = None) -> dict:
    """A column's Table Schema field. ``columns``: this table's own meanings, each
    (unit, description) or (unit, description, type); they win over the shared ones. A
    declared type stands for columns pandas cannot type from their first rows (an empty
    column of text reads as numbers)."""
    from clustersim.model import PARAMS

    kind = TYPES.get(getattr(dtype, "kind", "O"), "string")
    metrics = _metrics()
    if columns and name in columns:
        unit, text, *declared = columns[name]
        kind = declared[0] if declared else kind
    elif name in metrics:
        unit, text = metrics[name].unit, f"outcome: {metrics[name].description}"
    elif name.removeprefix(io.PARAM_PREFIX) in PARAMS:
        p = PARAMS[name.removeprefix(io.PARAM_PREFIX)]
        unit, text = p.unit, f"parameter: {p.meaning}"
    elif name in COLUMNS:
        unit, text = COLUMNS[name]
    else:
        unit, text = "", ""
        for pattern, u, template in GROUPED:
            hit = pattern.fullmatch(name)
            if hit:
                unit, text = u, f"outcome: {template.format(*hit.groups())}"
                break
    out = {"name": name, "type": kind, "description": text}
    if unit:
        out["unit"] = unit
    return out


def describe(folder: Path, files: list[str], title: str,
             columns: Mapping[str, Mapping[str, tuple]] | None = None) -> dict:
    """The package: one tabular resource per table (CSV or Parquet), its schema read from
    the file's header and first rows (types) and the declarations (units, descriptions);
    ``columns``: {file name: that table's own column meanings} (see `field`)."""
    resources = []
    for name in files:
        head = _head(folder / name)
        resource = {"name": Path(name).stem, "path": name, "profile": "tabular-data-resource"}
        if name.endswith(".parquet"):
            resource.update(format="parquet", mediatype="application/vnd.apache.parquet")
        else:
            resource.update(format="csv", mediatype="text/csv", encoding="utf-8")
        own = (columns or {}).get(name)
        resource["schema"] = {"fields": [field(c, head[c].dtype, own) for c in head.columns],
                              "missingValues": [""]}
        resources.append(resource)
    return {"profile": "tabular-data-package", "name": re.sub(r"[^a-z0-9._-]", "-",
                                                             title.lower()),
            "title": title, "resources": resources}


def _head(path: Path, rows: int = 500) -> pd.DataFrame:
    """A table's first rows, enough for its column types (none for a CSV of no columns,
    e.g. validate --only M4's validation.csv)."""
    if path.suffix != ".parquet":
        try:
            return pd.read_csv(path, nrows=rows)
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
    import pyarrow.parquet as pq

    batch = next(pq.ParquetFile(path).iter_batches(batch_size=rows), None)
    return batch.to_pandas() if batch is not None else \
        pq.read_schema(path).empty_table().to_pandas()


def write(folder: str | Path, files: list[str], title: str,
          columns: Mapping[str, Mapping[str, tuple]] | None = None) -> None:
    """datapackage.json in ``folder`` for those of ``files`` that are tables and exist."""
    folder = Path(folder)
    files = [f for f in files if f.endswith((".csv", ".parquet")) and (folder / f).exists()]
    io.write_json(folder / "datapackage.json", describe(folder, files, title, columns))
