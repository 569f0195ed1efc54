"""Stories of the Runs tab in headless Chromium: compare two runs, share one, settings in the
URL, and runs that outlive the server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser.conftest import ConsoleErrors, collect_errors, screenshot_dir
from tests.browser.helpers import open_app, set_slider
from tests.server import running_server

pytestmark = pytest.mark.browser
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
OVERLAY = """() => {
  const g = document.querySelector('#overlay-loss-graph .js-plotly-plot');
  if (!g || !g.data) return [0, 0];
  return [g.data.length, new Set(g.data.map(t => t.legendgroup)).size];
}"""
SESSION = "() => JSON.parse(sessionStorage.getItem('session-id'))"
GRID = "#runs-table"
ROW_CHECKBOXES = f"{GRID} .ag-row .ag-selection-checkbox input[type=checkbox]"
# the checkbox of the row shown at a place (0: top); the DOM order of rows is not the shown one
ROW_CHECKBOX = GRID + " .ag-row[row-index='{}'] .ag-selection-checkbox input[type=checkbox]"
# the run numbers down the grid as shown: rows sit in the DOM in any order, placed by row-index
SHOWN_NUMBERS = """() => [...document.querySelectorAll(
    '#runs-table .ag-center-cols-container .ag-row')]
  .sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))
  .map(row => row.querySelector('[col-id=number]').textContent.trim())"""


# the number of the run whose files the focus card offers (its run.json says so)
FOCUSED_NUMBER = """async (number) => {
  const link = [...document.querySelectorAll('#run-downloads a')]
    .find(a => a.getAttribute('href') && a.getAttribute('href').endsWith('/run.json'));
  if (!link) { return false; }
  const answer = await fetch(link.getAttribute('href'));
  return answer.ok && (await answer.json()).number === number;
}"""


def train(page: Page, dropout: float) -> None:
    """One short run (3 epochs, 8 units) with the given dropout, until it has finished."""
    set_slider(page, "epochs", 3)
    set_slider(page, "units", 8)
    set_slider(page, "dropout", dropout)
    page.click("#train-button")
    expect(page.locator("#train-button")).to_be_disabled()
    expect(page.locator("#train-button")).to_be_enabled(timeout=90_000)
    expect(page.locator("#status-alert")).to_contain_text("Finished 3 epochs")


def open_runs_tab(page: Page) -> None:
    """Switch to the Runs tab."""
    page.locator(".nav-link", has_text="Runs").click()
    expect(page.locator("#runs-body")).to_be_visible()


def wait_for_numbers(page: Page, numbers: list[str]) -> None:
    """Wait until the runs grid shows exactly these run numbers, top to bottom."""
    page.wait_for_function(
        f"expected => JSON.stringify(({SHOWN_NUMBERS})()) === expected",
        arg=json.dumps(numbers, separators=(",", ":")),
        timeout=15_000,
    )


def sort_and_filter(page: Page) -> None:
    """Sort the grid by Dropout both ways, then filter on it and on the status, and back."""
    wait_for_numbers(page, ["2", "1"])  # newest first
    header = page.locator(f"{GRID} .ag-header-cell[role=columnheader][col-id=dropout]")
    header.locator(".ag-header-cell-label").click()
    wait_for_numbers(page, ["1", "2"])  # dropout 0, then 0.3
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.locator(".ag-header-cell-label").click()
    wait_for_numbers(page, ["2", "1"])
    expect(header).to_have_attribute("aria-sort", "descending")

    dropout_filter = page.locator(f"{GRID} .ag-floating-filter[col-id=dropout] input:enabled")
    dropout_filter.fill("0.3")  # a number filter: equals
    wait_for_numbers(page, ["2"])
    expect(page.locator(f"{GRID} .ag-paging-row-summary-panel")).to_contain_text("1 to 1 of 1")
    dropout_filter.fill("")
    wait_for_numbers(page, ["2", "1"])
    status_filter = page.locator(f"{GRID} .ag-floating-filter[col-id=status] input:enabled")
    status_filter.fill("FIN")  # text filters ignore case
    wait_for_numbers(page, ["2", "1"])
    status_filter.fill("failed")
    wait_for_numbers(page, [])
    expect(page.locator(GRID)).to_contain_text("No runs match the filters.")
    status_filter.fill("")
    wait_for_numbers(page, ["2", "1"])


def test_two_runs_compared_side_by_side_then_shared(
    server: str, page: tuple[Page, ConsoleErrors], browser: Browser
) -> None:
    owner, errors = page
    elsewhere: list[str] = []  # the grid's script and theme come from the server, no CDN
    owner.on("request", lambda r: None if r.url.startswith(server) else elsewhere.append(r.url))
    open_app(owner, server)
    train(owner, 0)
    train(owner, 0.3)
    open_runs_tab(owner)
    boxes = owner.locator(ROW_CHECKBOXES)
    expect(boxes).to_have_count(2)
    for index in range(2):  # the newest run first, as a user ticks down the list
        owner.locator(ROW_CHECKBOX.format(index)).check()
    owner.wait_for_function(f"() => ({OVERLAY})()[0] === 4", timeout=15_000)
    assert owner.evaluate(OVERLAY) == [4, 2]  # val_loss and loss of each of the two runs
    expect(owner.locator("#delete-runs")).to_have_text("Delete 2 selected")
    sort_and_filter(owner)
    expect(boxes).to_have_count(2)
    for index in range(2):  # the selection outlives sorting and filtering (rows keyed by id)
        expect(owner.locator(ROW_CHECKBOX.format(index))).to_be_checked()
    assert owner.evaluate(OVERLAY) == [4, 2]
    settings = owner.locator("#diff-table tbody tr td:first-child")
    expect(settings).to_have_text(["Dropout"])  # the only setting that differs
    expect(owner.locator("#diff-table tbody")).to_contain_text("0.3")
    owner.screenshot(path=str(screenshot_dir() / "runs-compared.png"), full_page=True)

    # the newest run is focused; its downloads and share link arrive in one answer
    owner.wait_for_function(FOCUSED_NUMBER, arg=2, timeout=30_000)
    link = owner.input_value("#share-link")
    assert link.startswith(f"{server}/run/") and len(link.rsplit("/", 1)[1]) == 16
    visitor = browser.new_context(viewport=VIEWPORT)  # someone else, with the link only
    try:
        guest = visitor.new_page()
        guest_errors = ConsoleErrors()
        collect_errors(guest, guest_errors)
        guest.goto(link)
        shared = guest.locator("#shared-run")
        expect(shared).to_contain_text("Shared run #2", timeout=30_000)
        expect(shared).to_contain_text("read-only")
        expect(shared).to_contain_text("naive (last value)")  # the run's scores
        guest.wait_for_function(
            "() => (document.querySelector('#shared-loss-graph .js-plotly-plot') || {}).data"
            "?.[0]?.x?.length === 3"
        )
        expect(shared.get_by_text("Delete")).to_have_count(0)
        expect(guest.locator("#runs-empty")).to_be_visible()  # none of the owner's runs
        expect(guest.locator("#dropout-input")).to_have_value("0.3")  # its settings, to retry
        assert guest_errors == []
    finally:
        visitor.close()
    assert errors == []
    assert elsewhere == []


def test_settings_travel_in_the_url(server: str, page: tuple[Page, ConsoleErrors]) -> None:
    browser_page, errors = page
    query = "units=24&dropout=0.35&layers=99&epochs=abc&dataset=builtin:airline&target=Passengers"
    browser_page.goto(f"{server}/?{query}")
    browser_page.wait_for_selector("#dataset-badge:has-text('Airline passengers')")
    expect(browser_page.locator("#units-input")).to_have_value("24")
    expect(browser_page.locator("#dropout-input")).to_have_value("0.35")
    expect(browser_page.locator("#layers-input")).to_have_value("4")  # clamped to the range
    expect(browser_page.locator("#epochs-input")).to_have_value("20")  # malformed: the default
    set_slider(browser_page, "units", 32)
    browser_page.wait_for_function("() => location.search.includes('units=32')")
    assert "dataset=builtin:airline" in browser_page.url and "epochs" not in browser_page.url
    assert errors == []


def restart_context(browser: Browser, token: str | None = None) -> BrowserContext:
    """A visitor whose tab holds `token`, the session token the first server issued (both
    servers sign with the key kept in their shared data folder), as a reload would keep it."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    if token:
        context.add_init_script(
            f"sessionStorage.setItem('session-id', JSON.stringify({json.dumps(token)}))"
        )
    return context


