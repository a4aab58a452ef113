"""clustersim's interactive page: `clustersim app` or `solara run app.py`.

A baseline and a policy on the same seed, stepped together; every parameter as declared
in the model's registry (grouped, with values, units, ranges and sources); a map and
interactive charts drawn in the browser; replicates through the batch engine. It needs
no internet: see `scripts/setup_web.py` (run by `make test` and `make web-setup`).
"""

from clustersim.viz.server import (
    apply_to_running_solara,
    keep_installed_packages_on_reload,
    serve_results,
)

apply_to_running_solara()
keep_installed_packages_on_reload()
serve_results()

from clustersim.viz.page import clustersim_page  # noqa: E402

Page = clustersim_page()
