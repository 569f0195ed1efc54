"""Uploads without Dash: the /upload route on a bare Flask app, ingesting, recipes, sessions,
the Data tab's views. Real files from tests/data and the real reader throughout; one test
makes the store's write fail (a full disk, which no file can cause) to check the route's
answer to a server-side error."""

from __future__ import annotations

import io
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard import sessions
from dashboard.ingest import uploads
from dashboard.ingest.reader import DataError
from dashboard.ingest.uploads import Recipe, build_dataset, ingest
from dashboard.layout import data_report
from dashboard.ml.export import csv_text
from dashboard.settings import Settings
from dashboard.store import NotFound, Store

DATA = Path(__file__).resolve().parents[1] / "data"
AIR = DATA / "messy" / "AirQualityUCI.csv"
S1, S2 = "a" * 32, "b" * 32
KEY = "upload-tests-key"  # the route verifies the page's token with it
T1 = sessions.token_for(KEY, S1)  # what the page of session S1 posts
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
NASTY = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"


def series_csv(rows: int, extra: str = "", value: Any = None) -> bytes:
    """date,value[,extra] with `rows` hourly rows."""
    dates = pd.date_range("2020-01-01", periods=rows, freq="h").strftime("%Y-%m-%d %H:%M")
    head = "date,value" + (f",{extra}" if extra else "")
    lines = [
        f"{d},{i if value is None else value}" + (f",{i % 7}" if extra else "")
        for i, d in enumerate(dates)
    ]
    return ("\n".join([head, *lines]) + "\n").encode()


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store(settings.store_dir, secret_key=KEY)


@pytest.fixture
def client(settings: Settings, store: Store) -> FlaskClient:
    server = Flask(__name__)
    uploads.register_upload_route(server, settings, store)
    return server.test_client()


def post(client: FlaskClient, data: bytes, name: str, session: str = T1) -> tuple[int, Any]:
    """POST a file as the page does; (status, JSON answer)."""
    response = client.post(
        uploads.UPLOAD_URL,
        data={"session": session, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_json()


# -- the route -------------------------------------------------------------------------------


def test_route_reads_air_quality_and_answers_small_metadata(client: FlaskClient) -> None:
    status, answer = post(client, AIR.read_bytes(), "AirQualityUCI.csv")
    meta = answer["upload"]
    assert status == 200 and meta["upload"].startswith("upload:")
    assert (meta["rows"], meta["time_column"], meta["markers"]) == (9357, "time", [-200.0])
    assert meta["columns"][:2] == ["CO(GT)", "PT08.S1(CO)"] and len(meta["columns"]) == 13
    assert len(str(answer)) < 2000  # names and counts only, never the data


def test_route_reads_an_excel_workbook(client: FlaskClient) -> None:
    frame = pd.DataFrame(
        {"when": pd.date_range("2021-01-01", periods=40, freq="W"), "sales": np.arange(40.0)}
    )
    book = io.BytesIO()
    frame.to_excel(book, index=False, engine="openpyxl")
    status, answer = post(client, book.getvalue(), "sales.xlsx")
    assert status == 200 and answer["upload"]["columns"] == ["sales"]
    assert answer["upload"]["time_column"] == "when" and answer["upload"]["rows"] == 40


TSV = "day\tlevel\n" + "".join(f"2021-03-{d:02d}\t{d * 1.5}\n" for d in range(1, 29))
TXT_SEMICOLON = "day;level\n" + "".join(f"{d:02d}/03/2021;{d},5\n" for d in range(1, 29))
TXT_SPACES = "day level\n" + "".join(f"2021-03-{d:02d} {d * 1.5}\n" for d in range(1, 29))


@pytest.mark.parametrize(
    ("name", "text", "second"),
    [
        ("levels.tsv", TSV, 3.0),
        ("levels.txt", TXT_SEMICOLON, 2.5),  # day-first dates, decimal commas
        ("levels.txt", TXT_SPACES, 3.0),
    ],
)
def test_route_reads_tsv_and_txt_files(
    client: FlaskClient, store: Store, name: str, text: str, second: float
) -> None:
    status, answer = post(client, text.encode(), name)
    assert status == 200, answer
    meta = answer["upload"]
    assert (meta["name"], meta["rows"], meta["columns"]) == (name, 28, ["level"])
    assert meta["time_column"] == "day"
    frame = store.load_dataset(meta["upload"], S1).frame
    assert (frame.index[0], frame.index[-1]) == (
        pd.Timestamp("2021-03-01"),
        pd.Timestamp("2021-03-28"),
    )
    assert frame["level"].iloc[1] == pytest.approx(second)


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (b"", "empty.csv", 200, "The file is empty"),
        (PNG, "photo.csv", 200, "not a text table (it contains binary data)"),
        (b"date,v\n2020-01-01,1\n", "one.csv", 200, "only 1 data row"),
        (b"name,colour\n" + b"\n".join(b"n%d,red" % i for i in range(20)), "t.csv", 200, "No "),
        (series_csv(20), "data.json", 200, "Files ending in .json are not supported"),
    ],
)
def test_route_answers_bad_files_with_one_sentence(
    client: FlaskClient, data: bytes, name: str, status: int, message: str
) -> None:
    got, answer = post(client, data, name)
    assert got == status and message in answer["error"]
    assert answer["error"].count(". ") == 0 and "Traceback" not in answer["error"]


