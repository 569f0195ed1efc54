"""Story of the cell setting in headless Chromium: pick GRU, see the summary change, the URL
carry it, train, find it in the Runs table; the learning rate shown is the one trained.

The story's server trains on JAX (LSTM_LAB_KERAS_BACKEND=jax): its forkserver starts with
the backend set, the badge says so, and the compiled steps are kept in the data folder.
(The same story on TensorFlow would repeat what the other stories show.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors
from tests.browser.helpers import open_app, set_slider
from tests.server import running_server

pytestmark = pytest.mark.browser

GRID = "#runs-table .ag-center-cols-container"


@pytest.fixture(scope="module")
def jax_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real server whose jobs train on JAX, and its data folder."""
    data_dir = tmp_path_factory.mktemp("jax-server") / "data"
    data_dir.mkdir()
    with running_server(data_dir, env={"LSTM_LAB_KERAS_BACKEND": "jax"}) as url:
        yield url, data_dir


def test_a_gru_from_the_cell_picker_to_the_runs_table_on_jax(
    jax_site: tuple[str, Path], page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    server, data_dir = jax_site
    open_app(browser_page, server)
    summary = browser_page.locator("#model-summary")
    expect(summary).to_contain_text("LSTM(64, tanh)")
    browser_page.click("#cell-choice")
    browser_page.get_by_role("option", name="GRU", exact=True).click()
    expect(summary).to_contain_text("GRU(64, tanh)")
    expect(summary).to_contain_text("fast cuDNN kernel on a GPU: yes")
    browser_page.wait_for_function("() => location.search.includes('cell=gru')")

    # the learning rate typed with more digits than the box keeps: the box shows what trains
    box = browser_page.locator("#learning_rate-input")
    box.fill("0.00316")
    box.press("Enter")
    expect(box).to_have_value("0.0032")
    browser_page.wait_for_function("() => location.search.includes('learning_rate=0.0032')")

    set_slider(browser_page, "epochs", 2)
    set_slider(browser_page, "units", 8)
    browser_page.click("#train-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Finished 2 epochs", timeout=90_000
    )
    expect(summary).to_contain_text("GRU(8, tanh)")

    browser_page.locator(".nav-link", has_text="Runs").click()
    row = browser_page.locator(f"{GRID} .ag-row").first
    expect(row.locator("[col-id=cell]")).to_have_text("GRU", timeout=15_000)
    expect(row.locator("[col-id=learning_rate]")).to_have_text("3.2e-3")

    browser_page.click("#cell-choice")
    browser_page.get_by_role("option", name="SimpleRNN", exact=True).click()
    expect(summary).to_contain_text("SimpleRNN has no cuDNN kernel")

    browser_page.reload()  # the badge is drawn with the page: the probe has answered now
    expect(browser_page.locator("#device-badge")).to_contain_text("CPU · JAX")
    assert errors == []
    assert any((data_dir / "jax-cache").iterdir())  # compiled steps kept for a repeat run
