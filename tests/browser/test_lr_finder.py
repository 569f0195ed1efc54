"""Story: find a learning rate in the dialog, use it, and the box shows what will train."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboard.ml.lr_finder import short
from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import open_app, set_slider

pytestmark = pytest.mark.browser

SUGGESTED = """() => {
  const g = document.querySelector('#lr-finder-graph .js-plotly-plot');
  return g && g.layout && g.layout.shapes && g.layout.shapes.length ? g.layout.shapes[0].x0 : null;
}"""


def test_find_a_rate_and_use_it(server: str, page: tuple[Page, ConsoleErrors]) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    set_slider(browser_page, "units", 16)
    browser_page.click("#lr-find")
    dialog = browser_page.locator("#lr-finder-modal")
    expect(dialog).to_be_visible()
    use = browser_page.locator("#lr-finder-use")
    expect(use).to_be_enabled(timeout=90_000)  # through the real job manager
    expect(browser_page.locator("#lr-finder-status")).to_contain_text("Suggested learning rate")
    assert browser_page.evaluate(SUGGESTED) is not None  # the suggestion is marked
    browser_page.screenshot(path=str(screenshot_dir() / "lr-finder.png"))
    label = use.inner_text()  # "Use 1.6e-3"
    use.click()
    expect(dialog).to_be_hidden()
    shown = float(browser_page.locator("#learning_rate-input").input_value())
    assert label == f"Use {short(shown)}", (label, shown)  # the box holds what Use said
    assert errors == [], errors
