"""The validation suite's experiments: one function per setting, each ``(seed, overrides)``.

Every experiment builds its models from declared designs (`DESIGNS`) with
``{**overrides, **design}``: parameter overrides (a calibration's candidate values) replace
the defaults in every model the experiment builds, and whatever the design sets for the
experiment itself wins. Nothing is patched or swapped: an override reaches the model
through its config or not at all, and `pinned` says which overrides a design sets itself
(and so cannot move the experiment's figures).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from clustersim.experiments.credibility.validation_records import (
    DECADE,
    Inspections,
    Snapshot,
    run_observed,
)

STATUS_QUO = ("self_improving", "local_authority")  # the status quo without a new policy
TAG = {"self_improving": "si", "local_authority": "la"}
YEAR_10, YEAR_20 = 30, 60  # terms
MIXED = ["local_authority", "academy_chains"]  # England's mixed system, for P9

MAXIMISING_PROGRESS = {
    "preset": "maximising_progress", "policies": ["local_authority"], "years": 2,
    "la_cluster_size": 5, "la_academy_optout": 0.0, "la_capacity_share": 0.0,
    "sbm_adoption": 1.0, "specialist_adoption": 1.0, "specialist_maths": True,
    "commissioning_cohesion_min": 0.0, "small_school_pupils": 2000.0,
    "m4_cohesion": False, "m3_voluntary_partnering": False,
}
MP_TERM = 5  # 18 months of a three-term year: the fifth term ends 18 months on
CPD_EFFECT = {"preset": "county", "policies": ["self_improving"], "years": 1,
              "m5_cpd_exchange": False, "m3_voluntary_partnering": False,
              "m2_hidden_needs": False}

DESIGNS: dict[str, tuple[dict[str, Any], ...]] = {
    **{f"status_quo_{TAG[p]}": ({"preset": "england", "policies": [p], "years": 20},)
       for p in STATUS_QUO},
    "no_middle_tier": ({"preset": "county", "policies": ["self_improving"], "years": 10},),
    "cpd_bank": ({"preset": "county", "policies": ["self_improving", "cpd_bank"],
                  "years": 10},),
    "cpd_effect": (CPD_EFFECT,),
    "maximising_progress": (MAXIMISING_PROGRESS, {**MAXIMISING_PROGRESS,
                                                  "m8_business_manager": False,
                                                  "m9_specialist": False}),
    "superintendent": ({"preset": "large_county", "policies": ["superintendent"],
                        "years": 8},),
    "regions": ({"preset": "england", "policies": MIXED, "years": 5},),
}


def config(name: str, overrides: Mapping[str, Any], k: int = 0) -> dict[str, Any]:
    """The config of experiment ``name``'s ``k``-th design under ``overrides``."""
    return {**overrides, **DESIGNS[name][k]}


def pinned(name: str, overrides: Mapping[str, Any]) -> list[str]:
    """The overrides every design of experiment ``name`` sets itself (they cannot move it)."""
    return sorted(n for n in overrides if all(n in d for d in DESIGNS[name]))


