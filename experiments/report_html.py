"""report.html: a plain-language summary, flags, tables and the figures of a batch report."""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from experiments.report import HEADLINE, WORSE_FOR_WEAK

CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
table{border-collapse:collapse;font-size:13px;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}
th:first-child,td:first-child{text-align:left}
th{background:#f2f2f2}
.worse{background:#fde0dc}.better{background:#e0f3e0}
.flag{color:#b2182b;font-weight:600}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}
.small{font-size:12px;color:#555}
.wide{overflow-x:auto}
td .small{font-size:11px}
"""


def _num(x: float, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _ci(row) -> str:
    return f"{_num(row['mean'])} [{_num(row['ci_low'])}, {_num(row['ci_high'])}]"


def _pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{100 * x:.0f}%"


def summary_text(batch, summary: pd.DataFrame, diffs: pd.DataFrame,
                 profiles: pd.DataFrame) -> list[str]:
    """Short plain-language paragraphs about weak schools under each policy."""
    out = []
    lb = summary[summary["outcome"] == "left_behind"].set_index("label")
    n = int(summary["n"].max()) if len(summary) else 0
    if len(lb):
        best, worst = lb["mean"].idxmin(), lb["mean"].idxmax()
        out.append(
            f"Over {n} replicates per scenario, the share of initially weak schools left "
            f"behind at the end (below the floor or still graded RI/inadequate) ranged from "
            f"{_pct(lb.loc[best, 'mean'])} under <b>{escape(best)}</b> to "
            f"{_pct(lb.loc[worst, 'mean'])} under <b>{escape(worst)}</b>.")
    if len(diffs):
        d = diffs[diffs["outcome"] == "left_behind"]
        for _, r in d.iterrows():
            verdict = ("a real difference at the 95% level" if r["significant"] else
                       "not distinguishable from no difference with these replicates")
            out.append(
                f"<b>{escape(r['label'])}</b> vs {escape(batch.baseline)}: "
                f"{100 * r['mean_diff']:+.1f} percentage points of weak schools left behind "
                f"(95% CI {100 * r['ci_low']:+.1f} to {100 * r['ci_high']:+.1f}), "
                f"paired over {r['n']} replicates: {verdict}.")
        worse = diffs[diffs["worse_for_weak"]]
        for label, g in worse.groupby("label", sort=False):
            out.append(f"<span class=flag>Flag:</span> <b>{escape(label)}</b> is significantly "
                       f"worse for weak schools than {escape(batch.baseline)} on "
                       f"{', '.join(escape(o) for o in g['outcome'])}.")
        if worse.empty:
            out.append(f"No policy is significantly worse for weak schools than "
                       f"{escape(batch.baseline)} on any weak-school outcome.")
    if len(profiles):
        p = profiles[profiles["characteristic"] != "all weak schools"]
        p = p[p["weak_schools"] >= 10]
        if len(p):
            top = p.groupby(["characteristic", "level"])["share"].mean().idxmax()
            share = p.set_index(["characteristic", "level"]).loc[top, "share"].mean()
            overall = profiles[profiles["characteristic"] == "all weak schools"]["share"].mean()
            out.append(f"Who is left behind: across scenarios, weak schools that are "
                       f"<b>{escape(str(top[1]))}</b> ({escape(top[0])}) are left behind most "
                       f"often ({_pct(share)} against {_pct(overall)} of all weak schools).")
    return out


def _n(v: float) -> str:
    return f"{int(v):,}" if math.isfinite(v) else "more than 100,000"


def replicates_note(diffs: pd.DataFrame) -> str:
    """How many replicates the intervals used, and how many each comparison needs."""
    from experiments.report import replicates_to_resolve

    if diffs.empty:
        return "Only one scenario: no paired differences."
    d = diffs[diffs["outcome"].isin(WORSE_FOR_WEAK)]
    gain = (d["unpaired_half_width"] / (d["ci_high"] - d["ci_low"]) * 2).replace(
        [math.inf], math.nan).median()
    parts = [f"<p>Intervals use {int(d['n'].max())} paired replicates. Their width shrinks as "
             "1/&radic;n: halving them takes four times the replicates.</p>"]
    if math.isfinite(gain):
        parts.append(f"<p>Pairing by replicate (common random numbers) made the intervals on "
                     f"weak-school outcomes a median {gain:.1f} times narrower than comparing "
                     f"independent runs would: the same precision without it would take about "
                     f"{gain ** 2:.0f} times as many replicates.</p>")
    lb = d[d["outcome"] == "left_behind"].set_index("label")
    rows = ""
    for label, g in d.groupby("label", sort=False):
        best = g.loc[g["replicates_to_resolve"].idxmin()]
        cells = [escape(label), f"{_n(best['replicates_to_resolve'])} ({escape(best['outcome'])})"]
        if label in lb.index:
            r = lb.loc[label]
            cells += [_n(r["replicates_to_resolve"]),
                      _n(replicates_to_resolve(0.01, r["sd_diff"]))]
        rows += "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    head = ("<tr><th>scenario</th><th>to tell its clearest weak-school difference from zero"
            "</th>" + ("<th>to tell its left-behind difference from zero</th><th>to pin the "
                       "left-behind difference to &plusmn;1 point</th>" if len(lb) else "")
            + "</tr>")
    parts.append("<p>Replicates needed (at the observed effect and spread of the paired "
                 f"differences, 95% level):</p><table>{head}{rows}</table>")
    return "".join(parts)


def _meanings() -> dict[str, str]:
    """Outcome name -> "meaning (unit)" from the model's metric declarations."""
    try:
        from model.metrics import EXTRA_SUMMARY, METRICS
    except ImportError:
        return {}
    return {m.name: f"{getattr(m, 'description', '')} ({getattr(m, 'unit', '')})"
            for m in [*METRICS, *EXTRA_SUMMARY]}


def _by_outcome(frame: pd.DataFrame, labels: list[str], value: str, cell) -> str:
    """A table with one row per headline outcome and one column per scenario label."""
    outcomes = [o for o in HEADLINE if o in set(frame["outcome"])]
    meaning = _meanings()
    head = "".join(f"<th>{escape(lb)}</th>" for lb in labels)
    body = ""
    for o in outcomes:
        rows = frame[frame["outcome"] == o].set_index("label")
        body += (f"<tr><td title='{escape(meaning.get(o, ''))}'>{escape(o)}<br><span "
                 f"class=small>{escape(meaning.get(o, ''))}</span></td>"
                 + "".join(cell(rows.loc[lb]) for lb in labels) + "</tr>")
    return (f"<div class=wide><table><tr><th>outcome</th>{head}</tr>{body}</table></div>")


def _headline_table(batch, summary: pd.DataFrame) -> str:
    return _by_outcome(summary, batch.labels, "mean", lambda r: f"<td>{_ci(r)}</td>")


def _paired_table(diffs: pd.DataFrame) -> str:
    def cell(r) -> str:
        cls = "worse" if r["worse_for_weak"] else "better" if r["better_for_weak"] else ""
        return (f"<td class='{cls}'>{_num(r['mean_diff'])} [{_num(r['ci_low'])}, "
                f"{_num(r['ci_high'])}]</td>")

    return _by_outcome(diffs, list(dict.fromkeys(diffs["label"])), "mean_diff", cell)


def _profile_table(profiles: pd.DataFrame) -> str:
    wide = profiles.pivot_table(index=["characteristic", "level"], columns="label",
                                values="share", sort=False)
    n = profiles.pivot_table(index=["characteristic", "level"], columns="label",
                             values="weak_schools", sort=False)
    head = "".join(f"<th>{escape(c)}</th>" for c in wide.columns)
    body = "".join(
        f"<tr><td>{escape(c)}: {escape(str(lv))}</td>" + "".join(
            f"<td>{_pct(wide.loc[(c, lv), col])} <span class=small>(n={int(n.loc[(c, lv), col])})"
            f"</span></td>" if not pd.isna(wide.loc[(c, lv), col]) else "<td>–</td>"
            for col in wide.columns) + "</tr>"
        for c, lv in wide.index)
    return (f"<div class=wide><table><tr><th>weak schools that are…</th>{head}</tr>{body}"
            "</table></div>")


def render(batch, summary, diffs, profiles, plots: list[str], figdir: str) -> str:
    m = batch.manifest
    text = "".join(f"<p>{p}</p>" for p in summary_text(batch, summary, diffs, profiles))
    parts = [f"<h1>{escape(m['name'])}: which policies leave weak schools behind?</h1>",
             f"<p class=small>{escape(m.get('description', ''))}<br>{m['n_runs']} runs; preset "
             f"{escape(m['preset'])}, {m['years']} years; baseline {escape(batch.baseline)}; "
             f"root seed {m['root_seed']}; git {escape(m['git_commit'])}; spec sha256 "
             f"{m['spec_sha256'][:12]}…</p>",
             "<h2>Summary</h2>", text,
             "<h2>Outcomes per scenario (mean [95% CI])</h2>", _headline_table(batch, summary)]
    if len(diffs):
        parts += [f"<h2>Paired differences vs {escape(batch.baseline)} (mean [95% CI])</h2>",
                  "<p class=small>Red: significantly worse for weak schools; green: "
                  "significantly better.</p>", _paired_table(diffs)]
    if len(profiles):
        parts += ["<h2>Who is left behind</h2>",
                  "<p class=small>Share of weak schools left behind at the end, pooled over "
                  "replicates. Small: smallest quarter of weak schools of its phase; "
                  "disadvantaged: highest quarter of FSM share.</p>", _profile_table(profiles)]
        tbf = profiles[profiles["characteristic"] == "all weak schools"]
        parts.append("<h3>Time below the floor</h3><p>" + "; ".join(
            f"{escape(r['label'])}: {r['mean_terms_below_floor']:.1f} terms"
            for _, r in tbf.iterrows()) + " (mean per weak school).</p>")
    parts += ["<h2>Figures</h2>"] + [
        f"<p><img src='{figdir}/{stem}.png' alt='{stem}'><br><span class=small>"
        f"<a href='{figdir}/{stem}.svg'>SVG</a></span></p>" for stem in plots]
    parts += ["<h2>How many replicates</h2>", replicates_note(diffs),
              f"<p class=small>Tables as CSV: {figdir}/summary.csv (every outcome), "
              f"{figdir}/paired.csv, {figdir}/left_behind.csv.</p>"]
    return ("<!doctype html><html><head><meta charset='utf-8'><title>"
            f"{escape(m['name'])} report</title><style>{CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
