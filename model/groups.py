"""Group operations on arrays sorted by group id (clusters, providers, trusts).

These run several times a term on small arrays, so they call array methods and ufuncs
directly rather than numpy's Python-level helpers (np.diff, np.flatnonzero, np.clip),
whose overhead dominates below ~10,000 elements.
"""

from __future__ import annotations

import numpy as np


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
    order = order[len(labels) - counts.sum():]
    ends = np.cumsum(counts).tolist()  # slices: np.split costs several us a piece
    return [order[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)] if ends else []
