"""clustersim: an agent-based model (Mesa) of English school clusters under middle-tier
policies, which asks which policies leave weak schools behind, by how much and why.

The installed package is ``clustersim``; the repository keeps its rooms at the top level
(``model/``, ``agents/``, ``experiments/``, ``viz/``) and installs them as
``clustersim.model`` and so on, so a ``model.py`` or ``agents.py`` in your working folder
(Mesa's own project layout) never shadows them. The public API::

    import clustersim
    clustersim.simulate(seed=1, preset="county", policies=["superintendent"])  # outcomes
    clustersim.run(seed=1, preset="county")                  # + time series, schools
    clustersim.ClusterModel(preset="county", rng=7)          # a Mesa model
    clustersim.salib_problem(["seek_rate", "homophily_weight"])
    clustersim.feasible({"cluster_min_size": 9, "cluster_max_size": 3})
    clustersim.load_batch("results/policy_comparison")        # a batch folder as frames

Names import on first use, so ``import clustersim`` stays light.
"""

from __future__ import annotations

from importlib import import_module, metadata

try:
    __version__ = metadata.version("clustersim")
except metadata.PackageNotFoundError:  # a checkout that is not installed
    __version__ = "0+unknown"

_LAZY = {
    "simulate": "clustersim.model.api",
    "run": "clustersim.model.api",
    "RunResult": "clustersim.model.api",
    "ClusterModel": "clustersim.model.model",
    "PARAMS": "clustersim.model.params",
    "Params": "clustersim.model.param_values",  # a run's parameter values, typed (m.p)
    "POLICIES": "clustersim.model.policies",
    "PRESETS": "clustersim.model.region",
    "SUMMARY": "clustersim.model.metrics",
    "UserError": "clustersim.model.errors",
    "feasible": "clustersim.model.config",
    "salib_problem": "clustersim.model.sampling",
    "params_from_row": "clustersim.model.sampling",
    "load_batch": "clustersim.experiments.analysis.load",
    "ema_model": "clustersim.experiments.credibility.ema",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'clustersim' has no attribute {name!r}")
