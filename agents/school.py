"""A school: identity, attributes and its partnering decision (M3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.model import ClusterModel


class School(mesa.Agent):
    """One school; ``idx`` is its row in the model's school arrays."""

    model: ClusterModel

    def __init__(self, model: ClusterModel, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def cluster_id(self) -> int:
        return int(self.model.s.cluster[self.idx])

    @property
    def effectiveness(self) -> float:
        return float(self.model.s.effectiveness[self.idx])

    @property
    def grade(self) -> int:
        return int(self.model.s.grade[self.idx])

    def seek_partners(self, willing: list[int]) -> bool:
        """Join or found a cluster with the best-ranked willing candidate that has room.

        Args:
            willing: indices of the schools that would accept this one (or whose cluster
                would), best-ranked first.

        Returns:
            True if the school is in a cluster afterwards.
        """
        m = self.model
        cluster = m.s.cluster
        max_size = m.p.cluster_max_size
        for j in willing:
            if cluster[self.idx] >= 0:
                return True
            cj = cluster[j]
            if cj >= 0:
                if m.c.size[cj] < max_size:
                    m.cluster_agents[int(cj)].admit(self.idx)
                    return True
            else:
                m.found_cluster([self.idx, j], founded="voluntary")
                return True
        return bool(cluster[self.idx] >= 0)
