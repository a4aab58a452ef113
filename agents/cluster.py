"""A cluster of schools: membership and dissolution (M3, M4); schools join through the
model's membership passes (`model.membership`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel


class Cluster(mesa.Agent):
    """A group of schools working together; ``cid`` indexes the model's cluster arrays."""

    model: ClusterModel

    def __init__(self, model: ClusterModel, cid: int, founded: str):
        super().__init__(model)
        self.cid = cid
        self.founded = founded

    @property
    def members(self) -> np.ndarray:
        return np.flatnonzero(self.model.s.cluster == self.cid)

    @property
    def size(self) -> int:
        return int(self.model.c.size[self.cid])

    @property
    def cohesion(self) -> float:
        return float(self.model.c.cohesion[self.cid])

    def dissolve(self, release: bool = True) -> None:
        """Release every member and leave the model (M4: the marriage has failed).

        ``release=False`` when the caller has already released the members in bulk.
        """
        m = self.model
        if release:
            m.dissolve_clusters(np.array([self.cid]))
            return
        m.c.alive[self.cid] = False
        m.c.size[self.cid] = 0
        m.dissolved_this_term += 1
        del m.cluster_agents[self.cid]
        self.remove()
