"""report.html: the verdict first, then costs, policies, caveats, flags, tables, maps and plots.

Readable at 1280 px: no table is wider than the page (scenarios are rows; wide tables are
split into several narrow ones), shares are always in percent, and long scenario names
wrap.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd
from clustersim.experiments.analysis import stats
from clustersim.experiments.analysis.outcomes import (
    HEADLINE,
    human,
    is_share,
    outcome_name,
    replicates_to_resolve,
    unit_of,
)

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 16px;
color:#222;line-height:1.45;overflow-wrap:anywhere}
h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;margin:.4em 0 1.2em;max-width:100%}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
th{background:#f2f2f2;font-weight:600}
.worse{background:#fbe3d6}.better{background:#d9eaf7}.tie{color:#666}
.verdict{font-size:1.08em;background:#f6f8fb;border-left:4px solid #0072B2;padding:.7em 1em}
.flag-worse{color:#b34700;font-weight:600}.flag-better{color:#005a8c;font-weight:600}
img{max-width:100%;height:auto;border:1px solid #eee;margin:.4em 0}
.small{font-size:12px;color:#555}
.grid{display:flex;flex-wrap:wrap;gap:4px 18px}
.grid table{font-size:12px}
ul{padding-left:1.3em}
"""
GRADE_SHORT = {"outstanding": "O", "good": "G", "requires_improvement": "RI",
               "inadequate": "I"}
CHUNK = 4  # value columns per table


