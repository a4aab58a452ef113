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
        s.cohort = p.cohort_noise / np.sqrt(cohort_size) * m.streams["attainment"].normal(0, 1, s.n)
    z = (offsets(p)[None, :] + np.einsum("ij,kj->ik", s.expertise, SUBJECT_WEIGHTS)
         - p.fsm_pupil_gap * (r.fsm - FSM_CENTRE)[:, None] + s.cohort[:, None])
    s.attainment = 100.0 * ndtr(z)
    if new_year:
        if p.m2_hidden_needs and np.isfinite(s.rwm_last_year[0]):  # not at the first cohort
            dropped = s.rwm_last_year - s.rwm >= p.results_drop_pp
            s.revealed_until[dropped] = m.term + p.reveal_terms
        s.rwm_last_year = s.rwm.copy()


def progress_score(m: ClusterModel) -> np.ndarray:
    """KS2-style progress (value added) in points, from effectiveness and the cohort."""
    return m.p.progress_points_per_sd * (m.s.effectiveness - m.eff_mean0 + 0.5 * m.s.cohort)


def below_floor(m: ClusterModel) -> np.ndarray:
    """Below the floor standard: low RWM attainment and low progress (evidence B2-3)."""
    return (m.s.rwm < m.p.floor_rwm) & (progress_score(m) < m.p.floor_progress)
