"""Story: a monthly series trained briefly shows its honest evaluation, the baselines and
the interval band on the Training tab, the residual charts on the Evaluation tab, and its
cells (a reading, four gate heatmaps) on the Inside tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import (
    PREDICTION_TRACES,
    open_app,
    pick_dataset,
    set_slider,
    wait_for_prediction_trace,
)

pytestmark = pytest.mark.browser

TRACES = """(id) => {
  const g = document.querySelector('#' + id + ' .js-plotly-plot');
  return g && g.data ? g.data.length : 0;
}"""


def test_monthly_series_shows_baselines_band_and_residuals(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    expect(browser_page.locator("#evaluation-empty")).to_contain_text(
        "Train a forecasting run to see its evaluation."
    )
    pick_dataset(browser_page, "Airline passengers")
    for name in ("season", "backtest_origins", "backtest_stride"):  # under More settings
        expect(browser_page.locator(f"#{name}-slider")).to_have_count(1)
    expect(browser_page.locator("#coverage-choice")).to_have_count(1)
    set_slider(browser_page, "epochs", 3)
    set_slider(browser_page, "units", 8)
    browser_page.click("#train-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Finished 3 epochs", timeout=90_000
    )
    metrics = browser_page.locator("#metrics-table")
    expect(metrics).to_contain_text("strongest baseline")  # the verdict
    expect(metrics).to_contain_text("seasonal naive (m=12)")
    expect(metrics).to_contain_text("MASE")
    wait_for_prediction_trace(browser_page, "LSTM")
    browser_page.wait_for_function(
        f"() => ({PREDICTION_TRACES})().some(n => n === '80 % interval')",
        timeout=20_000,
    )
    browser_page.screenshot(path=str(screenshot_dir() / "honest-training.png"))

    browser_page.get_by_role("tab", name="Evaluation").click()
    expect(browser_page.locator("#evaluation-summary")).to_contain_text("strongest baseline")
    for graph in ("residuals", "histogram", "acf", "horizon"):
        browser_page.wait_for_function(
            f"() => ({TRACES})('evaluation-{graph}-graph') > 0", timeout=20_000
        )
    expect(browser_page.locator("#evaluation-acf-reading")).to_contain_text(
        re.compile(r"noise|correlate")  # the reading, a sentence either way
    )
    expect(browser_page.locator("#evaluation-anomalies")).to_contain_text(
        re.compile("anomalies", re.IGNORECASE)
    )
    browser_page.screenshot(path=str(screenshot_dir() / "honest-evaluation.png"), full_page=True)

    browser_page.get_by_role("tab", name="Inside").click()  # the same run, replayed inside
    expect(browser_page.locator("#inside-reading")).to_contain_text("unit ")
    browser_page.wait_for_function(f"() => ({TRACES})('inside-gates-graph') == 4", timeout=20_000)
    browser_page.screenshot(path=str(screenshot_dir() / "inside.png"), full_page=True)
    assert errors == []
