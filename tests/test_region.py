"""The generated regions match docs/evidence.md sections A-B within stated tolerances."""

from __future__ import annotations

import numpy as np
import pytest
from clustersim.model.model import ClusterModel
from clustersim.model.region import PRESETS, PRIMARY, SECONDARY
from clustersim.model.state import RI


@pytest.fixture(scope="module")
def england():
    return ClusterModel({"preset": "england", "years": 1}, seed=11)


def test_england_structure_matches_evidence(england):
    r = england.s.region
    assert r.n == 20000 and len(r.la_centre) == 150
    primary, secondary = r.phase == PRIMARY, r.phase == SECONDARY
    assert secondary.mean() == pytest.approx(0.17, abs=0.02)            # A: 16,764 / ~3,450
    assert (r.governance[primary] > 0).mean() == pytest.approx(0.427, abs=0.03)   # A
    assert (r.governance[secondary] > 0).mean() == pytest.approx(0.819, abs=0.03)  # A
    assert r.pupils[primary].mean() == pytest.approx(275, abs=35)        # A: mean ~275
    assert r.pupils[secondary].mean() == pytest.approx(1060, abs=100)    # A: mean ~1,060
    assert 0.08 <= (r.pupils[primary] < 100).mean() <= 0.18             # A: ~12% under 100
    assert 95 <= r.pupils[primary & r.rural].mean() <= 140              # A: rural just over 100
    assert 320 <= r.pupils[primary & ~r.rural].mean() <= 420            # A: urban just under 400
    assert (r.trust >= 0).mean() == pytest.approx(8000 / 21000, abs=0.06)  # A: trusts' reach
    assert r.fsm.mean() == pytest.approx(0.24, abs=0.02)


def test_england_quality_matches_evidence(england):
    s, r = england.s, england.s.region
    g = s.grade
    assert 0.86 <= (g < RI).mean() <= 0.91                # B 2023: good or outstanding ~90%
    assert 0.06 <= (g == RI).mean() <= 0.11               # B: RI 8-11%
    assert 0.02 <= (g == 3).mean() <= 0.045               # B: inadequate 2-4%
    assert (g[r.phase == 1] < RI).mean() < (g[r.phase == 0] < RI).mean()  # B: by phase
    q = np.digitize(r.fsm, np.quantile(r.fsm, [0.2, 0.4, 0.6, 0.8]))
    poor = [(g[q == k] >= RI).mean() for k in range(5)]
    assert 3.0 <= poor[4] / poor[0] <= 5.5                # B / P2: deprivation gradient
    assert all(np.diff(poor) > 0)
    assert 57 <= s.rwm.mean() <= 64                       # B2: national RWM 59-60% (65% 2019)
    assert 69 <= s.attainment[:, 1].mean() <= 76         # B2: maths 73%


def test_maximising_progress_is_small_rural_primaries():
    m = ClusterModel({"preset": "maximising_progress", "years": 1}, seed=2)
    r = m.s.region
    assert r.n == 67 and len(r.la_centre) == 4
    assert (r.phase == PRIMARY).all() and r.rural.all()
    assert np.median(r.pupils) < 100


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_runs(preset, run_summary):
    out = run_summary(seed=3, preset=preset, years=1, policies=["superintendent"])
    assert 0 <= out["left_behind"] <= 1 and np.isfinite(out["gap"])


def test_nearest_is_a_true_nearest_neighbour_search():
    """The k-d tree helper returns, for each query, the k nearest points in order of
    distance (checked against brute force)."""
    from clustersim.model.region import nearest
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(5)
    points, queries = rng.random((300, 2)) * 50, rng.random((1000, 2)) * 50
    d, idx = nearest(points, queries, k=4)
    table = cdist(queries, points)
    expected = np.argsort(table, axis=1)[:, :4]
    assert np.array_equal(idx, expected)
    assert np.allclose(d, np.take_along_axis(table, expected, axis=1))


@pytest.mark.parametrize("n_points", [1, 2, 7, 12, 13])
def test_nearest_single_neighbour_of_few_points_matches_the_tree(n_points):
    """k=1 over a handful of points is a scan, not a tree: the same distances (bit for
    bit) and indices as the k-d tree, with the same answer either side of the switch."""
    from clustersim.model.region import nearest
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(n_points)
    points, queries = rng.random((n_points, 2)) * 80, rng.random((3000, 2)) * 80
    d, idx = nearest(points, queries, k=1)
    d_tree, idx_tree = cKDTree(points).query(queries, k=1)
    assert np.array_equal(idx, idx_tree) and np.array_equal(d, d_tree)
    assert d.shape == (3000,) and idx.dtype.kind == "i"


def test_flat_view_writes_through_and_refuses_a_copy():
    from clustersim.model.state import flat

    table = np.zeros((3, 4))
    flat(table)[[1 * 4 + 2, 2 * 4 + 0]] += [5.0, 7.0]
    assert table[1, 2] == 5.0 and table[2, 0] == 7.0
    with pytest.raises(ValueError, match="C-contiguous"):
        flat(table.T)
