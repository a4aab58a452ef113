"""What `clustersim explain` writes: labels, one sentence per scenario, charts and files.

Reads only the explain frame (`explain.COLUMNS`), so the report can load
``explain.csv`` and call `summary_sentences` on it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
HEADLINE = "left_behind"
# the policy prefix of a component switch, as people say it ("" = drop it)
PREFIXES = {"super": "", "la": "LA", "chain": "trust", "hub": "hub", "incentive": "incentive"}
# outcomes whose unit is a fraction: shown in percentage points (x 100)
PERCENT = ("left_behind", "isolation_weak", "isolation_all", "below_floor",
           "good_or_outstanding", "requires_improvement", "inadequate", "clustered_share")
BETTER, WORSE, NEUTRAL = "#0072B2", "#D55E00", "#7f7f7f"  # colour-blind safe blue / vermilion


# ------------------------------------------------------------------------- labels
def label(kind: str, name: str) -> str:
    """A row's human-readable label: "funded support", "M2 hidden needs", "total"..."""
    if kind == "mechanism":
        return f"{name} {_mechanism_names().get(name, '')}".strip()
    if kind == "interaction":
        return f"interaction ({name})"
    if kind == "structure":
        return "structure (all components off)"
    if kind == "total":
        return "total difference"
    switches = {m.switch: m for m in _mechanisms()}
    if name in switches:
        return f"{switches[name].name} ({switches[name].mechanism})"
    head, _, rest = name.partition("_")
    if head in PREFIXES and rest:
        words = f"{PREFIXES[head]} {rest.replace('_', ' ')}".strip()
    else:
        words = name.replace("_", " ")
    return re.sub(r"\bcpd\b", "CPD", words)


def _mechanisms():
    """M1-M15 as the mechanism table declares them (`validation_mechanisms.CHECKS`)."""
    from clustersim.experiments.credibility.validation_mechanisms import CHECKS

    return CHECKS


def _mechanism_names() -> dict[str, str]:
    return {m.mechanism: m.name for m in _mechanisms()}


def scale(outcome: str) -> tuple[float, str]:
    """(factor, unit) in which an outcome's differences are shown."""
    if outcome in PERCENT:
        return 100.0, "pp"
    from clustersim.model.metrics import EXTRA_SUMMARY, METRICS

    units = {m.name: m.unit for m in (*METRICS, *EXTRA_SUMMARY)}
    unit = units.get(outcome, "")
    return 1.0, {"percentage points": "pp", "% at expected standard": "pp"}.get(unit, unit)


def worse_sign(outcome: str) -> int:
    """+1 when a larger value is worse for weak schools, -1 when smaller is, 0 if neither."""
    from clustersim.experiments.analysis.stats import WORSE_FOR_WEAK

    return WORSE_FOR_WEAK.get(outcome, 0)


# ------------------------------------------------------------------------- sentences
def _num(x: float, unit: str) -> str:
    text = f"{x:.1f}" if unit == "pp" else f"{x:.3g}"
    return text[1:] if re.fullmatch(r"-0(\.0*)?", text) else text  # no "-0.0"


def _value(row, factor: float, unit: str, sign: float) -> str:
    """``6.0 pp [4.9, 7.1]``: a row's mean and interval times ``factor * sign``."""
    mid = row["mean"] * factor * sign
    lo, hi = sorted((row["low"] * factor * sign, row["high"] * factor * sign))
    ci = f" [{_num(lo, unit)}, {_num(hi, unit)}]" if lo == lo and hi == hi else ""
    return f"{_num(mid, unit)} {unit}{ci}".replace(" ]", "]").replace("  ", " ")


def _phrase(outcome: str, direction: int) -> str:
    """What a difference of sign ``direction`` means, in words."""
    phrases = {"left_behind": ("fewer weak schools left behind", "more weak schools left behind"),
               "isolation_weak": ("fewer weak schools outside any cluster",
                                  "more weak schools outside any cluster"),
               "gap": ("a narrower attainment gap", "a wider attainment gap")}
    if outcome in phrases:
        return phrases[outcome][0 if direction < 0 else 1]
    return f"{'lower' if direction < 0 else 'higher'} {outcome.replace('_', ' ')}"


def _noun(outcome: str) -> str:
    nouns = {"left_behind": "the share of weak schools left behind",
             "isolation_weak": "the share of weak schools outside any cluster",
             "gap": "the attainment gap between weak and other schools"}
    return nouns.get(outcome, outcome.replace("_", " "))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _drivers(rows, total: float, most: int = 2, share: float = 0.15) -> list:
    """The rows carrying most of ``total``: the largest of its sign, then the next if it
    carries at least ``share`` of the total."""
    same = rows[(rows["mean"] * total > 0)]
    same = same.iloc[same["mean"].abs().argsort()[::-1]]
    return [r for i, (_, r) in enumerate(same.head(most).iterrows())
            if i == 0 or abs(r["mean"]) >= share * abs(total)]


