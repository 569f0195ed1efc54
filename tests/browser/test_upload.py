"""Upload stories in a real headless Chromium against a real server: a messy real file is
previewed and trained on; bad files get one sentence and break nothing; file text stays text;
the size limit is told in the page whether the browser or the server refuses the file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Dialog, LocatorAssertions, Page, expect

from tests.browser.conftest import ConsoleErrors, screenshot_dir
from tests.browser.helpers import open_app, set_slider
from tests.server import running_server

pytestmark = pytest.mark.browser

AIR = Path(__file__).resolve().parents[1] / "data" / "messy" / "AirQualityUCI.csv"
FILE_INPUT = "#upload input[type=file]"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
NASTY = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
DROP = """([name, text]) => {
  const data = new DataTransfer();
  data.items.add(new File([text], name, {type: "text/csv"}));
  const zone = document.querySelector("#upload");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
  }
}"""


def sine_csv(rows: int = 300) -> str:
    """A clean daily series with a second column."""
    days = np.datetime64("2020-01-01") + np.arange(rows)
    lines = [f"{d},{np.sin(i / 8):.4f},{i % 7}" for i, d in enumerate(days)]
    return "day,level,weekday\n" + "\n".join(lines) + "\n"


def message(page: Page) -> LocatorAssertions:
    """The one-sentence message next to the upload box."""
    return expect(page.locator("#upload-message"))


def choose(page: Page, picker: str, option: str) -> None:
    """Pick one option of a dropdown by its exact text."""
    page.click(picker)
    page.get_by_role("option", name=option, exact=True).click()


def train_briefly(page: Page, epochs: int = 2) -> None:
    """Small settings, Train, and wait until the run finished."""
    set_slider(page, "epochs", epochs)
    set_slider(page, "units", 8)
    set_slider(page, "seq_len", 10)
    set_slider(page, "batch_size", 256)
    page.get_by_role("tab", name="Training").click()
    page.click("#train-button")
    expect(page.locator("#status-alert")).to_contain_text(
        f"Finished {epochs} epochs", timeout=60_000
    )


def test_messy_air_quality_file_is_previewed_and_trained_on(
    server: str, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    browser_page.set_input_files(FILE_INPUT, str(AIR))
    message(browser_page).to_contain_text(
        "Read AirQualityUCI.csv: 9,357 rows, 13 numeric columns, time column 'time'.",
        timeout=20_000,
    )
    expect(browser_page.locator("#dataset-badge")).to_contain_text("AirQualityUCI.csv")
    report = browser_page.locator("#data-report")
    expect(report).to_contain_text("';' separated, decimal ','")
    expect(report).to_contain_text("Time axis: time, every hour, from 2004-03-10 18:00:00")
    expect(report).to_contain_text("-200 in 13 columns may mark missing values")
    expect(browser_page.locator("#data-preview")).to_contain_text("PT08.S1(CO)")
    first_co = "#data-preview .ag-row[row-index='0'] .ag-cell[col-id='c1']"  # CO(GT), row 1
    expect(browser_page.locator(first_co)).to_have_text("2.6")  # decimal comma
    expect(browser_page.locator("#feature-picker")).to_contain_text("8 selected")

    browser_page.get_by_label("-200").check()
    choose(browser_page, "#target-picker", "T")
    browser_page.click("#feature-picker")
    browser_page.get_by_text("Deselect All").click()
    browser_page.get_by_role("option", name="RH", exact=True).click()
    browser_page.keyboard.press("Escape")
    expect(report).to_contain_text(
        "Training data: 732 missing cells in the chosen columns (counting -200 as missing), "
        "filled by interpolation."
    )
    browser_page.screenshot(path=str(screenshot_dir() / "upload-air-quality.png"))
    train_briefly(browser_page)
    assert errors == []


def test_bad_files_get_one_sentence_and_a_good_drop_still_trains(
    server: str, page: tuple[Page, ConsoleErrors], tmp_path: Path
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    badge = browser_page.locator("#dataset-badge").inner_text()
    (tmp_path / "photo.csv").write_bytes(PNG)
    browser_page.set_input_files(FILE_INPUT, str(tmp_path / "photo.csv"))
    message(browser_page).to_have_text(
        "This file is not a text table (it contains binary data); "
        "upload a .csv, .tsv, .txt or .xlsx file.",
        timeout=20_000,
    )
    (tmp_path / "empty.csv").write_bytes(b"")
    browser_page.set_input_files(FILE_INPUT, str(tmp_path / "empty.csv"))
    message(browser_page).to_contain_text("The file is empty")
    (tmp_path / "one.csv").write_text("day,level\n2020-01-01,1\n")
    browser_page.set_input_files(FILE_INPUT, str(tmp_path / "one.csv"))
    message(browser_page).to_contain_text("only 1 data row")
    expect(browser_page.locator("#dataset-badge")).to_have_text(badge)  # still the one before

    browser_page.evaluate(DROP, ["dropped.csv", sine_csv()])  # drag and drop this time
    message(browser_page).to_contain_text("Read dropped.csv: 300 rows", timeout=20_000)
    expect(browser_page.locator("#dataset-badge")).to_contain_text("dropped.csv")
    train_briefly(browser_page)
    assert errors == []


def test_column_names_from_a_file_are_shown_as_text(
    server: str, page: tuple[Page, ConsoleErrors], tmp_path: Path
) -> None:
    browser_page, errors = page
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    browser_page.on("dialog", record)
    open_app(browser_page, server)
    rows = "\n".join(f"2020-01-{d:02d},{d % 4},{d * 2}" for d in range(1, 29))
    path = tmp_path / "names.csv"
    path.write_text(f'date,"{NASTY}",{FORMULA}\n{rows}\n')
    browser_page.set_input_files(FILE_INPUT, str(path))
    message(browser_page).to_contain_text("Read names.csv: 28 rows", timeout=20_000)
    headers = browser_page.locator("#data-preview .ag-header-cell-text")
    expect(headers).to_have_text(["date", NASTY, FORMULA])
    expect(browser_page.locator("#target-picker")).to_contain_text(NASTY)
    assert browser_page.evaluate("document.querySelectorAll('#data-preview script').length") == 0
    # the header's text node is the name itself: nothing was parsed as markup
    first = browser_page.locator("#data-preview .ag-header-cell[col-id='c1'] .ag-header-cell-text")
    assert first.evaluate("node => node.childElementCount") == 0
    assert first.evaluate("node => node.textContent") == NASTY
    # 28 rows cannot feed sequences of 50: said before Train is pressed
    expect(browser_page.locator("#settings-problem")).to_contain_text(
        "is too long for names.csv", timeout=10_000
    )
    # two animation frames after the preview is shown: anything it would run has run
    browser_page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    assert dialogs == [] and errors == []


def test_an_upload_stays_in_the_dataset_picker_after_a_reload(
    server: str, page: tuple[Page, ConsoleErrors], tmp_path: Path
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    (tmp_path / "kept.csv").write_text(sine_csv(120))
    browser_page.set_input_files(FILE_INPUT, str(tmp_path / "kept.csv"))
    expect(browser_page.locator("#dataset-badge")).to_contain_text("kept.csv", timeout=20_000)
    browser_page.reload()
    open_app(browser_page, browser_page.url)
    browser_page.click("#dataset-picker")
    browser_page.get_by_role("option", name="Upload: kept.csv").click()
    expect(browser_page.locator("#dataset-badge")).to_have_text("dataset: kept.csv")
    expect(browser_page.locator("#data-preview")).to_contain_text("level")
    assert errors == []


def test_a_large_upload_says_the_cost_of_an_epoch_and_is_made_smaller(
    server: str, page: tuple[Page, ConsoleErrors], tmp_path: Path
) -> None:
    browser_page, errors = page
    open_app(browser_page, server)
    stamps = pd.date_range("2022-01-01", periods=200_000, freq="min").strftime("%Y-%m-%d %H:%M")
    text = "time,load\n" + "\n".join(f"{t},{i % 977}" for i, t in enumerate(stamps))
    (tmp_path / "minutes.csv").write_text(text + "\n")
    browser_page.set_input_files(FILE_INPUT, str(tmp_path / "minutes.csv"))
    box = browser_page.locator("#estimate-box")
    expect(box).to_contain_text("minutes per epoch here: 4,374 batches", timeout=30_000)
    expect(box).to_have_class(re.compile("alert-warning"))
    choose(browser_page, "#reduce-picker", "mean per hour")
    browser_page.click("#reduce-apply")
    badge = browser_page.locator("#dataset-badge")
    expect(badge).to_have_text("dataset: minutes.csv, mean per hour", timeout=30_000)
    expect(box).to_contain_text("In use: minutes.csv, mean per hour. About ")
    expect(box).to_have_class(re.compile("alert-info"))
    expect(browser_page.locator("#data-report")).to_contain_text(
        "Resampled to the mean per hour: 200,000 rows became 3,334."
    )
    browser_page.screenshot(path=str(screenshot_dir() / "upload-made-smaller.png"))
    assert errors == []


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose upload limit is 1 MB."""
    data_dir = tmp_path_factory.mktemp("small") / "data"
    data_dir.mkdir()
    with running_server(data_dir, env={"LSTM_LAB_MAX_UPLOAD_MB": "1"}) as url:
        yield url


