"""README claims seen in the page: the log-scale switch of the loss chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import ConsoleErrors
from tests.browser.helpers import open_app

pytestmark = pytest.mark.browser

AXIS_TYPE = """() => {
  const g = document.querySelector('#loss-graph .js-plotly-plot');
  return g && g.layout && g.layout.yaxis ? g.layout.yaxis.type : null;
}"""


def wait_for_axis(page: Page, kind: str) -> None:
    page.wait_for_function(f"() => ({AXIS_TYPE})() === '{kind}'", timeout=20_000)


def test_log_scale_switch_changes_the_loss_axis(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    switch = browser_page.locator("#log-scale")
    assert switch.is_checked()
    wait_for_axis(browser_page, "log")
    switch.uncheck()
    wait_for_axis(browser_page, "linear")
    switch.check()
    wait_for_axis(browser_page, "log")
    assert errors == []