def test_route_refuses_a_missing_session_and_a_missing_file(client: FlaskClient) -> None:
    assert post(client, series_csv(20), "a.csv", session="")[0] == 403
    assert post(client, series_csv(20), "a.csv", session="../../etc")[0] == 403
    response = client.post(uploads.UPLOAD_URL, data={"session": T1})
    assert response.status_code == 400 and "No file arrived" in response.get_json()["error"]


def test_route_refuses_files_over_the_limit_naming_it(store: Store, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "small", max_upload_mb=1)
    server = Flask(__name__)
    uploads.register_upload_route(server, settings, store)
    client = server.test_client()
    big = series_csv(120_000)  # about 2.8 MB
    status, answer = post(client, big, "big.csv")
    assert status == 413 and "1 MB upload limit" in answer["error"]
    just_over = b"x" * (2**20 + 1)  # the body passes the header check; the file does not
    status, answer = post(client, just_over, "over.csv")
    assert status == 413 and "1 MB" in answer["error"]
    assert post(client, series_csv(200), "fine.csv")[0] == 200  # a good file still works


def test_a_failing_parse_is_a_sentence_and_the_log_gets_the_traceback(
    client: FlaskClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: Any) -> None:
        raise OSError("disk full")

    store.save_upload = broken  # type: ignore[method-assign,assignment]
    status, answer = post(client, series_csv(30), "a.csv")
    assert status == 500 and answer == {
        "error": "The file could not be read because of a problem on the server; try again."
    }
    assert "disk full" in caplog.text


# -- sessions and storage --------------------------------------------------------------------


def test_an_upload_is_only_visible_to_its_session(settings: Settings, store: Store) -> None:
    meta = ingest(store, settings, S1, series_csv(50, extra="w"), "mine.csv")
    upload_id = meta["upload"]
    assert store.load_dataset(upload_id, S1).frame.shape == (50, 2)
    with pytest.raises(NotFound):
        store.load_dataset(upload_id, S2)
    with pytest.raises(NotFound):
        store.upload_meta(S2, upload_id)
    with pytest.raises(NotFound):
        build_dataset(store, settings, S2, upload_id, Recipe("value", missing="drop"))
    variant = build_dataset(
        store, settings, S1, upload_id, Recipe("value", ("w",), missing="ffill")
    )
    with pytest.raises(NotFound):
        store.load_dataset(variant.id, S2)
    other = ingest(store, settings, S2, series_csv(50, extra="w"), "mine.csv")
    assert other["upload"] == upload_id  # same content, same hash; a separate copy per session