def test_the_size_limit_is_named_whoever_refuses_the_file(
    small_server: str, page: tuple[Page, ConsoleErrors], tmp_path: Path
) -> None:
    browser_page, errors = page
    open_app(browser_page, small_server)
    expect(browser_page.locator("#upload-hint")).to_contain_text("up to 1 MB")
    big = tmp_path / "big.csv"
    big.write_text(sine_csv(60_000))
    megabytes = big.stat().st_size / 2**20
    assert megabytes > 1.1
    browser_page.set_input_files(FILE_INPUT, str(big))
    message(browser_page).to_contain_text(
        f"big.csv is {megabytes:.1f} MB, over the 1 MB upload limit"
    )
    # A browser that skips the check (an old page, a script) meets the server's limit: 413
    browser_page.evaluate(
        "dash_clientside.set_props('upload-limit', {data: {max_bytes: 1e12, max_mb: 1}})"
    )
    browser_page.set_input_files(FILE_INPUT, str(big))
    message(browser_page).to_contain_text(
        "The file is larger than the 1 MB upload limit", timeout=20_000
    )
    small = tmp_path / "small.csv"
    small.write_text(sine_csv(200))
    browser_page.set_input_files(FILE_INPUT, str(small))
    message(browser_page).to_contain_text("Read small.csv: 200 rows", timeout=20_000)
    assert errors == [] or all("413" in e for e in errors)