def predicts(model_file: Path) -> np.ndarray:
    """Load a downloaded .keras file with Keras itself and forecast from a window of zeros."""
    import keras  # only this story needs TensorFlow in the test process

    model = keras.saving.load_model(model_file)
    batch, *shape = model.input_shape
    return np.asarray(model.predict(np.zeros((batch or 1, *shape), "float32"), verbose=0))


def test_runs_survive_a_server_restart(tmp_path: Path, browser: Browser) -> None:
    """Train a run on one server, stop it, start another on the same folder: the run is there
    with the same numbers, and its model downloads, loads and predicts."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with running_server(data_dir) as url:
        context = restart_context(browser)
        try:
            owner = context.new_page()
            open_app(owner, url)
            token = owner.evaluate(SESSION)
            assert re.fullmatch(r"[\w-]{20,}\.[\w-]{20,}", token)  # id.signature, issued
            train(owner, 0.1)
            open_runs_tab(owner)
            expect(owner.locator(ROW_CHECKBOXES)).to_have_count(1)
            mae = owner.locator(f"{GRID} .ag-center-cols-container [col-id=mae]")
            expect(mae).to_have_text(re.compile(r"^\d"))  # a number, once the run has scores
            before = mae.inner_text()
            expect(owner.locator("#share-link")).to_have_value(re.compile(r"/run/[\w-]{16}$"))
            share_id = owner.input_value("#share-link").rsplit("/", 1)[1]
            run_json = owner.locator("#run-downloads a", has_text="Run (JSON)")
            run_id = (run_json.get_attribute("href") or "").split("/")[2]
        finally:
            context.close()

    with running_server(data_dir) as url:  # a new server process on the same folder
        context = restart_context(browser, token)
        try:
            visitor = context.new_page()
            open_app(visitor, url)
            assert visitor.evaluate(SESSION) == token
            open_runs_tab(visitor)
            wait_for_numbers(visitor, ["1"])
            row = visitor.locator(f"{GRID} .ag-center-cols-container .ag-row")
            expect(row.locator("[col-id=status]")).to_have_text("finished")
            expect(row.locator("[col-id=mae]")).to_have_text(before)
            expect(visitor.locator("#share-link")).to_have_value(f"{url}/run/{share_id}")
            answer = visitor.request.get(f"{url}/runs/{run_id}/predictions.csv")
            assert answer.status == 200 and answer.text().startswith("step,actual")

            link = visitor.locator("#run-downloads a", has_text="Model (.keras)")
            with visitor.expect_download() as download:
                link.click()
            model_file = tmp_path / "model.keras"
            download.value.save_as(model_file)
        finally:
            context.close()
    forecast = predicts(model_file)
    assert forecast.size > 0 and np.isfinite(forecast).all()