def test_datasets_are_on_disk_for_job_processes(settings: Settings, store: Store) -> None:
    meta = ingest(store, settings, S1, series_csv(40), "a.csv")
    fresh = Store(settings.store_dir)  # what a job process opens
    assert fresh.load_dataset(meta["upload"], S1).frame["value"].iloc[-1] == 39


def test_the_same_file_twice_is_parsed_once(settings: Settings, store: Store) -> None:
    def stored_files() -> dict[Path, int]:
        return {p: p.stat().st_mtime_ns for p in settings.store_dir.rglob("*") if p.is_file()}

    data = series_csv(3000, extra="w")  # big enough to be kept as files in the store
    first = ingest(store, settings, S1, data, "a.csv")
    before = stored_files()
    assert before
    assert ingest(store, settings, S1, data, "a.csv") == first
    assert stored_files() == before  # nothing parsed or written again
    renamed = ingest(store, settings, S1, data, "b.csv")  # same bytes, another name: read again
    assert renamed["name"] == "b.csv" and renamed["upload"] == first["upload"]
    assert stored_files() != before


def test_bad_sessions_are_refused_before_parsing(settings: Settings, store: Store) -> None:
    with pytest.raises(uploads.UploadRefused, match="reload the page"):
        ingest(store, settings, "x/../y", series_csv(20), "a.csv")


# -- bad and odd content -------------------------------------------------------------------


