"""Stories of the Runs tab in headless Chromium: compare two runs, share one, settings in the
URL, and runs that outlive the server."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.ml.config import TrainConfig
from dashboard.settings import Settings
from dashboard.store import Store
from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import open_app, set_slider
from tests.server import running_server

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}
OVERLAY = """() => {
  const g = document.querySelector('#overlay-loss-graph .js-plotly-plot');
  if (!g || !g.data) return [0, 0];
  return [g.data.length, new Set(g.data.map(t => t.legendgroup)).size];
}"""
SESSION = "() => JSON.parse(sessionStorage.getItem('session-id'))"


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


def test_two_runs_compared_side_by_side_then_shared(
    server: str, page: tuple[Page, ConsoleErrors], browser: Browser
) -> None:
    owner, errors = page
    open_app(owner, server)
    train(owner, 0)
    train(owner, 0.3)
    open_runs_tab(owner)
    boxes = owner.locator("#runs-table input[type=checkbox]")
    expect(boxes).to_have_count(2)
    for index in range(2):
        boxes.nth(index).check()
    owner.wait_for_function(f"() => ({OVERLAY})()[0] === 4", timeout=15_000)
    assert owner.evaluate(OVERLAY) == [4, 2]  # val_loss and loss of each of the two runs
    settings = owner.locator("#diff-table tbody tr td:first-child")
    expect(settings).to_have_text(["Dropout"])  # the only setting that differs
    expect(owner.locator("#diff-table tbody")).to_contain_text("0.3")
    owner.screenshot(path=str(screenshot_dir() / "runs-compared.png"), full_page=True)

    link = owner.input_value("#share-link")
    assert link.startswith(f"{server}/run/") and len(link.rsplit("/", 1)[1]) == 16
    visitor = browser.new_context(viewport=VIEWPORT)  # someone else, with the link only
    try:
        guest = visitor.new_page()
        guest_errors: list[str] = []
        guest.on("console", lambda m: guest_errors.append(m.text) if m.type == "error" else None)
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


def write_finished_run(settings: Settings, session: str) -> str:
    """A finished run written straight into a server's data folder."""
    store = Store.from_settings(settings)
    run_id = store.new_run_id()
    store.save_predictions(run_id, 3, np.zeros((150, 1)))
    store.save_run(
        {
            "id": run_id,
            "session": session,
            "status": "finished",
            "message": "Finished 3 epochs.",
            "config": TrainConfig(units=8, epochs=3).to_dict(),
            "dataset_name": "Sine + noise (synthetic)",
            "series": {"x": None, "y": np.sin(np.arange(1000) / 10).tolist(), "target": "value"},
            "split": [700, 850],
            "test_start": 850,
            "history": {"loss": [0.3, 0.2, 0.1], "val_loss": [0.4, 0.3, 0.2]},
            "epoch_seconds": [0.9, 0.4, 0.4],
            "scores": {"model": {"mae": 0.123, "rmse": 0.2}, "skill": 12.0},
            "device": "CPU",
        }
    )
    return run_id


def test_runs_survive_a_server_restart(tmp_path: Path, browser: Browser) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    run_id = write_finished_run(Settings(data_dir=data_dir), "restart-session")
    for attempt in range(2):  # a first server, stopped; then a new one on the same folder
        started = time.monotonic()
        with running_server(data_dir) as url:
            context = browser.new_context(viewport=VIEWPORT)
            context.add_init_script(
                "sessionStorage.setItem('session-id', JSON.stringify('restart-session'))"
            )
            try:
                visitor = context.new_page()
                open_app(visitor, url)
                assert visitor.evaluate(SESSION) == "restart-session"
                open_runs_tab(visitor)
                expect(visitor.locator("#runs-table")).to_contain_text("0.123")
                answer = visitor.request.get(f"{url}/runs/{run_id}/predictions.csv")
                assert answer.status == 200 and answer.text().startswith("step,actual")
            finally:
                context.close()
        assert time.monotonic() - started < 60, f"server {attempt + 1} was slow"
