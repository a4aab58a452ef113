"""A school: identity, attributes and its partnering decision (M3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel


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

    def seek_partners(self, willing: list[int], view) -> bool:
        """Join or found a cluster with the best-ranked willing candidate that has room.

        Args:
            willing: indices of the schools that would accept this one (or whose cluster
                would), best-ranked first.
            view: the term's working view of membership (``model.membership``): who is
                in which cluster so far, which clusters have room.

        Returns:
            True if the school is in a cluster afterwards.
        """
        me = self.idx
        for j in willing:
            if view.cluster_of(me) >= 0:
                return True
            cj = view.cluster_of(j)
            if cj >= 0:
                if view.has_room(cj):
                    view.join(me, cj)
                    return True
            else:
                view.found([me, j])
                return True
        return view.cluster_of(me) >= 0
