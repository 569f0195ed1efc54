"""The long-file story in a real headless Chromium against a real server (issue 13): a file
with several series stacked by a symbol column offers its shapes in the Data tab; one series,
then each symbol as a column, becomes the dataset in use, and the pivoted one trains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import open_app, set_slider
from tests.browser.test_upload import FILE_INPUT, choose, message, train_briefly

pytestmark = pytest.mark.browser


def stocks_csv(path: Path) -> Path:
    """date,symbol,close,volume: AAPL and MSFT on 120 days, IBM on the first 80, interleaved."""
    days = pd.date_range("2020-01-01", periods=120, freq="D").strftime("%Y-%m-%d")
    rows = [
        f"{d},{symbol},{base + i % 17},{base * 10 + i}"
        for i, d in enumerate(days)
        for symbol, base in (("AAPL", 100), ("MSFT", 200), ("IBM", 50))
        if symbol != "IBM" or i < 80
    ]
    path.write_text("date,symbol,close,volume\n" + "\n".join(rows) + "\n")
    return path


def test_a_long_file_is_picked_apart_and_trained_on(
    server: str, page: tuple[Page, ConsoleErrors], tmp_path: Path
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    browser_page.set_input_files(FILE_INPUT, str(stocks_csv(tmp_path / "stocks.csv")))
    message(browser_page).to_contain_text("Read stocks.csv: 320 rows", timeout=20_000)
    shape = browser_page.locator("#shape-box")
    expect(shape).to_be_visible()
    expect(shape).to_contain_text("The file holds 3 series stacked by 'symbol'")

    choose(browser_page, "#shape-picker", "one series: IBM (80 rows)")
    browser_page.click("#shape-apply")
    badge = browser_page.locator("#dataset-badge")
    expect(badge).to_have_text("dataset: stocks.csv, IBM", timeout=20_000)
    report = browser_page.locator("#data-report")
    expect(report).to_contain_text("Kept the 80 rows whose symbol is 'IBM'.")
    expect(report).to_contain_text("0 repeated timestamps")

    choose(browser_page, "#shape-picker", "each symbol as a column (3 ids)")
    browser_page.click("#shape-apply")
    expect(badge).to_have_text("dataset: stocks.csv, by symbol", timeout=20_000)
    expect(report).to_contain_text("Put each symbol in its own column, named <value>:<id>.")
    expect(browser_page.locator("#target-picker")).to_contain_text("close:AAPL")
    browser_page.click("#dataset-picker")
    expect(browser_page.get_by_role("option", name="Upload: stocks.csv", exact=True)).to_have_count(
        0
    )
    browser_page.keyboard.press("Escape")
    choose(browser_page, "#target-picker", "close:MSFT")
    browser_page.screenshot(path=str(screenshot_dir() / "upload-long-file.png"))
    train_briefly(browser_page)
    assert errors == []


def beats_csv(path: Path, sequences: int = 60, steps: int = 24) -> Path:
    """class,s01..s24: 'flat' sequences hover around 0, 'peak' ones hold a bump."""
    rng = np.random.default_rng(1)
    bump = np.exp(-((np.arange(steps) - steps / 2) ** 2) / 8)
    rows = [
        ",".join(
            [label, *[f"{v:.3f}" for v in rng.normal(0, 0.1, steps) + (label == "peak") * bump]]
        )
        for label in ("flat", "peak") * (sequences // 2)
    ]
    header = "class," + ",".join(f"s{k:02d}" for k in range(1, steps + 1))
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_labelled_sequences_are_classified(
    server: str, page: tuple[Page, ConsoleErrors], tmp_path: Path
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    browser_page.set_input_files(FILE_INPUT, str(beats_csv(tmp_path / "beats.csv")))
    message(browser_page).to_contain_text("choose 'classify' under Shape", timeout=20_000)
    expect(browser_page.locator("#shape-box")).to_contain_text("60 labelled sequences")
    choose(browser_page, "#shape-picker", "classify by class (60 sequences of 24 steps, 2 classes)")
    browser_page.click("#shape-apply")
    badge = browser_page.locator("#dataset-badge")
    expect(badge).to_have_text("dataset: beats.csv, classify by class", timeout=20_000)
    report = browser_page.locator("#data-report")
    expect(report).to_contain_text("Classification: 60 sequences of 24 steps")
    expect(report).to_contain_text("Labels coded as numbers: 0 = flat, 1 = peak.")
    expect(browser_page.locator("#cleaning-box")).to_be_hidden()
    expect(browser_page.locator("#seq_len-input")).to_be_disabled()  # whole rows, as ECG5000
    browser_page.screenshot(path=str(screenshot_dir() / "upload-classify.png"))
    for name, value in (("epochs", 2), ("units", 8), ("batch_size", 16)):
        set_slider(browser_page, name, value)
    browser_page.get_by_role("tab", name="Training").click()
    browser_page.click("#train-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Finished 2 epochs", timeout=60_000
    )
    assert errors == []
