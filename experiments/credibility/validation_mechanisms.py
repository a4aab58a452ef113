"""The mechanism table: each of M1-M15 switched off under common random numbers.

For each mechanism, `CHECKS` declares (the one place they are declared) a scenario in
which it acts, the outcome docs/ODD.md section 7.3 says it moves, and the expected sign
of ``on - off``.
Each replicate runs the scenario twice on the same seed, once as it is and once with the
mechanism's switch off; the table gives the paired mean difference with its 95% t
interval, and "as designed" when the interval excludes zero on the expected side.

Outcomes are named: a name in `model.metrics.SUMMARY` is read from the finished model's
summary; the others (`OUTCOMES`) are computed here from the finished model and its
per-term `Trace`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from clustersim.experiments.credibility.validation_records import Trace, run_observed

DEFAULT_REPLICATES = 20
COUNTY = {"preset": "county", "years": 10}
SMALL_SCHOOLS = {"preset": "maximising_progress", "years": 10}  # 67 small rural primaries


@dataclass(frozen=True)
class Check:
    """One mechanism's test: switch it off in ``scenario``; ``outcome`` should move by
    ``sign`` (on - off > 0 for +1, < 0 for -1)."""

    mechanism: str
    name: str
    switch: str
    policies: tuple[str, ...]
    outcome: str
    sign: int
    why: str
    settings: dict[str, Any] = field(default_factory=lambda: dict(COUNTY))

    @property
    def scenario(self) -> str:
        return f"{self.settings['preset']}, {'+'.join(self.policies)}"

    def config(self, on: bool) -> dict[str, Any]:
        return {**self.settings, "policies": list(self.policies), self.switch: on}


SI, LA = ("self_improving",), ("local_authority",)
CHECKS: tuple[Check, ...] = (
    Check("M1", "hard to reach", "m1_hard_to_reach", SI, "isolation_weak", +1,
          "weak, isolated and rural schools engage less, so weak schools stay outside "
          "clusters more"),
    Check("M2", "hidden needs", "m2_hidden_needs", SI, "needs_identified_weak", -1,
          "needs go unidentified until results drop or an inspection reveals them"),
    Check("M3", "voluntary partnering", "m3_voluntary_partnering", SI, "clustered_share",
          +1, "unclustered schools seek partners, so schools are in clusters"),
    Check("M4", "cohesion", "m4_cohesion", SI, "mean_churn", +1,
          "cohesion falls with imbalance, mismatch and scarcity; clusters dissolve"),
    Check("M5", "CPD exchange", "m5_cpd_exchange", LA, "peer_cpd_per_teacher", +1,
          "strong schools run CPD for partners who need it"),
    Check("M6", "CPD bank", "m6_cpd_bank", ("local_authority", "cpd_bank"),
          "peer_cpd_per_teacher", +1,
          "credits for offering CPD and a levy-funded common fund raise peer CPD"),
    Check("M7", "joint commissioning", "m7_joint_commissioning", LA,
          "market_price_per_hour", -1,
          "clusters buy with volume discounts and a negotiator: a lower price per hour"),
    Check("M8", "shared business manager", "m8_business_manager", LA, "leadership", +1,
          "frees head time for strategic leadership in clusters of small schools",
          dict(SMALL_SCHOOLS)),
    Check("M9", "shared specialist teacher", "m9_specialist", LA, "subject_attainment", +1,
          "raises the specialist's subject (and, by ripple, the others) across members",
          dict(SMALL_SCHOOLS)),
    Check("M10", "one-off vs sustained CPD", "m10_cpd_format", SI, "oneoff_lasting_per_hour",
          -1, "one-off events give small, fast-decaying gains (off: every hour alike)",
          {"preset": "county", "years": 2}),
    Check("M11", "suspicion of centres of excellence", "m11_suspicion",
          ("local_authority", "teaching_school_hubs"), "lead_school_takeup", -1,
          "lower take-up of CPD offered by designated lead schools (hubs); read over two "
          "years, because over ten informal reciprocity (M5) caps what a school receives "
          "in all, so suspicion delays take-up more than it lowers the total",
          {"preset": "county", "years": 2}),
    Check("M12", "federation", "m12_federation", ("self_improving", "federation"),
          "leadership", +1,
          "federated schools share a head: leadership converges upwards"),
    Check("M13", "inspection", "m13_inspection", SI, "needs_revealed_weak", +1,
          "a poor grade reveals a school's needs"),
    Check("M14", "turnover and decay", "m14_turnover", SI, "effectiveness_change", -1,
          "expertise decays with staff turnover"),
    Check("M15", "shared data", "m15_shared_data", LA, "needs_identified_weak", +1,
          "shared data and monitoring improve need identification"),
)
MECHANISMS: list[str] = [c.mechanism for c in CHECKS]
BY_ID: dict[str, Check] = {c.mechanism: c for c in CHECKS}


# ---------------------------------------------------------------------------- outcomes
@dataclass(frozen=True)
class Outcome:
    description: str
    measure: Callable[[dict, int], float]   # (config, seed) -> value


def from_model(fn: Callable) -> Callable[[dict, int], float]:
    """A measure that runs the config with a `Trace` and reads ``fn(model, trace)``."""
    def measure(config: dict, seed: int) -> float:
        trace = Trace()
        return float(fn(run_observed(config, seed, [trace]), trace))
    return measure


def _teacher_years(m) -> float:
    return float(m.s.teachers.sum()) * m.term / 3.0


def _market_price(m, _) -> float:
    paid = m.ledger.flows.get(("market CPD", "school", "provider"), 0.0)
    hours = m.ledger.hours.get("market sustained", 0.0) + m.ledger.hours.get(
        "market one-off", 0.0)
    return paid / hours if hours > 0 else math.nan


def _leadership(m, _) -> float:
    from clustersim.model.state import LEADERSHIP

    return float(m.s.expertise[:, LEADERSHIP].mean())


def _lead_school_takeup(m, trace) -> float:
    from clustersim.model.market import HUB

    pr = m.providers
    sold = float(pr.hours_sold[pr.kind == HUB].sum())
    return (sold + trace.lead_peer_hours) / _teacher_years(m)


def _oneoff_lasting(config: dict, seed: int) -> float:
    """SD the treated schools hold at the end of a run in which a random fifth of schools
    gets one-off CPD events every term (needs all known), against the same run untreated,
    per hour given: one-off gains that fade fast leave little."""
    from clustersim.experiments.credibility.validation_experiments import cpd_effects

    hours = 10.0
    cfg = {**config, "m2_hidden_needs": False}
    return cpd_effects(cfg, seed, hours)["oneoff"] / (hours * 3 * cfg["years"])


OUTCOMES: dict[str, Outcome] = {
    "needs_identified_weak": Outcome(
        "share of weak schools with an identified need, mean over terms",
        from_model(lambda m, t: t.per_term("focus_weak"))),
    "needs_revealed_weak": Outcome(
        "share of weak schools whose needs a grade or results drop revealed, mean over terms",
        from_model(lambda m, t: t.per_term("revealed_weak"))),
    "market_price_per_hour": Outcome("price paid per teacher-hour of market CPD (£)",
                                     from_model(_market_price)),
    # every school, not the members at the end: membership differs between on and off
    "leadership": Outcome("leadership expertise of every school (SD)", from_model(_leadership)),
    "subject_attainment": Outcome(
        "maths, English and science attainment of every school (%)",
        from_model(lambda m, t: m.s.attainment[:, 1:].mean())),
    "oneoff_lasting_per_hour": Outcome(
        "SD kept per hour of one-off CPD given to a random fifth", _oneoff_lasting),
    "lead_school_takeup": Outcome(
        "CPD hours per teacher per year from designated lead schools (hubs, peer)",
        from_model(_lead_school_takeup)),
    "effectiveness_change": Outcome("mean change in school effectiveness since the start (SD)",
                                    from_model(lambda m, t: (m.s.effectiveness - m.eff0).mean())),
}


def outcome(name: str) -> Outcome:
    """The named outcome: one of `OUTCOMES`, or a summary outcome of `model.metrics`."""
    from clustersim.model.metrics import EXTRA_SUMMARY, METRICS, SUMMARY

    if name in OUTCOMES:
        return OUTCOMES[name]
    if name in SUMMARY:
        described = {x.name: x.description for x in (*METRICS, *EXTRA_SUMMARY)}
        return Outcome(described.get(name, name),
                       from_model(lambda m, t: m.summary()[name]))
    raise KeyError(f"unknown outcome {name!r}")


# ---------------------------------------------------------------------------- running
def run_pair(task: tuple[str, int, int]) -> tuple[str, int, float, float]:
    """Worker entry point: (mechanism, replicate, seed) -> the outcome on and off."""
    mechanism, replicate, seed = task
    check = BY_ID[mechanism]
    measure = outcome(check.outcome).measure
    return mechanism, replicate, measure(check.config(True), seed), measure(
        check.config(False), seed)


def run_mechanisms(mechanisms: list[str], replicates: int = DEFAULT_REPLICATES,
                   root_seed: int = 2026, workers: int | None = None,
                   dask: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Run the paired replicates of the chosen mechanisms; return the table's rows."""
    from clustersim.experiments.batch.executors import make_executor
    from clustersim.experiments.batch.spec import replicate_seeds

    if not mechanisms:
        return []
    seeds = replicate_seeds(root_seed, replicates)
    todo = [(k, r, seed) for k in mechanisms for r, seed in enumerate(seeds)]
    pairs: dict[str, dict[int, tuple[float, float]]] = {k: {} for k in mechanisms}
    with make_executor(workers=workers, dask=dask) as ex:
        for done, (k, r, on, off) in enumerate(ex.imap_unordered(run_pair, todo), 1):
            pairs[k][r] = (on, off)
            if progress:
                progress(done, len(todo))
    return [row(BY_ID[k], [pairs[k][r] for r in sorted(pairs[k])]) for k in mechanisms]


