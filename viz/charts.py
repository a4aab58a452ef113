"""Interactive charts (Vega-Lite, drawn in the browser) and the data they are fed.

Each chart is a `VegaView`: its spec is sent once, embedded once in the browser, and
after that only its named data sets travel (a few kB per step), so a step never redraws
a figure on the server. Vega's own interactions come for free: hover tooltips, zoom and
pan (wheel, drag; double-click resets), legends that toggle a scenario.

Specs are plain Vega-Lite 5 dicts (what the offline assets of `scripts/setup_web.py`
serve); the data functions read only what the model exposes (`model.s`, `history`,
brokers) and `model.metrics.METRICS` for names, units and descriptions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import ipyvuetify as v
import numpy as np
import traitlets

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
ROLES = ("baseline", "policy")
ROLE_COLOURS = ("#4575b4", "#d73027")
# the equity outcomes plotted at first (names of model.metrics.METRICS; the page offers all)
DEFAULT_OUTCOMES = ("left_behind", "gap", "isolation_weak", "cpd_access_ratio")
MAP_SHOWS = ("baseline", "policy", "difference")
MAP_COLOURS = ("effectiveness", "grade")
EFFECT_LIMIT = 0.8  # colour scale of effectiveness, SD either side of 0
GRADE_RANGE = ("#1a9641", "#a6d96a", "#fdae61", "#d7191c")  # by model.state.GRADES
BROKER_SHAPES = ("diamond", "cross", "triangle-up", "square")
CHART_HEIGHT = 170


class VegaView(v.VuetifyTemplate):
    """A Vega-Lite view fed with data: see viz/vega_view.vue.

    `feed` sends only the columns that changed since the last call: ``datasets`` is
    ``{"generation": g, "version": v, "sets": {name: {column: values}}}`` and the
    browser merges it into the columns it holds for generation g (a new generation,
    after a reset, starts afresh). A view mounted anew asks for everything
    (`vue_resend`).
    """

    template_file = str(Path(__file__).with_name("vega_view.vue").resolve())
    spec = traitlets.Dict().tag(sync=True)
    datasets = traitlets.Dict().tag(sync=True)
    static_datasets = traitlets.Dict().tag(sync=True)
    version = traitlets.Int(0).tag(sync=True)
    aspect = traitlets.Float(0.0).tag(sync=True)  # height / width; 0: the spec's height
    renderer = traitlets.Unicode("canvas").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._static: Any = None
        self._sent: dict[str, dict[str, list]] = {}
        self._generation = 0

    def feed(self, static: dict, current: Mapping[str, Mapping[str, list]],
             version: int) -> None:
        """Send ``static`` if it is a new object (a reset), and the changed columns."""
        with self.hold_sync():
            if static is not self._static:
                self._static, self._sent = static, {}
                self._generation += 1
                self.static_datasets = static
            changed: dict[str, dict[str, list]] = {}
            for name, columns in current.items():
                sent = self._sent.setdefault(name, {})
                new = {c: vals for c, vals in columns.items() if sent.get(c) != vals}
                sent.update(new)
                changed[name] = new
            self.version = version
            # the version in the payload too: a payload equal to the last is still sent
            self.datasets = {"generation": self._generation, "version": version,
                             "sets": changed}

    def vue_resend(self, _data: Any = None) -> None:
        self._generation += 1
        self.datasets = {"generation": self._generation, "version": self.version,
                         "sets": {name: dict(cols) for name, cols in self._sent.items()}}


# ------------------------------------------------------------------------ helpers
def clean(values: Iterable[float], digits: int = 4) -> list[float | None]:
    """Rounded floats, NaN and infinities as None (JSON has no NaN; Vega skips nulls)."""
    out: list[float | None] = []
    for x in values:
        x = float(x)
        out.append(round(x, digits) if math.isfinite(x) else None)
    return out


def metric_declarations() -> dict[str, Any]:
    """name -> Metric, as the model declares them (read at each call: they may change)."""
    from clustersim.model.metrics import METRICS

    return {m.name: m for m in METRICS}


def default_outcomes(declared: Iterable[str]) -> list[str]:
    names = list(declared)
    chosen = [n for n in DEFAULT_OUTCOMES if n in names]
    return chosen or names[:4]


def is_fraction(unit: str) -> bool:
    return unit.startswith("fraction") or unit == "0-1"


# ------------------------------------------------------------------- outcome charts
def outcome_spec(name: str, description: str, unit: str) -> dict[str, Any]:
    """Baseline and policy over the terms, the gap between them shaded.

    Data sets: ``series`` (term, year, baseline, policy) and ``extent`` (invisible points
    that give the axes their span from term 0: the whole horizon, a sensible y range).
    """
    x = {"field": "term", "type": "quantitative", "title": "term",
         "axis": {"tickMinStep": 1}, "scale": {"nice": False}}
    y_title = unit
    tip = [{"field": "term", "type": "quantitative"},
           {"field": "year", "type": "quantitative", "format": ".2~f"}]
    return {
        "$schema": SCHEMA,
        "title": {"text": name, "subtitle": description, "anchor": "start", "fontSize": 13,
                  "subtitleFontSize": 11, "subtitleColor": "#555"},
        "height": CHART_HEIGHT,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "layer": [
            {"data": {"name": "extent"}, "mark": {"type": "point", "opacity": 0},
             "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"}}},
            {"data": {"name": "series"},
             "transform": [{"calculate": "datum.policy - datum.baseline", "as": "gap"}],
             "mark": {"type": "area", "color": "#9e9e9e", "opacity": 0.3},
             "encoding": {
                 "x": x,
                 "y": {"field": "baseline", "type": "quantitative", "title": y_title},
                 "y2": {"field": "policy"},
                 "tooltip": [*tip,
                             {"field": "baseline", "type": "quantitative", "format": ".4~f"},
                             {"field": "policy", "type": "quantitative", "format": ".4~f"},
                             {"field": "gap", "type": "quantitative", "format": "+.4~f",
                              "title": "policy - baseline"}]}},
            {"data": {"name": "series"},
             "transform": [{"fold": list(ROLES), "as": ["scenario", "value"]}],
             "params": [
                 {"name": "shown", "select": {"type": "point", "fields": ["scenario"]},
                  "bind": "legend"},
                 {"name": "zoom", "select": {"type": "interval"}, "bind": "scales"},
             ],
             "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
             "encoding": {
                 "x": x,
                 "y": {"field": "value", "type": "quantitative", "title": y_title},
                 "color": {"field": "scenario", "type": "nominal",
                           "scale": {"domain": list(ROLES), "range": list(ROLE_COLOURS)},
                           "legend": {"orient": "top", "title": None}},
                 "opacity": {"condition": {"param": "shown", "value": 1}, "value": 0.12},
                 "tooltip": [*tip, {"field": "scenario", "type": "nominal"},
                             {"field": "value", "type": "quantitative", "format": ".4~f",
                              "title": name}]}},
        ],
    }


def outcome_extent(unit: str, start: Iterable[float], n_terms: int) -> dict[str, list]:
    """Invisible corner points: x over the whole horizon, y over [0, 1] for fractions,
    else a window around the starting values that includes 0 (never a point-wide axis)."""
    values = [x for x in start if x is not None and math.isfinite(x)]
    if is_fraction(unit):
        low, high = 0.0, 1.0
    else:
        low, high = min([0.0, *values]), max([0.0, *values])
        span = high - low
        pad = 0.15 * span if span > 0 else 1.0
        low, high = (low - pad if low < 0 else low), high + pad
    return {"term": [0, int(n_terms)], "value": [low, high]}


def outcome_columns(models: Mapping[str, Any], name: str) -> dict[str, list]:
    """The ``series`` data set of one outcome: term, year and each role's values so far."""
    from clustersim.model.metrics import METRIC_NAMES

    col = METRIC_NAMES.index(name)
    first = next(iter(models.values()))
    terms = list(range(first.term + 1))
    out: dict[str, list] = {"term": terms, "year": [round(t / 3, 3) for t in terms]}
    for role, m in models.items():
        out[role] = clean(m.history[: m.term + 1, col])
    return out


