"""The sensitivity run's charts: Morris mu* bars and mu*-sigma scatter, Sobol indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np

MAX_BARS = 20  # parameters shown per outcome in the mu_star chart
LABELS = 8     # parameters labelled per outcome in the mu_star-sigma scatter


def morris_plots(frame, outcomes: tuple[str, ...], out: Path) -> None:
    """``morris_mu_star.png`` (bars, 95% intervals) and ``morris_sigma.png`` (scatter)."""
    from clustersim.experiments.shared.plots import plt, save

    n, shown = len(outcomes), min(MAX_BARS, len(frame) // len(outcomes))
    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 0.26 * shown + 1.6), squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        part = frame[frame["outcome"] == o].head(shown).iloc[::-1]
        ax.barh(part["parameter"], part["mu_star"], xerr=part["mu_star_conf"].fillna(0.0),
                color="tab:blue", capsize=2)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel("mu* (outcome units per Morris step)", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Morris screening: the {shown} largest mean absolute effects (95% CI)")
    fig.tight_layout()
    save(fig, out / "morris_mu_star.png")

    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 4.2), squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        part = frame[frame["outcome"] == o]
        ax.scatter(part["mu_star"], part["sigma"], s=14, color="tab:blue")
        for row in part.head(LABELS).itertuples():
            ax.annotate(row.parameter, (row.mu_star, row.sigma), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")
        top = np.nanmax(np.r_[part["mu_star"], part["sigma"], 0.0])
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=0.8, label="sigma = mu*")
        ax.set_xlabel("mu* (importance)", fontsize=8)
        ax.set_ylabel("sigma (non-linearity, interactions)", fontsize=8)
        ax.set_title(o, fontsize=10)
        ax.legend(fontsize=7, frameon=False)
    fig.suptitle("Morris screening: mu* against sigma")
    fig.tight_layout()
    save(fig, out / "morris_sigma.png")


def sobol_plot(frame, outcomes: tuple[str, ...], path: Path) -> None:
    """First-order and total Sobol indices per outcome, with 95% intervals."""
    from clustersim.experiments.shared.plots import plt, save

    n = len(outcomes)
    k = frame["parameter"].nunique()
    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 0.4 * k + 1.8), squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        part = frame[frame["outcome"] == o].iloc[::-1]
        y = np.arange(len(part))
        for shift, key, color in ((0.2, "S1", "tab:blue"), (-0.2, "ST", "tab:orange")):
            ax.barh(y + shift, part[key], height=0.4, xerr=part[f"{key}_conf"].fillna(0.0),
                    color=color, capsize=2, label=key)
        ax.set_yticks(y, part["parameter"], fontsize=7)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel("share of output variance", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].legend(fontsize=7, frameon=False)
    fig.suptitle("Sobol indices: first-order (S1) and total (ST), 95% CI")
    fig.tight_layout()
    save(fig, path)