def _corr(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


# ---------------------------------------------------------------------------- P1, P2, P10, P11
def status_quo(policy: str) -> Callable[[int, Mapping], dict[str, float]]:
    """P1, P2, P10, P11 under one status-quo policy: England (20,000 schools, so that the
    least deprived fifth's few poor grades are not too noisy a denominator) for 20 years;
    grade shares and below-floor share at years 10 and 20, the deprivation ratio at year
    10, and every inspection's grade (P10)."""
    name, tag = f"status_quo_{TAG[policy]}", TAG[policy]

    def run(seed: int, overrides: Mapping[str, Any]) -> dict[str, float]:
        from clustersim.model.metrics import METRIC_NAMES

        year10, record = Snapshot(YEAR_10), Inspections()
        m = run_observed(config(name, overrides), seed, [year10, record])
        at = {t: dict(zip(METRIC_NAMES, m.history[t].tolist(), strict=True))
              for t in (0, YEAR_10, YEAR_20)}
        out = {}
        for t, label in ((YEAR_10, "y10"), (YEAR_20, "y20")):
            out[f"good_outstanding_{label}_{tag}"] = at[t]["good_or_outstanding"]
            out[f"ri_{label}_{tag}"] = at[t]["requires_improvement"]
            out[f"inadequate_{label}_{tag}"] = at[t]["inadequate"]
            out[f"below_floor_{label}_{tag}"] = at[t]["below_floor"]
        out[f"good_outstanding_drift_{tag}"] = (at[YEAR_20]["good_or_outstanding"]
                                                - at[0]["good_or_outstanding"])
        out[f"deprivation_ratio_{tag}"] = deprivation_ratio(m.s.region.fsm, year10.grade)
        n_ri, share = record.ri_next_good()
        out[f"ri_good_next_{tag}"] = share
        out[f"ri_inspections_{tag}"] = float(n_ri)
        out[f"stuck_y20_{tag}"] = float(record.stuck(YEAR_20, DECADE).mean())
        return out

    return run


def deprivation_ratio(fsm: np.ndarray, grade: np.ndarray) -> float:
    """Share RI or inadequate in the most deprived fifth (by FSM) / the least deprived."""
    q = np.searchsorted(np.quantile(fsm, [0.2, 0.4, 0.6, 0.8]), fsm, side="right")
    poor = [(grade[q == k] >= 2).mean() for k in (0, 4)]
    return poor[1] / poor[0] if poor[0] > 0 else math.nan


# ---------------------------------------------------------------------------- P3-P5
def exp_no_middle_tier(seed: int, overrides: Mapping[str, Any]) -> dict[str, float]:
    """P3, P5: voluntary partnering only; P4: CPD by quality fifth."""
    m = run_observed(config("no_middle_tier", overrides), seed)
    s = m.s
    summary = m.summary()
    out = {
        "quality_ties_corr": _corr(m.eff0, s.terms_clustered),
        "weak_isolation_excess": float(
            (s.cluster[s.weak] < 0).mean() - (s.cluster[~s.weak] < 0).mean()),
        "cpd_q1_vs_q5": summary["cpd_hours_q1"] / summary["cpd_hours_q5"],
    }
    out.update(_partner_ratios(m, seed))
    return out


def _partner_ratios(m, seed: int) -> dict[str, float]:
    s = m.s
    nan = {"partner_quality_ratio": math.nan, "partner_distance_ratio": math.nan}
    members = np.flatnonzero(s.cluster >= 0)
    order = members[np.argsort(s.cluster[members], kind="stable")]
    cl = s.cluster[order]
    edges = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1], True])
    a, b = [], []
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        g = order[start:stop]
        i, j = np.triu_indices(len(g), 1)
        a.append(g[i])
        b.append(g[j])
    if not a:
        return nan
    a, b = np.concatenate(a), np.concatenate(b)
    rng = np.random.default_rng(seed)
    ra, rb = rng.integers(0, s.n, 20_000), rng.integers(0, s.n, 20_000)
    keep = (s.la[ra] == s.la[rb]) & (ra != rb)
    ra, rb = ra[keep], rb[keep]
    if len(a) == 0 or len(ra) == 0:
        return nan
    eff = m.eff0

    def dist(x, y):
        return np.hypot(s.x[x] - s.x[y], s.y[x] - s.y[y]).mean()

    return {
        "partner_quality_ratio": float(np.abs(eff[a] - eff[b]).mean()
                                       / np.abs(eff[ra] - eff[rb]).mean()),
        "partner_distance_ratio": float(dist(a, b) / dist(ra, rb)),
    }


def exp_cpd_bank(seed: int, overrides: Mapping[str, Any]) -> dict[str, float]:
    """P4: credits under a CPD bank with no broker."""
    m = run_observed(config("cpd_bank", overrides), seed)
    return {"credits_quality_corr": _corr(m.eff0, m.s.credits / m.s.teachers)}


# ---------------------------------------------------------------------------- P6
def programme(schools: np.ndarray, hours: float, sustained: bool) -> Callable:
    """A hook adding a funded CPD programme for ``schools`` as one more policy component
    (the model's own extension point: a policy appended to the scenario's)."""
    from clustersim.model.policies.base import Policy

    class Programme(Policy):
        name = "validation_programme"
        description = "Funds a fixed group of schools' CPD each term (validation only)."

        def act(self) -> None:
            s = self.model.s
            (s.funded_hours if sustained else s.funded_oneoff)[schools] += hours

    return lambda m: m.policies.append(Programme(m))


