"""Maps of where weak schools are left behind, drawn from a schools table (never the model).

Used by `clustersim report` (``report/map_<scenario>.png`` and ``.svg``) and by
`clustersim run` (``map.png``). A schools table has x_km, y_km, la, weak, left_behind and,
when it holds every school, cluster_end and trust: each school at its position, weak
schools blue when kept out of "left behind" at the end and vermilion when left behind,
lines from cluster members to their cluster's centre, brokers (one office per local
authority under the LA or a superintendent; each trust) at the centre of the schools they
serve, and local-authority areas shaded by the share of their weak schools left behind.

Replicates. When every replicate has the same schools at the same places (a real region),
a weak school is marked by the majority over replicates and an area's share pools the
replicates. Otherwise (a preset draws a new region per replicate) one replicate is drawn,
the one whose left-behind share is the median, and the map says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from clustersim.experiments.shared.io import atomic_path

BETTER, WORSE, NEUTRAL = "#0072B2", "#D55E00", "#9a9a9a"  # colour-blind safe
OFFICE_POLICIES = ("local_authority", "superintendent")
NEEDED = ("x_km", "y_km", "la", "weak", "left_behind")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def representative(schools: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The schools to draw, one row per school, with ``left_behind`` a majority over
    replicates where the geography is fixed; and a note saying what was drawn."""
    if "replicate" not in schools or schools["replicate"].nunique() <= 1:
        return schools.copy(), ""
    reps = sorted(schools["replicate"].unique())
    first = schools[schools["replicate"] == reps[0]].set_index("school")[["x_km", "y_km"]]
    fixed = all(
        (g.set_index("school")[["x_km", "y_km"]].reindex(first.index) == first).all().all()
        for _, g in schools.groupby("replicate"))
    if fixed:
        share = schools.groupby("school")["left_behind"].mean()
        out = schools[schools["replicate"] == reps[0]].copy()
        out["left_behind"] = out["school"].map(share) > 0.5
        out["la_share"] = out["la"].map(
            schools[schools["weak"].astype(bool)].groupby("la")["left_behind"].mean())
        return out, f"weak schools marked by the majority over {len(reps)} replicates"
    weak = schools[schools["weak"].astype(bool)]
    by_rep = weak.groupby("replicate")["left_behind"].mean().sort_values(kind="stable")
    median = by_rep.index[(len(by_rep) - 1) // 2]
    return (schools[schools["replicate"] == median].copy(),
            f"replicate {median} of {len(reps)} (its left-behind share is the median; "
            "each replicate draws its own region)")


def draw(ax, schools: pd.DataFrame, policies=(), title: str = "") -> str:
    """Draw one scenario's map on ``ax``; return the note on what it shows."""
    from matplotlib.patches import Polygon

    frame, note = representative(schools)
    weak = frame["weak"].astype(bool).to_numpy()
    lb = frame["left_behind"].astype(bool).to_numpy()
    x, y = frame["x_km"].to_numpy(float), frame["y_km"].to_numpy(float)
    only_weak = bool(weak.all())
    cmap = _plt().get_cmap("Oranges")
    for la, g in frame.groupby("la"):
        share = g["la_share"].iloc[0] if "la_share" in g else (
            g.loc[g["weak"].astype(bool), "left_behind"].astype(bool).mean())
        pts = g[["x_km", "y_km"]].to_numpy(float)
        if len(pts) >= 3:
            from scipy.spatial import ConvexHull, QhullError

            try:
                hull = pts[ConvexHull(pts).vertices]
            except QhullError:
                hull = None
            if hull is not None:
                colour = cmap(0.15 + 0.7 * share) if np.isfinite(share) else "#eeeeee"
                ax.add_patch(Polygon(hull, closed=True, facecolor=colour, alpha=0.35,
                                     edgecolor="#777777", lw=0.8, zorder=0))
        cx, cy = pts.mean(axis=0)
        text = f"LA {la}: {100 * share:.0f}% left behind" if np.isfinite(share) else f"LA {la}"
        ax.annotate(text, (cx, pts[:, 1].max()), ha="center", va="bottom", fontsize=7,
                    color="#444444")
        if any(p in OFFICE_POLICIES for p in policies):
            ax.scatter([cx], [cy], marker="D", s=55, color="black", zorder=5,
                       label="broker office (one per LA)" if la == frame["la"].min() else None)
    if "cluster_end" in frame and not only_weak:
        cl = frame["cluster_end"].to_numpy()
        for c in np.unique(cl[cl >= 0]):
            members = cl == c
            cx, cy = x[members].mean(), y[members].mean()
            ax.plot(np.ravel(np.column_stack([x[members], np.full(members.sum(), cx),
                                              np.full(members.sum(), np.nan)])),
                    np.ravel(np.column_stack([y[members], np.full(members.sum(), cy),
                                              np.full(members.sum(), np.nan)])),
                    color="#b0b0b0", lw=0.5, zorder=1)
    if "trust" in frame and not only_weak:
        tr = frame["trust"].to_numpy()
        seats = [(x[tr == t].mean(), y[tr == t].mean()) for t in np.unique(tr[tr >= 0])]
        if seats:
            sx, sy = np.array(seats).T
            ax.scatter(sx, sy, marker="s", s=18, facecolor="none", edgecolor="#333333",
                       lw=0.8, zorder=4, label="trust (its central team)")
    if not only_weak:
        ax.scatter(x[~weak], y[~weak], s=6, color=NEUTRAL, zorder=2, label="other school")
    ax.scatter(x[weak & ~lb], y[weak & ~lb], s=22, color=BETTER, zorder=3,
               label="weak school, not left behind at the end")
    ax.scatter(x[weak & lb], y[weak & lb], s=26, marker="^", color=WORSE, zorder=3,
               label="weak school, left behind at the end")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("km", fontsize=8)
    ax.set_ylabel("km", fontsize=8)
    ax.tick_params(labelsize=7)
    if only_weak:
        note = "; ".join(n for n in (note, "only weak schools were kept in this batch "
                                           "(outputs.schools = \"weak\"): no clusters or "
                                           "trusts drawn") if n)
    share = lb[weak].mean() if weak.any() else float("nan")
    ax.set_title(f"{title}: {100 * share:.0f}% of weak schools left behind", fontsize=9)
    return note


def _save(fig, path: Path) -> Path:
    fmt = path.suffix.lstrip(".")
    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format=fmt,
                    metadata={"Date": None} if fmt == "svg" else None)
    return path


