"""clustersim's world and its rules: region generation, parameters, mechanisms, policies,
metrics and the Mesa model. Nothing here knows about batches, files or screens.

Light names (the parameter registry, errors) import eagerly; anything that needs mesa,
pandas or the model class is imported on first use, so `clustersim --help` stays fast.
"""

from __future__ import annotations

from model.errors import ParamError, UserError
from model.params import PARAMS

_LAZY = {
    "ClusterModel": "model.model",
    "RunResult": "model.api",
    "run": "model.api",
    "simulate": "model.api",
    "resolve_config": "model.config",
    "PRESETS": "model.region",
    "POLICIES": "model.policies",
    "POLICY_NAMES": "model.policies",
    "METRICS": "model.metrics",
    "SUMMARY": "model.metrics",
}

__all__ = ["PARAMS", "ParamError", "UserError", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'model' has no attribute {name!r}")
