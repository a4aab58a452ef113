"""Turn the page's flat input values into a `ClusterModel(config=..., seed=...)`.

SolaraViz re-creates the model on Reset as ``type(model)(**input_values)``. The model
takes one `config` dict and a seed, so `page_model_class` wraps it in a subclass whose
constructor only regroups the inputs: policy checkboxes become the `policies` list, the
rest go into `config` unchanged. It adds no behaviour.
"""

from __future__ import annotations

import functools
from typing import Any

from viz.inputs import POLICY_PREFIX


def parse_seed(seed: Any) -> int:
    """The seed typed in the page, as a non-negative integer (ValueError otherwise)."""
    text = str(seed).strip()
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"seed must be a whole number, got {text!r}") from None
    if value < 0:
        raise ValueError(f"seed must be 0 or more, got {value}")
    return value


def split_inputs(inputs: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Split input values into (chosen policy names, other config entries)."""
    policies = [k.removeprefix(POLICY_PREFIX) for k, v in inputs.items()
                if k.startswith(POLICY_PREFIX) and v]
    rest = {k: v for k, v in inputs.items() if not k.startswith(POLICY_PREFIX)}
    return policies, rest


@functools.cache
def page_model_class(base: type) -> type:
    """A subclass of `base` built from the page's keyword inputs (see module doc)."""

    def __init__(self, *, preset: str, years: int, seed: Any, scenario: Any = None,
                 **inputs: Any) -> None:
        # Reset also passes Mesa's `scenario`; the model does not use Mesa scenarios
        # (the seed input fixes all its randomness), so it is dropped here.
        del scenario
        policies, overrides = split_inputs(inputs)
        config = {"preset": preset, "policies": policies, "years": int(years), **overrides}
        base.__init__(self, config=config, seed=parse_seed(seed))

    return type(base.__name__, (base,), {"__init__": __init__, "__module__": __name__,
                                         "__doc__": f"{base.__name__} built from page inputs."})
