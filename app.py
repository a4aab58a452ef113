"""clustersim's interactive page: `clustersim app` or `solara run app.py`.

Sliders and switches for the model's main parameters (from its one parameter
declaration), policy and preset choice, a seed; step, play and reset; a map of the
region and live plots of who is left behind. It needs no internet: see
`scripts/setup_web.py` (run by `make test` and `make web-setup`) for the front-end assets.
"""

from viz.server import apply_to_running_solara, keep_installed_packages_on_reload

apply_to_running_solara()
keep_installed_packages_on_reload()

from viz.page import clustersim_page  # noqa: E402

Page = clustersim_page()
