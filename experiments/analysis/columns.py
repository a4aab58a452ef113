"""What the columns of the report's tables are (report/*.csv), for its datapackage.json
(`shared.datapackage`).

{file: {column: (unit, description[, type])}}, from the code that builds each table:
`report` (summarise, paired, profile, longitudinal), `verdict` and `longitudinal`.
"""

from __future__ import annotations


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
