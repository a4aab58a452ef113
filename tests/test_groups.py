"""Group helpers, trust sizes, Morton keys and the provider capacity rule against
plain-Python references."""

from __future__ import annotations

import numpy as np
from clustersim.model.groups import average, cumsum_within, members_by, split_at
from clustersim.model.mechanisms.commissioning import _allocate
from clustersim.model.region import _draw_sizes, _trust_sizes, spatial_order
from hypothesis import given, settings
from hypothesis import strategies as st


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


@given(st.lists(st.integers(-1, 5), max_size=40))
def test_members_by_matches_a_scan_per_label(labels):
    labels = np.array(labels, np.int64)
    groups = members_by(labels, 6)
    assert len(groups) == 6
    for k, idx in enumerate(groups):
        assert idx.tolist() == np.flatnonzero(labels == k).tolist()


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50))
def test_average_is_ndarray_mean_exactly(values):
    a = np.array(values)
    assert average(a) == float(a.mean())


@given(st.lists(st.integers(0, 5), max_size=10))
def test_split_at_cuts_consecutive_pieces(sizes):
    seq = list(range(sum(sizes)))
    ends = np.cumsum(sizes).tolist()
    pieces = split_at(seq, ends)
    assert [len(x) for x in pieces] == sizes
    assert [v for x in pieces for v in x] == seq
    assert split_at(np.arange(4), [4])[0].tolist() == [0, 1, 2, 3]


def test_members_by_no_labels_is_no_groups():
    assert members_by(np.array([-1, -1], np.int64), 0) == []


@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=1,
                max_size=30), st.integers(1, 16))
def test_morton_keys_interleave_the_bits(points, bits):
    x, y = (np.array(v, float) for v in zip(*points, strict=True))
    keys = spatial_order(x, y, bits=bits)

    def scaled(v):
        span = np.ptp(v) or 1.0
        return ((v - v.min()) / span * (2**bits - 1)).astype(np.int64)

    xi, yi = scaled(x), scaled(y)
    for k, a, b in zip(keys.tolist(), xi.tolist(), yi.tolist(), strict=True):
        expected = sum(((a >> i) & 1) << (2 * i) | ((b >> i) & 1) << (2 * i + 1)
                       for i in range(bits))
        assert k == expected


@given(st.integers(2, 400), st.integers(0, 2**32 - 1))
def test_trust_sizes_cover_the_academies_exactly(total, seed):
    sizes = _trust_sizes(total, _draw_sizes(-(-total // 2), np.random.default_rng(seed)))
    assert sizes.sum() == total
    assert (sizes >= 2).all()


@settings(deadline=None)  # the first example builds the model
@given(st.integers(0, 67), st.integers(2, 12))  # maximising_progress has 67 schools
def test_plan_groups_splits_the_morton_order_evenly(count, size):
    """A broker's groups are consecutive runs of its schools in Morton order, as even as
    possible (the first ones one school larger), and runs too small for a cluster stay out."""
    m = _county_model()
    b = m.brokers[0]
    schools = np.arange(count)
    groups = b.plan_groups(schools, size)
    min_size = m.p.cluster_min_size
    if count < min_size:
        assert groups == []
        return
    order = schools[np.argsort(m.spatial_key[schools], kind="stable")]
    expected = [g for g in np.array_split(order, max(1, -(-count // min(
        size, m.p.cluster_max_size)))) if len(g) >= min_size]
    assert [g.tolist() for g in groups] == [g.tolist() for g in expected]


_MODEL = []


def _county_model():
    """One small real model, built once for the property test above."""
    if not _MODEL:
        from clustersim.model.model import ClusterModel
        _MODEL.append(ClusterModel({"preset": "maximising_progress",
                                    "policies": ["local_authority"], "years": 1}, seed=3))
    return _MODEL[0]
