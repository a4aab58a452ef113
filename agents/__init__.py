"""Who decides: the brokers, as Mesa agents.

Schools, clusters and providers are rows of the model's arrays (``model.s``, ``model.c``,
``model.providers``): 20,000 schools and thousands of clusters a run are updated in
vectorised passes, and a school's application to partners (M3) is one turn of the
partnering pass (`clustersim.model.mechanisms.partnering`). The Mesa agents are the
brokers, whose decisions are per agent: a local authority groups its schools, a
superintendent's office places its schools when it acts, a trust's central team serves
its members. Agents reach the world through ``self.model`` at run time; nothing here
imports ``clustersim.model`` except for type checking.
"""

from clustersim.agents.broker import Broker

__all__ = ["Broker"]
