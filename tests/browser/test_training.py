"""Stories in a real headless Chromium against a real server: train, watch, cancel."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from dashboard import ids
from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import (
    loss_points,
    open_app,
    pick_dataset,
    set_slider,
    wait_for_loss_points,
    wait_for_prediction_trace,
)
from tests.server import job_processes

pytestmark = pytest.mark.browser


def wait_for(condition: Callable[[], object], timeout: float = 30) -> None:
    """Poll until `condition` holds; fail after `timeout` seconds (not a speed assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.1)


def test_train_sine_asking_the_server_only_for_what_changed(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    """A run trains and is drawn, epoch by epoch, then scored. Every server callback on the
    live state would be one request per epoch per page: the loss chart follows each epoch,
    the views that change only when a run starts, pauses, ends or gets its scores are asked
    that often, whatever the number of epochs, and the Runs tab's overlay, out of sight, not
    at all; in sight, it follows the next run."""
    browser_page, errors = page
    open_app(browser_page, server)
    set_slider(browser_page, "epochs", 10)
    asked: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST" and "/_dash-update-component" in request.url:
            asked.append(str(json.loads(request.post_data or "{}").get("output", "")))

    browser_page.on("request", record)
    browser_page.click("#train-button")
    expect(browser_page.locator("#train-button")).to_be_disabled()
    expect(browser_page.locator("#cancel-button")).to_be_enabled()
    wait_for_loss_points(browser_page, 1)
    wait_for_prediction_trace(browser_page, "LSTM")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Finished 10 epochs", timeout=90_000
    )
    assert loss_points(browser_page) == 10
    expect(browser_page.locator("#progress-text")).to_contain_text("epoch 10/10")
    expect(browser_page.locator("#metrics-table")).to_contain_text("naive (last value)")
    expect(browser_page.locator("#train-button")).to_be_enabled()
    expect(browser_page.locator("#device-badge")).to_contain_text("CPU")
    expect(browser_page.locator(f"#{ids.EVAL_SUMMARY}")).to_contain_text("naive")
    browser_page.screenshot(path=str(screenshot_dir() / "trained.png"))
    browser_page.remove_listener("request", record)

    def count(output: str) -> int:
        return sum(output in outputs for outputs in asked)

    drawn = count(f"{ids.LOSS_GRAPH}.figure")
    assert drawn >= 6, asked  # the chart was redrawn as the epochs came (0.2-0.5 s each)
    for once_a_phase in (
        f"{ids.PAUSE}.children",
        f"{ids.EVAL_SUMMARY}.children",
        ids.row("dropout"),
    ):
        assert count(once_a_phase) <= 4, (once_a_phase, drawn, asked)
    followed = [o for o in asked if o.startswith(f"{ids.OVERLAY_LOSS}.figure@")]
    assert followed == []  # (its comparison is redrawn when the run starts and ends)

    # in sight, the overlay follows the next run epoch by epoch
    set_slider(browser_page, "epochs", 300)
    browser_page.click("#train-button")
    wait_for_loss_points(browser_page, 1)
    browser_page.locator(".nav-link", has_text="Runs").click()
    browser_page.wait_for_function(f"() => ({OVERLAY_EPOCHS})() >= 2", timeout=30_000)
    seen = browser_page.evaluate(OVERLAY_EPOCHS)
    browser_page.wait_for_function(f"() => ({OVERLAY_EPOCHS})() > {seen}", timeout=30_000)
    browser_page.click("#cancel-button")
    expect(browser_page.locator("#status-alert")).to_contain_text("Cancelled", timeout=10_000)
    assert errors == []


# The most epochs a curve of the Runs tab's loss overlay has.
OVERLAY_EPOCHS = """() => {
  const g = document.querySelector('#overlay-loss-graph .js-plotly-plot');
  return g && g.data ? Math.max(0, ...g.data.map(t => (t.x || []).length)) : 0;
}"""


def test_cancel_keeps_the_curve(server: str, page: tuple[Page, ConsoleErrors]) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    set_slider(browser_page, "epochs", 300)
    set_slider(browser_page, "units", 16)
    browser_page.click("#train-button")
    wait_for_loss_points(browser_page, 2)
    assert job_processes(server)  # the training runs in its own process
    browser_page.click("#cancel-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Cancelled at epoch", timeout=10_000
    )
    expect(browser_page.locator("#train-button")).to_be_enabled()
    kept = loss_points(browser_page)
    assert kept >= 2
    wait_for(lambda: not job_processes(server))  # the job process is gone, killed
    browser_page.wait_for_function(  # the page polled since: nothing more arrived
        "() => new Promise(done => setTimeout(() => done(true), 2 * 250 + 100))"
    )
    assert loss_points(browser_page) == kept
    expect(browser_page.locator("#status-alert")).to_contain_text("Cancelled")
    # the slot is free (one slot): the next run trains at once instead of waiting for it
    set_slider(browser_page, "epochs", 1)
    browser_page.click("#train-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Finished 1 epoch", timeout=60_000
    )
    assert errors == []


def test_too_long_sequence_is_refused_with_the_longest_that_fits(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    pick_dataset(browser_page, "Airline passengers")
    set_slider(browser_page, "seq_len", 150)
    expect(browser_page.locator("#settings-problem")).to_contain_text(
        "the longest sequence that fits is 92"
    )
    browser_page.click("#train-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "the longest sequence that fits is 92", timeout=30_000
    )
    assert errors == []


def test_two_visitors_with_identical_settings_each_get_their_own_run(
    server: str, browser: Browser
) -> None:
    """Same inputs, same click count: separate jobs (page ids differ); one queues meanwhile."""
    visitors = [browser.new_context(viewport={"width": 1366, "height": 768}) for _ in range(2)]
    pages = [context.new_page() for context in visitors]
    try:
        for visitor in pages:
            open_app(visitor, server)
            set_slider(visitor, "epochs", 4)
            set_slider(visitor, "units", 16)
        for visitor in pages:
            visitor.click("#train-button")
        expect(pages[1].locator("#status-alert")).to_contain_text("Queued", timeout=20_000)
        for visitor in pages:
            expect(visitor.locator("#status-alert")).to_contain_text(
                "Finished 4 epochs", timeout=90_000
            )
            assert loss_points(visitor) == 4
        run_ids = [visitor.evaluate(RUN_ID) for visitor in pages]
        assert run_ids[0] and run_ids[1] and run_ids[0] != run_ids[1]
    finally:
        for context in visitors:
            context.close()


# The run id of the state on screen, read from the page's own store (dash_renderer state).
RUN_ID = """() => {
  const store = window.store.getState();
  const live = store.layout && JSON.stringify(store.layout).match(/"run_id":"([^"]+)"/);
  return live ? live[1] : null;
}"""
