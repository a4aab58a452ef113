"""The interactive page (Mesa SolaraViz): inputs, a map and live plots of a ClusterModel.

Nothing here changes the model: the page builds `model.ClusterModel` from the parameter
registry's declarations and draws what the model exposes. Modules:

- `server`: offline Solara settings (local front-end assets, no telemetry) and the
  command line that serves `app.py` on 127.0.0.1.
- `inputs`: the sidebar inputs, derived from `model.PARAMS`, `PRESETS` and `POLICIES`.
- `adapter`: turns the flat input values into a `ClusterModel(config=..., seed=...)`.
- `components`: the map, the outcome plots and the cluster table.
- `page`: the SolaraViz page that puts them together.
"""