def sentence(frame, scenario: str, baseline: str, outcome: str) -> str:
    """One plain-English sentence: the total difference in ``outcome`` and what drives it."""
    rows = frame[(frame["scenario"] == scenario) & (frame["outcome"] == outcome)]
    total = rows[rows["kind"] == "total"].iloc[0]
    factor, unit = scale(outcome)
    t = total["mean"]
    head = f"{scenario} vs {baseline}: "
    if math.isnan(t):
        return head + f"no value of {outcome} (every replicate was undefined)."
    clear = total["n"] >= 2 and (total["low"] > 0 or total["high"] < 0)
    direction = 1 if t > 0 else -1
    parts = rows[rows["kind"].isin(["component", "structure"])
                 | ((rows["kind"] == "interaction") & (rows["name"] == "components"))]
    mechs = rows[rows["kind"] == "mechanism"]
    if not clear or t == 0:
        # an unclear difference has no one direction to put in words: the figures stay
        # signed (scenario minus baseline), and the sentence says which sign is which
        text = head + (f"no clear difference in {_noun(outcome)} "
                       f"({_value(total, factor, unit, 1)}; below zero means "
                       f"{_phrase(outcome, -1)})")
        parts = parts[parts["mean"].abs() > 1e-12]
        big = parts.iloc[parts["mean"].abs().argsort()[::-1]].head(2)
        if len(big):
            text += "; the largest parts: " + _join(
                [f"{label(r['kind'], r['name'])} ({_value(r, factor, unit, 1)})"
                 for _, r in big.iterrows()])
        return text + "."
    text = head + f"{_value(total, factor, unit, direction)} {_phrase(outcome, direction)}"
    drivers = _drivers(parts, t)
    if drivers:
        text += ", mostly from " + _join([f"{label(r['kind'], r['name'])} "
                                          f"({_value(r, factor, unit, direction)})"
                                          for r in drivers])
    through = _drivers(mechs, t)
    if through:
        text += ", acting mainly through " + _join(
            [f"{label(r['kind'], r['name'])} ({_value(r, factor, unit, direction)})"
             for r in through])
    return text + "."


def summary_sentences(frame, baseline: str | None = None,
                      outcome: str | None = None) -> dict[str, str]:
    """{scenario: one sentence} from an explain frame (e.g. ``pd.read_csv("explain.csv")``):
    the total difference in the left-behind share (or ``outcome``, or the frame's first
    outcome) against the baseline, the components carrying most of it and the mechanisms
    it acts through, each with its 95% interval."""
    if baseline is None:
        baseline = frame.attrs.get("baseline") or _baseline_from(frame)
    outcomes = list(dict.fromkeys(frame["outcome"]))
    if outcome is None:
        outcome = HEADLINE if HEADLINE in outcomes else outcomes[0]
    return {s: sentence(frame, s, baseline, outcome)
            for s in dict.fromkeys(frame["scenario"])}


def _baseline_from(frame) -> str:
    """The baseline named in a total row's description ("... minus the baseline X (...)")."""
    text = frame[frame["kind"] == "total"]["description"].iloc[0]
    m = re.search(r"minus the baseline (.+) \(same seeds\)$", text)
    return m.group(1) if m else "the baseline"


