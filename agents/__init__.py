"""Who acts: schools, clusters, brokers (and, later, providers) as Mesa agents.

Agents carry identity and genuinely per-agent decisions; their numeric state lives in
the model's arrays, reached through ``self.model`` at run time. Nothing here imports
from ``model``.
"""

from clustersim.agents.broker import Broker
from clustersim.agents.cluster import Cluster
from clustersim.agents.provider import Provider
from clustersim.agents.school import School

__all__ = ["Broker", "Cluster", "Provider", "School"]
