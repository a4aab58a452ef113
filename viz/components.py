"""What the page draws: the region map, the outcome plots and the cluster table.

Each component redraws when Mesa's `update_counter` moves (after a step or a run of
steps). The drawing itself (`draw_*`) returns a matplotlib Figure, so it can be tested or
saved without a browser. Only what the model exposes is read; nothing is computed that
the model does not already report, except the cluster centroids the map draws lines to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.utils import update_counter

from model.state import GRADES

# Outcome series plotted (names of model.METRICS, whose descriptions title the plots).
OUTCOMES = ("gap", "left_behind", "isolation_weak", "cpd_access_ratio")
EFFECT_LIMIT = 0.8  # colour scale of effectiveness, SD either side of 0
GRADE_COLOURS = ListedColormap(["#1a9641", "#a6d96a", "#fdae61", "#d7191c"])  # by GRADES
COLOUR_MODES = ("effectiveness", "grade")
BROKER_STYLES = (("*", "#2c7bb6"), ("P", "#7b3294"), ("D", "#008837"))
FIGSIZE = (6.0, 4.9)  # inches at 100 dpi: two figures side by side on a laptop screen


# ------------------------------------------------------------------------------ map
def _centroid_links(x: np.ndarray, y: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Segments from each clustered school to its cluster's centroid, shape (k, 2, 2)."""
    member = cluster >= 0
    if not member.any():
        return np.empty((0, 2, 2))
    _, inv = np.unique(cluster[member], return_inverse=True)
    count = np.bincount(inv)
    cx = np.bincount(inv, weights=x[member]) / count
    cy = np.bincount(inv, weights=y[member]) / count
    starts = np.column_stack([x[member], y[member]])
    ends = np.column_stack([cx[inv], cy[inv]])
    return np.stack([starts, ends], axis=1)


def draw_map(model: Any, colour_by: str = "effectiveness") -> Figure:
    """The region: schools coloured by effectiveness or grade, weak schools ringed,
    lines from cluster members to their cluster's centroid, brokers as stars."""
    s = model.s
    x, y = np.asarray(s.x, float), np.asarray(s.y, float)
    cluster = np.asarray(s.cluster)
    weak = np.asarray(s.weak, bool)
    size = float(np.clip(4000 / max(len(x), 1), 3, 45))

    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    links = _centroid_links(x, y, cluster)
    ax.add_collection(LineCollection(links, colors="0.55", linewidths=0.6, zorder=1))
    if colour_by == "grade":
        dots = ax.scatter(x, y, c=np.asarray(s.grade), cmap=GRADE_COLOURS, vmin=-0.5,
                          vmax=len(GRADES) - 0.5, s=size, edgecolors="none", zorder=2)
        bar = fig.colorbar(dots, ax=ax, shrink=0.8, ticks=range(len(GRADES)))
        bar.ax.set_yticklabels([g.replace("_", " ") for g in GRADES], fontsize=8)
    else:
        dots = ax.scatter(x, y, c=np.asarray(s.effectiveness, float), cmap="RdYlGn",
                          vmin=-EFFECT_LIMIT, vmax=EFFECT_LIMIT, s=size, edgecolors="none",
                          zorder=2)
        fig.colorbar(dots, ax=ax, shrink=0.8, label="effectiveness (SD)")
    ax.scatter(x[weak], y[weak], s=size * 3, facecolors="none", edgecolors="black",
               linewidths=0.8, zorder=3)
    brokers = brokers_of(model)
    for kind, (marker, colour) in zip(sorted({b.kind for b in brokers}), BROKER_STYLES,
                                      strict=False):
        mine = [b for b in brokers if b.kind == kind]
        ax.scatter([b.x for b in mine], [b.y for b in mine], marker=marker, s=170, c=colour,
                   edgecolors="white", linewidths=0.6, zorder=4)
    n_clusters = len(np.unique(cluster[cluster >= 0]))
    ax.set_title(f"term {model.term}: {int((cluster >= 0).sum())} of {len(x)} schools "
                 f"in {n_clusters} clusters; {int((weak & (cluster < 0)).sum())} weak alone",
                 fontsize=10)
    ax.set_xlabel("km")
    ax.set_ylabel("km")
    ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale_view()
    handles = _map_legend(brokers)
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8,
               frameon=False)
    return fig


def brokers_of(model: Any) -> list[Any]:
    """The model's brokers (each with .x, .y in km and .kind): those of its policies."""
    return list(model.brokers)


