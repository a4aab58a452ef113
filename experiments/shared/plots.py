"""Plots made from result tables (never inside the model)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from clustersim.experiments.shared.io import atomic_path  # noqa: E402


def save(fig, path: Path) -> None:
    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format=path.suffix.lstrip("."))
    plt.close(fig)


def timeseries_by_scenario(frame, metric: str, ylabel: str, title: str, path: Path) -> None:
    """One line per scenario over years (``frame`` has scenario, year and ``metric``)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for scenario, group in frame.groupby("scenario", sort=False):
        ax.plot(group["year"], group[metric], label=scenario, lw=2)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    save(fig, path)
