"""The page: `components.ClusterPage` (inputs, baseline and policy, map, charts, replicates).

Kept as its own module so `app.py` and the tests import one name.
"""

from __future__ import annotations

from typing import Any


def clustersim_page() -> Any:
    """The Solara page component for clustersim's own model."""
    from clustersim.viz.components import ClusterPage

    return ClusterPage
