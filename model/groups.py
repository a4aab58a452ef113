"""Group operations on arrays sorted by group id (clusters, providers, trusts).

These run several times a term on small arrays, so they call array methods and ufuncs
directly rather than numpy's Python-level helpers (np.diff, np.flatnonzero, np.clip),
whose overhead dominates below ~10,000 elements.
"""

from __future__ import annotations

import numpy as np


def average(values: np.ndarray) -> float:
    """The mean, as ``ndarray.mean`` computes it (same value), without its overhead."""
    return float(np.add.reduce(values, dtype=float) / len(values))


def rowdot(table: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``table @ weights`` without BLAS. Products over long arrays run multi-threaded
    OpenBLAS, whose last bits depend on the thread count (and forked workers oversubscribe
    the cores); numpy's own einsum loops are single-threaded and exact-reproducible."""
    return np.einsum("ij,j->i", table, weights)


def split_at(seq, ends: list[int]) -> list:
    """Consecutive pieces of ``seq`` (an array or a list) ending at each of ``ends``
    (ascending; the first piece starts at 0). Slicing: np.split costs several us a piece."""
    return [seq[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)] if ends else []


def cumsum_within(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each new value of sorted ``groups``."""
    total = values.cumsum()
    n = len(total)
    if n == 0:
        return total
    starts = np.empty(n, bool)
    starts[0] = True
    np.not_equal(groups[1:], groups[:-1], out=starts[1:])
    first = starts.nonzero()[0]
    run = np.empty_like(first)
    run[:-1] = first[1:] - first[:-1]
    run[-1] = n - first[-1]
    return total - (total[first] - values[first]).repeat(run)


def members_by(labels: np.ndarray, n: int) -> list[np.ndarray]:
    """For each label 0..n-1, the ascending indices that carry it (negative labels, such
    as 'no trust', are left out). One sort instead of n scans of the whole array."""
    order = np.argsort(labels, kind="stable")
    counts = np.bincount(labels[labels >= 0], minlength=n)
    return split_at(order[len(labels) - counts.sum():], np.cumsum(counts).tolist())