def _map_legend(brokers: list[Any]) -> list[Line2D]:
    handles = [
        Line2D([], [], ls="", marker="o", mfc="none", mec="black", label="weak school"),
        Line2D([], [], color="0.55", lw=1, label="link to cluster centre"),
    ]
    kinds = sorted({b.kind for b in brokers})
    for kind, (marker, colour) in zip(kinds, BROKER_STYLES, strict=False):
        n = sum(b.kind == kind for b in brokers)
        handles.append(Line2D([], [], ls="", marker=marker, ms=10, color=colour,
                              label=f"{kind} broker ({n})"))
    return handles


def run_caption(model: Any, defaults: dict[str, Any] | None = None) -> str:
    """What is running: preset, policies, seed, parameters changed from their defaults."""
    config = getattr(model, "config", {})
    policies = "+".join(config.get("policies", [])) or "none"
    text = (f"{config.get('preset', '?')} · policies: {policies} · "
            f"seed {getattr(model, 'seed', '?')} · term {model.term}")
    changed = {k: config[k] for k, v in (defaults or {}).items()
               if k in config and config[k] != v}
    if changed:
        text += " · changed: " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                           for k, v in changed.items())
    return text


@solara.component
def RegionMap(model: Any, defaults: dict[str, Any] | None = None):
    """The map, with a switch between colouring by effectiveness and by grade."""
    update_counter.get()
    colour_by, set_colour_by = solara.use_state(COLOUR_MODES[0])
    with solara.Card("Region map", margin=0, classes=["clustersim-map"]):
        with solara.Row(style={"align-items": "center"}):
            solara.ToggleButtonsSingle(value=colour_by, values=list(COLOUR_MODES),
                                       on_value=set_colour_by)
            solara.Text(run_caption(model, defaults), classes=["clustersim-caption"])
        solara.FigureMatplotlib(draw_map(model, colour_by), format="png",
                                dependencies=[model, model.term, colour_by])


# -------------------------------------------------------------------------- outcomes
def outcome_titles() -> dict[str, tuple[str, str]]:
    """Description and unit of each plotted outcome, from the model's metric declarations."""
    from model.metrics import METRICS

    declared = {m.name: (m.description, m.unit) for m in METRICS}
    return {name: declared.get(name, (name, "")) for name in OUTCOMES}


def draw_outcomes(series: pd.DataFrame, titles: dict[str, tuple[str, str]]) -> Figure:
    """Four small plots of the outcome series against the term."""
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (name, (description, unit)) in zip(axes, titles.items(), strict=True):
        ax.set_title(f"{name}: {description}", fontsize=8, wrap=True)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=8)
        if name in series and series[name].notna().any():
            ax.plot(series["term"], series[name], color="#d7191c", lw=1.6, marker=".", ms=4)
        else:
            ax.text(0.5, 0.5, "step the model", ha="center", va="center",
                    transform=ax.transAxes, color="0.5", fontsize=8)
    for ax in axes[2:]:
        ax.set_xlabel("term", fontsize=8)
    return fig


@solara.component
def OutcomesPlot(model: Any):
    update_counter.get()
    with solara.Card("Who is left behind", margin=0, classes=["clustersim-outcomes"]):
        titles = solara.use_memo(outcome_titles, [])
        solara.FigureMatplotlib(draw_outcomes(model.series(), titles), format="png",
                                dependencies=[model, model.term])


# --------------------------------------------------------------------------- clusters
def cluster_summary(table: pd.DataFrame, max_rows: int = 10) -> pd.DataFrame:
    """The largest clusters first, numbers rounded for reading."""
    if table.empty:
        return table
    top = table.sort_values("members", ascending=False).head(max_rows)
    return top.round(3).reset_index(drop=True)


@solara.component
def ClusterTable(model: Any):
    update_counter.get()
    table = model.cluster_table()
    with solara.Card("Clusters", margin=0, classes=["clustersim-clusters"]):
        shown = min(len(table), 10)
        solara.Text(f"term {model.term}: {len(table)} clusters"
                    + (f", the {shown} largest:" if shown else ""),
                    classes=["clustersim-cluster-count"])
        if shown:
            solara.DataFrame(cluster_summary(table, 10), items_per_page=10)


@solara.component
def Dashboard(model: Any, defaults: dict[str, Any] | None = None):
    """Map and outcome plots side by side, the cluster table below.

    `defaults`: parameter values the caption compares the running model's config with.
    """
    with solara.Column(style={"padding": "8px"}):
        solara.Text("Set the inputs in the sidebar, then Reset to build the region with them; "
                    "Step or ▶ runs it term by term.", style={"color": "#666"})
        with solara.Columns([1, 1]):
            RegionMap(model, defaults)
            OutcomesPlot(model)
        ClusterTable(model)
