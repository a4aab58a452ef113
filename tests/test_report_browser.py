"""report.html in a real browser (Debian's chromium driven by playwright, never `playwright
install`): at 1280 px the page is no wider than the window, so nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from clustersim.experiments.analysis.report import make_report
from clustersim.experiments.batch.engine import run_batch

from tests.web_helpers import chromium_executable

SPEC = """
name = "tiny_browser"
preset = "maximising_progress"
years = 2
replicates = 3
root_seed = 5
baseline = "self_improving"
[[scenarios]]
policies = ["self_improving"]
[[scenarios]]
policies = ["superintendent", "cpd_bank"]
[[scenarios]]
label = "academy_chains+teaching_school_hubs"
policies = ["academy_chains", "teaching_school_hubs"]
[[scenarios]]
label = "local_authority+academy_chains"
policies = ["local_authority", "academy_chains"]
[outputs]
schools = "all"
"""
WIDTH = 1280


def page_widths(html: Path, screenshot: Path | None = None) -> dict:
    """The page's and the window's widths at 1280 px, and the widest element's right edge."""
    from tests.web_helpers import chromium_page

    with chromium_page((WIDTH, 900)) as (page, _):
        page.goto(html.resolve().as_uri())
        page.wait_for_load_state("load")
        widths = page.evaluate("""() => ({
            scroll: document.documentElement.scrollWidth,
            window: window.innerWidth,
            right: Math.max(...[...document.querySelectorAll('table, img, p')].map(
                e => e.getBoundingClientRect().right)),
            tables: document.querySelectorAll('table').length,
            images: [...document.images].filter(i => i.naturalWidth > 0).length,
        })""")
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
    return widths


@pytest.mark.slow
def test_report_is_no_wider_than_a_1280_px_window(tmp_path):
    if chromium_executable() is None:
        pytest.skip("chromium not installed; run scripts/setup_web.py")
    pytest.importorskip("playwright")
    (tmp_path / "spec.toml").write_text(SPEC)
    out = run_batch(tmp_path / "spec.toml", out=tmp_path / "out", workers=1, quiet=True)
    html = make_report(out)
    widths = page_widths(html, tmp_path / "report_1280.png")
    assert widths["scroll"] <= widths["window"] == WIDTH, widths
    assert widths["right"] <= WIDTH, widths
    assert widths["tables"] >= 10 and widths["images"] >= 8, widths  # everything rendered
    assert (tmp_path / "report_1280.png").stat().st_size > 10_000
