"""Group operations on arrays sorted by group id (clusters, providers, trusts)."""

from __future__ import annotations

import numpy as np


def cumsum_within(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each new value of sorted ``groups``."""
    total = np.cumsum(values)
    if len(total) == 0:
        return total
    starts = np.empty(len(groups), bool)
    starts[0] = True
    np.not_equal(groups[1:], groups[:-1], out=starts[1:])
    first = np.flatnonzero(starts)
    return total - np.repeat(total[first] - values[first], np.diff(first, append=len(groups)))
