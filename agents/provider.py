"""A service provider (seed 000's list): identity and its market offer.

Prices, qualities, capacities and revenue live in the model's provider arrays
(``model.providers``); schools' purchases are allocated in the commissioning phase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from clustersim.model.model import ClusterModel


class Provider(mesa.Agent):
    """One provider; ``idx`` is its row in the model's provider arrays."""

    model: ClusterModel

    def __init__(self, model: ClusterModel, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def kind(self) -> str:
        return self.model.providers.kind_name(self.idx)

    @property
    def x(self) -> float:
        return float(self.model.providers.x[self.idx])

    @property
    def y(self) -> float:
        return float(self.model.providers.y[self.idx])

    def offer(self) -> dict:
        """What the provider sells: domains, format, price, quality, capacity."""
        pr = self.model.providers
        return {"kind": self.kind, "domains": pr.domains[self.idx].nonzero()[0].tolist(),
                "sustained": bool(pr.sustained[self.idx]), "price": float(pr.price[self.idx]),
                "quality": float(pr.quality[self.idx]), "capacity": float(pr.capacity[self.idx])}