def test_all_nan_column_is_not_offered_and_inf_is_missing(settings: Settings, store: Store) -> None:
    dates = pd.date_range("2020-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    lines = [f"{d},{i},,{'inf' if i == 5 else i * 2}" for i, d in enumerate(dates)]
    meta = ingest(store, settings, S1, ("date,v,empty,w\n" + "\n".join(lines)).encode(), "a.csv")
    assert meta["columns"] == ["v", "w"]
    frame = build_dataset(store, settings, S1, meta["upload"], Recipe("w", ("v",))).frame
    assert np.isfinite(frame.to_numpy()).all() and frame["w"].iloc[5] == pytest.approx(10.0)


def test_html_and_formula_column_names_stay_verbatim_text(settings: Settings, store: Store) -> None:
    text = f'date,"{NASTY}",{FORMULA}\n' + "\n".join(
        f"2020-01-{d:02d},{d},{d * 2}" for d in range(1, 29)
    )
    meta = ingest(store, settings, S1, text.encode(), "x.csv")
    assert meta["columns"] == [NASTY, FORMULA]
    table = store.load_upload(S1, meta["upload"])
    preview = data_report.preview_table(table.frame, 28)
    (grid,) = _find(preview, "AgGrid")
    headers = [column["headerName"] for column in grid.columnDefs]
    assert headers == ["date", NASTY, FORMULA]  # plain strings: AG Grid writes them as text
    # nothing that would render HTML, and the names are never field paths
    assert not getattr(grid, "dangerously_allow_code", False)
    assert all("cellRenderer" not in c and "headerComponent" not in c for c in grid.columnDefs)
    assert [column["field"] for column in grid.columnDefs] == ["c0", "c1", "c2"]
    assert grid.rowData[0] == {"c0": "2020-01-01 00:00:00", "c1": "1", "c2": "2"}
    exported = csv_text(["time", *meta["columns"]], [["2020-01-01", 1.0, 2.0]])
    assert exported.splitlines()[0] == f"time,{NASTY},'{FORMULA}"  # inert in a spreadsheet


def test_display_names_lose_folders_and_stay_short() -> None:
    assert uploads.display_name("C:\\Users\\me\\data.csv") == "data.csv"
    assert uploads.display_name("../../etc/passwd.csv") == "passwd.csv"
    assert len(uploads.display_name("a" * 500 + ".csv")) == uploads.MAX_NAME


def test_a_million_rows_load(settings: Settings, store: Store) -> None:
    rows = 1_000_000
    minutes = np.datetime64("2000-01-01T00:00") + np.arange(rows).astype("timedelta64[m]")
    values = np.random.default_rng(0).normal(size=rows)
    cells = zip(np.datetime_as_string(minutes), values.round(3).astype(str), strict=True)
    lines = map(",".join, cells)
    data = ("time,x\n" + "\n".join(lines) + "\n").encode()
    meta = ingest(store, settings, S1, data, "million.csv")  # speed: bench/bench_upload.py
    assert meta["rows"] == rows and meta["time_column"] == "time"
    frame = store.load_dataset(meta["upload"], S1).frame
    assert frame.shape == (rows, 1)
    assert frame.index[-1] == pd.Timestamp(minutes[-1]) and frame["x"].iloc[-1] == values[-1].round(
        3
    )


# -- recipes ---------------------------------------------------------------------------------


def test_air_quality_recipes(settings: Settings, store: Store) -> None:
    upload_id = ingest(store, settings, S1, AIR.read_bytes(), "AirQualityUCI.csv")["upload"]
    plain = build_dataset(store, settings, S1, upload_id, Recipe("CO(GT)", ("T",)))
    assert plain.id == upload_id  # default cleaning: the default dataset serves it
    assert plain.frame["CO(GT)"].min() == -200.0
    marked = build_dataset(
        store, settings, S1, upload_id, Recipe("CO(GT)", ("T",), markers=(-200.0,))
    )
    assert marked.id.startswith(upload_id + ":") and list(marked.frame.columns) == ["CO(GT)", "T"]
    assert marked.frame["CO(GT)"].min() > 0 and not marked.frame.isna().any().any()
    dropped = Recipe("CO(GT)", ("T",), markers=(-200.0,), missing="drop")
    assert len(build_dataset(store, settings, S1, upload_id, dropped).frame) < 9357
    rows = build_dataset(
        store, settings, S1, upload_id, Recipe("T", use_time=False, missing="ffill")
    )
    assert isinstance(rows.frame.index, pd.RangeIndex)
    assert len({plain.id, marked.id, rows.id}) == 3
    counts = uploads.missing_in(
        store.load_upload(S1, upload_id), marked_recipe := Recipe("CO(GT)", markers=(-200.0,))
    )
    assert counts == {"CO(GT)": 1683} and marked_recipe.columns == ["CO(GT)"]


def test_cleaning_that_leaves_too_little_says_so(settings: Settings, store: Store) -> None:
    text = "date,v,w\n" + "\n".join(
        f"2020-01-{d:02d},{d},{d if d < 5 else ''}" for d in range(1, 29)
    )
    upload_id = ingest(store, settings, S1, text.encode(), "a.csv")["upload"]
    with pytest.raises(DataError, match="Only 4 rows remain"):
        build_dataset(store, settings, S1, upload_id, Recipe("v", ("w",), missing="drop"))


def test_repeated_timestamps_can_be_averaged(settings: Settings, store: Store) -> None:
    text = "date,v\n" + "\n".join(f"2020-01-{d // 2 + 1:02d},{d}" for d in range(40))
    meta = ingest(store, settings, S1, text.encode(), "a.csv")
    assert meta["duplicates"] == 20
    averaged = build_dataset(store, settings, S1, meta["upload"], Recipe("v", duplicates="mean"))
    assert len(averaged.frame) == 20 and averaged.frame["v"].iloc[0] == 0.5


def test_recipe_round_trips_through_the_page(settings: Settings) -> None:
    recipe = Recipe("a", ("b", "c"), False, "drop", (-200.0,), "mean")
    meta = uploads.dataset_meta(
        uploads.Dataset("upload:x:y", "n", pd.DataFrame({"a": [1.0]}), "a"), "upload:x", recipe
    )
    import json

    back = Recipe.from_dict(json.loads(json.dumps(meta))["recipe"])
    assert back == recipe and back.digest() == recipe.digest()
    assert meta["columns"] == ["a", "b", "c"] and meta["features"] == ["b", "c"]
    assert recipe.options(settings).missing_sentinels == (-200.0,)
    assert uploads.upload_of("upload:x:y") == "upload:x" and uploads.upload_of("builtin:x") is None


def test_preselected_inputs_are_capped() -> None:
    columns = [f"c{i}" for i in range(400)]
    assert uploads.preselected(columns, "c0") == columns[1 : uploads.MAX_PRESELECTED + 1]
    assert uploads.preselected(["a", "b"], "b") == ["a"]


# -- views -----------------------------------------------------------------------------------


def test_frequency_words() -> None:
    assert data_report.frequency_text("h") == "every hour"
    assert data_report.frequency_text("10min") == "every 10 minutes"
    assert data_report.frequency_text("MS") == "every month"
    assert data_report.frequency_text("W-SUN") == "every week"
    assert data_report.frequency_text(None) == "" and data_report.frequency_text("xyz") == ""


def test_report_says_what_was_read_and_how_missing_values_are_handled(
    settings: Settings, store: Store
) -> None:
    upload_id = ingest(store, settings, S1, AIR.read_bytes(), "AirQualityUCI.csv")["upload"]
    recipe = Recipe("CO(GT)", markers=(-200.0,), missing="drop")
    dataset = build_dataset(store, settings, S1, upload_id, recipe)
    meta = uploads.dataset_meta(dataset, upload_id, recipe)
    table = store.load_upload(S1, upload_id)
    view = data_report.report_view(
        meta,
        table.report.to_dict(),
        uploads.missing_in(table, recipe, table.numeric_columns),
        meta["rows"],
    )
    text = " ".join(_texts(view))
    assert "';' separated, decimal ','" in text and "every hour" in text
    assert "1,683 missing cells" in text and "counting -200 as missing" in text
    assert "dropped with their rows, 7,674 of 9,357 rows left" in text
    assert "Dropped 114 empty rows." in text
    assert "Missing cells per column (counting -200 as missing):" in text
    assert "NMHC(GT)" in text and "90.2 %" in text  # the table lists every numeric column


def test_preview_is_capped_in_rows_and_columns() -> None:
    frame = pd.DataFrame(np.arange(40 * 50, dtype=float).reshape(40, 50))
    preview = data_report.preview_table(frame, 40)
    (grid,) = _find(preview, "AgGrid")
    assert len(grid.columnDefs) == data_report.PREVIEW_COLUMNS
    assert len(grid.rowData) == data_report.PREVIEW_ROWS
    assert all(len(row) == data_report.PREVIEW_COLUMNS for row in grid.rowData)
    assert grid.rowData[1]["c2"] == "52"  # row 1, column 2 of the frame, as text
    assert "the first 30 of 50 columns" in " ".join(_texts(preview))


def _find(component: Any, kind: str) -> list[Any]:
    """Every descendant component of a given type name."""
    found = [component] if type(component).__name__ == kind else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found += _find(child, kind)
    return found


def _texts(component: Any) -> list[str]:
    """Every string in a component tree."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    items = children if isinstance(children, list) else [children]
    return [text for child in items if child is not None for text in _texts(child)]


def test_another_date_column_can_be_the_time_axis(tmp_path: Path) -> None:
    """A file with two date columns: the detected one, or the other one when chosen."""
    text = "opened,closed,value\n" + "".join(
        f"2020-01-{d:02d},{31 - d:02d}/03/2020,{d}\n" for d in range(1, 29)
    )
    settings = Settings(data_dir=tmp_path / "data")
    store = Store.from_settings(settings)
    session = "0123456789abcdef0123456789abcdef"
    meta = ingest(store, settings, session, text.encode(), "two-dates.csv")
    assert meta["time_column"] == "opened" and meta["time_candidates"] == ["closed"]
    chosen = build_dataset(
        store, settings, session, meta["upload"], Recipe(target="value", time_column="closed")
    )
    assert chosen.frame.index[0] == pd.Timestamp("2020-03-03")  # day-first, sorted by it
    assert list(chosen.frame["value"])[:3] == [28.0, 27.0, 26.0]
    with pytest.raises(DataError, match="does not hold dates"):
        build_dataset(
            store, settings, session, meta["upload"], Recipe(target="value", time_column="value")
        )


def test_route_refuses_sessions_the_server_never_issued(client: FlaskClient, store: Store) -> None:
    forged = [
        S1,  # a bare id: the browser made it up
        T1[:-1] + ("A" if T1[-1] != "A" else "B"),  # the signature altered
        sessions.token_for("another-servers-key", S1),
        S2 + "." + T1.rsplit(".", 1)[1],  # another id under S1's signature
        "x" * 5000,
    ]
    for session in forged:
        status, answer = post(client, series_csv(20), "a.csv", session=session)
        assert status == 403 and answer == {"error": sessions.MESSAGE}
    assert [key for key in store.cache.iterkeys() if "upload" in str(key)] == []
    assert post(client, series_csv(20), "a.csv")[0] == 200
    assert sessions.verify(store, T1) == S1


# -- long and wide files, row order (issue 13) ---------------------------------------------------


def long_csv() -> bytes:
    """date,symbol,close,volume: AAPL and MSFT on 30 days, IBM on the first 20."""
    days = pd.date_range("2020-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    rows = [
        f"{d},{symbol},{base + i},{base * 10 + i}"
        for i, d in enumerate(days)
        for symbol, base in (("AAPL", 100), ("MSFT", 200), ("IBM", 50))
        if symbol != "IBM" or i < 20
    ]
    return ("date,symbol,close,volume\n" + "\n".join(rows)).encode()


def test_a_long_upload_offers_its_series_and_a_choice_makes_an_upload(
    settings: Settings, store: Store
) -> None:
    meta = ingest(store, settings, S1, long_csv(), "stocks.csv")
    shape = meta["shape"]
    assert (shape["kind"], shape["choice"], shape["source"]) == ("long", "as-read", meta["upload"])
    assert list(shape["choices"]) == ["as-read", "pivot", "id:AAPL", "id:MSFT", "id:IBM"]
    assert shape["choices"]["id:IBM"] == "one series: IBM (20 rows)"
    assert meta["rows"] == 80 and meta["duplicates"] == 50  # as read: interleaved

    wide = uploads.reshape(store, settings, S1, meta["upload"], "pivot")
    assert wide["upload"].startswith(meta["upload"] + "-") and ":" not in wide["upload"][7:]
    assert (wide["name"], wide["rows"], wide["duplicates"]) == ("stocks.csv, by symbol", 30, 0)
    assert wide["columns"][:3] == ["close:AAPL", "close:IBM", "close:MSFT"]
    assert wide["shape"]["choice"] == "pivot" and wide["shape"]["source"] == meta["upload"]
    frame = build_dataset(
        store, settings, S1, wide["upload"], Recipe("close:MSFT", ("close:IBM",), missing="ffill")
    ).frame
    assert frame["close:MSFT"].iloc[4] == 204.0 and frame["close:IBM"].iloc[-1] == 69.0
    assert store.load_dataset(wide["upload"], S1).frame.shape == (30, 6)  # the default dataset
    assert uploads.reshape(store, settings, S1, meta["upload"], "pivot") == wide  # kept, once

    one = uploads.reshape(store, settings, S1, wide["upload"], "id:IBM")  # from a reshaped one
    assert (one["name"], one["rows"], one["columns"]) == (
        "stocks.csv, IBM",
        20,
        ["close", "volume"],
    )
    assert store.load_dataset(one["upload"], S1).frame["close"].iloc[0] == 50.0
    assert uploads.reshape(store, settings, S1, one["upload"], "as-read") == meta
    table = store.load_upload(S1, one["upload"])
    assert table.report.notes[0] == "Kept the 20 rows whose symbol is 'IBM'."
    with pytest.raises(DataError, match="cannot be reshaped that way"):
        uploads.reshape(store, settings, S1, meta["upload"], "id:GOOG")
    with pytest.raises(NotFound):
        uploads.reshape(store, settings, S2, meta["upload"], "pivot")


def test_ids_with_slashes_name_their_series_whole(settings: Settings, store: Store) -> None:
    days = pd.date_range("2020-01-01", periods=20, freq="D").strftime("%Y-%m-%d")
    rows = [f"{d},{pair},1.{i:02d}" for i, d in enumerate(days) for pair in ("EUR/USD", "GBP/USD")]
    meta = ingest(store, settings, S1, ("date,pair,rate\n" + "\n".join(rows)).encode(), "fx.csv")
    one = uploads.reshape(store, settings, S1, meta["upload"], "id:EUR/USD")
    assert (one["name"], one["rows"]) == ("fx.csv, EUR/USD", 20)
    assert store.load_dataset(one["upload"], S1).frame["rate"].iloc[3] == 1.03


def test_a_wide_upload_with_few_rows_is_transposed_at_once(
    settings: Settings, store: Store
) -> None:
    head = "Product_Code," + ",".join(f"W{w}" for w in range(12))
    rows = [f"P{p}," + ",".join(str(p * 100 + w) for w in range(12)) for p in range(1, 5)]
    data = (head + "\n" + "\n".join(rows)).encode()
    meta = ingest(store, settings, S1, data, "weekly.csv")
    assert (meta["name"], meta["rows"], meta["columns"]) == (
        "weekly.csv, transposed",
        12,
        ["P1", "P2", "P3", "P4"],
    )
    assert list(meta["shape"]["choices"]) == ["transpose"]  # as read it is no series
    assert store.load_dataset(meta["upload"], S1).frame["P2"].iloc[3] == 203.0
    assert ingest(store, settings, S1, data, "weekly.csv") == meta  # the same file again


def test_a_plain_upload_has_no_shape_and_its_rows_can_be_reversed(
    settings: Settings, store: Store
) -> None:
    text = "close,volume\n" + "\n".join(f"{100 - i},{i}" for i in range(20))
    meta = ingest(store, settings, S1, text.encode(), "newest-first.csv")
    assert "shape" not in meta and meta["time_column"] is None
    recipe = Recipe("close", use_time=False, reverse=True)
    assert not recipe.is_default and Recipe.from_dict(asdict(recipe)) == recipe
    frame = build_dataset(store, settings, S1, meta["upload"], recipe).frame
    assert list(frame["close"].iloc[:3]) == [81.0, 82.0, 83.0]
    with pytest.raises(DataError, match="cannot be reshaped"):
        uploads.reshape(store, settings, S1, meta["upload"], "pivot")


def test_a_long_file_of_labelled_sequences_becomes_a_classification_dataset(
    settings: Settings, store: Store
) -> None:
    """recording,label,value: 12 recordings of 9 to 11 rows; value is r * 100 + step."""
    rows = [
        f"rec{r},{'on' if r % 3 else 'off'},{r * 100 + k}"
        for r in range(12)
        for k in range(9 + r % 3)
    ]
    text = "recording,label,value\n" + "\n".join(rows)
    meta = ingest(store, settings, S1, text.encode(), "switches.csv")
    shape = meta["shape"]
    assert shape["kind"] == "sequences" and list(shape["choices"]) == ["as-read", "classify"]
    assert not uploads.is_classify(meta)
    made = uploads.reshape(store, settings, S1, meta["upload"], "classify")
    assert uploads.is_classify(made) and made["name"] == "switches.csv, classify by label"
    dataset = store.load_dataset(made["upload"], S1)
    assert (dataset.task, dataset.target, dataset.frame.shape) == ("classify", "label", (12, 10))
    assert dataset.frame["label"].tolist()[:4] == [0.0, 1.0, 1.0, 0.0]  # 0 = off, 1 = on
    values = dataset.values("label")  # what training reads: the label, then every step
    np.testing.assert_array_equal(values[5], [1.0, *[500 + k for k in range(9)]])
    table = store.load_upload(S1, made["upload"])
    assert table.report.notes == [
        "Read as 12 labelled sequences of 9 steps (each cut to the shortest), one per "
        "recording, labelled by label.",
        "Labels coded as numbers: 0 = off, 1 = on.",
    ]


# -- large data made smaller (issue 13) ----------------------------------------------------------


def hourly_csv(days: int = 12) -> bytes:
    """time,load: hourly rows from 2021-03-01; load on day d (from 0) at hour h is d * 100 + h."""
    stamps = pd.date_range("2021-03-01", periods=days * 24, freq="h")
    lines = [f"{t:%Y-%m-%d %H:%M},{i // 24 * 100 + t.hour}" for i, t in enumerate(stamps)]
    return ("time,load\n" + "\n".join(lines) + "\n").encode()


def test_an_hourly_upload_resampled_to_days(settings: Settings, store: Store) -> None:
    meta = ingest(store, settings, S1, hourly_csv(), "load.csv")
    assert meta["rows"] == 288
    daily = uploads.make_smaller(store, settings, S1, meta["upload"], "resample:D:mean")
    assert (daily["name"], daily["rows"]) == ("load.csv, mean per day", 12)
    assert daily["reduced"] == {
        "choice": "resample:D:mean",
        "parent": meta["upload"],
        "source": meta["upload"],
    }
    frame = store.load_dataset(daily["upload"], S1).frame
    assert frame.index[1] == pd.Timestamp("2021-03-02")
    assert frame["load"].tolist()[:3] == [11.5, 111.5, 211.5]  # the mean of d * 100 + 0..23
    sums = uploads.make_smaller(store, settings, S1, daily["upload"], "resample:D:sum")
    assert store.load_dataset(sums["upload"], S1).frame["load"].iloc[1] == 24 * 100 + 276
    last = uploads.make_smaller(store, settings, S1, meta["upload"], "resample:D:last")
    assert store.load_dataset(last["upload"], S1).frame["load"].iloc[2] == 223
    table = store.load_upload(S1, daily["upload"])
    assert table.report.notes[0] == "Resampled to the mean per day: 288 rows became 12."
    assert table.report.frequency == "D"

    recent = uploads.make_smaller(store, settings, S1, sums["upload"], "recent:48")
    assert recent["reduced"]["parent"] == meta["upload"]  # reductions do not stack
    assert store.load_dataset(recent["upload"], S1).frame["load"].iloc[0] == 1000
    assert uploads.make_smaller(store, settings, S1, recent["upload"], "none") == meta
    with pytest.raises(DataError, match="already one hour apart"):
        uploads.make_smaller(store, settings, S1, meta["upload"], "resample:h:mean")
    with pytest.raises(DataError, match="not more than 500"):
        uploads.make_smaller(store, settings, S1, meta["upload"], "recent:500")
    rows_only = ingest(
        store, settings, S1, b"v\n" + b"\n".join(b"%d" % i for i in range(30)), "v.csv"
    )
    with pytest.raises(DataError, match="Resampling needs a time axis"):
        uploads.make_smaller(store, settings, S1, rows_only["upload"], "resample:D:mean")


def test_a_bad_count_of_recent_rows_gets_a_sentence(settings: Settings, store: Store) -> None:
    meta = ingest(store, settings, S1, hourly_csv(), "load.csv")
    for choice, said in (
        ("recent:-5", "Type a whole number of rows to keep, at least 10."),
        ("recent:3", "Keep at least 10 rows"),
        ("resample:W:mean", "is not a way to make the data smaller"),
    ):
        with pytest.raises(DataError, match=re.escape(said)):
            uploads.make_smaller(store, settings, S1, meta["upload"], choice)
