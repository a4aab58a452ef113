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


def stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` for float keys, e.g. needs or effectiveness
    in a broker's priority order. Distinct values have one sorted order, so the default
    (introsort, ~3x faster on floats) finds the same permutation; if any two values are
    equal (a tie a stable sort breaks by position) or NaN, the stable sort decides."""
    order = np.argsort(values)
    ranked = values[order]
    if np.any(ranked[1:] == ranked[:-1]) or np.isnan(ranked[-1:]).any():  # NaN sort last
        return np.argsort(values, kind="stable")
    return order


def argmax_slabs(values: np.ndarray, with_max: bool = False):
    """``values.argmax(axis=0)`` for a short axis 0 (e.g. a cluster's member slots, a
    school's CPD domains): one whole-slab comparison per position along it, instead of
    argmax's loop per element of the result. A strict ``>`` keeps the first of equal
    values, as argmax does, for any values but NaN; if a sum of them all is NaN (a NaN,
    or infinities of both signs), argmax itself decides. ``with_max=True`` also returns
    the maximum: the value at that position, but for a zero's sign (of equal zeros,
    np.maximum keeps the later one's)."""
    with np.errstate(invalid="ignore"):
        if len(values) == 0 or np.isnan(np.add.reduce(values, axis=None)):
            at = values.argmax(axis=0)
            if not with_max:
                return at
            return at, np.take_along_axis(values, at[None], axis=0)[0]
    kind = np.int8 if len(values) <= 127 else np.intp  # positions as bytes if they fit
    at = np.zeros(values.shape[1:], kind)
    top = values[0].copy()
    for k in range(1, len(values)):
        v = values[k]
        # where v is larger, k: it exceeds every earlier position (no masked write: slow)
        np.maximum(at, np.greater(v, top) * kind(k), out=at)
        np.maximum(top, v, out=top)
    at = at.astype(np.intp, copy=False)
    return (at, top) if with_max else at


def top_ranked(values: np.ndarray, count: int) -> np.ndarray:
    """``np.argsort(-values, axis=1, kind="stable")[:, :count]`` for short rows (a few
    columns): each element's rank in its row is counted by comparing whole columns,
    pair by pair (the larger first; of equal values, the earlier column first, as a
    stable sort keeps them), and the columns ranked 0 .. count-1 are read off. Several
    times faster than sorting each short row. For any values but NaN; if a sum of them
    all is NaN (a NaN, or infinities of both signs), argsort itself decides."""
    rows, k = values.shape
    with np.errstate(invalid="ignore"):
        if k > 127 or np.isnan(np.add.reduce(values, axis=None)):
            return np.ascontiguousarray(np.argsort(-values, axis=1, kind="stable")[:, :count])
    cols = np.ascontiguousarray(values.T)
    rank = np.zeros((k, rows), np.int8)
    ahead = np.empty(rows, bool)
    for j in range(1, k):
        for i in range(j):
            np.greater_equal(cols[i], cols[j], out=ahead)  # i ranks before j
            rank[j] += ahead
            rank[i] += 1
            rank[i] -= ahead                            # j ranks before i
    top = np.zeros((min(count, k), rows), np.int8)
    at = np.empty(rows, bool)
    for r, column in enumerate(top):
        for j in range(1, k):  # every row has exactly one column of rank r
            np.equal(rank[j], r, out=at)
            column += at * np.int8(j)
    return top.T.astype(np.intp, order="C")  # C order, as argsort's: callers ravel it


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
