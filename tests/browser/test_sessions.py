"""Sessions in headless Chromium: the server issues each tab's session (signed), an upload
works with it, and a tab holding a made-up session gets one sentence and none of the data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard import sessions
from dashboard.store import Store
from tests.browser.conftest import ConsoleErrors
from tests.browser.helpers import open_app
from tests.browser.test_upload import DROP, sine_csv
from tests.server import running_server

pytestmark = pytest.mark.browser
SESSION = "() => JSON.parse(sessionStorage.getItem('session-id'))"
FORGED = "made-up-session-id-0123456789"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real server and its data folder (the test reads the store the server writes)."""
    data_dir = tmp_path_factory.mktemp("sessions") / "data"
    data_dir.mkdir()
    with running_server(data_dir) as url:
        yield url, data_dir


def test_the_server_issues_the_session_and_an_upload_works_with_it(
    site: tuple[str, Path], page: tuple[Page, ConsoleErrors]
) -> None:
    (url, data_dir), (browser_page, errors) = site, page
    open_app(browser_page, url)
    token = browser_page.evaluate(SESSION)
    assert re.fullmatch(r"[\w-]{20,}\.[\w-]{20,}", token)  # id.signature
    store = Store(data_dir / "store")  # signs with the key the server kept there
    session = sessions.verify(store, token)
    browser_page.wait_for_selector("#upload")  # the drop zone is in place
    browser_page.evaluate(DROP, ["levels.csv", sine_csv()])
    expect(browser_page.locator("#upload-message")).to_contain_text("Read levels.csv")
    expect(browser_page.locator("#session-problem")).to_be_hidden()
    [key] = [k for k in store.cache.iterkeys() if k[0] == "upload-meta"]
    assert key[1] == session  # kept under the issued id, never under the token itself
    browser_page.reload()
    browser_page.wait_for_selector("#dataset-badge:has-text('dataset:')")
    assert browser_page.evaluate(SESSION) == token  # a reload keeps the tab's session
    assert errors == []


def test_a_made_up_session_gets_one_sentence_and_no_data(
    site: tuple[str, Path], page: tuple[Page, ConsoleErrors]
) -> None:
    (url, data_dir), (browser_page, errors) = site, page
    open_app(browser_page, url)
    browser_page.evaluate(f"sessionStorage.setItem('session-id', {json.dumps(json.dumps(FORGED))})")
    browser_page.reload()
    problem = browser_page.locator("#session-problem")
    expect(problem).to_have_text(sessions.MESSAGE, timeout=20_000)
    browser_page.get_by_role("tab", name="Runs").click()
    expect(browser_page.locator("#runs-empty")).to_be_visible()
    answer = browser_page.request.post(
        f"{url}/upload",
        multipart={
            "session": FORGED,
            "file": {"name": "a.csv", "mimeType": "text/csv", "buffer": sine_csv().encode()},
        },
    )
    assert answer.status == 403 and answer.json() == {"error": sessions.MESSAGE}
    store = Store(data_dir / "store")
    assert [k for k in store.cache.iterkeys() if FORGED in str(k)] == []
    fresh = browser_page.evaluate(SESSION)  # the tab was given a new, issued session
    assert fresh != FORGED and sessions.verify(store, fresh)
    browser_page.reload()
    browser_page.wait_for_selector("#dataset-badge:has-text('dataset:')")
    expect(problem).to_be_hidden()
    assert errors == []
