"""Browser fixtures: a live server and Playwright driving Debian's Chromium, headless."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.server import running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `python -m dashboard` on a free port with its own data folder."""
    data_dir = tmp_path_factory.mktemp("server") / "data"
    data_dir.mkdir()
    with running_server(data_dir) as url:
        yield url


class ConsoleErrors(list[str]):
    """Console errors and uncaught page errors seen while a test ran."""


def collect_errors(page: Page, errors: ConsoleErrors) -> None:
    """Gather the console errors and uncaught page errors of `page` into `errors`."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, ConsoleErrors]]:
    """A fresh browser context (its own session) and the console errors it logs."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors = ConsoleErrors()
    collect_errors(page, errors)
    yield page, errors
    context.close()


def screenshot_dir() -> Path:
    """Where failing stories leave a picture of the page."""
    path = Path(__file__).resolve().parent.parent.parent / ".pytest_artifacts"
    path.mkdir(exist_ok=True)
    return path
