"""Synthetic regions of English schools: the presets and their generator.

Distributions follow docs/evidence.md sections A-B (each constant below names its
row ID). Everything is drawn from the run's ``region`` stream, so a seed fixes the region
and every policy run with that seed meets the same schools (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from clustersim.model.errors import UserError
from clustersim.model.groups import members_by
from clustersim.model.region_table import (  # noqa: F401 (re-exported: model.region_table)
    FSM_MEAN,
    GOVERNANCE_NAMES,
    LA_MAINTAINED,
    PRIMARY,
    PUPILS_MEDIAN,
    SECONDARY,
    STANDALONE_ACADEMY,
    TRUST_ACADEMY,
    Region,
)

# evidence A1, A2, X1: 16,764 primaries and ~3,450 secondaries -> 17% secondary.
SECONDARY_SHARE = 3450 / (16764 + 3450)
# evidence A3: academies are 81.9% of secondaries and 42.7% of primaries.
ACADEMY_SHARE = {PRIMARY: 0.427, SECONDARY: 0.819}
# evidence A8, A3, X2: ~8,000 of ~21,000 schools are in trusts of 2+ while 43.5% are academies
# -> about 87% of academies belong to a multi-academy trust.
TRUST_SHARE_OF_ACADEMIES = 0.87
# evidence A7 (BESA 2019): trusts with <=5, 6-11, 12-25, 26+ schools: 598, 259, 85, 29
# (the top band's 40 is an assumption; A8: 21 trusts have more than 30 schools).
TRUST_SIZE_BANDS = ((2, 5, 598), (6, 11, 259), (12, 25, 85), (26, 40, 29))
# evidence A1, A2, A4, A5: rural primaries average just over 100 pupils, urban just under
# 400; about 12% of primaries have fewer than 100 pupils; primary mean ~275, secondary
# ~1,060. The rural shares are an assumption.
RURAL_SHARE = {PRIMARY: 0.27, SECONDARY: 0.10}
PUPILS_SIGMA = {PRIMARY: 0.45, SECONDARY: 0.3}
# Disadvantage: national FSM share ~24% (2024; not yet a row of docs/evidence.md); rural
# schools less deprived (assumption).
FSM_LA_SD, FSM_SCHOOL_SD = 0.07, 0.08  # spread around FSM_MEAN (model.region_table)
FSM_RURAL_SHIFT, FSM_URBAN_SHIFT = -0.09, 0.03
# Schools per km2 in England: ~21,000 schools (evidence A8) on ~130,000 km2 (England's
# area; not a row of docs/evidence.md).
KM2_PER_SCHOOL = 130_000 / 21_000
# England's nine regions (outside London's boroughs, the Government Office regions).
N_REGIONS = 9
# evidence B3: secondaries are less often good or outstanding (80% vs 90%).
SECONDARY_EFFECT_SHIFT = -0.08


@dataclass(frozen=True)
class Preset:
    """A region to simulate."""

    name: str
    n_schools: int
    n_las: int
    description: str
    primary_only: bool = False
    rural_only: bool = False
    small_schools: bool = False


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("maximising_progress", 67, 4,
               "67 small rural primaries in 4 local authorities (seed 003's Maximising Progress)",
               primary_only=True, rural_only=True, small_schools=True),
        Preset("county", 500, 2, "a shire county and a unitary: about 500 schools (default)"),
        Preset("large_county", 2000, 6, "a large county area: about 2,000 schools in 6 LAs"),
        Preset("england", 20000, 150, "all of England: about 20,000 schools in 150 LAs"),
    )
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise UserError(f"unknown preset {name!r}; allowed: {', '.join(PRESETS)}")
    return PRESETS[name]


def build_region(config: dict, preset: Preset, rng: np.random.Generator) -> Region:
    """The run's schools: read from the register file a config names (``region``; see
    model/gias.py), else drawn from the preset."""
    if config.get("region"):
        from clustersim.model.gias import region_for

        return region_for(config)
    return generate(preset, rng)


def generate(preset: Preset, rng: np.random.Generator) -> Region:
    """Draw a region: LAs on a jittered grid, schools around towns and across the country."""
    n, n_las = preset.n_schools, preset.n_las
    la_sizes = np.bincount(rng.integers(0, n_las, n - n_las), minlength=n_las) + 1
    la = np.repeat(np.arange(n_las), la_sizes)
    la_area = la_sizes * KM2_PER_SCHOOL * (3.0 if preset.rural_only else 1.0)
    la_radius = np.sqrt(la_area / np.pi)
    side = int(np.ceil(np.sqrt(n_las)))
    grid = np.stack(np.divmod(np.arange(n_las), side), axis=1).astype(float)
    la_centre = (grid + rng.uniform(-0.15, 0.15, (n_las, 2))) * 2.0 * la_radius.max()

    if preset.primary_only:
        phase = np.full(n, PRIMARY, np.int8)
    else:
        phase = (rng.random(n) < SECONDARY_SHARE).astype(np.int8)
    rural_p = np.where(phase == PRIMARY, RURAL_SHARE[PRIMARY], RURAL_SHARE[SECONDARY])
    rural = np.ones(n, bool) if preset.rural_only else rng.random(n) < rural_p

    # Rural schools spread over the whole LA disc; urban ones cluster around 1-3 towns.
    r = la_radius[la] * np.sqrt(rng.random(n))
    theta = rng.uniform(0, 2 * np.pi, n)
    town_angle = rng.uniform(0, 2 * np.pi, (n_las, 3))
    town = rng.integers(0, 3, n)
    town_r = 0.45 * la_radius[la]
    tx = la_centre[la, 0] + town_r * np.cos(town_angle[la, town])
    ty = la_centre[la, 1] + town_r * np.sin(town_angle[la, town])
    spread = 0.18 * la_radius[la]
    x = np.where(rural, la_centre[la, 0] + r * np.cos(theta), tx + rng.normal(0, 1, n) * spread)
    y = np.where(rural, la_centre[la, 1] + r * np.sin(theta), ty + rng.normal(0, 1, n) * spread)

    median = np.array([[PUPILS_MEDIAN[(p, u)] for u in (False, True)] for p in (0, 1)])
    med = median[phase, rural.astype(int)] * (0.7 if preset.small_schools else 1.0)
    sigma = np.where(phase == PRIMARY, PUPILS_SIGMA[PRIMARY], PUPILS_SIGMA[SECONDARY])
    pupils = np.maximum(12, np.round(med * np.exp(sigma * rng.normal(0, 1, n)))).astype(int)

    la_fsm = FSM_MEAN + rng.normal(0, FSM_LA_SD, n_las)
    fsm = (la_fsm[la] + np.where(rural, FSM_RURAL_SHIFT, FSM_URBAN_SHIFT)
           + rng.normal(0, FSM_SCHOOL_SD, n))
    fsm = np.clip(fsm, 0.01, 0.85)

    academy = rng.random(n) < np.where(phase == PRIMARY, ACADEMY_SHARE[PRIMARY],
                                       ACADEMY_SHARE[SECONDARY])
    in_trust = academy & (rng.random(n) < TRUST_SHARE_OF_ACADEMIES)
    governance = np.where(in_trust, TRUST_ACADEMY,
                          np.where(academy, STANDALONE_ACADEMY, LA_MAINTAINED)).astype(np.int8)
    trust = _form_trusts(in_trust, la, x, y, rng)
    la_region = np.zeros(n_las, np.int64)
    if n_las >= N_REGIONS:  # neighbouring LAs make up a region
        order = np.argsort(spatial_order(la_centre[:, 0], la_centre[:, 1]), kind="stable")
        for r, las in enumerate(np.array_split(order, N_REGIONS)):
            la_region[las] = r
    return Region(la=la, x=x, y=y, phase=phase, pupils=pupils, rural=rural, fsm=fsm,
                  governance=governance, trust=trust, la_centre=la_centre, la_region=la_region)


def _draw_sizes(count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` trust sizes drawn from the BESA bands (each at least 2)."""
    lo, hi, weight = (np.array(col) for col in zip(*TRUST_SIZE_BANDS, strict=True))
    band = rng.choice(len(weight), size=count, p=weight / weight.sum())
    return rng.integers(lo[band], hi[band] + 1)