def row(check: Check, pairs: list[tuple[float, float]]) -> dict:
    """The table's row for one mechanism from its (on, off) pairs."""
    from clustersim.experiments.analysis.stats import t_interval

    on, off = (np.array(x, float) for x in zip(*pairs, strict=True))
    n, diff, _, low, high = t_interval(on - off)
    as_designed = bool(n >= 2 and (low > 0 if check.sign > 0 else high < 0))
    wrong_way = bool(n >= 2 and (high < 0 if check.sign > 0 else low > 0))
    return {
        "mechanism": check.mechanism, "name": check.name, "switch": check.switch,
        "scenario": check.scenario, "outcome": check.outcome,
        "description": outcome(check.outcome).description,
        "expected": "rises" if check.sign > 0 else "falls", "sign": check.sign,
        "replicates": n, "on_mean": float(np.nanmean(on)), "off_mean": float(np.nanmean(off)),
        "diff": diff, "ci_low": low, "ci_high": high, "as_designed": as_designed,
        "result": ("as designed" if as_designed else "wrong way" if wrong_way
                   else "no clear effect"),
        "why": check.why,
    }


def format_table(rows: list[dict]) -> str:
    """The mechanism table for the terminal."""
    lines = [f"{'mech':<5}{'outcome':<30}{'expect':<7}{'on':>10}{'off':>10}"
             f"{'on - off [95% CI]':>32}  result", "-" * 104]
    for r in rows:
        ci = f"{r['diff']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]"
        lines.append(f"{r['mechanism']:<5}{r['outcome'][:29]:<30}{r['expected']:<7}"
                     f"{r['on_mean']:>10.4g}{r['off_mean']:>10.4g}{ci:>32}  {r['result']}")
    return "\n".join(lines)


