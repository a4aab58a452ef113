"""Group helpers and the provider capacity rule against plain-Python references."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from model.groups import cumsum_within
from model.mechanisms.commissioning import _allocate


@given(st.lists(st.tuples(st.integers(0, 4), st.floats(0, 100)), max_size=40))
def test_cumsum_within_restarts_per_group(pairs):
    pairs.sort(key=lambda p: p[0])
    groups = np.array([g for g, _ in pairs], int)
    values = np.array([v for _, v in pairs], float)
    expected, running, last = [], 0.0, None
    for g, v in pairs:
        running = v if g != last else running + v
        last = g
        expected.append(running)
    assert np.allclose(cumsum_within(groups, values), expected)


@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 50)), min_size=1, max_size=30),
       st.lists(st.floats(0, 120), min_size=4, max_size=4))
def test_capacity_is_shared_in_priority_order(applicants, capacity):
    """Applicants are listed in priority order; each provider serves them in that order."""
    prov = np.array([a[0] for a in applicants], np.int16)
    demand = np.array([a[1] for a in applicants])
    cap = np.array(capacity)
    granted = _allocate(prov, demand, cap)
    left = cap.copy()
    for k in range(len(prov)):  # reference: serve applicants one by one, in list order
        give = min(demand[k], max(0.0, left[prov[k]]))
        assert np.isclose(granted[k], give, atol=1e-9)
        left[prov[k]] -= give
    assert (np.bincount(prov, granted, minlength=4) <= cap + 1e-9).all()
