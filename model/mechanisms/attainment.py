"""Phase 7, attainment: share of pupils at the expected standard, per subject (docs/ODD.md 7.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from clustersim.model.limits import TERMS_PER_YEAR
from clustersim.model.schema import SUBJECT_WEIGHTS
from scipy.special import ndtr

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel

FSM_CENTRE = 0.24  # national FSM share (region.FSM_MEAN)
COHORT_YEARS = np.array([7.0, 5.0])  # year groups: primary, secondary

# the school-state arrays this module owns (model.state; tests/test_state_owners.py)
STATE = ("cohort", "attainment", "rwm_last_year")


def offsets(p) -> np.ndarray:
    return np.array([p.attain_offset_rwm, p.attain_offset_maths, p.attain_offset_english,
                     p.attain_offset_science])


def update_attainment(m: ClusterModel) -> None:
    """Probit of expertise, disadvantage and this year's cohort; a results drop reveals needs.

    A new cohort is drawn each year (every third term); its noise scales with
    1/sqrt(cohort size), so small schools' results swing more.
    """
    s, p, r = m.s, m.p, m.s.region
    new_year = m.term % TERMS_PER_YEAR == 0
    if new_year:
        cohort_size = np.maximum(3.0, r.pupils / COHORT_YEARS[r.phase])
        noise, = m.fixed_draws(m.streams["attainment"], lambda rng: (rng.normal(0, 1, s.n),))
        s.cohort = p.cohort_noise / np.sqrt(cohort_size) * noise
    # RWM is read every term (metrics, the floor standard); the other subjects only by a
    # few readers (validation), so they are worked out when first read (`SchoolState.
    # attainment`), from a copy of this term's expertise: the same values, ~0.8 ms a term
    # on England saved when nobody reads them
    attainment = np.empty((s.n, len(SUBJECT_WEIGHTS)))  # (n, 4), SUBJECTS order
    disadvantage = p.fsm_pupil_gap * (r.fsm - FSM_CENTRE)
    by_lanes = column_sums_apply(s.expertise)
    rows = slice(0, 1) if by_lanes else slice(None)  # einsum's: all rows at once, as before
    fill_attainment(attainment, rows, s.expertise, offsets(p), disadvantage, s.cohort,
                    by_lanes)
    s.attainment = attainment
    if by_lanes:
        s.attainment_later(fill_attainment, (slice(1, None), s.expertise.copy(), offsets(p),
                                             disadvantage, s.cohort, by_lanes))
    if new_year:
        if p.m2_hidden_needs and np.isfinite(s.rwm_last_year[0]):  # not at the first cohort
            dropped = s.rwm_last_year - s.rwm >= p.results_drop_pp
            s.revealed_until[dropped] = m.term + p.reveal_terms
        s.rwm_last_year = s.rwm.copy()


def fill_attainment(out: np.ndarray, rows: slice, expertise: np.ndarray,
                    offset: np.ndarray, disadvantage: np.ndarray, cohort: np.ndarray,
                    by_lanes: bool) -> None:
    """Columns ``rows`` of ``out`` (n, 4): probit of offsets + expertise . weights -
    fsm_pupil_gap (fsm - centre) + cohort, as % at the expected standard; one row per
    subject, the same operations in the same order as on (n, 4) columns. Each subject's
    values are its own: working out some subjects now and the others later gives the
    same values as all at once."""
    z = subject_sums(expertise, SUBJECT_WEIGHTS[rows], by_lanes)
    for k, value in enumerate(offset[rows].tolist()):
        np.add(value, z[k], out=z[k])
        z[k] -= disadvantage
        z[k] += cohort
    part = out[:, rows]
    ndtr(z, out=part.T)
    part *= 100.0


def column_sums_apply(expertise: np.ndarray) -> bool:
    """Whether `subject_sums` adds columns (6 of them, all finite) rather than call einsum."""
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(np.add.reduce(expertise, axis=None))
    return expertise.shape[1] == 6 and bool(finite)


# einsum's order for a row of 6 (numpy's SSE2 sum of products: two lanes, even and odd
# columns, each summed in column order, then added): the columns of each lane
LANES = ((0, 2, 4), (1, 3, 5))


def subject_sums(expertise: np.ndarray, weights: np.ndarray,
                 by_lanes: bool | None = None) -> np.ndarray:
    """``np.einsum("ij,kj->ik", expertise, weights).T`` (one row per subject), with the
    same bits, computed column by column: einsum runs its 6-term loop once per school
    and subject, ~4x slower. Terms with weight 0 are left out: for finite expertise they
    are zeros, which change no sum but the sign of a zero sum (invisible in the
    attainment, ``ndtr`` of either zero being 0.5); NaN or infinite expertise (seen by
    one sum) goes to einsum itself (``by_lanes``: `column_sums_apply`, if already known).
    tests/test_speed_exact.py checks the order."""
    if by_lanes is None:
        by_lanes = column_sums_apply(expertise)
    if not by_lanes:
        return np.einsum("ij,kj->ik", expertise, weights).T.copy()
    out = np.zeros((len(weights), len(expertise)))
    products: dict[tuple[int, float], np.ndarray] = {}  # shared: e.g. SEND x 0.15

    def term(j: int, w: float) -> np.ndarray:
        if (j, w) not in products:
            products[j, w] = expertise[:, j] * w
        return products[j, w]

    for row, w in zip(out, weights.tolist(), strict=True):
        lanes = []
        for lane in LANES:
            cols = [j for j in lane if w[j] != 0.0]
            if cols:
                total = term(cols[0], w[cols[0]]).copy()
                for j in cols[1:]:
                    total += term(j, w[j])
                lanes.append(total)
        if len(lanes) == 2:
            np.add(lanes[0], lanes[1], out=row)
        elif lanes:
            row[:] = lanes[0]
    return out


def progress_score(m: ClusterModel) -> np.ndarray:
    """KS2-style progress (value added) in points, from effectiveness and the cohort."""
    return m.p.progress_points_per_sd * (m.s.effectiveness - m.eff_mean0 + 0.5 * m.s.cohort)


def below_floor(m: ClusterModel) -> np.ndarray:
    """Below the floor standard: low RWM attainment and low progress (evidence B2-3)."""
    return (m.s.rwm < m.p.floor_rwm) & (progress_score(m) < m.p.floor_progress)