def _trust_sizes(total: int, drawn: np.ndarray) -> np.ndarray:
    """Sizes taken from ``drawn`` (at least ceil(total / 2) of them) until they cover
    ``total`` schools; the last is trimmed to fit (and merged into the one before if
    that leaves it below 2)."""
    cum = np.cumsum(drawn)
    last = int(np.searchsorted(cum, total))
    sizes = drawn[: last + 1].copy()
    sizes[-1] -= cum[last] - total
    if sizes[-1] < 2 and len(sizes) > 1:
        sizes[-2] += sizes[-1]
        sizes = sizes[:-1]
    return sizes


def _form_trusts(in_trust, la, x, y, rng) -> np.ndarray:
    """Group trust academies into trusts of BESA-like sizes, neighbours together, per LA."""
    trust = np.full(len(la), -1, np.int32)
    groups = [idx for idx in members_by(np.where(in_trust, la, -1), int(la.max()) + 1)
              if len(idx) >= 2]
    if not groups:
        return trust
    wanted = [-(-len(idx) // 2) for idx in groups]  # sizes are >= 2: enough to cover
    drawn = np.split(_draw_sizes(sum(wanted), rng), np.cumsum(wanted)[:-1])
    next_id = 0
    for idx, candidates in zip(groups, drawn, strict=True):
        order = idx[np.argsort(spatial_order(x[idx], y[idx]), kind="stable")]
        sizes = _trust_sizes(len(order), candidates)
        trust[order] = next_id + np.repeat(np.arange(len(sizes)), sizes)
        next_id += len(sizes)
    return trust


def spatial_order(x: np.ndarray, y: np.ndarray, bits: int = 10) -> np.ndarray:
    """Morton (Z-order) keys: sorting by them puts nearby points next to each other."""
    if not 1 <= bits <= 16:
        raise ValueError("spatial_order supports 1 to 16 bits per coordinate")

    def spread(v):  # scale to [0, 2**bits) and put a zero bit between consecutive bits
        span = np.ptp(v) or 1.0
        k = ((v - v.min()) / span * (2**bits - 1)).astype(np.int64)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            k = (k | (k << shift)) & mask
        return k

    return spread(x) | (spread(y) << 1)


FEW_POINTS = 12  # up to this many points a scan beats a k-d tree's ~0.3 us per query


def nearest(points: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances and indices of the ``k`` nearest ``points`` to each query (a k-d tree, or
    a scan when k=1 and the points are few).

    One thread: two took England's neighbour search from 42 to 27 ms, under 1% of a run
    and not measurable against the host's noise, while competing with a batch's other
    worker and making instruction counts (valgrind) erratic.
    """
    if k == 1 and len(points) <= FEW_POINTS:
        return _nearest_of_few(points, queries)
    from scipy.spatial import cKDTree

    return cKDTree(points).query(queries, k=k)


def _nearest_of_few(points: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``nearest`` with k=1 by scanning a handful of points (e.g. the suppliers of one
    kind): same distances, ties to the lowest index."""
    qx, qy = queries[:, 0], queries[:, 1]
    best = np.full(len(queries), np.inf)
    which = np.zeros(len(queries), np.intp)
    for j, (px, py) in enumerate(points.tolist()):
        d = (qx - px) ** 2 + (qy - py) ** 2
        closer = d < best
        best[closer] = d[closer]
        which[closer] = j
    return np.sqrt(best), which
