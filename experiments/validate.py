"""The validation suite: one experiment per pattern P1-P9 of EVIDENCE.md section D.

Pattern-oriented modelling: a credible model reproduces several patterns at once. Each
experiment runs replicates (seeded from one root, so the suite is reproducible) and
returns named figures; each figure's mean and 95% t interval is set beside its target.
Experiments run on the batch engine's executors (serial, fork pool or Dask).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

STATUS_QUO = ["local_authority", "academy_chains"]


@dataclass(frozen=True)
class Figure:
    """One figure of a pattern: its experiment, what it measures and its target range."""

    pattern: str
    experiment: str
    name: str
    description: str
    low: float
    high: float
    unit: str = ""


FIGURES: list[Figure] = [
    Figure(
        "P1",
        "status_quo",
        "good_or_outstanding",
        "status quo, year 10: share good or outstanding",
        0.86,
        0.90,
    ),
    Figure("P1", "status_quo", "requires_improvement", "status quo, year 10: share RI", 0.08, 0.11),
    Figure("P1", "status_quo", "inadequate", "status quo, year 10: share inadequate", 0.02, 0.04),
    Figure(
        "P2",
        "status_quo",
        "deprivation_ratio",
        "RI-or-inadequate share, most vs least deprived fifth (year 10)",
        3.0,
        5.0,
        "x",
    ),
    Figure(
        "P3",
        "no_middle_tier",
        "quality_ties_corr",
        "no middle tier: correlation of initial quality with terms in a cluster",
        0.0,
        1.0,
    ),
    Figure(
        "P3",
        "no_middle_tier",
        "weak_isolation_excess",
        "no middle tier: isolation of weak schools minus others",
        0.0,
        1.0,
    ),
    Figure(
        "P4",
        "no_middle_tier",
        "cpd_q1_vs_q5",
        "no broker: CPD per teacher, weakest fifth / strongest",
        0.0,
        1.0,
        "x",
    ),
    Figure(
        "P4",
        "cpd_bank",
        "credits_quality_corr",
        "CPD bank: correlation of credit balance with initial quality",
        0.0,
        1.0,
    ),
    Figure(
        "P5",
        "no_middle_tier",
        "partner_quality_ratio",
        "mean quality gap between partners / between random pairs",
        0.0,
        0.9,
        "x",
    ),
    Figure(
        "P5",
        "no_middle_tier",
        "partner_distance_ratio",
        "mean partner distance / random pairs in the same LA",
        0.0,
        0.5,
        "x",
    ),
    Figure(
        "P6",
        "cpd_effect",
        "sustained_sd_per_year",
        "effect of 30 h a year of sustained CPD on the domains trained",
        0.05,
        0.10,
        "SD",
    ),
    Figure(
        "P6",
        "cpd_effect",
        "oneoff_vs_sustained",
        "one-off events' effect / sustained effect",
        0.0,
        0.5,
        "x",
    ),
    Figure(
        "P7",
        "maximising_progress",
        "maths_best_cluster",
        "Maximising Progress, 18 months: maths uplift, best cluster",
        5.0,
        8.0,
        "pp",
    ),
    Figure(
        "P7",
        "maximising_progress",
        "maths_mean_cluster",
        "Maximising Progress, 18 months: maths uplift, mean of clusters",
        2.0,
        4.0,
        "pp",
    ),
    Figure(
        "P7",
        "maximising_progress",
        "english_mean_cluster",
        "Maximising Progress, 18 months: English uplift (ripple), mean of clusters",
        0.0,
        4.0,
        "pp",
    ),
    Figure(
        "P8",
        "superintendent",
        "low_attaining_ratio_y8",
        "superintendent: schools below the floor, year 8 / start",
        0.0,
        0.5,
        "x",
    ),
    Figure(
        "P8",
        "superintendent",
        "low_attaining_ratio_y3",
        "superintendent: schools below the floor, year 3 / start",
        0.6,
        1.5,
        "x",
    ),
    Figure(
        "P9",
        "regions",
        "regional_spread",
        "England: spread of good-or-outstanding share across 9 regions",
        0.12,
        0.28,
    ),
]

SEED_003 = {
    "maths_best_cluster": "+8 pp at Level 4 (one cluster)",
    "english_mean_cluster": "+5 pp at Level 5 (one cluster)",
}


# ---------------------------------------------------------------------------- experiments
def _finished(config: dict, seed: int, before_step: Callable | None = None):
    from model.api import run_to_end

    return run_to_end(config, seed, before_step)


def _corr(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def exp_status_quo(seed: int) -> dict[str, float]:
    """P1, P2: ten years of England under the status quo (20,000 schools, so that the
    least deprived fifth's few poor grades are not too noisy a denominator)."""
    from model.state import RI

    m = _finished({"preset": "england", "policies": STATUS_QUO, "years": 10}, seed)
    s = m.s
    fsm = s.region.fsm
    q = np.searchsorted(np.quantile(fsm, [0.2, 0.4, 0.6, 0.8]), fsm, side="right")
    poor = [(s.grade[q == k] >= RI).mean() for k in (0, 4)]
    return {
        "good_or_outstanding": float((s.grade < RI).mean()),
        "requires_improvement": float((s.grade == RI).mean()),
        "inadequate": float((s.grade == 3).mean()),
        "deprivation_ratio": poor[1] / poor[0] if poor[0] > 0 else math.nan,
    }


def exp_no_middle_tier(seed: int) -> dict[str, float]:
    """P3, P5: voluntary partnering only; P4: CPD by quality fifth."""
    m = _finished({"preset": "county", "policies": ["self_improving"], "years": 10}, seed)
    s = m.s
    summary = m.summary()
    out = {
        "quality_ties_corr": _corr(m.eff0, s.terms_clustered),
        "weak_isolation_excess": float(
            (s.cluster[s.weak] < 0).mean() - (s.cluster[~s.weak] < 0).mean()
        ),
        "cpd_q1_vs_q5": summary["cpd_hours_q1"] / summary["cpd_hours_q5"],
    }
    out.update(_partner_ratios(m, seed))
    return out


def _partner_ratios(m, seed: int) -> dict[str, float]:
    s = m.s
    members = np.flatnonzero(s.cluster >= 0)
    order = members[np.argsort(s.cluster[members], kind="stable")]
    cl = s.cluster[order]
    a, b = [], []
    for start, stop in _groups(cl):
        g = order[start:stop]
        i, j = np.triu_indices(len(g), 1)
        a.append(g[i])
        b.append(g[j])
    if not a:
        return {"partner_quality_ratio": math.nan, "partner_distance_ratio": math.nan}
    a, b = np.concatenate(a), np.concatenate(b)
    rng = np.random.default_rng(seed)
    ra = rng.integers(0, s.n, 20_000)
    rb = rng.integers(0, s.n, 20_000)
    same_la = s.la[ra] == s.la[rb]
    ra, rb = ra[same_la & (ra != rb)], rb[same_la & (ra != rb)]
    eff = m.eff0
    if len(a) == 0 or len(ra) == 0:
        return {"partner_quality_ratio": math.nan, "partner_distance_ratio": math.nan}

    def dist(x, y):
        return np.hypot(s.x[x] - s.x[y], s.y[x] - s.y[y]).mean()

    return {
        "partner_quality_ratio": float(
            np.abs(eff[a] - eff[b]).mean() / np.abs(eff[ra] - eff[rb]).mean()
        ),
        "partner_distance_ratio": float(dist(a, b) / dist(ra, rb)),
    }


def _groups(sorted_ids: np.ndarray):
    edges = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1], True])
    return zip(edges[:-1], edges[1:], strict=True)


