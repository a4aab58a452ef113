"""The interactive page (Solara): a baseline and a policy side by side, in the browser.

Nothing here changes the model: the page builds `model.ClusterModel` from the registry's
declarations (`model.PARAMS`, `model.policies`, `model.metrics.METRICS`, the presets and
`model.gias`'s register files) and draws what the model exposes. Modules:

- `server`: offline Solara settings (local front-end assets, no telemetry), the command
  line that serves `app.py`, the route serving the page's batch reports.
- `inputs`: what each input shows (a parameter's meaning, value and unit, tooltip), the
  region choices.
- `adapter`: `Scenario` (one middle tier + add-ons) and `Pair` (baseline and policy on
  one seed, stepped together).
- `charts`: Vega-Lite specs and the data they are fed; `VegaView` (vega_view.vue), a
  chart embedded once and updated with data.
- `replicates`: N seeds of both scenarios through the batch engine, in the background.
- `components`: the Solara components and the per-tab `Session`; `page`: the page.
"""
