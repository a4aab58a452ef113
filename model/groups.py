"""Group operations on arrays sorted by group id (clusters, providers, trusts)."""

from __future__ import annotations

import numpy as np


def cumsum_within(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each new value of sorted ``groups``."""
    total = np.cumsum(values)
    starts = np.r_[True, groups[1:] != groups[:-1]]
    offset = np.maximum.accumulate(np.where(starts, total - values, 0.0))
    return total - offset
