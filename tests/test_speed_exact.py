"""The faster forms of issue 18 give the very bits of the forms they replace.

Each compares a rewritten computation with the numpy call it stands for, on random
data with ties, zeros, infinities and NaN: einsum's summation order
(`attainment.subject_sums`), argmax's first-of-equals choice (`groups.argmax_slabs`,
`needs.largest_gap`), a stable argsort's order (`groups.top_ranked`,
`groups.stable_argsort`) and a mean's
(`partnering.complementarity`). A numpy whose einsum sums in another order fails here
first.
"""

from __future__ import annotations

import numpy as np
import pytest
from clustersim.model.groups import argmax_slabs, stable_argsort, top_ranked
from clustersim.model.mechanisms.attainment import subject_sums
from clustersim.model.mechanisms.needs import largest_gap
from clustersim.model.mechanisms.partnering import complementarity
from clustersim.model.schema import SUBJECT_WEIGHTS
from clustersim.model.state import CPD_DOMAINS, flat


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.uint64)


@pytest.mark.parametrize("seed", range(4))
def test_subject_sums_are_einsums_bits(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (50_000, 6)) * 10.0 ** rng.integers(-3, 3, (50_000, 1))
    weights = rng.normal(0, 1, (5, 6))
    weights[rng.random(weights.shape) < 0.3] = 0.0
    for w in (SUBJECT_WEIGHTS, weights):
        want = np.einsum("ij,kj->ik", x, w).T
        got = subject_sums(x, w)
        nonzero = want != 0  # a zero sum's sign may differ (documented)
        assert np.array_equal(_bits(got)[nonzero], _bits(want)[nonzero])
        assert np.array_equal(got, want)


def test_subject_sums_defer_to_einsum_off_the_finite_path():
    x = np.ones((10, 6))
    x[3, 5] = np.inf
    x[4, 2] = np.nan
    want = np.einsum("ij,kj->ik", x, SUBJECT_WEIGHTS).T
    assert np.array_equal(subject_sums(x, SUBJECT_WEIGHTS), want, equal_nan=True)


@pytest.mark.parametrize("seed", range(6))
def test_argmax_slabs_is_argmax(seed):
    rng = np.random.default_rng(seed)
    width = [1, 2, 7, 3, 200, 5][seed]
    v = np.round(rng.normal(0, 1, (width, 3000, 6)), seed % 3)  # rounding makes ties
    v[rng.random(v.shape) < 0.2] = -np.inf
    if seed == 3:
        v[rng.random(v.shape) < 0.01] = np.inf
    if seed == 5:
        v[0, 0, 0] = np.nan
    got = argmax_slabs(v)
    assert got.dtype == np.intp and np.array_equal(got, v.argmax(axis=0))


@pytest.mark.parametrize("seed", range(5))
def test_largest_gap_is_argmax(seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(0, 1, (50_000, 6)), seed % 4)
    if seed == 3:
        x[rng.integers(0, 50_000, 50), rng.integers(0, 6, 50)] = np.inf
    if seed == 4:
        x[rng.integers(0, 50_000, 50), rng.integers(0, 6, 50)] = np.nan
    benchmark = float(rng.normal())
    gap = benchmark - x[:, :5]
    k = np.argmax(gap, axis=1)
    need = flat(gap)[np.arange(0, gap.size, 5) + k]
    got_k, got_need = largest_gap(benchmark, x)
    assert np.array_equal(got_k, k)
    assert np.array_equal(_bits(got_need), _bits(need))


@pytest.mark.parametrize("seed", range(6))
def test_top_ranked_is_a_stable_argsort(seed):
    rng = np.random.default_rng(seed)
    k = [6, 1, 2, 3, 6, 8][seed]
    v = np.round(rng.normal(0, 1, (20_000, k)), seed % 3)  # rounding makes ties
    v[rng.random(v.shape) < 0.1] = -np.inf
    if seed == 4:
        v[rng.random(v.shape) < 0.01] = np.inf
    if seed == 5:
        v[3, 0] = np.nan
    for count in (1, 4, 9):
        want = np.argsort(-v, axis=1, kind="stable")[:, :count]
        got = top_ranked(v, count)
        assert got.dtype == want.dtype and np.array_equal(got, want)
        assert got.flags.c_contiguous  # callers index its ravel as argsort's


@pytest.mark.parametrize("shape", [(1, 1), (3, 8), (600, 8), (4000, 16), (50, 1)])
def test_complementarity_is_the_mean_over_domains(shape):
    rng = np.random.default_rng(shape[0])
    x = np.round(rng.normal(0, 1, (5000, 6)), 2)  # rounding makes zeros and ties
    seekers = rng.permutation(5000)[: shape[0]]
    nb = rng.integers(0, 5000, shape)
    strengths = x[:, CPD_DOMAINS]
    want = np.maximum(0.0, strengths.take(nb, axis=0)
                      - strengths.take(seekers, axis=0)[:, None, :]).mean(axis=2)
    got = complementarity(x, seekers, nb)
    assert np.array_equal(got, want)
    positive = want != 0  # a zero's sign never reaches a score (it is added to others)
    assert np.array_equal(_bits(got)[positive], _bits(want)[positive])


@pytest.mark.parametrize("seed", range(8))
def test_stable_argsort_is_a_stable_argsort(seed):
    rng = np.random.default_rng(seed)
    v = rng.normal(0, 1, [0, 1, 2, 50, 3000, 3000, 3000, 3000][seed])
    if seed == 4:
        v = np.round(v, 1)  # ties
    if seed == 5:
        v[[3, 9, 12]] = np.nan
    if seed == 6:
        v[0], v[1] = 0.0, -0.0  # equal keys with different bits
    if seed == 7:
        v[[5, 6, 7]] = [np.inf, -np.inf, np.inf]
    assert np.array_equal(stable_argsort(v), np.argsort(v, kind="stable"))


def test_cluster_slots_with_no_members_and_a_restored_world_shares_only_frozen_arrays():
    """The slot table of a region with no cluster members is empty (its flat write had a
    zero step); a restored world shares the build's read-only arrays and copies the rest."""
    from clustersim.model.model import ClusterModel

    m = ClusterModel({"preset": "maximising_progress", "years": 1}, 3, keep_world=True)
    m.s.cluster[:] = -1
    m.membership_version += 1
    ids, slots = m.cluster_slots()
    assert len(ids) == 0 and slots.shape == (0, 0)
    world = m.world
    again = ClusterModel({"preset": "maximising_progress", "years": 1}, 3, world=world)
    assert again.nbr is m.nbr and not again.nbr.flags.writeable
    assert again.s is not m.s and again.s.expertise.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        again.decay[0] = 1.0