def plot(rows: list[dict], path) -> None:
    """One small panel per mechanism: the paired difference and its 95% interval beside
    zero, green when as designed."""
    from clustersim.experiments.shared.plots import plt, save

    cols = 3
    nrows = math.ceil(len(rows) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(10, 1.35 * nrows + 0.6), squeeze=False)
    for ax in axes.ravel()[len(rows):]:
        ax.set_visible(False)
    for ax, r in zip(axes.ravel(), rows, strict=False):
        colour = "tab:green" if r["as_designed"] else "tab:red"
        mid, lo, hi = r["diff"], r["ci_low"], r["ci_high"]
        if lo == lo and hi == hi:
            ax.errorbar([mid], [0], xerr=[[mid - lo], [hi - mid]], fmt="o", color=colour,
                        capsize=4)
        else:
            ax.plot([mid], [0], "o", color=colour)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks([])
        span = max(abs(x) for x in (mid, lo, hi, 1e-12) if x == x)
        ax.set_xlim(-1.2 * span, 1.2 * span)
        ax.tick_params(labelsize=7)
        ax.set_title(f"{r['mechanism']} {r['name']}: {r['outcome']} "
                     f"({r['expected']})", fontsize=7, loc="left")
    fig.suptitle("Mechanisms switched off (common random numbers): on - off, 95% interval",
                 fontsize=10)
    fig.tight_layout()
    save(fig, path)
