"""M13's school response to a poor grade, and the burn-in's clean state (issue 14)."""

from __future__ import annotations

import numpy as np
from clustersim.model.mechanisms import inspection
from clustersim.model.model import ClusterModel
from clustersim.model.state import BUSINESS, RI, initial_state

NONE = np.iinfo(np.int32).min


def model(**params) -> ClusterModel:
    return ClusterModel({"preset": "maximising_progress", "years": 1, **params}, 1)


def test_the_response_adds_its_measured_gain_net_of_fading():
    """Over the inspection_response_terms terms after the verdict's, each opened by the
    relax towards the anchor that learning applies, a responding school ends
    inspection_response SD higher in every teaching domain (evidence B12 measured the net
    gain); others do not move, and the response stops after its last term."""
    m = model()
    s, p = m.s, m.p
    responding = np.arange(5)
    s.response_until[:] = NONE
    s.response_until[responding] = m.term + p.inspection_response_terms  # as inspect sets it
    before = s.expertise.copy()
    r = m.decay[:, None]
    for _ in range(p.inspection_response_terms):
        m.term += 1
        s.expertise -= r * (s.expertise - before)  # turnover's relax comes first in a term
        inspection.respond(m)
    gain = s.expertise - before
    assert np.allclose(gain[responding, :BUSINESS], p.inspection_response)
    assert np.allclose(gain[responding, BUSINESS], 0.0)
    assert np.allclose(gain[5:], 0.0)
    m.term += 1
    inspection.respond(m)  # the response is over
    assert np.allclose(s.expertise - before, gain)


def test_a_poor_grade_is_answered_for_exactly_its_response_terms():
    """The schedule as the model runs it: inspect grades a school poorly at term t, and
    respond (called at the start of each later term's inspection) adds to it at terms
    t+1 .. t+T and at no other. Before the fix it stopped at t+T-1, so the gain at the
    next inspection was ~0.07 SD rather than B12's ~0.10 less a term's fade."""
    m = model(inspection_noise_sd=0.0)
    s, p = m.s, m.p
    s.next_inspection[:] = m.term
    s.response_until[:] = NONE
    poor = inspection.inspect(m)
    assert len(poor)
    answered = []
    for _ in range(p.inspection_response_terms + 3):
        m.term += 1
        before = s.expertise[poor, :BUSINESS].copy()
        inspection.respond(m)
        answered.append(bool((s.expertise[poor, :BUSINESS] != before).all()))
    assert answered == [True] * p.inspection_response_terms + [False] * 3


def test_no_response_when_its_size_is_zero():
    m = model(inspection_response=0.0)
    m.s.response_until[:] = m.term + 6
    before = m.s.expertise.copy()
    inspection.respond(m)
    assert np.array_equal(m.s.expertise, before)


def test_a_poor_grade_starts_the_response():
    m = model(inspection_noise_sd=0.0)
    s, p = m.s, m.p
    s.next_inspection[:] = m.term  # everyone is due
    s.response_until[:] = NONE
    poor = inspection.inspect(m)
    assert len(poor) and (s.grade[poor] >= RI).all()
    assert (s.response_until[poor] == m.term + p.inspection_response_terms).all()
    good = np.setdiff1d(np.arange(s.n), poor)
    assert (s.response_until[good] == NONE).all()


def test_the_burn_in_starts_clean_and_clears_each_terms_tallies():
    """Before the fix, needs counted as revealed through the whole burn-in (the marker
    started at 0 and burn-in terms are negative), and the burn-in never cleared the
    term's CPD tallies, so quality-weighted hours piled up over its 24 terms."""
    m = model()
    region = m.s.region
    fresh = initial_state(region, m.p_before, np.random.default_rng(0))
    assert (fresh.revealed_until == NONE).all() and (fresh.response_until == NONE).all()
    county = ClusterModel({"preset": "county", "years": 1}, 1)
    # one term's hours: at most the cap of quality-weighted hours plus funded support
    assert county.s.q_sustained.max() < 2 * county.p.cpd_hours_cap


def test_without_any_fading_the_response_adds_its_gain_in_equal_steps():
    """With no staff turnover and no skill fade (r = 0) the rule's limit is G / T a term;
    before, 0 / 0 made every responding school's expertise NaN (found by
    tests/test_invariants.py's hypothesis search)."""
    m = model(turnover_rate=0.0, skill_fade_year=0.0)
    s, p = m.s, m.p
    assert (m.decay == 0).all()
    s.response_until[:] = NONE
    s.response_until[:3] = m.term + p.inspection_response_terms
    before = s.expertise.copy()
    for _ in range(p.inspection_response_terms):
        m.term += 1
        inspection.respond(m)
    assert np.allclose(s.expertise[:3, :BUSINESS] - before[:3, :BUSINESS],
                       p.inspection_response)
