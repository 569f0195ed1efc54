"""The Search tab in headless Chromium: a 3-trial study of learning rate and units whose
trials table fills live, Use best moving the sliders, and Cancel mid-study keeping the
finished trials."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import open_app, set_slider, wait_for_loss_points

pytestmark = pytest.mark.browser

ROWS = "() => document.querySelectorAll('#search-trials .ag-center-cols-container .ag-row').length"
STATES = """() => Array.from(document.querySelectorAll(
    '#search-trials .ag-center-cols-container .ag-row [col-id=state]')).map(c => c.textContent)"""
IMPORTANCE_BARS = """() => {
  const g = document.querySelector('#search-importance-graph .js-plotly-plot');
  return g && g.data ? g.data.filter(t => t.type === 'bar').length : 0;
}"""
CURVES = """() => {
  const g = document.querySelector('#search-curves-graph .js-plotly-plot');
  return g && g.data ? g.data.filter(t => t.y && t.y.length).length : 0;
}"""


def open_search(page: Page) -> None:
    """Switch to the Search tab."""
    page.get_by_role("tab", name="Search").click()
    expect(page.locator("#search-button")).to_be_visible()


def search_range(page: Page, name: str, low: float, high: float) -> None:
    """Switch a setting's search on and type its range."""
    page.locator(f"label[for='search-{name}-on']").click()
    for box, value in ((f"#search-{name}-low", low), (f"#search-{name}-high", high)):
        page.locator(box).fill(str(value))
        page.locator(box).press("Tab")


def set_budget(page: Page, trials: int) -> None:
    box = page.locator("#search-trials-n")
    box.fill(str(trials))
    box.press("Tab")


def test_a_study_fills_the_table_live_and_use_best_moves_the_sliders(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    set_slider(browser_page, "epochs", 2)
    set_slider(browser_page, "units", 64)
    open_search(browser_page)
    search_range(browser_page, "learning_rate", 0.001, 0.01)
    search_range(browser_page, "units", 4, 12)
    set_budget(browser_page, 3)
    browser_page.locator("label[for='search-pruning']").click()  # pruning off: 3 whole trials
    browser_page.click("#search-button")
    expect(browser_page.locator("#search-button")).to_be_disabled()
    expect(browser_page.locator("#train-button")).to_be_disabled()
    expect(browser_page.locator("#search-cancel")).to_be_enabled()
    # live: the table has a running first trial before the study ends
    browser_page.wait_for_function(f"() => ({STATES})().includes('running')", timeout=60_000)
    assert browser_page.evaluate(ROWS) < 3 or "running" in browser_page.evaluate(STATES)
    expect(browser_page.locator("#search-status")).to_contain_text(
        "Search finished: 3 trials", timeout=120_000
    )
    browser_page.wait_for_function(f"() => ({ROWS})() == 3")
    assert browser_page.evaluate(STATES) == ["complete"] * 3
    assert browser_page.evaluate(CURVES) == 3
    # Optuna's importances rank the two searched settings once three trials are complete
    browser_page.wait_for_function(f"() => ({IMPORTANCE_BARS})() == 1")
    expect(browser_page.locator("#search-progress-text")).to_contain_text("trial 3/3")
    expect(browser_page.locator("#train-button")).to_be_enabled()
    browser_page.screenshot(path=str(screenshot_dir() / "search.png"))

    # Use best: the sliders take the best trial's units (the status names it)
    expect(browser_page.locator("#search-use-best")).to_be_enabled()
    best_units = best_trial_units(browser_page)
    assert 4 <= best_units <= 12
    browser_page.click("#search-use-best")
    expect(browser_page.locator("#units-input")).to_have_value(str(best_units))
    expect(browser_page.locator("#search-use-note")).to_contain_text(f"Units {best_units}")

    # the best trial's run downloads like any run
    href = browser_page.locator("#search-best-run").get_attribute("href") or ""
    assert href.startswith("/runs/") and href.endswith("/train.zip")
    assert browser_page.request.get(server.rstrip("/") + href).status == 200

    # the trials streamed on the Training tab like runs: the last one's curve is there
    browser_page.get_by_role("tab", name="Training").click()
    wait_for_loss_points(browser_page, 2)
    expect(browser_page.locator("#status-alert")).to_contain_text("Finished 2 epochs")

    # the trials are runs of the session, in the Runs tab
    browser_page.locator(".nav-link", has_text="Runs").click()
    expect(browser_page.locator("#runs-table .ag-center-cols-container .ag-row")).to_have_count(
        3, timeout=10_000
    )
    assert errors == []


BEST_UNITS = """() => {
  const rows = Array.from(document.querySelectorAll(
      '#search-trials .ag-center-cols-container .ag-row'));
  const read = (row, col) => row.querySelector(`[col-id=${col}]`).textContent;
  let best = null;
  for (const row of rows) {
    const value = Number(read(row, 'best'));
    if (best === null || value < best.value) {
      best = {value, units: Number(read(row, 'p_units'))};
    }
  }
  return best.units;
}"""


def best_trial_units(page: Page) -> int:
    """The units of the trial with the lowest best val_loss in the table."""
    return int(page.evaluate(BEST_UNITS))


def test_cancel_mid_study_keeps_the_finished_trials(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    set_slider(browser_page, "epochs", 20)
    open_search(browser_page)
    search_range(browser_page, "units", 4, 8)
    set_budget(browser_page, 5)
    browser_page.locator("label[for='search-pruning']").click()
    browser_page.click("#search-button")
    # the first trial completes, then Cancel during the second
    browser_page.wait_for_function(f"() => ({STATES})().includes('complete')", timeout=120_000)
    browser_page.wait_for_function(f"() => ({STATES})().includes('running')", timeout=60_000)
    browser_page.click("#search-cancel")
    expect(browser_page.locator("#search-status")).to_contain_text(
        "finished trials are kept", timeout=10_000
    )
    states = browser_page.evaluate(STATES)
    assert states[0] == "complete" and "running" not in states
    assert states[-1] == "failed"
    expect(browser_page.locator("#search-button")).to_be_enabled()
    expect(browser_page.locator("#train-button")).to_be_enabled()
    # nothing more arrives: the job is gone, the table stays as Cancel left it
    browser_page.wait_for_timeout(1500)
    assert browser_page.evaluate(STATES) == states
    assert errors == []
