"""The page's parts as Solara components, all driven by one `Session` per browser tab.

Speed. A step re-renders only the components that read ``session.tick``: the term label,
the map and the outcome charts; the inputs (one reactive value each) are never
re-rendered by a step. The charts are `charts.VegaView`s embedded once: a step sends
their data (a few kB) and the browser updates the live views, so nothing is drawn on
the server.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import solara
from clustersim.viz import charts
from clustersim.viz.adapter import ROLES, Pair, Scenario, default_scenarios, parse_seed, tiers
from clustersim.viz.inputs import ParamInput, param_groups, region_choices, run_defaults

rv = solara.v
PLAY_INTERVAL_S = 0.12  # pause between played terms (a term's update takes well under it)
CSS = """
.cs-layout { display: grid; grid-template-columns: minmax(300px, 360px) minmax(0, 1fr);
             gap: 12px; padding: 8px; align-items: start; }
.cs-side { min-width: 0; }
.cs-main { min-width: 0; display: grid; gap: 12px; }
.cs-top { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
          gap: 12px; align-items: start; }
.cs-views { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr));
            gap: 12px; align-items: start; }
.cs-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
             gap: 8px; }
.cs-input { padding: 4px 0 2px 0; border-bottom: 1px solid #eee; min-width: 0; }
.cs-input-head { display: flex; justify-content: space-between; gap: 8px;
                 align-items: baseline; cursor: help; }
.cs-label { font-size: 12.5px; line-height: 1.25; color: #333; flex: 1 1 0; min-width: 0; }
.cs-value { font-size: 12px; font-weight: 600; color: #1a237e; flex: 0 0 auto;
            max-width: 45%; text-align: right; line-height: 1.25; }
.cs-input .v-input { margin-top: 0; padding-top: 0; width: 100%; }
.cs-input .v-slider { min-width: 120px; }
.cs-changed .cs-value { color: #c62828; }
.cs-term { font-size: 15px; font-weight: 600; }
.cs-note { font-size: 12px; color: #666; }
.cs-error { font-size: 13px; color: #b71c1c; font-weight: 600; }
.cs-scenarios { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.cs-scenario .v-input--selection-controls { margin-top: 0; padding-top: 0; }
.cs-scenario .v-radio, .cs-scenario .v-input--checkbox { margin-bottom: 0 !important; }
.cs-scenario label { font-size: 13px; }
.cs-role { font-weight: 700; font-size: 14px; }
.cs-role-baseline { color: #4575b4; }
.cs-role-policy { color: #d73027; }
.cs-card { padding: 8px 12px; }
.cs-controls { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.cs-result { font-size: 13px; }
"""


# -------------------------------------------------------------------------- session
class Session:
    """Everything one browser tab works with: inputs, the pair of runs, the play state."""

    def __init__(self) -> None:
        start = run_defaults()
        self.groups = param_groups()
        self.inputs: dict[str, ParamInput] = {i.name: i for g in self.groups.values() for i in g}
        self.values = {name: solara.reactive(i.default) for name, i in self.inputs.items()}
        self.regions = region_choices()
        first = next((r for r in self.regions if r.config.get("preset") == start["preset"]),
                     self.regions[0])
        self.region = solara.reactive(first.label)
        self.la = solara.reactive("all")
        self.years = solara.reactive(start["years"])
        self.years_range = start["years_range"]
        self.seed = solara.reactive(str(start["seed"]))
        self.scenarios = solara.reactive(default_scenarios())
        self.tick = solara.reactive(0)         # moves at every step and reset
        self.playing = solara.reactive(False)
        self.error = solara.reactive("")
        self.map_show = solara.reactive("policy")
        self.map_colour = solara.reactive(charts.MAP_COLOURS[0])
        declared = charts.metric_declarations()
        self.outcomes = solara.reactive(charts.default_outcomes(declared))
        self.replicates = solara.reactive(10)
        self.job = solara.reactive(None)       # replicates.Job or None
        self.job_state = solara.reactive({})   # what the page shows of the job
        self.lock = threading.RLock()          # one step or reset at a time
        self.render_context = None             # set by the page: batches a step's renders
        self.open_groups = solara.reactive([])  # expanded parameter groups (indices)
        self.pair = solara.reactive(self.build())
        self.built = self.snapshot()

    # ---- what the inputs say
    def common_config(self) -> dict[str, Any]:
        choice = next(r for r in self.regions if r.label == self.region.value)
        config = dict(choice.config)
        if choice.las and self.la.value in choice.las:
            config["la"] = self.la.value.split(" ")[0]  # "code name": the code
        config["years"] = int(self.years.value)
        config.update({name: r.value for name, r in self.values.items()})
        return config

    def snapshot(self) -> tuple:
        return (tuple(sorted(self.common_config().items())), self.seed.value.strip(),
                tuple(sorted(self.scenarios.value.items())))

    def build(self) -> Pair:
        """A new pair from the inputs; ValueError / UserError with one line if they clash."""
        return Pair(self.common_config(), self.scenarios.value, parse_seed(self.seed.value))

    # ---- actions
    def batch(self):
        """One render pass for everything a step or reset changes (without it each
        component listening to ``tick`` would trigger its own pass over the whole page)."""
        return self.render_context or contextlib.nullcontext()

    def reset(self) -> None:
        from clustersim.model.errors import UserError

        with self.lock, self.batch():
            self.playing.value = False
            try:
                pair = self.build()
            except (ValueError, UserError) as exc:
                self.error.value = str(exc).splitlines()[0]
                return
            self.error.value = ""
            self.built = self.snapshot()
            self.pair.value = pair
            self.tick.value += 1

    def step(self, playing: bool = False) -> bool:
        """One term of both runs; ``playing``: only while Play is on (a Reset or Pause
        that got the lock first wins)."""
        with self.lock, self.batch():
            if playing and not self.playing.value:
                return False
            stepped = self.pair.value.step()
            if stepped:
                self.tick.value += 1
            return stepped

    def play(self) -> None:
        """Step until paused or the horizon; runs in a background task."""
        while self.playing.value:
            t0 = time.perf_counter()
            if not self.step(playing=True):
                break
            time.sleep(max(0.0, PLAY_INTERVAL_S - (time.perf_counter() - t0)))
        self.playing.value = False

    def pending(self) -> bool:
        """Inputs changed since the runs were built (Reset applies them)."""
        return self.snapshot() != self.built


# ----------------------------------------------------------------------------- inputs
@solara.component
def ParamField(spec: ParamInput, value: solara.Reactive, default: Any):
    """One parameter: its meaning, its value with the unit, and the control."""
    changed = value.value != default
    with solara.Div(classes=["cs-input"] + (["cs-changed"] if changed else [])):
        rv.Html(tag="div", class_="cs-input-head", attributes={"title": spec.tooltip},
                children=[rv.Html(tag="label", class_="cs-label", children=[spec.label]),
                          rv.Html(tag="span", class_="cs-value",
                                  children=[spec.value_text(value.value)])])
        if spec.kind == "bool":
            rv.Switch(v_model=bool(value.value), on_v_model=lambda x: value.set(bool(x)),
                      dense=True, hide_details=True, inset=False,
                      attributes={"aria-label": spec.label})
        else:
            cast = int if spec.kind == "int" else float
            rv.Slider(v_model=value.value, min=spec.low, max=spec.high, step=spec.step,
                      on_v_model=lambda x: value.set(cast(x)), dense=True, hide_details=True,
                      attributes={"aria-label": spec.label})


@solara.component
def GroupTitle(group: str, session: Session):
    items = session.groups[group]
    changed = sum(session.values[i.name].value != i.default for i in items)
    text = f"{group} ({len(items)})" + (f" · {changed} changed" if changed else "")
    rv.Html(tag="span", class_="cs-group-title", children=[text])


@solara.component
def ParamGroups(session: Session):
    """Every parameter, grouped as `clustersim params` groups them; groups collapse.

    A collapsed group's inputs are not built at all: the page stays small (every widget
    on it is visited at each render), and an input's value lives in the session anyway.
    """
    opened = set(session.open_groups.value)
    panels = []
    for k, (group, items) in enumerate(session.groups.items()):
        fields = ([ParamField(i, session.values[i.name], i.default) for i in items]
                  if k in opened else [])
        panels.append(rv.ExpansionPanel(children=[
            rv.ExpansionPanelHeader(children=[GroupTitle(group, session)],
                                    class_="cs-group-header"),
            rv.ExpansionPanelContent(children=fields)]))
    every = list(range(len(session.groups)))
    with solara.Card("Parameters", margin=0, classes=["cs-card", "cs-params"]):
        solara.Text("Hover a parameter for its name, range, default and source. "
                    "Reset applies changes to both runs.", classes=["cs-note"])
        with solara.Div(classes=["cs-controls"]):
            solara.Button("Open all", on_click=lambda: session.open_groups.set(every),
                          text=True, small=True, classes=["cs-open-all"])
            solara.Button("Close all", on_click=lambda: session.open_groups.set([]),
                          text=True, small=True, classes=["cs-close-all"])
        rv.ExpansionPanels(multiple=True, accordion=True, children=panels,
                           v_model=sorted(opened),
                           on_v_model=lambda x: session.open_groups.set(list(x or [])))


@solara.component
def RunInputs(session: Session):
    """Region, local authority, horizon and seed."""
    labels = [r.label for r in session.regions]
    choice = next(r for r in session.regions if r.label == session.region.value)
    lo, hi = session.years_range
    with solara.Card("Run", margin=0, classes=["cs-card", "cs-run"]):
        with solara.Div(classes=["cs-input"]):
            rv.Html(tag="div", class_="cs-input-head",
                    attributes={"title": "a preset synthetic region, or a register file"},
                    children=[rv.Html(tag="label", class_="cs-label",
                                      children=["Region the schools are drawn from"]),
                              rv.Html(tag="span", class_="cs-value",
                                      children=[session.region.value.split(":")[0]])])
            rv.Select(v_model=session.region.value, items=labels, class_="cs-region",
                      on_v_model=session.region.set, dense=True, hide_details=True,
                      attributes={"aria-label": "Region the schools are drawn from"})
        if choice.las:
            with solara.Div(classes=["cs-input"]):
                rv.Html(tag="div", class_="cs-input-head",
                        attributes={"title": "one local authority of the file, or all"},
                        children=[rv.Html(tag="label", class_="cs-label",
                                          children=["Local authority of the register file"]),
                    rv.Html(tag="span", class_="cs-value", children=[session.la.value])])
                rv.Select(v_model=session.la.value, items=["all", *choice.las],
                          on_v_model=session.la.set, dense=True, hide_details=True,
                          attributes={"aria-label": "Local authority"}, class_="cs-la")
        with solara.Div(classes=["cs-input"]):
            rv.Html(tag="div", class_="cs-input-head",
                    attributes={"title": f"years: integer in [{lo}, {hi}]; three terms a year"},
                    children=[rv.Html(tag="label", class_="cs-label",
                                      children=["Years to run (three terms each)"]),
                              rv.Html(tag="span", class_="cs-value",
                                      children=[f"{session.years.value} years"])])
            rv.Slider(v_model=session.years.value, min=lo, max=hi, step=1,
                      on_v_model=lambda x: session.years.set(int(x)), dense=True,
                      hide_details=True, attributes={"aria-label": "Years to run"})
        with solara.Div(classes=["cs-input"]):
            rv.Html(tag="div", class_="cs-input-head",
                    attributes={"title": "one seed fixes the region and every random draw; "
                                         "both runs use it"},
                    children=[rv.Html(tag="label", class_="cs-label",
                                      children=["Seed of the region and its shocks"]),
                              rv.Html(tag="span", class_="cs-value",
                                      children=[f"seed {session.seed.value}"])])
            rv.TextField(v_model=session.seed.value, on_v_model=session.seed.set, dense=True,
                         hide_details=True, class_="cs-seed",
                         attributes={"aria-label": "Seed"})


@solara.component
def ScenarioColumn(session: Session, role: str):
    middle, add_ons = tiers()
    from clustersim.model.policies import POLICIES

    scenario: Scenario = session.scenarios.value[role]

    def set_tier(tier: str) -> None:
        session.scenarios.set({**session.scenarios.value,
                               role: session.scenarios.value[role].with_tier(tier)})

    def toggler(name: str):
        def toggle(on: bool) -> None:
            current = session.scenarios.value[role]
            session.scenarios.set({**session.scenarios.value, role: current.toggled(name, on)})
        return toggle

    with solara.Div(classes=["cs-scenario", f"cs-scenario-{role}"]):
        rv.Html(tag="div", class_=f"cs-role cs-role-{role}",
                children=[f"{role}: {scenario.label}"])
        rv.Html(tag="div", class_="cs-note", children=["middle tier (one)"])
        rv.RadioGroup(v_model=scenario.tier, on_v_model=set_tier, dense=True, hide_details=True,
                      children=[rv.Radio(label=name, value=name,
                                         attributes={"title": POLICIES[name].description})
                                for name in middle])
        rv.Html(tag="div", class_="cs-note", children=["add-ons (any)"])
        for name in add_ons:
            rv.Checkbox(label=name, v_model=name in scenario.add_ons, on_v_model=toggler(name),
                        dense=True, hide_details=True,
                        attributes={"title": POLICIES[name].description})
        rv.Html(tag="div", class_="cs-note",
                children=[POLICIES[scenario.tier].description])


@solara.component
def Scenarios(session: Session):
    with solara.Card("Baseline and policy", margin=0, classes=["cs-card", "cs-scenarios-card"]):
        solara.Text("Both run on the same seed: the same region and the same shocks; only "
                    "the policies differ. Reset applies a change.", classes=["cs-note"])
        with solara.Div(classes=["cs-scenarios"]):
            for role in ROLES:
                ScenarioColumn(session, role)


# ---------------------------------------------------------------------------- controls
@solara.component
def TermLabel(session: Session):
    tick = session.tick.value
    pair = session.pair.value
    text = (f"term {pair.term} of {pair.n_terms} (year {pair.term / 3:.1f})"
            + ("" if pair.running else " · horizon reached"))
    rv.Html(tag="div", class_="cs-term", attributes={"data-tick": str(tick)}, children=[text])


@solara.component
def PendingNote(session: Session):
    session.tick.value  # noqa: B018  (re-checked after a reset; reading a value subscribes)
    if session.error.value:
        rv.Html(tag="div", class_="cs-error", children=[session.error.value])
    elif session.pending():
        rv.Html(tag="div", class_="cs-note cs-pending",
                children=["Inputs changed: Reset builds both runs with them."])


@solara.component
def Controls(session: Session):
    playing = session.playing.value

    solara.lab.use_task(lambda: session.play() if session.playing.value else None,
                        dependencies=[playing], prefer_threaded=True)

    def toggle_play() -> None:
        session.playing.value = not session.playing.value

    with solara.Card(margin=0, classes=["cs-card", "cs-control-card"]):
        with solara.Div(classes=["cs-controls"]):
            solara.Button("Reset", on_click=session.reset, color="primary", outlined=True,
                          classes=["cs-reset"])
            solara.Button("Step", on_click=session.step, disabled=playing, color="primary",
                          classes=["cs-step"])
            solara.Button("Pause" if playing else "Play", on_click=toggle_play,
                          color="primary", outlined=True, classes=["cs-play"])
            TermLabel(session)
        PendingNote(session)


# ------------------------------------------------------------------------------- map
def use_data(view: Any, static: dict, current: Any, tick: int, key: Any) -> None:
    """Feed a VegaView element its data after each render, straight into its widget.

    Data never go through the element's props: reacton walks every prop value looking
    for elements, and a map's columns are thousands of values (that walk took most of
    a step's time). ``static`` is sent when it changes (a reset), of ``current()`` each
    tick only the columns that changed (`charts.VegaView.feed`).
    ``key``: what the element's props depend on (its widget is looked up when it changes:
    reacton keeps the widget but not the element of a re-render with equal props).
    """
    widget = solara.use_ref(None)

    def grab():
        widget.current = solara.get_widget(view)

    def push():
        if widget.current is not None:
            widget.current.feed(static, current(), tick)

    solara.use_effect(grab, [key])
    solara.use_effect(push, [tick, static, key])


@solara.component
def RegionMap(session: Session):
    tick = session.tick.value
    pair = session.pair.value
    show, colour = session.map_show.value, session.map_colour.value
    spec = solara.use_memo(lambda: charts.map_spec(show, colour), [show, colour])
    static = solara.use_memo(lambda: charts.map_static(pair.models["baseline"]), [pair])
    aspect = solara.use_memo(lambda: charts.map_aspect(pair.models["baseline"]), [pair])
    shown = pair.models["policy" if show == "difference" else show]
    with solara.Card("Region map", margin=0, classes=["cs-card", "cs-map"]):
        with solara.Div(classes=["cs-controls"]):
            solara.ToggleButtonsSingle(value=show, values=list(charts.MAP_SHOWS),
                                       on_value=session.map_show.set, dense=True,
                                       classes=["cs-map-show"])
            solara.ToggleButtonsSingle(value=colour, values=list(charts.MAP_COLOURS),
                                       on_value=session.map_colour.set, dense=True,
                                       classes=["cs-map-colour"])
        who = ("policy minus baseline" if show == "difference"
               else f"{show}: {pair.scenarios[show].label}")
        rv.Html(tag="div", class_="cs-note cs-map-caption",
                children=[f"{who} · term {pair.term} · {charts.map_summary(shown)}. "
                          "Hover a school; wheel to zoom, drag to pan, double-click to reset."])
        view = charts.VegaView.element(spec=spec, aspect=aspect, renderer="canvas")
        use_data(view, static, lambda: charts.map_columns(pair.models, show), tick,
                 key=(spec, aspect))


# -------------------------------------------------------------------------- outcomes
@solara.component
def OutcomeChart(session: Session, name: str, description: str, unit: str):
    tick = session.tick.value
    pair = session.pair.value
    spec = solara.use_memo(lambda: charts.outcome_spec(name, description, unit),
                           [name, description, unit])
    col = solara.use_memo(lambda: _metric_column(name), [name])

    def extent():
        start = [m.history[0, col] for m in pair.models.values()]
        return {"extent": charts.outcome_extent(unit, start, pair.n_terms)}

    static = solara.use_memo(extent, [pair, name])
    with solara.Div(classes=["cs-chart", f"cs-chart-{name}"]):
        view = charts.VegaView.element(spec=spec, renderer="svg")
        use_data(view, static, lambda: {"series": charts.outcome_columns(pair.models, name)},
                 tick, key=spec)


def _metric_column(name: str) -> int:
    from clustersim.model.metrics import METRIC_NAMES

    return METRIC_NAMES.index(name)


@solara.component
def Outcomes(session: Session):
    declared = solara.use_memo(charts.metric_declarations, [])
    chosen = [n for n in session.outcomes.value if n in declared]
    pair = session.pair.value
    with solara.Card("Who is left behind", margin=0, classes=["cs-card", "cs-outcomes"]):
        rv.Html(tag="div", class_="cs-note", children=[
            f"baseline ({pair.scenarios['baseline'].label}) and policy "
            f"({pair.scenarios['policy'].label}), seed {pair.seed}; shaded: the gap between "
            "them. Hover for values; wheel to zoom; click a legend entry to show one."])
        rv.Select(v_model=chosen, items=list(declared), multiple=True, chips=True,
                  small_chips=True, dense=True, hide_details=True, label="outcomes shown",
                  on_v_model=session.outcomes.set, class_="cs-outcome-select mt-4")
        with solara.Div(classes=["cs-charts"]):
            for name in chosen:
                m = declared[name]
                OutcomeChart(session, name, m.description, m.unit)


# ------------------------------------------------------------------------ replicates
@solara.component
def Replicates(session: Session):
    from clustersim.viz import replicates
    from clustersim.viz.server import results_url

    job = session.job.value
    state = session.job_state.value
    n = session.replicates.value
    lo, hi = replicates.REPLICATES

    def watch():
        """Follow the running job until it ends (a background task)."""
        j = session.job.value
        if j is None:
            return
        while True:
            stage = j.poll()
            info = {"stage": stage, "done": j.runs_done(), "total": j.n_runs,
                    "message": j.message}
            if stage in ("report", "done") and not session.job_state.value.get("result"):
                try:
                    info["result"] = replicates.paired_difference(j.out, j.labels).text(
                        j.labels)
                except (OSError, KeyError, ValueError) as exc:
                    info["message"] = f"could not read the runs: {exc}"
            else:
                info["result"] = session.job_state.value.get("result")
            if stage == "done" and j.report.exists():
                info["report"] = results_url(j.report)
            session.job_state.value = info
            if stage in ("done", "failed"):
                return
            time.sleep(0.25)

    solara.lab.use_task(watch, dependencies=[job], prefer_threaded=True)

    def run() -> None:
        from clustersim.model.errors import UserError

        if session.job.value is not None and session.job_state.value.get("stage") in (
                "batch", "report"):
            return
        try:
            pair = session.pair.value
            j = replicates.start(pair.common, pair.scenarios, pair.seed, session.replicates.value)
        except (ValueError, UserError, OSError) as exc:
            session.job_state.value = {"stage": "failed", "message": str(exc).splitlines()[0]}
            session.job.value = None
            return
        session.job_state.value = {"stage": "batch", "done": 0, "total": j.n_runs}
        session.job.value = j

    running = state.get("stage") in ("batch", "report")
    with solara.Card("Replicates", margin=0, classes=["cs-card", "cs-replicates"]):
        rv.Html(tag="div", class_="cs-note", children=[
            "Runs the two scenarios as built (last Reset) over N seeds with the batch engine "
            "in the background, then the paired difference of the left-behind share."])
        with solara.Div(classes=["cs-input"]):
            rv.Html(tag="div", class_="cs-input-head",
                    attributes={"title": f"replicates: integer in [{lo}, {hi}]"},
                    children=[rv.Html(tag="label", class_="cs-label",
                                      children=["Seeds to run each scenario on"]),
                              rv.Html(tag="span", class_="cs-value",
                                      children=[f"{n} seeds"])])
            rv.Slider(v_model=n, min=lo, max=min(hi, 100), step=1,
                      on_v_model=lambda x: session.replicates.set(int(x)), dense=True,
                      hide_details=True, attributes={"aria-label": "Seeds to run"})
        with solara.Div(classes=["cs-controls"]):
            solara.Button("Run replicates", on_click=run, disabled=running, color="primary",
                          classes=["cs-run-replicates"])
            if running and job is not None:
                solara.Button("Cancel", on_click=job.cancel, text=True)
        if state:
            done, total = state.get("done", 0), state.get("total", 0)
            if state.get("stage") == "batch":
                solara.ProgressLinear(value=100 * done / max(total, 1))
                rv.Html(tag="div", class_="cs-note cs-progress",
                        children=[f"{done} of {total} runs"])
            elif state.get("stage") == "report":
                rv.Html(tag="div", class_="cs-note cs-progress",
                        children=[f"{total} runs done; writing the report"])
            if state.get("result"):
                rv.Html(tag="div", class_="cs-result", children=[state["result"]])
            if state.get("report"):
                rv.Html(tag="a", class_="cs-report-link",
                        attributes={"href": state["report"], "target": "_blank"},
                        children=["full report (report.html)"])
            if state.get("stage") == "failed" or state.get("message"):
                rv.Html(tag="div", class_="cs-error", children=[state.get("message", "")])


# ------------------------------------------------------------------------------ page
def _new_session() -> tuple[Session | None, str]:
    """A session, or why the model's defaults could not be built (shown, not a blank page)."""
    try:
        return Session(), ""
    except Exception as exc:  # any failure of the model is shown in the page
        first = str(exc).splitlines()[0] if str(exc) else ""
        return None, (f"The model could not be built with its defaults: "
                      f"{type(exc).__name__}: {first}")


@solara.component
def ClusterPage():
    import reacton.core

    session, failed = solara.use_memo(_new_session, [])
    solara.Style(CSS)
    solara.Title("clustersim")
    if session is None:
        rv.Html(tag="div", class_="cs-error ma-4", children=[failed])
        return
    session.render_context = reacton.core.get_render_context()
    with solara.Div(classes=["cs-layout"]):
        with solara.Div(classes=["cs-side"]):
            Controls(session)
            RunInputs(session)
            ParamGroups(session)
        with solara.Div(classes=["cs-main"]):
            with solara.Div(classes=["cs-top"]):
                Scenarios(session)
                Replicates(session)
            with solara.Div(classes=["cs-views"]):
                RegionMap(session)
                Outcomes(session)

