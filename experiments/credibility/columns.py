"""What the columns of the credibility commands' tables are (validate, calibrate,
sensitivity, explain), for their datapackage.json (`shared.datapackage`).

{file: {column: (unit, description[, type])}}, from the code that builds each table.
"""

from __future__ import annotations

_INTERVAL = {"ci_low": ("", "95% Student-t interval of the mean, low end"),
             "ci_high": ("", "95% Student-t interval of the mean, high end")}
# validate: credibility/validate.py (table), validation_mechanisms.py (row), cli/commands/validate
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
        "experiment": ("", "the validation experiment "
                           "(experiments/credibility/validation_experiments.py)"),
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
    """calibration.csv (credibility/calibrate.py, Search.evaluate): one row per evaluation;
    the parameters fall back on their declarations."""
    return {"calibration.csv": {
        "evaluation": ("", "the evaluation's index, in the order run (0: the defaults)"),
        "stage": ("", "default (the declared values), design (the coarse design) or refine "
                      "(Nelder-Mead)"),
        **figure_columns("mean over replicates at this point"),
        "loss": ("squared target widths", "sum over the figures of ((mean - target "
                 "midpoint) / target width)^2; 0 at the midpoints")}}


# sensitivity: credibility/sensitivity.py (analyse_morris, analyse_sobol); SALib
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

# explain: credibility/explain.py (attribute, frames)
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