def cpd_effects(cfg: dict[str, Any], seed: int, hours: float = 10.0) -> dict[str, float]:
    """A random fifth of schools gets ``hours`` a term of CPD for the run; the SD gained in
    the domains trained, summed over domains, against the same run untreated (common
    random numbers): for a sustained and for a one-off programme."""
    control = run_observed(cfg, seed)
    treated = np.flatnonzero(np.random.default_rng(seed).random(control.s.n) < 0.2)
    effects = {}
    for label, sustained in (("sustained", True), ("oneoff", False)):
        m = run_observed(cfg, seed, before=programme(treated, hours, sustained))
        effects[label] = float((m.s.expertise - control.s.expertise)[treated].sum(axis=1).mean())
    return effects


def exp_cpd_effect(seed: int, overrides: Mapping[str, Any]) -> dict[str, float]:
    """P6: 10 h a term (30 h a year) for a year; needs are all known (M2 off) so that every
    treated school uses its hours."""
    e = cpd_effects(config("cpd_effect", overrides), seed)
    return {"sustained_sd_per_year": e["sustained"],
            "oneoff_vs_sustained": e["oneoff"] / e["sustained"]}


# ---------------------------------------------------------------------------- P7
def _at_term(cfg: dict[str, Any], seed: int, term: int):
    from clustersim.model.model import ClusterModel

    m = ClusterModel(cfg, seed)
    start = m.s.attainment.copy()
    while m.term < term:
        m.step()
    return m, m.s.attainment - start


def exp_maximising_progress(seed: int, overrides: Mapping[str, Any]) -> dict[str, float]:
    """P7: seed 003's setting with and without shared business managers and maths
    specialists; uplift per cluster at 18 months (common random numbers)."""
    treated, d_on = _at_term(config("maximising_progress", overrides, 0), seed, MP_TERM)
    _, d_off = _at_term(config("maximising_progress", overrides, 1), seed, MP_TERM)
    uplift = d_on - d_off  # columns: rwm, maths, english, science
    cl = treated.s.cluster
    ids = np.unique(cl[cl >= 0])
    per_cluster = np.array([uplift[cl == c].mean(axis=0) for c in ids])
    return {
        "maths_best_cluster": float(per_cluster[:, 1].max()),
        "maths_mean_cluster": float(per_cluster[:, 1].mean()),
        "english_mean_cluster": float(per_cluster[:, 2].mean()),
        "n_clusters": float(len(ids)),
    }


# ---------------------------------------------------------------------------- P8, P9
def exp_superintendent(seed: int, overrides: Mapping[str, Any]) -> dict[str, float]:
    """P8: the share of schools below the floor over time under a superintendent."""
    m = run_observed(config("superintendent", overrides), seed)
    series = m.series()
    base = series["below_floor"].iloc[0]
    at = dict(zip(series["term"], series["below_floor"], strict=True))
    return {
        "low_attaining_ratio_y8": at[24] / base if base else math.nan,
        "low_attaining_ratio_y3": at[9] / base if base else math.nan,
    }


def exp_regions(seed: int, overrides: Mapping[str, Any]) -> dict[str, float]:
    """P9: England's mixed system (LAs and trusts), LAs grouped into 9 regions."""
    from clustersim.model.region import N_REGIONS
    from clustersim.model.state import RI

    m = run_observed(config("regions", overrides), seed)
    region = m.s.region.la_region[m.s.la]
    good = np.array([(m.s.grade[region == r] < RI).mean() for r in range(N_REGIONS)])
    return {"regional_spread": float(good.max() - good.min())}


EXPERIMENTS: dict[str, tuple[Callable[[int, Mapping], dict], int]] = {
    # name: (function of (seed, overrides), default replicates)
    **{f"status_quo_{TAG[p]}": (status_quo(p), 5) for p in STATUS_QUO},
    "no_middle_tier": (exp_no_middle_tier, 10),
    "cpd_bank": (exp_cpd_bank, 6),
    "cpd_effect": (exp_cpd_effect, 6),
    "maximising_progress": (exp_maximising_progress, 20),
    "superintendent": (exp_superintendent, 8),
    "regions": (exp_regions, 8),
}
assert set(EXPERIMENTS) == set(DESIGNS)
