"""Stories of runs that end badly, in headless Chromium: whatever dies, the page shows the
run's true state within seconds, the store records it, and nothing hangs."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.settings import Settings
from dashboard.store import Store
from tests.browser.conftest import ConsoleErrors, collect_errors
from tests.browser.helpers import loss_points, open_app, set_slider, wait_for_loss_points
from tests.server import SERVERS, free_port, job_processes, running_server

pytestmark = pytest.mark.browser

STATUS = "#status-alert"


def start_long_run(page: Page, epochs: int = 500) -> None:
    """Press Train on a run long enough to be interrupted (minutes: the most epochs, the
    smallest batches, so a fast machine does not finish it mid-story), and wait for its
    second epoch."""
    set_slider(page, "units", 8)
    set_slider(page, "layers", 1)
    set_slider(page, "batch_size", 8)
    set_slider(page, "epochs", epochs)
    page.click("#train-button")
    wait_for_loss_points(page, 2, timeout_ms=90_000)


def wait_until(condition: object, timeout_s: float = 20) -> None:
    """Poll `condition()` until it is true (a deadline, not a speed assertion)."""
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def only_run(data_dir: Path) -> dict[str, object]:
    """The one run record in a server's store."""
    store = Store.from_settings(Settings(data_dir=data_dir))
    sessions = {key[1] for key in store.cache.iterkeys() if key[0] == "runs"}
    [session] = sessions
    [record] = store.list_runs(session)
    return dict(record)


def test_a_killed_job_is_shown_failed_with_its_curves_and_the_slot_is_free(
    tmp_path: Path, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    with running_server(tmp_path / "data") as url:
        open_app(browser_page, url)
        start_long_run(browser_page)
        [job] = job_processes(url)
        job.send_signal(signal.SIGKILL)  # out of memory, an operator, a crash
        status = browser_page.locator(STATUS)
        expect(status).to_contain_text("stopped unexpectedly at epoch", timeout=20_000)
        expect(status).to_contain_text("the curves so far are kept")
        expect(browser_page.locator("#train-button")).to_be_enabled()
        assert loss_points(browser_page) >= 2  # the curves drawn so far stay
        record = only_run(tmp_path / "data")
        assert record["status"] == "failed" and "stopped unexpectedly" in str(record["message"])
        assert len(record["history"]["loss"]) >= 2  # type: ignore[index]
        # the slot is free again: the next run trains at once
        set_slider(browser_page, "epochs", 1)
        browser_page.click("#train-button")
        expect(status).to_contain_text("Finished 1 epoch", timeout=90_000)
        assert errors == []  # while the server still answers the open page


def test_typed_values_beyond_the_range_are_clamped_in_view_and_trained_as_shown(
    tmp_path: Path, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    with running_server(tmp_path / "data") as url:  # its own store: the run is read back
        open_app(browser_page, url)
        for name, typed, shown in (("units", "100000", "512"), ("epochs", "-1", "1")):
            box = browser_page.locator(f"#{name}-input")
            box.fill(typed)
            box.press("Enter")
            expect(box).to_have_value(shown)
        rate = browser_page.locator("#learning_rate-input")
        rate.fill("")
        rate.press("Enter")
        expect(rate).to_have_value("0.001")  # a cleared box shows the slider's value again
        set_slider(browser_page, "units", 8)
        boxes = {
            name: float(browser_page.locator(f"#{name}-input").input_value())
            for name in ("units", "epochs", "learning_rate")
        }
        assert boxes == {"units": 8, "epochs": 1, "learning_rate": 0.001}
        browser_page.click("#train-button")
        expect(browser_page.locator(STATUS)).to_contain_text("Finished 1 epoch", timeout=90_000)
        config = only_run(tmp_path / "data")["config"]
        assert {name: config[name] for name in boxes} == boxes  # type: ignore[index]
        assert errors == []


def test_a_server_restart_mid_run_ends_recorded_and_the_page_reconnects(
    tmp_path: Path, browser: Browser
) -> None:
    """SIGTERM to the web server while a job trains: the job is stopped and recorded as
    interrupted; the open page says the server is gone, then, once a new server answers on
    the same address, shows what became of its run without a reload."""
    data_dir, port = tmp_path / "data", free_port()
    env = {"LSTM_LAB_SECRET_KEY": "restart-story-secret"}
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors = ConsoleErrors()
    collect_errors(page, errors)
    try:
        with running_server(data_dir, env=env, port=port) as url:
            open_app(page, url)
            start_long_run(page)
            jobs = job_processes(url)
            assert len(jobs) == 1
            SERVERS[url].send_signal(signal.SIGTERM)  # the web server alone, as systemd does
            SERVERS[url].wait(timeout=30)
            wait_until(lambda: not any(p.is_running() for p in jobs))
            expect(page.locator("#connection-banner")).to_contain_text(
                "not answering", timeout=20_000
            )
        record = only_run(data_dir)
        assert record["status"] == "stopped"
        assert "server shut down at epoch" in str(record["message"])
        with running_server(data_dir, env=env, port=port):
            status = page.locator(STATUS)
            expect(status).to_contain_text("server shut down at epoch", timeout=30_000)
            expect(page.locator("#connection-banner")).to_be_hidden()
            expect(page.locator("#train-button")).to_be_enabled()
    finally:
        context.close()
    assert not [p for p in psutil.process_iter() if p.pid in {j.pid for j in jobs}]


def test_a_waiting_training_is_a_queue_entry_and_starts_when_the_slot_frees(
    tmp_path: Path, browser: Browser
) -> None:
    """One slot, two visitors: the second press waits as an entry (no job process), says
    its place, leaves the queue on Cancel, and trains once the slot frees."""
    contexts = [browser.new_context(viewport={"width": 1366, "height": 768}) for _ in range(2)]
    first, second = (context.new_page() for context in contexts)
    errors = ConsoleErrors()
    for visitor in (first, second):
        collect_errors(visitor, errors)
    try:
        with running_server(tmp_path / "data", env={"LSTM_LAB_MAX_CONCURRENT_JOBS": "1"}) as url:
            open_app(first, url)
            open_app(second, url)
            start_long_run(first)
            set_slider(second, "units", 8)
            set_slider(second, "epochs", 2)
            second.click("#train-button")
            expect(second.locator(STATUS)).to_contain_text("yours starts next", timeout=20_000)
            assert len(job_processes(url)) == 1  # the waiting press costs no process
            second.click("#cancel-button")  # leaves the queue
            expect(second.locator(STATUS)).to_contain_text("Cancelled", timeout=10_000)
            second.click("#train-button")  # and queues again
            expect(second.locator(STATUS)).to_contain_text("yours starts next", timeout=20_000)
            expect(first.locator(STATUS)).to_contain_text("Training")  # still the slot's
            first.click("#cancel-button")  # the slot frees: the waiting press trains
            expect(second.locator(STATUS)).to_contain_text("Finished 2 epochs", timeout=90_000)
            expect(first.locator(STATUS)).to_contain_text("Cancelled")
            seen = list(errors)  # before the server stops under the open pages
    finally:
        for context in contexts:
            context.close()
    assert seen == []