def markdown(frame, sentences: dict[str, str], spec, replicates: int) -> str:
    """explain.md: the sentences, then each scenario's rows for the headline outcome."""
    outcomes = list(dict.fromkeys(frame["outcome"]))
    outcome = HEADLINE if HEADLINE in outcomes else outcomes[0]
    factor, unit = scale(outcome)
    lines = [f"# Why: `clustersim explain` of {spec.name}", "",
             f"Each scenario against {spec.baseline}, {replicates} common-random-number "
             f"replicates (root seed {spec.root_seed}), {spec.preset}, {spec.years} years. "
             "Paired mean differences with 95% intervals; rows sum to the total.", ""]
    lines += [f"- {s}" for s in sentences.values()]
    for scenario in sentences:
        rows = frame[(frame["scenario"] == scenario) & (frame["outcome"] == outcome)]
        lines += ["", f"## {scenario}: {outcome} ({unit})", "",
                  "| row | kind | mean [95% CI] |", "|---|---|---|"]
        for _, r in rows.iterrows():
            lines.append(f"| {label(r['kind'], r['name'])} | {r['kind']} | "
                         f"{_value(r, factor, unit, 1)} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- charts
def safe_name(scenario: str) -> str:
    return re.sub(r"[^A-Za-z0-9_+@.-]", "_", scenario)


def plot_scenario(frame, scenario: str, baseline: str, folder: Path) -> list[str]:
    """explain_<scenario>.png and .svg: one panel per outcome, horizontal bars with their
    95% intervals; blue where a row is better for weak schools, vermilion where worse."""
    import matplotlib
    from clustersim.experiments.shared.plots import plt

    rows = frame[frame["scenario"] == scenario]
    outcomes = list(dict.fromkeys(rows["outcome"]))
    first = rows[rows["outcome"] == outcomes[0]]
    names = list(zip(first["kind"], first["name"], strict=True))
    ncols = min(4, len(outcomes))
    nrows = math.ceil(len(outcomes) / ncols)
    height = 0.24 * len(names) + 1.2
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols + 2.2, height * nrows),
                             squeeze=False, sharey=True)
    y = list(range(len(names)))[::-1]
    for ax in axes.ravel()[len(outcomes):]:
        ax.set_visible(False)
    for ax, outcome in zip(axes.ravel(), outcomes, strict=False):
        factor, unit = scale(outcome)
        sub = rows[rows["outcome"] == outcome].set_index(["kind", "name"]).loc[names]
        mean = sub["mean"].to_numpy() * factor
        low, high = sub["low"].to_numpy() * factor, sub["high"].to_numpy() * factor
        worse = worse_sign(outcome)
        colours = [NEUTRAL if not worse or m != m or m == 0 else
                   (WORSE if m * worse > 0 else BETTER) for m in mean]
        edges = ["black" if k == "total" else "none" for k, _ in names]
        ax.barh(y, [m if m == m else 0 for m in mean], color=colours, edgecolor=edges,
                height=0.7)
        ok = [i for i in range(len(mean)) if low[i] == low[i] and high[i] == high[i]]
        ax.errorbar([mean[i] for i in ok], [y[i] for i in ok],
                    xerr=[[mean[i] - low[i] for i in ok], [high[i] - mean[i] for i in ok]],
                    fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
        ax.axvline(0, color="grey", lw=0.8)
        split = [i for i, (k, _) in enumerate(names) if k == "mechanism"]
        if split:
            ax.axhline(y[split[0]] + 0.5, color="grey", lw=0.5, ls=":")
        ax.set_title(outcome.replace("_", " "), fontsize=9)
        ax.set_xlabel(f"difference ({unit})" if unit else "difference", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_yticks(y)
        ax.set_yticklabels([label(k, n) for k, n in names])
    handles = [matplotlib.patches.Patch(color=BETTER, label="better for weak schools "
                                        "(e.g. reduces the share left behind)"),
               matplotlib.patches.Patch(color=WORSE, label="worse for weak schools "
                                        "(e.g. raises the share left behind)")]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(f"Why {scenario} differs from {baseline}: components (above) and "
                 "mechanisms M1-M15 (below), paired 95% intervals", fontsize=10)
    fig.tight_layout(rect=(0, 0.03, 1, 0.98))
    files = []
    stem = f"explain_{safe_name(scenario)}"
    for ext in ("png", "svg"):
        _save(fig, folder / f"{stem}.{ext}")
        files.append(f"{stem}.{ext}")
    plt.close(fig)
    return files


def _save(fig, path: Path) -> None:
    """Save with no date and fixed SVG ids, so the same frame gives the same bytes."""
    import matplotlib
    from clustersim.experiments.shared.io import atomic_path

    fmt = path.suffix.lstrip(".")
    meta = {"Date": None} if fmt == "svg" else {}
    with matplotlib.rc_context({"svg.hashsalt": "clustersim"}), \
            atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format=fmt, metadata=meta)


# ------------------------------------------------------------------------- the folder
def write_outputs(out: Path, d, frame, reps, sentences: dict[str, str], seconds: float,
                  executor: str) -> list[str]:
    """Every file, each written atomically; files an earlier explain wrote here and this
    one does not are removed (only those its manifest lists)."""
    from clustersim.experiments.credibility.columns import EXPLAIN
    from clustersim.experiments.shared import datapackage, io, outputs

    old = outputs.claim(out, "explain") or {}
    io.write_csv(out / "explain.csv", frame)
    io.write_csv(out / "explain_replicates.csv", reps)
    datapackage.write(out, ["explain.csv", "explain_replicates.csv"],
                      f"clustersim explain {d.spec.name}", EXPLAIN)
    io.write_text(out / "explain.md", markdown(frame, sentences, d.spec, d.replicates))
    files = ["explain.csv", "explain_replicates.csv", "datapackage.json", "explain.md"]
    for plan in d.plans:
        files += plot_scenario(frame, plan.label, d.spec.baseline, out)
    files.append(MANIFEST)
    for name in old.get("files", []):
        if isinstance(name, str) and name not in files and "/" not in name \
                and re.fullmatch(r"explain[\w+@.-]*", name):
            (out / name).unlink(missing_ok=True)
    manifest: dict[str, Any] = {
        "command": "clustersim explain", "name": d.spec.name, "spec_path": d.spec.path,
        "spec_sha256": d.spec.sha256, "spec_text": d.spec.text, "baseline": d.spec.baseline,
        "replicates": d.replicates, "root_seed": d.spec.root_seed,
        "replicate_seeds": d.seeds, "outcomes": list(d.outcomes),
        "distinct_configs": len(d.configs), "n_runs": d.n_runs, "executor": executor,
        "seconds": round(seconds, 1), "versions": io.versions(),
        "git_commit": io.git_commit(), "completed": True, "files": files,
        "scenarios": [{"label": p.label, "policies": list(p.policies),
                       "components": list(p.components),
                       "method": "shapley" if p.exact else "knock-out"} for p in d.plans],
    }
    io.write_json(out / MANIFEST, manifest)
    return files
