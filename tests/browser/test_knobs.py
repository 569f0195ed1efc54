"""Stories for the practitioner's knobs: classification, presets with early stopping."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import loss_points, open_app, pick_dataset, set_slider

pytestmark = pytest.mark.browser

HEATMAP = """() => {
  const g = document.querySelector('#prediction-graph .js-plotly-plot');
  return g && g.data ? g.data.map(t => t.type).join(',') : '';
}"""
ANNOTATIONS = """() => {
  const g = document.querySelector('#loss-graph .js-plotly-plot');
  return g && g.layout.annotations ? g.layout.annotations.map(a => a.text).join('|') : '';
}"""


def test_classify_heartbeats_and_see_the_confusion_matrix(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    pick_dataset(browser_page, "ECG5000 heartbeats (classification)")
    set_slider(browser_page, "epochs", 2)
    set_slider(browser_page, "units", 8)
    set_slider(browser_page, "layers", 1)
    browser_page.click("#train-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Finished 2 epochs", timeout=90_000
    )
    browser_page.wait_for_function(f"() => ({HEATMAP})().includes('heatmap')", timeout=20_000)
    expect(browser_page.locator("#metrics-table")).to_contain_text("precision")
    expect(browser_page.locator("#metrics-table")).to_contain_text("Accuracy")
    visible = browser_page.evaluate(
        "() => document.querySelector('#loss-graph .js-plotly-plot').data[2].visible"
    )
    assert visible is True  # the accuracy curve is drawn for classification
    browser_page.screenshot(path=str(screenshot_dir() / "classification.png"))
    assert errors == []


def test_early_stopping_preset_marks_the_best_epoch(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    browser_page.click("#preset-picker")
    browser_page.get_by_role("option", name="With early stopping").click()
    expect(browser_page.locator("#preset-note")).to_contain_text("stops once val_loss")
    expect(browser_page.locator("#dataset-badge")).to_contain_text("Airline passengers")
    set_slider(browser_page, "units", 32)  # keep the story quick on two cores
    browser_page.click("#train-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Early stopping after", timeout=120_000
    )
    assert loss_points(browser_page) < 150
    browser_page.wait_for_function(f"() => ({ANNOTATIONS})().includes('best epoch')")
    browser_page.screenshot(path=str(screenshot_dir() / "early-stopping.png"))
    assert errors == []
