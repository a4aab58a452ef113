"""clustersim's world and its rules: region generation, parameters, mechanisms, policies,
metrics and the Mesa model. Nothing here knows about batches, files or screens.

Light names (the parameter registry, errors) import eagerly; anything that needs mesa,
pandas or the model class is imported on first use, so `clustersim --help` stays fast.
"""

from __future__ import annotations

from clustersim.model.errors import ParamError, UserError
from clustersim.model.params import PARAMS

_LAZY = {
    "ClusterModel": "clustersim.model.model",
    "RunResult": "clustersim.model.api",
    "run": "clustersim.model.api",
    "simulate": "clustersim.model.api",
    "resolve_config": "clustersim.model.config",
    "PRESETS": "clustersim.model.region",
    "POLICIES": "clustersim.model.policies",
    "POLICY_NAMES": "clustersim.model.policies",
    "METRICS": "clustersim.model.metrics",
    "SUMMARY": "clustersim.model.metrics",
}

__all__ = ["PARAMS", "ParamError", "UserError", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'model' has no attribute {name!r}")