# ----------------------------------------------------------------------------- map
def map_spec(show: str, colour: str) -> dict[str, Any]:
    """The region: schools as dots (hover for the school), weak schools ringed, lines to
    their cluster's centre, brokers as symbols. ``show``: a role or "difference"."""
    from clustersim.model.state import GRADES

    if show not in MAP_SHOWS or colour not in MAP_COLOURS:
        raise ValueError(f"map: show {show!r} (one of {MAP_SHOWS}), colour {colour!r} "
                         f"(one of {MAP_COLOURS})")
    scale = {"nice": False, "zero": False}
    x = {"field": "x", "type": "quantitative", "title": "km", "scale": scale}
    y = {"field": "y", "type": "quantitative", "title": "km", "scale": scale}
    tip: list[dict[str, Any]] = [{"field": "school", "type": "nominal"},
                                 {"field": "la", "type": "nominal", "title": "local authority"},
                                 {"field": "status", "type": "nominal", "title": "weak?"}]
    if show == "difference":
        fill = {"field": "difference", "type": "quantitative",
                "title": "effectiveness: policy - baseline (SD)",
                "scale": {"scheme": "purplegreen", "domainMid": 0},
                "legend": {"orient": "bottom", "gradientLength": 220, "titleLimit": 320}}
        tip += [{"field": "grade_baseline", "type": "nominal", "title": "grade (baseline)"},
                {"field": "grade_policy", "type": "nominal", "title": "grade (policy)"},
                {"field": "cluster", "type": "nominal", "title": "cluster (policy)"},
                {"field": "effectiveness_baseline", "type": "quantitative", "format": ".3f"},
                {"field": "effectiveness_policy", "type": "quantitative", "format": ".3f"},
                {"field": "difference", "type": "quantitative", "format": "+.3f"}]
    elif colour == "grade":
        grades = [g.replace("_", " ") for g in GRADES]
        fill = {"field": "grade", "type": "nominal", "title": "grade",
                "scale": {"domain": grades, "range": list(GRADE_RANGE)},
                "legend": {"orient": "bottom"}}
        tip += [{"field": "grade", "type": "nominal"},
                {"field": "cluster", "type": "nominal"},
                {"field": "effectiveness", "type": "quantitative", "format": ".3f"}]
    else:
        fill = {"field": "effectiveness", "type": "quantitative", "title": "effectiveness (SD)",
                "scale": {"scheme": "redyellowgreen", "domain": [-EFFECT_LIMIT, EFFECT_LIMIT],
                          "clamp": True},
                "legend": {"orient": "bottom", "gradientLength": 220}}
        tip += [{"field": "grade", "type": "nominal"},
                {"field": "cluster", "type": "nominal"},
                {"field": "effectiveness", "type": "quantitative", "format": ".3f"}]
    return {
        "$schema": SCHEMA,
        "height": 420,
        "autosize": {"type": "fit", "contains": "padding"},
        "layer": [
            {"data": {"name": "extent"}, "mark": {"type": "point", "opacity": 0},
             "encoding": {"x": x, "y": y}},
            {"data": {"name": "links"},
             "mark": {"type": "rule", "color": "#888", "strokeWidth": 0.7, "opacity": 0.7},
             "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
            {"data": {"name": "schools"},
             "params": [{"name": "zoom", "select": {"type": "interval"}, "bind": "scales"}],
             "mark": {"type": "circle", "opacity": 0.95, "stroke": "#333",
                      "strokeWidth": 0.2},
             "encoding": {"x": x, "y": y, "color": fill,
                          "size": {"field": "dot", "type": "quantitative", "scale": None,
                                   "legend": None},
                          "tooltip": tip}},
            {"data": {"name": "schools"}, "transform": [{"filter": "datum.weak"}],
             "mark": {"type": "point", "shape": "circle", "filled": False, "color": "black",
                      "strokeWidth": 1.1},
             "encoding": {"x": x, "y": y,
                          "size": {"field": "ring", "type": "quantitative", "scale": None,
                                   "legend": None},
                          "tooltip": tip}},
            {"data": {"name": "brokers"},
             "mark": {"type": "point", "filled": True, "size": 170, "stroke": "white",
                      "strokeWidth": 0.8},
             "encoding": {"x": x, "y": y,
                          "shape": {"field": "broker", "type": "nominal",
                                    "scale": {"range": list(BROKER_SHAPES)},
                                    "legend": {"orient": "top", "title": None,
                                               "labelLimit": 300}},
                          "color": {"value": "#2c7bb6"},
                          "tooltip": [{"field": "broker", "type": "nominal"}]}},
        ],
    }


def school_names(region: Any) -> list[str]:
    """Each school's name: the register's (a real region), else a number."""
    register = getattr(region, "register", None)
    if register is not None and len(register.name) == region.n:
        return [str(x) for x in register.name]
    return [f"school {i}" for i in range(region.n)]


def la_names(region: Any) -> list[str]:
    """Each school's local authority: "code name" from the register, else a number."""
    register = getattr(region, "register", None)
    if register is not None:
        names = [f"{c} {n}" for c, n in zip(register.la_code, register.la_name, strict=True)]
        return [names[i] for i in region.la.tolist()]
    return [f"LA {i}" for i in region.la.tolist()]


def map_static(model: Any) -> dict[str, dict[str, list]]:
    """What never changes within a run (the region): sent once per reset."""
    r = model.s.region
    x, y = np.asarray(r.x, float), np.asarray(r.y, float)
    n = len(x)
    dot = float(np.clip(24000 / max(n, 1), 10, 120))  # dot area in px^2, less when crowded
    weak = np.asarray(model.s.weak, bool)  # fixed at the start of a run, alike in both
    return {"schools": {"x": clean(x, 3), "y": clean(y, 3), "school": school_names(r),
                        "la": la_names(r), "dot": [dot] * n, "ring": [dot * 3.2] * n,
                        "weak": weak.tolist(),
                        "status": np.where(weak, "weak", "not weak").tolist()},
            "extent": map_extent(x, y)}


def map_extent(x: np.ndarray, y: np.ndarray) -> dict[str, list]:
    pad_x = 0.04 * (x.max() - x.min() or 1.0)
    pad_y = 0.04 * (y.max() - y.min() or 1.0)
    return {"x": [float(x.min() - pad_x), float(x.max() + pad_x)],
            "y": [float(y.min() - pad_y), float(y.max() + pad_y)]}


def map_aspect(model: Any) -> float:
    """Height / width that draws a km as long north-south as east-west (bounded)."""
    e = map_extent(np.asarray(model.s.region.x, float), np.asarray(model.s.region.y, float))
    ratio = (e["y"][1] - e["y"][0]) / (e["x"][1] - e["x"][0])
    return float(np.clip(ratio, 0.45, 1.1))


def _grade_names(grade: np.ndarray) -> list[str]:
    from clustersim.model.state import GRADES

    names = [g.replace("_", " ") for g in GRADES]
    return [names[g] for g in grade.tolist()]


def _cluster_names(cluster: np.ndarray) -> list[str]:
    return ["none" if c < 0 else f"#{c}" for c in cluster.tolist()]


def map_columns(models: Mapping[str, Any], show: str) -> dict[str, dict[str, list]]:
    """The data sets of one step: schools' changing state, cluster links and brokers
    (what does not change within a run is in `map_static`)."""
    shown = models["policy" if show == "difference" else show]
    s = shown.s
    schools: dict[str, list] = {"cluster": _cluster_names(np.asarray(s.cluster))}
    if show == "difference":
        base, pol = (np.asarray(models[r].s.effectiveness, float) for r in ROLES)
        schools.update(effectiveness_baseline=clean(base, 3), effectiveness_policy=clean(pol, 3),
                       difference=clean(pol - base, 3),
                       grade_baseline=_grade_names(models["baseline"].s.grade),
                       grade_policy=_grade_names(models["policy"].s.grade))
    else:
        schools.update(effectiveness=clean(s.effectiveness, 3), grade=_grade_names(s.grade))
    return {"schools": schools, "links": links_columns(shown), "brokers": brokers_columns(shown)}


def links_columns(model: Any) -> dict[str, list]:
    """Segments from each clustered school to its cluster's centre (km)."""
    s = model.s
    x, y, cluster = np.asarray(s.x, float), np.asarray(s.y, float), np.asarray(s.cluster)
    member = cluster >= 0
    if not member.any():
        return {"x": [], "y": [], "x2": [], "y2": []}
    _, inv = np.unique(cluster[member], return_inverse=True)
    count = np.bincount(inv)
    cx = np.bincount(inv, weights=x[member]) / count
    cy = np.bincount(inv, weights=y[member]) / count
    return {"x": clean(x[member], 2), "y": clean(y[member], 2),
            "x2": clean(cx[inv], 2), "y2": clean(cy[inv], 2)}


def brokers_columns(model: Any) -> dict[str, list]:
    brokers = list(model.brokers)
    return {"x": [float(b.x) for b in brokers], "y": [float(b.y) for b in brokers],
            "broker": [f"{b.kind} broker" for b in brokers]}


def map_summary(model: Any) -> str:
    """One line on the shown scenario: clustered schools, clusters, weak schools alone."""
    s = model.s
    cluster, weak = np.asarray(s.cluster), np.asarray(s.weak, bool)
    n_clusters = len(np.unique(cluster[cluster >= 0]))
    return (f"{int((cluster >= 0).sum())} of {len(cluster)} schools in {n_clusters} "
            f"clusters; {int((weak & (cluster < 0)).sum())} of {int(weak.sum())} weak "
            "schools alone")