def _fmt(outcome: str, x: float, diff: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    if is_share(outcome):
        return f"{100 * x:+.1f}" if diff else f"{100 * x:.1f}"
    if outcome.startswith("cost"):
        return f"{x:+,.0f}" if diff else f"{x:,.0f}"
    digits = 2 if abs(x) < 10 else 1
    return f"{x:+.{digits}f}" if diff else f"{x:.{digits}f}"


def _cell(outcome: str, mean, lo, hi, diff=False) -> str:
    inner = _fmt(outcome, mean, diff)
    if lo is not None and math.isfinite(lo):
        inner += f" <span class=small>[{_fmt(outcome, lo, diff)}, {_fmt(outcome, hi, diff)}]"
        inner += "</span>"
    return inner


def _table(head: list[str], rows: list[list[str]], classes: list[list[str]] | None = None
           ) -> str:
    h = "".join(f"<th>{c}</th>" for c in head)
    body = ""
    for i, r in enumerate(rows):
        cls = classes[i] if classes else [""] * len(r)
        body += "<tr>" + "".join(f"<td class='{c}'>{v}</td>" if c else f"<td>{v}</td>"
                                 for v, c in zip(r, cls, strict=True)) + "</tr>"
    return f"<table><tr>{h}</tr>{body}</table>"


def _outcome_tables(frame: pd.DataFrame, labels: list[str], outcomes: list[str],
                    value: str, diff: bool, flags: bool = False) -> str:
    """Scenarios as rows, at most CHUNK outcomes per table."""
    outcomes = [o for o in outcomes if o in set(frame["outcome"])]
    parts = []
    for start in range(0, len(outcomes), CHUNK):
        chunk = outcomes[start:start + CHUNK]
        head = ["scenario"] + [f"{escape(outcome_name(o))}<br><span class=small>"
                               f"{'difference, ' if diff else ''}{escape(unit_of(o))}"
                               + (" points" if diff and is_share(o) else "") + "</span>"
                               for o in chunk]
        rows, classes = [], []
        for lb in labels:
            sub = frame[frame["label"] == lb].set_index("outcome")
            row, cls = [escape(human(lb))], [""]
            for o in chunk:
                if o not in sub.index:
                    row.append("–")
                    cls.append("")
                    continue
                r = sub.loc[o]
                row.append(_cell(o, r[value], r["ci_low"], r["ci_high"], diff))
                cls.append("worse" if flags and r["worse_for_weak"] else
                           "better" if flags and r["better_for_weak"] else "")
            rows.append(row)
            classes.append(cls)
        parts.append(_table(head, rows, classes))
    return "".join(parts)


def flags_text(diffs: pd.DataFrame, baseline: str, min_effect: float) -> list[str]:
    """One line per flagged policy, naming each outcome once; or one line saying none."""
    out = []
    for kind, col, css in (("worse", "worse_for_weak", "flag-worse"),
                           ("better", "better_for_weak", "flag-better")):
        hit = diffs[diffs[col]]
        for label, g in hit.groupby("label", sort=False):
            what = ", ".join(f"{escape(outcome_name(r.outcome))} "
                             f"({_fmt(r.outcome, r.mean_diff, True)}"
                             f"{' pp' if is_share(r.outcome) else ''})"
                             for r in g.itertuples())
            out.append(f"<span class={css}>{kind.capitalize()} for weak schools:</span> "
                       f"<b>{escape(human(label))}</b> vs {escape(human(baseline))} on {what}.")
    if not out:
        out.append(f"No policy is both statistically and practically different from "
                   f"{escape(human(baseline))} on any weak-school outcome.")
    return out


def _costs(rows, baseline: str) -> str:
    head = ["scenario", "left behind<br><span class=small>% [95% CI]</span>",
            f"vs {escape(human(baseline))}<br><span class=small>pp [paired 95% CI]</span>",
            "verdict", "cost<br><span class=small>£ per school per year</span>",
            "extra cost<br><span class=small>£ per school per year</span>",
            "per weak school kept out of &ldquo;left behind&rdquo;"]
    body, classes = [], []
    words = {"fewer": "fewer left behind", "more": "more left behind", "tie": "tie",
             "unclear": "unclear", "baseline": "baseline"}
    for r in sorted(rows, key=lambda r: r.share):
        base = r.label == baseline
        body.append([
            escape(human(r.label)),
            _cell("left_behind", r.share, r.share_low, r.share_high),
            "–" if base else _cell("left_behind", r.diff, r.low, r.high, True),
            words[r.status],
            f"{r.cost:,.0f}" if math.isfinite(r.cost) else "–",
            "–" if base else f"{r.extra_cost:+,.0f}",
            "–" if base else ("no gain" if r.per_weak_lifted is None else
                              "saves money" if r.per_weak_lifted < 0 else
                              stats.money(r.per_weak_lifted))])
        cls = {"fewer": "better", "more": "worse"}.get(r.status, "")
        classes.append(["", "", cls, cls, "", "", ""])
    return _table(head, body, classes)


def _policies(items: list[dict]) -> str:
    out = []
    for p in items:
        budget = (f"budget <code>{escape(p['budget'])}</code> = £{p['budget_value']:,.0f} per "
                  "school per year" if p["budget"] else "no public budget of its own")
        comps = "".join(f"<li><code>{escape(k)}</code>: {escape(v)}</li>"
                        for k, v in p["components"].items())
        out.append(f"<li><b>{escape(human(p['name']))}</b> "
                   f"<span class=small>({escape(p['tier'].replace('_', ' '))}; {budget})</span>"
                   f": {escape(p['description'])}" + (f"<ul class=small>{comps}</ul>" if comps
                                                      else "") + "</li>")
    return "<ul>" + "".join(out) + "</ul>"


def _profile(profiles: pd.DataFrame, labels: list[str], what: str) -> str:
    """One small table per characteristic: scenarios as rows, its levels as columns."""
    parts = []
    for trait, g in profiles.groupby("characteristic", sort=False):
        levels = list(dict.fromkeys(g["level"]))
        head = [escape(trait)] + [escape(str(lv)) for lv in levels]
        rows = []
        for lb in labels:
            sub = g[g["label"] == lb].set_index("level")
            row = [escape(human(lb))]
            for lv in levels:
                if lv in sub.index:
                    r = sub.loc[lv]
                    row.append(f"{100 * r['share']:.0f}% <span class=small>"
                               f"[{100 * r['share_low']:.0f}, {100 * r['share_high']:.0f}] "
                               f"n={int(r['weak_schools'])}</span>")
                else:
                    row.append("–")
            rows.append(row)
        parts.append(_table(head, rows))
    return (f"<p class=small>Share of weak schools {what}, pooled over replicates, with "
            "Wilson 95% intervals. Small: smallest quarter of weak schools of its phase; "
            "disadvantaged: highest quarter of FSM share.</p>" + "".join(parts))


def _transitions(transitions: pd.DataFrame, labels: list[str]) -> str:
    parts = []
    grades = stats.GRADES
    for lb in labels:
        t = transitions[transitions["label"] == lb]
        if t.empty:
            continue
        head = [f"{escape(human(lb))}<br><span class=small>from \\ to</span>"] + [
            GRADE_SHORT[g] for g in grades]
        rows = []
        for f in grades:
            r = t[t["from"] == f].set_index("to")
            rows.append([GRADE_SHORT[f]] + [
                "–" if pd.isna(r.loc[g, "share"]) else f"{100 * r.loc[g, 'share']:.0f}%"
                for g in grades])
        parts.append(_table(head, rows))
    return "<div class=grid>" + "".join(parts) + "</div>"


def _longitudinal(longit: pd.DataFrame, labels: list[str]) -> str:
    head = ["scenario", "weak schools ever graded good or better<br><span class=small>"
            "% [Wilson 95% CI]</span>",
            "of those starting below good<br><span class=small>% [95% CI]</span>",
            "spells below good<br><span class=small>mean length, terms</span>",
            "still below good at the end<br><span class=small>% of spells</span>",
            "stuck<br><span class=small>% never graded good</span>",
            "spells below the floor<br><span class=small>mean length, terms</span>"]
    rows = []
    for lb in labels:
        r = longit[longit["label"] == lb]
        if r.empty:
            continue
        r = r.iloc[0]
        spells = r["spells_below_good"]
        rows.append([
            escape(human(lb)),
            _cell("left_behind", r["ever_good"], r["ever_good_low"], r["ever_good_high"]),
            _cell("left_behind", r["ever_good_from_below"], r["ever_good_from_below_low"],
                  r["ever_good_from_below_high"]),
            f"{r['mean_spell_terms']:.1f}" if spells else "–",
            f"{100 * r['spells_open_at_end'] / spells:.0f}%" if spells else "–",
            f"{100 * r['stuck']:.0f}%",
            "–" if not r.get("floor_spells", 0) > 0 else f"{r['mean_floor_spell_terms']:.1f}"])
    return _table(head, rows)


def replicates_note(diffs: pd.DataFrame) -> str:
    """How many replicates the intervals used, and how many each comparison needs."""
    if diffs.empty:
        return "<p>Only one scenario: no paired differences.</p>"
    d = diffs[diffs["outcome"].isin(stats.WORSE_FOR_WEAK)
              & ~diffs["outcome"].isin(stats.MIRRORS)]
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
    rows = []

    def n(v: float) -> str:
        return f"{int(v):,}" if math.isfinite(v) else "more than 100,000"

    for label in dict.fromkeys(d["label"]):
        if label not in lb.index:
            continue
        r = lb.loc[label]
        rows.append([escape(human(label)), n(r["replicates_to_resolve"]),
                     n(replicates_to_resolve(0.01, r["sd_diff"]))])
    if rows:
        parts.append("<p>Replicates needed for the left-behind difference (at the observed "
                     "effect and spread of the paired differences, 95% level):</p>"
                     + _table(["scenario", "to tell it from zero", "to pin it to &plusmn;1 "
                               "point"], rows))
    return "".join(parts)


def render(batch, summary, diffs, profiles, plots: list[str], figdir: str, *, verdict: str,
           rows, min_effect: float, policies: list[dict], caveats: list[str],
           longitudinal: pd.DataFrame, transitions: pd.DataFrame, stuck: pd.DataFrame,
           maps: dict[str, str]) -> str:
    m = batch.manifest
    labels = batch.labels
    base = batch.baseline
    plot_set = set(plots)
    parts = [f"<h1>{escape(m['name'])}: which policies leave weak schools behind?</h1>",
             f"<p class=verdict>{escape(verdict)}</p>",
             f"<p class=small>{escape(m.get('description', ''))}<br>{m['n_runs']} runs; preset "
             f"{escape(m['preset'])}, {m['years']} years; baseline {escape(base)}; root seed "
             f"{m['root_seed']}; git {escape(str(m.get('git_commit')))}; spec sha256 "
             f"{m['spec_sha256'][:12]}…. Practical thresholds (smaller differences are ties): "
             f"{escape(stats.threshold_text(min_effect))}.</p>",
             "<h2>Cost and benefit</h2>",
             "<p class=small>Left behind: weak schools (the bottom fifth by initial "
             "effectiveness) still below the floor or below the good standard (what an "
             "inspection would judge below good on average) at the end. Cost: public money "
             "the policies spent, per school per year. Cost per weak school kept out of "
             "&ldquo;left behind&rdquo;: the extra cost against the baseline, paired by "
             "replicate, over "
             "every school and every year, divided by how many more weak schools are out of "
             "&ldquo;left behind&rdquo;; &ldquo;no gain&rdquo; when there are none.</p>",
             _costs(rows, batch.label(base, batch.first))]
    if "cost_benefit" in plot_set:
        parts.append(_img(figdir, "cost_benefit"))
    parts += ["<h2>The policies</h2>", _policies(policies),
              "<h2>Caveats: what most moves this answer</h2>",
              "<ul>" + "".join(f"<li>{escape(c)}</li>" for c in caveats) + "</ul>"]
    if len(diffs):
        parts += [f"<h2>Flags against {escape(human(base))}</h2>",
                  "<p class=small>A policy is flagged only when its paired difference is both "
                  "statistically clear (95% interval excludes zero) and at least the practical "
                  "threshold; mirror outcomes (catch-up = &minus;gap change; gap change pairs "
                  "exactly as the gap) are not counted twice.</p>",
                  "".join(f"<p>{t}</p>" for t in flags_text(diffs, base, min_effect)),
                  f"<h3>Paired differences vs {escape(human(base))} (mean [95% CI])</h3>",
                  "<p class=small>Blue: better for weak schools; orange: worse (both "
                  "statistically and practically); shares in percentage points.</p>",
                  _outcome_tables(diffs, list(dict.fromkeys(diffs["label"])),
                                  [o for o in HEADLINE if o in stats.WORSE_FOR_WEAK],
                                  "mean_diff", True, flags=True)]
    parts += ["<h2>Outcomes per scenario (mean [95% CI])</h2>",
              "<p class=small>Shares in percent with bootstrap intervals over replicates "
              "(within 0-100%); other quantities with Student-t intervals.</p>",
              _outcome_tables(summary, labels, HEADLINE, "mean", False)]
    if maps:
        parts += ["<h2>Where weak schools are left behind</h2>"]
        for stem, note in maps.items():
            parts.append(_img(figdir, stem, note))
    if len(longitudinal):
        parts += ["<h2>Grade histories of weak schools</h2>",
                  "<p class=small>From every inspection (inspections.csv) and the grade "
                  "published at the start. A spell below good runs from the inspection (or "
                  "the start) that found a weak school requires improvement or inadequate to "
                  "the one that found it good again, or to the end of the run.</p>",
                  _longitudinal(longitudinal, labels),
                  "<h3>Grade transitions between consecutive inspections (weak schools)</h3>",
                  "<p class=small>Rows: the grade before; columns: the next; O outstanding, "
                  "G good, RI requires improvement, I inadequate.</p>",
                  _transitions(transitions, labels)]
        if len(stuck):
            parts += ["<h3>Which weak schools stay stuck (never graded good)</h3>",
                      _profile(stuck, labels, "never graded good or better in the run")]
    if len(profiles):
        parts += ["<h2>Who is left behind</h2>",
                  _profile(profiles, labels, "left behind at the end")]
    rest = [p for p in plots if p != "cost_benefit"]
    if rest:
        parts += ["<h2>Figures</h2>"] + [_img(figdir, stem) for stem in rest]
    parts += ["<h2>How many replicates</h2>", replicates_note(diffs),
              f"<p class=small>Tables as CSV in {figdir}/: summary.csv (every outcome, mirrors "
              "included), paired.csv (with the thresholds and flags), costs.csv, "
              "left_behind.csv, longitudinal.csv, transitions.csv, stuck.csv; the verdict in "
              "verdict.txt.</p>"]
    return ("<!doctype html><html lang=en><head><meta charset='utf-8'>"
            "<meta name=viewport content='width=device-width, initial-scale=1'><title>"
            f"{escape(m['name'])} report</title><style>{CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")


def _img(figdir: str, stem: str, note: str = "") -> str:
    return (f"<p><img src='{figdir}/{stem}.png' alt='{escape(stem)}'><br><span class=small>"
            + (f"{escape(note)} " if note else "")
            + f"<a href='{figdir}/{stem}.svg'>SVG</a></span></p>")
