"""The interactive page, in a real browser: it renders offline, reacts to inputs and steps.

Starts `clustersim app` on a free 127.0.0.1 port, drives Debian's chromium through
playwright, and checks that the inputs, the map and the plots render; that stepping
changes the map and the plots; that a changed input (seed, a policy) takes effect on
Reset; and that no request left 127.0.0.1. Saves results/app_screenshot.png.
`scripts/setup_web.py` (run by `make test`) installs chromium and the front-end files.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web_helpers import (
    chromium_executable,
    chromium_page,
    free_port,
    start_server,
    stop_server,
)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "results" / "app_screenshot.png"
PRESET = "maximising_progress"  # 67 schools: quick to build and to draw
STEPS = 3
TIMEOUT_MS = 60_000


def page_inputs() -> dict:
    from viz.page import clustersim_inputs

    return clustersim_inputs()


# ------------------------------------------------------------------ without a browser
def test_inputs_come_from_the_model_declarations():
    import model
    from model.config import DEFAULTS
    from viz.inputs import POLICY_PREFIX, _on_grid

    inputs = page_inputs()
    for name, spec in inputs.items():
        if name in model.PARAMS:
            p = model.PARAMS[name]
            assert spec["value"] == p.default, name
            if p.kind != "bool":
                assert (spec["min"], spec["max"]) == (p.low, p.high), name
                assert _on_grid(p.default - p.low, spec["step"]), f"{name} default off grid"
    switches = {p.name for p in model.PARAMS if p.kind == "bool"}
    assert switches <= set(inputs)
    assert {POLICY_PREFIX + n for n in model.POLICIES} <= set(inputs)
    assert inputs["preset"]["values"] == list(model.PRESETS)
    assert inputs["preset"]["value"] == DEFAULTS["preset"]
    assert inputs["years"]["value"] == DEFAULTS["years"]
    on = [n for n in model.POLICIES if inputs[POLICY_PREFIX + n]["value"]]
    assert on == list(DEFAULTS["policies"])


def test_page_model_is_the_model_built_from_the_inputs():
    import model
    from viz.adapter import page_model_class
    from viz.inputs import initial_values

    values = initial_values(page_inputs())
    values.update(preset=PRESET, seed="7", policy__superintendent=True, seek_rate=0.3,
                  scenario=None)  # SolaraViz's Reset passes a Mesa scenario too
    page_model = page_model_class(model.ClusterModel)(**values)
    policies = [n for n in model.POLICIES if values["policy__" + n]]
    plain = model.ClusterModel(config={"preset": PRESET, "policies": policies,
                                       "years": values["years"], "seek_rate": 0.3}, seed=7)
    assert page_model.config == plain.config
    for m in (page_model, plain):
        m.step()
        m.step()
    assert page_model.series().equals(plain.series())


def test_drawings_show_schools_clusters_and_brokers():
    import model
    from viz.components import brokers_of, draw_map, draw_outcomes, outcome_titles

    m = model.ClusterModel(config={"preset": PRESET, "policies": ["superintendent"]}, seed=3)
    m.step()
    assert brokers_of(m), "superintendent brokers expected on the map"
    for mode in ("effectiveness", "grade"):
        fig = draw_map(m, mode)
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert any("broker" in t for t in labels), labels
        assert f"term {m.term}" in fig.axes[0].get_title()
    fig = draw_outcomes(m.series(), outcome_titles())
    assert all(ax.lines for ax in fig.axes), "every outcome plot has a line after a step"


# ------------------------------------------------------------------ in a browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from viz.server import assets_ready

    if chromium_executable() is None:
        pytest.skip("chromium not found: run `python scripts/setup_web.py` (as root) first")
    if not assets_ready():
        pytest.fail("Solara's front-end files are missing: run `python scripts/setup_web.py`")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    argv = [sys.executable, "-m", "experiments.cli", "app", "--host", "127.0.0.1",
            "--port", str(port), "--preset", PRESET]
    log = tmp_path_factory.mktemp("app") / "server.log"
    srv = start_server(argv, url, log, env=_env(), cwd=ROOT)
    yield srv
    stop_server(srv)
    assert srv.proc.poll() is not None, "server still running after stop"


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLARA_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def shot(locator) -> bytes:
    """PNG bytes of what the browser shows for one element."""
    locator.scroll_into_view_if_needed()
    return locator.screenshot()


def changed(locator, before: bytes, what: str, timeout: float = 20.0) -> bytes:
    """Wait until the element looks different from `before`; return how it looks now."""
    deadline = time.monotonic() + timeout
    while True:
        now = shot(locator)
        if now != before:
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: unchanged after {timeout:.0f} s")
        time.sleep(0.3)


def step(page, times: int) -> None:
    button = page.get_by_role("button", name="Step", exact=True)
    for _ in range(times):
        button.click()


def wait_term(page, term: int) -> None:
    page.locator(".clustersim-cluster-count", has_text=f"term {term}:").wait_for(
        timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)  # let the new images load


FAILURE_SHOT = ROOT / "results" / "app_failure.png"


def test_page_renders_reacts_and_stays_offline(server):
    inputs = page_inputs()
    t0 = time.monotonic()
    with chromium_page() as (page, traffic):
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            drive_the_page(page, server.url, inputs, errors)
        except Exception as exc:
            FAILURE_SHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(FAILURE_SHOT))
            raise AssertionError(f"{exc}\n(page: {FAILURE_SHOT}; page errors: {errors})\n"
                                 f"server log:\n{server.log_tail()}") from exc

    external = traffic.external()
    assert traffic.urls, "no requests recorded"
    assert not external, f"requests left 127.0.0.1: {external}"
    assert any("/_solara/cdn/" in u for u in traffic.urls), "front end not served locally"
    assert time.monotonic() - t0 < 120


def drive_the_page(page, url: str, inputs: dict, errors: list[str]) -> None:
    """Render, step, change inputs, reset, play, pause; assert the page follows."""
    page.goto(url)

    # --- it renders: map, plots, table, every input
    map_img = page.locator(".clustersim-map img")
    plots_img = page.locator(".clustersim-outcomes img")
    map_img.wait_for(timeout=TIMEOUT_MS)
    plots_img.wait_for(timeout=TIMEOUT_MS)
    wait_term(page, 0)
    caption = page.locator(".clustersim-caption")
    assert PRESET in caption.inner_text()
    text = page.locator("body").inner_text()
    missing = [s["label"] for s in inputs.values() if s["label"] not in text]
    assert not missing, f"inputs not shown: {missing}"
    for name in ("Reset", "Step"):
        assert page.get_by_role("button", name=name, exact=True).is_visible()
    for img in (map_img, plots_img):
        box = img.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 250, box
    map0, plots0 = shot(map_img), shot(plots_img)

    # --- stepping changes the map and the plots
    step(page, STEPS)
    wait_term(page, STEPS)
    map_a = changed(map_img, map0, "map after stepping")
    plots_a = changed(plots_img, plots0, "plots after stepping")

    # --- a changed input takes effect on Reset: new seed, superintendent added
    seed = page.get_by_label(inputs["seed"]["label"])
    seed.fill("12345")
    seed.press("Enter")
    page.get_by_text(inputs["policy__superintendent"]["label"]).click()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator(".clustersim-caption", has_text="seed 12345").wait_for(timeout=TIMEOUT_MS)
    assert "superintendent" in caption.inner_text()
    wait_term(page, 0)
    # this time run with play, then pause
    page.get_by_role("button", name="▶", exact=True).click()
    page.wait_for_function(
        "n => Number((document.querySelector('.clustersim-cluster-count') || {})"
        ".textContent?.match(/term (\\d+):/)?.[1] ?? 0) >= n", arg=STEPS,
        timeout=TIMEOUT_MS)
    page.get_by_role("button", name="❚❚", exact=True).click()
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)  # a step already under way when paused may still land
    map_b = changed(map_img, map_a, "map under another seed and policy")
    changed(plots_img, plots_a, "plots under another seed and policy")

    # --- the map's colour switch redraws it by grade
    grade = page.get_by_role("button", name="grade", exact=True)
    grade.click()
    expect(grade).to_have_class(re.compile("v-btn--active"), timeout=TIMEOUT_MS)
    changed(map_img, map_b, "map coloured by grade")
    page.get_by_role("button", name="effectiveness", exact=True).click()

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1250})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SCREENSHOT))
    assert not errors, f"errors in the page: {errors}"