def missing(schools: pd.DataFrame | None) -> list[str]:
    """The columns a map needs that the table lacks."""
    return list(NEEDED) if schools is None else [c for c in NEEDED if c not in schools]


def scenario_map(schools: pd.DataFrame, title: str, policies, folder: Path, stem: str,
                 formats=("png", "svg")) -> tuple[list[Path], str]:
    """One scenario's map as ``folder/stem.<fmt>``; return the paths and the note."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 6.2), layout="constrained")
    note = draw(ax, schools, policies, title)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if note:
        fig.text(0.01, -0.01, note, fontsize=7, color="#555555", va="top")
    paths = [_save(fig, folder / f"{stem}.{fmt}") for fmt in formats]
    plt.close(fig)
    return paths, note


def run_map(frames: dict[str, pd.DataFrame], path: Path) -> Path:
    """`clustersim run`'s map.png: one panel per scenario, same region (one seed)."""
    plt = _plt()
    n = len(frames)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.8 * rows), squeeze=False,
                             layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax, (label, frame) in zip(axes.flat, frames.items(), strict=False):
        draw(ax, frame, label.split("+"), label)
    handles = {}
    for ax in axes.flat[:n]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncols=3,
               fontsize=7, frameon=False)
    _save(fig, path)
    plt.close(fig)
    return path