def exp_cpd_bank(seed: int) -> dict[str, float]:
    """P4: credits under a CPD bank with no broker."""
    m = _finished(
        {"preset": "county", "policies": ["self_improving", "cpd_bank"], "years": 10}, seed
    )
    return {"credits_quality_corr": _corr(m.eff0, m.s.credits / m.s.teachers)}


def _programme(schools: np.ndarray, hours: float, sustained: bool) -> Callable:
    """A hook adding a funded CPD programme for ``schools`` as one more policy component."""
    from model.policies.base import Policy

    class Programme(Policy):
        name = "validation_programme"
        description = "Funds a fixed group of schools' CPD each term (validation only)."

        def act(self) -> None:
            s = self.model.s
            (s.funded_hours if sustained else s.funded_oneoff)[schools] += hours

    return lambda m: m.policies.append(Programme(m))


def exp_cpd_effect(seed: int) -> dict[str, float]:
    """P6: a random fifth of schools gets 10 h a term (30 h a year) of CPD for a year;
    its effect is the expertise the treated schools gained in the domains they trained,
    against the same run untreated (common random numbers), per year. Needs are all
    known (M2 off) so that every treated school uses its hours."""
    config = {
        "preset": "county",
        "policies": ["self_improving"],
        "years": 1,
        "m5_cpd_exchange": False,
        "m3_voluntary_partnering": False,
        "m2_hidden_needs": False,
    }
    control = _finished(config, seed)
    treated = np.random.default_rng(seed).random(control.s.n) < 0.2
    effects = {}
    for label, sustained in (("sustained", True), ("oneoff", False)):
        m = _finished(config, seed, _programme(np.flatnonzero(treated), 10.0, sustained))
        # SD gained in the domains trained (the subject taught), summed over domains
        gained = (m.s.expertise - control.s.expertise)[treated].sum(axis=1)
        effects[label] = float(gained.mean())
    return {
        "sustained_sd_per_year": effects["sustained"],
        "oneoff_vs_sustained": effects["oneoff"] / effects["sustained"],
    }


