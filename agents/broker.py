"""A middle-tier broker: a local authority, a superintendent's office or a trust.

The broker's behaviour *is* the policy (docs/ODD.md section 7.4): each term Mesa asks
the brokers to act in a random order and each asks its policy what to do
(``policy.act_broker``): a local authority regroups its unclustered schools, a
superintendent's office places its schools (seeing the offices that acted before it).
The broker carries the per-jurisdiction decisions: which schools to group and how.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel


class Broker(mesa.Agent):
    """A broker with a jurisdiction (school indices) and a capacity per term; ``la`` is
    its local authority, if it serves one (-1 for a trust)."""

    model: ClusterModel

    def __init__(self, model: ClusterModel, kind: str, jurisdiction: np.ndarray, policy,
                 la: int = -1):
        super().__init__(model)
        self.kind = kind
        self.jurisdiction = jurisdiction
        self.policy = policy
        self.la = la
        s, n = model.s, len(jurisdiction)
        # its seat: the mean position of its schools (as model.groups.average sums)
        self.x = float(np.add.reduce(s.x[jurisdiction], dtype=float) / n) if n else 0.0
        self.y = float(np.add.reduce(s.y[jurisdiction], dtype=float) / n) if n else 0.0

    def act(self) -> None:
        self.policy.act_broker(self)

    def group_schools(self, schools: np.ndarray, size: int) -> int:
        """Form clusters of about ``size`` neighbouring schools; return how many were formed."""
        groups = self.plan_groups(schools, size)
        self.model.found_clusters(groups, founded="brokered")
        return len(groups)

    def plan_groups(self, schools: np.ndarray, size: int) -> list[np.ndarray]:
        """Split ``schools`` into groups of about ``size`` neighbours (nearby in Morton
        order); a remainder too small for a cluster stays out."""
        m = self.model
        if len(schools) < m.p.cluster_min_size:
            return []
        order = schools[np.argsort(m.spatial_key[schools], kind="stable")]
        n_groups = max(1, -(-len(order) // min(size, m.p.cluster_max_size)))
        # as np.array_split: the first len % n_groups groups get one school more
        base, extra = divmod(len(order), n_groups)
        k = np.arange(1, n_groups + 1)
        ends = (k * base + np.minimum(k, extra)).tolist()
        return [g for g in (order[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True))
                if len(g) >= m.p.cluster_min_size]
