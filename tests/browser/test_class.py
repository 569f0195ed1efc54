"""A class in headless Chromium: two students' runs reach the teacher's board under their
anonymous names, and nothing else of theirs does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard import classroom, sessions
from dashboard.store import Store
from tests.browser.conftest import ConsoleErrors, collect_errors
from tests.browser.helpers import open_app
from tests.server import running_server
from tests.unit.test_classroom import airline_run

pytestmark = pytest.mark.browser
CODE = "PHYS-7B"
SESSION = "() => JSON.parse(sessionStorage.getItem('session-id'))"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A class server and its data folder (the story saves runs where the server reads)."""
    data_dir = tmp_path_factory.mktemp("class") / "data"
    data_dir.mkdir()
    with running_server(data_dir, env={"LSTM_LAB_CLASS_CODE": CODE}) as url:
        yield url, data_dir


def student(browser: Browser, url: str, store: Store, model_mae: float) -> tuple[Page, str]:
    """A student's tab with a finished Airline passengers run (test MAE `model_mae` against
    the seasonal naive's 30; saved as a job saves it) and the Class tab open; their
    anonymous name."""
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    open_app(page, url)
    session = sessions.verify(store, page.evaluate(SESSION))
    store.save_run({**airline_run(store.new_run_id(), model_mae), "session": session})  # type: ignore[typeddict-item]
    page.reload()  # the tab keeps its session; the page checks the challenges as it loads
    page.get_by_role("tab", name="Class").click()
    expect(page.locator("#challenge-seasonal .challenge-mark.passed")).to_be_visible()
    name = classroom.alias(CODE, session)
    expect(page.locator("#class-note")).to_contain_text(f"as '{name}'")
    return page, name


def test_two_students_appear_on_the_board_under_their_names(
    site: tuple[str, Path], browser: Browser, page: tuple[Page, ConsoleErrors]
) -> None:
    (url, data_dir), (board, errors) = site, page
    store = Store(data_dir / "store")  # signs with the key the server kept there
    board.goto(f"{url}/class/{CODE}")
    board.click("#board-challenge")
    board.get_by_role("option", name="Beat the seasonal baseline").click()
    expect(board.locator(".board-empty")).to_be_visible()

    first, first_name = student(browser, url, store, 21.0)
    second, second_name = student(browser, url, store, 27.0)
    for tab in (first, second):
        collect_errors(tab, errors)

    rows = board.locator(".board-table tbody tr")  # the board reads again every 5 s
    expect(rows).to_have_count(2, timeout=15_000)
    expect(rows.nth(0)).to_contain_text(first_name)
    expect(rows.nth(0)).to_contain_text("+30.0 %")
    expect(rows.nth(1)).to_contain_text(second_name)
    expect(rows.nth(1)).to_contain_text("Airline passengers")
    text = board.locator(".board").inner_text()
    assert "GRU 32\u00d72 · seq 24" in text
    for secret in store.cache.get(("runs", sessions.verify(store, first.evaluate(SESSION)))):
        assert secret not in text  # no run id

    board.goto(f"{url}/class/PHYS-7C")
    expect(board.locator(".board-refused")).to_have_text(classroom.WRONG_CODE)
    assert errors == [], "\n".join(errors)


def test_a_student_sets_up_the_simplernn_challenge_and_passes_it(
    site: tuple[str, Path], page: tuple[Page, ConsoleErrors]
) -> None:
    """The challenge's starting point through the page, on the server's default backend:
    Set up, Train (the SimpleRNN falls below the last value), Cell LSTM, Train (it beats
    it): the challenge is marked passed, as the hint's measurement says."""
    (url, _), (browser_page, errors) = site, page
    open_app(browser_page, url)
    browser_page.get_by_role("tab", name="Class").click()
    challenge = browser_page.locator("#challenge-memory")
    challenge.get_by_role("button", name="Set up").click()
    browser_page.wait_for_function(
        "() => ['cell=simple_rnn', 'learning_rate=0.05', 'seq_len=100']"
        ".every(p => location.search.includes(p))"
    )
    status = browser_page.locator("#status-alert")
    for cell in ("SimpleRNN", "LSTM"):
        if cell == "LSTM":
            browser_page.click("#cell-choice")
            browser_page.get_by_role("option", name=cell, exact=True).click()
            expect(browser_page.locator("#model-summary")).to_contain_text("LSTM(32, tanh)")
        browser_page.click("#train-button")
        expect(status).to_contain_text("Finished 20 epochs", timeout=120_000)
    browser_page.get_by_role("tab", name="Class").click()
    expect(challenge.locator(".challenge-mark.passed")).to_be_visible(timeout=15_000)
    expect(challenge.locator(".challenge-best")).to_contain_text(
        "the LSTM remembers what the SimpleRNN cannot"
    )
    assert errors == [], "\n".join(errors)
