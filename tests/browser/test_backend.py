"""A server whose jobs train on JAX (LSTM_LAB_KERAS_BACKEND=jax): the badge says so, and a
run trains through the real job manager (the forkserver started with the backend set)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ConsoleErrors, collect_errors
from tests.browser.helpers import loss_points, open_app, set_slider
from tests.server import running_server

pytestmark = pytest.mark.browser


def test_a_server_on_jax_trains_and_says_so(tmp_path: Path, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors = ConsoleErrors()
    collect_errors(page, errors)
    try:
        with running_server(tmp_path / "data", env={"LSTM_LAB_KERAS_BACKEND": "jax"}) as url:
            open_app(page, url)
            set_slider(page, "units", 8)
            set_slider(page, "epochs", 2)
            page.click("#train-button")
            expect(page.locator("#status-alert")).to_contain_text(
                "Finished 2 epochs", timeout=120_000
            )
            assert loss_points(page) == 2
            page.reload()  # the badge is drawn with the page: the probe has answered now
            expect(page.locator("#device-badge")).to_contain_text("CPU · JAX")
            seen = list(errors)
    finally:
        context.close()
    assert seen == []
    assert any((tmp_path / "data" / "jax-cache").iterdir())
