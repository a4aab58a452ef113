"""datapackage.json beside a folder's CSVs (issue 17 item 5): a Frictionless Data Package
whose Table Schemas give every column's name, type, unit and description, taken from the
declarations (outcomes: `model.metrics`; parameters: `model.params`; the rest below), so
the outputs describe themselves wherever they are opened.

Commands whose tables are not runs tables (validate, calibrate, sensitivity, explain,
report) pass their own column meanings, keyed by file name (`VALIDATE`, `SENSITIVITY`,
`EXPLAIN`, `REPORT`, `calibration_columns`): a file's own meaning wins over the shared
ones, since the same name can mean different things in different tables ("stuck" is a
count in report/stuck.csv and a share in report/longitudinal.csv).
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


# ------------------------------------------------------------------ the other commands' tables
# {file: {column: (unit, description[, type])}}, from the code that builds each table.
_INTERVAL = {"ci_low": ("", "95% Student-t interval of the mean, low end"),
             "ci_high": ("", "95% Student-t interval of the mean, high end")}
# validate: experiments/validate.py (table), validation_mechanisms.py (row), commands/validate
VALIDATE = {
    "validation.csv": {
        "pattern": ("", "the pattern (P1-P11 of docs/evidence.md)"),
        "figure": ("", "the figure's name: a column of validation_runs.csv"),
        "description": ("", "what the figure measures"),
        "unit": ("", "the unit of mean, interval and target (empty: none declared)", "string"),
        "replicates": ("replicates", "replicates with a value (NaN dropped)"),
        "mean": ("", "the model's mean over replicates, in the row's unit"), **_INTERVAL,
        "target_low": ("", "the target range's low end (docs/evidence.md)"),
        "target_high": ("", "the target range's high end (docs/evidence.md)"),
        "pass": ("", "the mean lies within the target range")},
    "validation_runs.csv": {
        "experiment": ("", "the validation experiment (experiments/validation_experiments.py)"),
        "replicate": ("", "the replicate's index; its seed comes from --seed, the same in "
                          "every experiment")},
    "mechanisms.csv": {
        "mechanism": ("", "the mechanism (M1-M15)"), "name": ("", "the mechanism's name"),
        "switch": ("", "the switch parameter that turns it off"),
        "scenario": ("", "preset and policies the check runs"),
        "outcome": ("", "the outcome the mechanism should move"),
        "description": ("", "what the outcome measures"),
        "expected": ("", "the expected direction of on - off: rises or falls"),
        "sign": ("", "the expected sign of on - off (+1 or -1)"),
        "replicates": ("replicates", "paired replicates with a difference (NaN dropped)"),
        "on_mean": ("", "the outcome's mean with the mechanism on, in its unit"),
        "off_mean": ("", "the outcome's mean with the mechanism switched off"),
        "diff": ("", "mean paired difference on - off (same seeds)"),
        "ci_low": ("", "95% Student-t interval of diff, low end"),
        "ci_high": ("", "95% Student-t interval of diff, high end"),
        "as_designed": ("", "the interval excludes zero on the expected side"),
        "result": ("", "as designed, wrong way or no clear effect"),
        "why": ("", "what the mechanism does, so why the outcome should move")},
}
# what validation experiments return besides their figures (validation_experiments.py)
EXTRA_FIGURES = {
    "ri_good_next_la": ("", "local_authority: graded RI, share good or better at the next "
                            "inspection (not a target: P10 is judged under self_improving)"),
    "stuck_y20_la": ("", "local_authority: share below good at every inspection for 10+ "
                         "years (year 20; not a target)"),
    "ri_inspections_si": ("inspections", "self_improving: RI gradings followed by another "
                                         "inspection (ri_good_next_si's denominator)"),
    "ri_inspections_la": ("inspections", "local_authority: RI gradings followed by another "
                                         "inspection (ri_good_next_la's denominator)"),
    "n_clusters": ("clusters", "Maximising Progress, 18 months: clusters in the treated run"),
}


def figure_columns(what: str) -> dict[str, tuple[str, str]]:
    """Every validation figure as a column: ``what`` says which value it holds."""
    from clustersim.experiments.credibility.validate import FIGURES

    out = {f.name: (f.unit, f"{f.pattern} figure ({what}): {f.description}") for f in FIGURES}
    return {**{k: (u, f"{t} ({what})") for k, (u, t) in EXTRA_FIGURES.items()}, **out}


def validate_columns() -> dict[str, dict[str, tuple]]:
    runs = {**figure_columns("this replicate's value"), **VALIDATE["validation_runs.csv"]}
    return {**VALIDATE, "validation_runs.csv": runs}


def calibration_columns() -> dict[str, dict[str, tuple]]:
    """calibration.csv (experiments/calibrate.py, Search.evaluate): one row per evaluation;
    the parameters fall back on their declarations."""
    return {"calibration.csv": {
        "evaluation": ("", "the evaluation's index, in the order run (0: the defaults)"),
        "stage": ("", "default (the declared values), design (the coarse design) or refine "
                      "(Nelder-Mead)"),
        **figure_columns("mean over replicates at this point"),
        "loss": ("squared target widths", "sum over the figures of ((mean - target "
                 "midpoint) / target width)^2; 0 at the midpoints")}}


# sensitivity: experiments/sensitivity.py (analyse_morris, analyse_sobol); SALib
SENSITIVITY = {
    "ranking.csv": {
        "parameter": ("", "the parameter screened (model.params)"),
        "comparison": ("", "a [ranking] scenario minus the baseline (the first scenario)"),
        "outcome": ("", "the outcome the scenarios are ranked by"),
        "mu": ("", "mean elementary effect on the paired difference (the outcome's unit, "
                   "per the parameter's whole range)"),
        "mu_star": ("", "mean absolute elementary effect on the paired difference"),
        "sigma": ("", "standard deviation of those elementary effects"),
        "mu_star_conf": ("", "half-width of mu_star's 95% bootstrap interval"),
        "ranking_changes": ("fraction 0-1", "share of the parameter's Morris steps after "
                                            "which the scenarios' order changed"),
        "rank": ("", "rank by mu_star within the comparison (1: most influential)")},
    "morris.csv": {
        "parameter": ("", "the parameter screened (model.params)"),
        "outcome": ("", "the outcome, averaged over replicates at each design point"),
        "group": ("", "the parameter's group in the registry"),
        "low": ("", "the screened range's low end, in the parameter's unit"),
        "high": ("", "the screened range's high end, in the parameter's unit"),
        "mu": ("", "mean elementary effect: the outcome's change (its unit) per the "
                   "parameter's whole range"),
        "mu_star": ("", "mean absolute elementary effect: overall influence (unit as mu)"),
        "sigma": ("", "standard deviation of the elementary effects: interactions and "
                      "non-linearity (unit as mu)"),
        "mu_star_conf": ("", "half-width of mu_star's 95% bootstrap interval"),
        "rank": ("", "rank by mu_star within the outcome (1: most influential)")},
    "sobol.csv": {
        "parameter": ("", "one of the most influential parameters by Morris mu_star"),
        "outcome": ("", "the outcome, averaged over replicates at each design point"),
        "S1": ("fraction of variance", "first-order Sobol index: the parameter alone"),
        "S1_conf": ("fraction of variance", "half-width of S1's 95% bootstrap interval"),
        "ST": ("fraction of variance", "total-order Sobol index: the parameter with its "
                                       "interactions"),
        "ST_conf": ("fraction of variance", "half-width of ST's 95% bootstrap interval")},
}

# explain: experiments/explain.py (attribute, frames)
_EXPLAINED = {
    "scenario": ("", "the scenario compared with the spec's baseline"),
    "kind": ("", "total, structure, component, interaction or mechanism"),
    "name": ("", "the component's switch, the mechanism (M1-M15), or total, structure, "
                 "components or mechanisms"),
    "outcome": ("", "the outcome whose paired difference is attributed"),
}
EXPLAIN = {
    "explain.csv": {
        **_EXPLAINED, "description": ("", "what the row is"),
        "mean": ("", "the row's part of scenario - baseline (same seeds), mean over "
                     "replicates, in the outcome's unit"),
        "low": ("", "95% Student-t interval, low end"),
        "high": ("", "95% Student-t interval, high end"),
        "n": ("replicates", "replicates with a value")},
    "explain_replicates.csv": {
        **_EXPLAINED,
        "replicate": ("", "the replicate's index: it runs on the batch's seed of that index"),
        "seed": ("", "the replicate's seed, the same in every run of the replicate"),
        "value": ("", "the row's part of scenario - baseline in this replicate, in the "
                      "outcome's unit")},
}


# report: experiments/report.py (summarise, paired, profile, longitudinal), analysis.py
def _profile(flag: str, what: str) -> dict[str, tuple[str, str]]:
    return {
        "characteristic": ("", "what weak schools are grouped by: all, rural, size, "
                               "disadvantage, isolation, initial grade or governance"),
        "level": ("", "the group, e.g. rural or urban"),
        "weak_schools": ("schools", "weak schools in the group, pooled over replicates"),
        flag: ("schools", f"of them, {what}"),
        "share": ("fraction 0-1", f"share {what}"),
        "share_low": ("fraction 0-1", "Wilson 95% interval of share, low end"),
        "share_high": ("fraction 0-1", "Wilson 95% interval of share, high end"),
        "mean_terms_below_floor": ("terms", "mean terms spent below the floor")}


_LABEL = {"label": ("", "the scenario, with its sweep point's values when the batch sweeps")}
_WILSON = "Wilson 95% interval"
REPORT = {
    "summary.csv": {
        **_LABEL, "outcome": ("", "the outcome (model.metrics)"),
        "n": ("replicates", "replicates with a value"),
        "mean": ("", "mean over replicates, in the outcome's unit"),
        "sd": ("", "standard deviation over replicates"),
        "ci_low": ("", "95% interval, low end (Student t; bootstrap percentile for shares)"),
        "ci_high": ("", "95% interval, high end (Student t; bootstrap percentile for shares)"),
        "interval": ("", "how the interval was computed: t or bootstrap")},
    "paired.csv": {
        **_LABEL, "outcome": ("", "the outcome (model.metrics)"),
        "n": ("replicates", "paired replicates with a difference"),
        "mean_diff": ("", "mean paired difference scenario - baseline (same replicate and "
                          "sweep point), in the outcome's unit"),
        "sd_diff": ("", "standard deviation of the paired differences"),
        "ci_low": ("", "95% Student-t interval of the difference, low end"),
        "ci_high": ("", "95% Student-t interval of the difference, high end"),
        "significant": ("", "the interval excludes zero"),
        "threshold": ("", "the outcome's practical threshold, in its unit (empty: none)"),
        "practical": ("", "the mean difference is at least the threshold"),
        "mirror_of": ("", "an exact mirror of another outcome: which, and why (never "
                          "flagged)", "string"),
        "worse_for_weak": ("", "significant and practical, in the direction harmful to weak "
                               "schools"),
        "better_for_weak": ("", "significant and practical, in the direction helpful to weak "
                                "schools"),
        "unpaired_half_width": ("", "half-width of a Welch interval had the scenarios used "
                                    "independent seeds"),
        "replicates_to_resolve": ("replicates", "fewest replicates whose 95% interval would "
                                  "exclude zero at this mean and sd (inf: never)")},
    "left_behind.csv": {**_LABEL, **_profile("left_behind", "left behind at the end")},
    "stuck.csv": {**_LABEL, **_profile("stuck", "stuck: never graded good or better")},
    "costs.csv": {
        **_LABEL, "n": ("replicates", "replicates with a left-behind share"),
        "share": ("fraction of weak schools", "left-behind share, mean over replicates"),
        "share_low": ("fraction of weak schools", "bootstrap 95% interval of share, low end"),
        "share_high": ("fraction of weak schools",
                       "bootstrap 95% interval of share, high end"),
        "diff": ("fraction of weak schools", "paired difference in the left-behind share "
                 "against the baseline (0 for the baseline)"),
        "low": ("fraction of weak schools", "95% Student-t interval of diff, low end"),
        "high": ("fraction of weak schools", "95% Student-t interval of diff, high end"),
        "cost": ("£ per school per year", "mean cost: public money when the runs record it, "
                                          "else all improvement spending"),
        "extra_cost": ("£ per school per year", "paired extra cost against the baseline"),
        "per_weak_lifted": ("£", "cost per weak school kept out of left behind, paired "
                                 "against the baseline (empty: none lifted)"),
        "status": ("", "fewer, more, tie or unclear left behind than the baseline; "
                       "baseline for itself")},
    "longitudinal.csv": {
        **_LABEL, "weak_schools": ("schools", "weak schools, pooled over replicates"),
        "ever_good": ("fraction 0-1", "share graded good or better at an inspection during "
                                      "the run"),
        "ever_good_low": ("fraction 0-1", f"{_WILSON} of ever_good, low end"),
        "ever_good_high": ("fraction 0-1", f"{_WILSON} of ever_good, high end"),
        "started_below_good": ("schools", "weak schools graded below good at the start"),
        "ever_good_from_below": ("fraction 0-1", "of those, share graded good or better "
                                                 "during the run"),
        "ever_good_from_below_low": ("fraction 0-1",
                                     f"{_WILSON} of ever_good_from_below, low end"),
        "ever_good_from_below_high": ("fraction 0-1",
                                      f"{_WILSON} of ever_good_from_below, high end"),
        "spells_below_good": ("spells", "spells below good (RI or inadequate), all weak "
                                        "schools"),
        "mean_spell_terms": ("terms", "mean length of a spell below good"),
        "spells_open_at_end": ("schools", "weak schools still below good at the end"),
        "stuck": ("fraction 0-1", "share never graded good or better during the run"),
        "floor_spells": ("spells", "spells below the floor, all weak schools"),
        "mean_floor_spell_terms": ("terms", "mean length of a spell below the floor"),
        "longest_floor_spell": ("terms", "each weak school's longest spell below the floor, "
                                         "mean")},
    "transitions.csv": {
        **_LABEL, "from": ("", "a weak school's grade at an inspection (or at the start)"),
        "to": ("", "its grade at the next inspection"),
        "count": ("transitions", "transitions from -> to, pooled over replicates"),
        "share": ("fraction 0-1", "share of the transitions out of from that go to to "
                                  "(empty: none)")},
}
