"""A story in a real headless Chromium: pause a run, look inside its cells as they are,
change its learning rate, resume, and see the change in the status and marked on the loss
chart; Cancel ends a paused run."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import loss_points, open_app, set_slider, wait_for_loss_points
from tests.browser.test_evaluation import TRACES

pytestmark = pytest.mark.browser
LOSS_NOTES = """() => {
  const g = document.querySelector('#loss-graph .js-plotly-plot');
  return (g && g.layout.annotations || []).map(a => a.text);
}"""


def test_pause_change_the_rate_resume(server: str, page: tuple[Page, ConsoleErrors]) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    set_slider(browser_page, "epochs", 300)
    browser_page.click("#train-button")
    wait_for_loss_points(browser_page, 2)
    browser_page.click("#pause-button")
    status = browser_page.locator("#status-alert")
    expect(status).to_contain_text("Paused at epoch", timeout=10_000)
    expect(browser_page.locator("#pause-button")).to_have_text("Resume")
    held = loss_points(browser_page)
    browser_page.wait_for_function(  # a few of the page's polls: nothing more arrives
        "() => new Promise(done => setTimeout(() => done(true), 1200))"
    )
    assert loss_points(browser_page) == held
    # Inside the cells of the run while it trains: its newest snapshot, the epoch named
    browser_page.get_by_role("tab", name="Inside").click()
    expect(browser_page.locator("#inside-run")).to_contain_text("Training now: ")
    expect(browser_page.locator("#inside-window-text")).to_contain_text("weights after epoch")
    browser_page.wait_for_function(f"() => ({TRACES})('inside-gates-graph') == 4", timeout=20_000)
    browser_page.screenshot(path=str(screenshot_dir() / "inside-training.png"))
    browser_page.get_by_role("tab", name="Training").click()
    box = browser_page.locator("#learning_rate-input")  # the slider follows the box
    box.fill("0.003")
    box.press("Enter")
    expect(browser_page.locator("#steer-note")).to_contain_text(
        "Learning rate 3e-3: applies to the running job from its next batch"
    )
    browser_page.click("#pause-button")
    expect(browser_page.locator("#pause-button")).to_have_text("Pause")
    expect(status).to_contain_text("Learning rate set to 3e-3 at epoch", timeout=10_000)
    browser_page.wait_for_function(f"() => ({LOSS_NOTES})().includes('lr 3e-3')")
    wait_for_loss_points(browser_page, held + 1)  # training goes on
    browser_page.click("#pause-button")  # paused again, Cancel still ends the run
    expect(status).to_contain_text("Paused at epoch", timeout=10_000)
    browser_page.click("#cancel-button")
    expect(status).to_contain_text("Cancelled at epoch", timeout=10_000)
    expect(browser_page.locator("#pause-button")).to_have_text("Pause")
    expect(browser_page.locator("#pause-button")).to_be_disabled()
    expect(browser_page.locator("#train-button")).to_be_enabled()
    assert "lr 3e-3" in browser_page.evaluate(LOSS_NOTES)  # the mark stays
    assert errors == []