MAXIMISING_PROGRESS = {
    "preset": "maximising_progress",
    "policies": ["local_authority"],
    "years": 2,
    "la_cluster_size": 5,
    "la_academy_optout": 0.0,
    "la_capacity_share": 0.0,
    "sbm_adoption": 1.0,
    "specialist_adoption": 1.0,
    "specialist_maths": True,
    "commissioning_cohesion_min": 0.0,
    "small_school_pupils": 2000.0,
    "m4_cohesion": False,
    "m3_voluntary_partnering": False,
}
MP_TERM = 5  # 18 months of a three-term year: the fifth term ends 18 months on


def _at_term(config: dict, seed: int, term: int):
    from model.model import ClusterModel

    m = ClusterModel(config, seed)
    start = m.s.attainment.copy()
    while m.term < term:
        m.step()
    return m, m.s.attainment - start


def exp_maximising_progress(seed: int) -> dict[str, float]:
    """P7: seed 003's setting with and without shared business managers and maths
    specialists; uplift per cluster at 18 months (common random numbers)."""
    treated, d_on = _at_term(MAXIMISING_PROGRESS, seed, MP_TERM)
    _, d_off = _at_term(
        {**MAXIMISING_PROGRESS, "m8_business_manager": False, "m9_specialist": False}, seed, MP_TERM
    )
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


def exp_superintendent(seed: int) -> dict[str, float]:
    """P8: the share of schools below the floor over time under a superintendent."""
    m = _finished({"preset": "large_county", "policies": ["superintendent"], "years": 8}, seed)
    series = m.series()
    base = series["below_floor"].iloc[0]
    at = dict(zip(series["term"], series["below_floor"], strict=True))
    return {
        "low_attaining_ratio_y8": at[24] / base if base else math.nan,
        "low_attaining_ratio_y3": at[9] / base if base else math.nan,
    }


def exp_regions(seed: int) -> dict[str, float]:
    """P9: England under the status quo, LAs grouped into 9 regions by position."""
    from model.region import N_REGIONS
    from model.state import RI

    m = _finished({"preset": "england", "policies": STATUS_QUO, "years": 5}, seed)
    region = m.s.region.la_region[m.s.la]
    good = np.array([(m.s.grade[region == r] < RI).mean() for r in range(N_REGIONS)])
    return {"regional_spread": float(good.max() - good.min())}


EXPERIMENTS: dict[str, tuple[Callable[[int], dict], int]] = {
    # name: (function, default replicates)
    "status_quo": (exp_status_quo, 5),
    "no_middle_tier": (exp_no_middle_tier, 10),
    "cpd_bank": (exp_cpd_bank, 6),
    "cpd_effect": (exp_cpd_effect, 6),
    "maximising_progress": (exp_maximising_progress, 20),
    "superintendent": (exp_superintendent, 8),
    "regions": (exp_regions, 8),
}


def run_task(task: tuple[str, int, int]) -> tuple[str, int, dict[str, float]]:
    """Worker entry point (importable by Dask): (experiment, replicate, seed)."""
    name, replicate, seed = task
    return name, replicate, EXPERIMENTS[name][0](seed)


# ---------------------------------------------------------------------------- the suite
def tasks(replicates: dict[str, int], root_seed: int) -> list[tuple[str, int, int]]:
    """(experiment, replicate, seed) for every replicate; seeds from the root (CRN)."""
    from experiments.spec import replicate_seeds

    out = []
    for name, n in replicates.items():
        for r, seed in enumerate(replicate_seeds(root_seed, n)):
            out.append((name, r, seed))
    return out


def run_suite(
    replicates: dict[str, int],
    root_seed: int = 2026,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int], None] | None = None,
):
    """Run every experiment's replicates; return {experiment: [figures per replicate]}."""
    from experiments.executors import make_executor

    todo = tasks(replicates, root_seed)
    results: dict[str, dict[int, dict]] = {name: {} for name in replicates}
    with make_executor(workers=workers, dask=dask) as ex:
        for done, (name, r, figures) in enumerate(ex.imap_unordered(run_task, todo), 1):
            results[name][r] = figures
            if progress:
                progress(done, len(todo))
    return {name: [runs[r] for r in sorted(runs)] for name, runs in results.items()}


def table(results: dict[str, list[dict]]) -> list[dict]:
    """One row per figure: mean and 95% t interval over replicates, target, pass."""
    from experiments.report import t_interval

    rows = []
    for f in FIGURES:
        values = [r[f.name] for r in results.get(f.experiment, [])]
        n, mean, _, low, high = t_interval(values)
        rows.append(
            {
                "pattern": f.pattern,
                "figure": f.name,
                "description": f.description,
                "unit": f.unit,
                "replicates": n,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "target_low": f.low,
                "target_high": f.high,
                "pass": bool(n and f.low <= mean <= f.high),
            }
        )
    return rows
