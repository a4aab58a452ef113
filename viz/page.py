"""The page: SolaraViz's sidebar (inputs, step/play/reset) and clustersim's dashboard.

SolaraViz draws the controls and the inputs and rebuilds the model on Reset; the map,
plots and table are laid out by `components.Dashboard` rather than SolaraViz's
draggable grid, whose fixed-height tiles clip figures of this size. Both share one
reactive model, so Reset swaps the model under the dashboard as well.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from typing import Any

import solara
from mesa.visualization import SolaraViz

from viz.adapter import page_model_class
from viz.components import Dashboard
from viz.inputs import build_inputs, initial_values
from viz.server import PRESET_ENV

PLAY_INTERVAL_MS = 150


def make_page(model_cls: type, inputs: Mapping[str, Mapping[str, Any]],
              name: str = "clustersim") -> Any:
    """A Solara `Page` component showing `model_cls` with the given inputs.

    Each browser session gets its own model, built from the inputs' initial values;
    Reset builds a new one from the values currently set.
    """
    page_cls = page_model_class(model_cls)
    inputs = dict(inputs)
    start = initial_values(inputs)

    @solara.component
    def Page():
        first = solara.use_memo(lambda: page_cls(**start), [])
        model = solara.use_reactive(first)
        SolaraViz(model, components=[], model_params=inputs, name=name,
                  play_interval=PLAY_INTERVAL_MS)
        Dashboard(model.value, start)

    return Page


def run_defaults() -> dict[str, Any]:
    """Initial preset, years, policies and seed, as the model itself defines them.

    The preset can be chosen with the environment variable named by PRESET_ENV.
    """
    from model.config import DEFAULTS, MAX_YEARS
    from model.model import ClusterModel
    from model.region import get_preset

    seed = inspect.signature(ClusterModel.__init__).parameters["seed"].default
    preset = get_preset(os.environ.get(PRESET_ENV) or DEFAULTS["preset"]).name
    return {"preset": preset, "years": DEFAULTS["years"], "max_years": MAX_YEARS,
            "seed": seed, "default_policies": DEFAULTS["policies"]}


def clustersim_inputs() -> dict[str, dict[str, Any]]:
    """The inputs for `model.ClusterModel`, from the model's own declarations."""
    import model

    return build_inputs(model.PARAMS, model.PRESETS, model.POLICIES, **run_defaults())


def clustersim_page() -> Any:
    """The page for clustersim's own model."""
    import model

    return make_page(model.ClusterModel, clustersim_inputs())
