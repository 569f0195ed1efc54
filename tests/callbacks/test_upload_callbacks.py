"""Upload callbacks called directly, with the real /upload route of the app and real jobs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from flask.testing import FlaskClient

from callbacks.upload import GONE, feature_choice, shape_hint
from dashboard import sessions
from dashboard.app import create_app
from dashboard.control_state import SETTINGS, config_from_controls, control_value
from dashboard.ingest.uploads import MAX_PRESELECTED, ROW_ORDER, ROW_ORDER_REVERSED
from dashboard.ml.config import TrainConfig, check
from dashboard.settings import Settings
from dashboard.store import Store
from tests.callbacks.tokens import token

AIR = Path(__file__).resolve().parents[1] / "data" / "messy" / "AirQualityUCI.csv"
S1, S2 = token("c" * 32), token("d" * 32)  # the pages of two sessions
SINE = {"label": "Sine + noise (synthetic)", "value": "builtin:sine"}


@pytest.fixture
def app_parts(settings: Settings) -> tuple[dict[str, Any], FlaskClient]:
    app = create_app(settings, warm_up=False)
    return app.callback_functions, app.server.test_client()


@pytest.fixture
def functions(app_parts: tuple[dict[str, Any], FlaskClient]) -> dict[str, Any]:
    return app_parts[0]


def upload(client: FlaskClient, data: bytes, name: str, session: str = S1) -> dict[str, Any]:
    """What assets/upload.js writes into the page after posting a file."""
    response = client.post(
        "/upload",
        data={"session": session, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return {**response.get_json(), "received": 1}


def raw_settings(**values: Any) -> list[Any]:
    """What the setting controls hold: defaults unless given."""
    config = TrainConfig(**values)
    return [control_value(name, getattr(config, name)) for name in SETTINGS]


def choose(functions: dict[str, Any], result: dict[str, Any], session: str = S1) -> str:
    """Upload picked: run the callbacks the picker change triggers; return the upload id."""
    picked = functions["receive_upload"](result, [SINE])[4]
    functions["pick_dataset"](picked, session)
    return str(picked)


def test_limit_is_told_to_the_page(functions: dict[str, Any]) -> None:
    limit, hint = functions["show_limit"](S1)
    assert limit == {"max_bytes": 50 * 2**20, "max_mb": 50} and "up to 50 MB" in hint


def test_a_good_upload_is_offered_picked_and_shown(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    result = upload(client, AIR.read_bytes(), "AirQualityUCI.csv")
    message, color, shown, options, picked, tab = functions["receive_upload"](result, [SINE])
    assert message == (
        "Read AirQualityUCI.csv: 9,357 rows, 13 numeric columns, time column 'time'."
    )
    assert (color, shown, tab) == ("success", True, "data")
    assert options == [SINE, {"label": "Upload: AirQualityUCI.csv", "value": picked}]
    other = {"label": "Upload: other.csv", "value": "upload:other"}
    again = functions["receive_upload"](result, [SINE, options[1], other])[3]
    assert again == [SINE, other, options[1]]  # the same upload twice is offered once, last

    style, times, time, markers, ticked, marker_box, dup_box, dups, cleaning = functions[
        "offer_choices"
    ](picked, S1)
    assert (
        style == {}
        and cleaning == {}
        and time == "time"
        and [t["value"] for t in times] == ["time", ROW_ORDER]
    )
    assert markers == [{"label": "-200", "value": -200.0}] and ticked == []  # offered, not ticked
    assert marker_box == {} and dup_box == {"display": "none"} and dups == "keep"

    _meta, targets, target, _source, badge = functions["pick_dataset"](picked, S1)
    assert target == "CO(GT)" and len(targets) == 13 and badge == "dataset: AirQualityUCI.csv"
    columns, preselected = feature_choice(targets, target, None, fresh=True, upload=True)
    assert len(columns) == 12 and preselected == columns[:MAX_PRESELECTED]


def test_a_bad_upload_says_why_and_keeps_the_dataset(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    result = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv")
    message, color, shown, options, picked, tab = functions["receive_upload"](result, [SINE])
    assert message.startswith("This file is not a text table") and color == "danger" and shown
    assert options is no_update and picked is no_update and tab is no_update
    empty = functions["receive_upload"](upload(client, b"", "empty.csv"), [SINE])
    assert empty[0].startswith("The file is empty") and empty[4] is no_update


def test_chosen_inputs_and_cleaning_reach_the_training_config(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    picked = choose(functions, upload(client, AIR.read_bytes(), "AirQualityUCI.csv"))
    meta, message, shown = functions["prepare_dataset"](
        picked, "CO(GT)", ["T", "CO(GT)"], "time", "interpolate", [-200.0], "keep", S1
    )
    assert (message, shown) == ("", False)
    assert meta["features"] == ["T"] and meta["columns"] == ["CO(GT)", "T"]
    config = config_from_controls(meta, "CO(GT)", [70, 85], tuple(raw_settings()))
    assert config.dataset == meta["id"] and config.features == ("T",)
    report, preview = functions["show_upload"](meta, S1)
    assert "counting -200 as missing" in str(report) and "PT08.S1(CO)" in str(preview)
    figure, summary, _label = functions["show_series"](meta, "CO(GT)", [70, 85], S1)
    assert min(figure.data[0].y) > 0 and summary == ""  # the markers are gone from the plot


def test_built_in_inputs_make_a_multivariate_config(functions: dict[str, Any]) -> None:
    meta = functions["prepare_dataset"](
        "builtin:seattle",
        "temp_max",
        ["wind", "precipitation"],
        None,
        "interpolate",
        [],
        "keep",
        S1,
    )[0]
    assert meta["id"] == "builtin:seattle" and meta["features"] == ["wind", "precipitation"]
    config = config_from_controls(meta, "temp_max", [70, 85], tuple(raw_settings()))
    assert config.features == ("wind", "precipitation")
    assert feature_choice(["a", "b", "c"], "a", None, fresh=True, upload=False) == (["b", "c"], [])
    assert feature_choice(["a", "b", "c"], "b", ["b", "c"], fresh=False, upload=True) == (
        ["a", "c"],
        ["c"],
    )


def test_offer_features_knows_a_fresh_dataset_from_a_new_target(
    functions: dict[str, Any],
) -> None:
    def call(prop: str, *args: Any) -> Any:
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop, "value": None}]))
        return functions["offer_features"](*args)

    picked = "upload:x"
    assert call("target-picker.options", ["a", "b", "c"], "a", None, picked) == (
        ["b", "c"],
        ["b", "c"],
    )
    assert call("target-picker.value", ["a", "b", "c"], "b", ["b", "c"], picked) == (
        ["a", "c"],
        ["c"],
    )


def test_cleaning_problems_are_a_sentence_and_keep_the_dataset(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    text = "date,v,w\n" + "\n".join(
        f"2020-01-{d:02d},{d},{d if d < 5 else ''}" for d in range(1, 29)
    )
    picked = choose(functions, upload(client, text.encode(), "sparse.csv"))
    meta, message, shown = functions["prepare_dataset"](
        picked, "v", ["w"], ROW_ORDER, "drop", [], "keep", S1
    )
    assert meta is no_update and shown and message.startswith("Only 4 rows remain")
    other = functions["prepare_dataset"](picked, "v", [], None, "drop", [], "keep", S2)
    assert other == (no_update, GONE, True)  # another session cannot use it
    assert functions["show_upload"]({"id": picked, "target": "v"}, S2) == (GONE, None)


def test_too_short_for_the_sequence_length_is_said_before_training(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    text = "date,v\n" + "\n".join(f"2020-01-{d:02d},{d % 5}" for d in range(1, 31))
    picked = choose(functions, upload(client, text.encode(), "short.csv"))
    meta = functions["prepare_dataset"](picked, "v", [], "date", "interpolate", [], "keep", S1)[0]
    config = config_from_controls(meta, "v", [70, 85], tuple(raw_settings(seq_len=50)))
    problems = check(config, meta["rows"], meta["name"])
    assert (
        problems
        and "short.csv" in problems[0]
        and "longest sequence that fits is 13" in problems[0]
    )


def test_a_long_upload_is_plotted_reduced(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    rows = 100_000
    frame = pd.DataFrame({"step": np.arange(rows), "y": np.sin(np.arange(rows) / 500.0).round(4)})
    picked = choose(functions, upload(client, frame.to_csv(index=False).encode(), "long.csv"))
    meta = functions["prepare_dataset"](picked, "y", [], ROW_ORDER, "ffill", [], "keep", S1)[0]
    figure = functions["show_series"](meta, "y", [70, 85], S1)[0]
    assert len(figure.data[0].y) <= 2500 and figure.layout.xaxis.title.text == "row"


@pytest.mark.slow
def test_training_on_an_upload_with_an_input_feature(
    app_parts: tuple[dict[str, Any], FlaskClient], settings: Settings
) -> None:
    functions, client = app_parts
    picked = choose(functions, upload(client, AIR.read_bytes(), "AirQualityUCI.csv"))
    meta = functions["prepare_dataset"](
        picked, "T", ["RH"], "time", "interpolate", [-200.0], "keep", S1
    )[0]
    raw = raw_settings(units=8, layers=1, epochs=2, seq_len=12, batch_size=256)
    final = functions["train"](lambda values: None, 1, S1, "p1", meta, "T", [70, 85], *raw)
    assert final["status"] == "finished" and final["epoch"] == 2, final["message"]
    record = Store(settings.store_dir).get_run(final["run_id"])
    assert record["config"]["features"] == ["RH"] and record["config"]["dataset"] == meta["id"]


def test_an_upload_with_a_forged_session_is_refused_and_nothing_is_stored(
    app_parts: tuple[dict[str, Any], FlaskClient], settings: Settings
) -> None:
    functions, client = app_parts
    store = Store.from_settings(settings)
    data = AIR.read_bytes()
    for forged in ("c" * 32, S1[:-2] + "xx", sessions.token_for("other-key", "c" * 32), ""):
        answer = upload(client, data, "AirQualityUCI.csv", session=forged)
        assert answer == {"error": sessions.MESSAGE, "received": 1}
    assert [key for key in store.cache.iterkeys() if "upload" in str(key)] == []
    upload_id = upload(client, data, "AirQualityUCI.csv")["upload"]["upload"]  # S1's own
    bare = "c" * 32  # S1's id, unsigned: not a token the server issued
    problem = functions["prepare_dataset"](
        upload_id, "CO(GT)", [], "time", "drop", [], "keep", bare
    )
    assert problem == (no_update, sessions.MESSAGE, True)
    assert functions["offer_choices"](upload_id, bare)[0] == {"display": "none"}
    assert functions["show_upload"]({"id": upload_id, "target": "CO(GT)"}, bare) == (GONE, None)
    assert functions["pick_dataset"](upload_id, bare)[0] is None


# -- long files, row order (issue 13) -------------------------------------------------------------


def long_csv() -> bytes:
    """date,symbol,close,volume: AAPL and MSFT on 30 days, IBM on the first 20, interleaved."""
    days = pd.date_range("2020-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    rows = [
        f"{d},{symbol},{base + i},{base * 10 + i}"
        for i, d in enumerate(days)
        for symbol, base in (("AAPL", 100), ("MSFT", 200), ("IBM", 50))
        if symbol != "IBM" or i < 20
    ]
    return ("date,symbol,close,volume\n" + "\n".join(rows)).encode()


def test_a_long_upload_offers_its_shapes_and_applying_one_makes_the_dataset(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    result = upload(client, long_csv(), "stocks.csv")
    assert functions["receive_upload"](result, [SINE])[0] == (
        "Read stocks.csv: 80 rows, 2 numeric columns, time column 'date'. "
        "It holds several series: choose one, or each as a column, under Shape."
    )
    picked = choose(functions, result)
    style, options, value, note = functions["offer_shapes"](picked, S1)
    assert style == {} and value == "as-read"
    assert [o["label"] for o in options] == [
        "as read: all series in one table",
        "each symbol as a column (3 ids)",
        "one series: AAPL (30 rows)",
        "one series: MSFT (30 rows)",
        "one series: IBM (20 rows)",
    ]
    assert note.startswith("The file holds 3 series stacked by 'symbol'")
    entry = {"label": "Upload: stocks.csv", "value": picked}

    dataset_options, ibm, problem, shown = functions["apply_shape"](
        1, "id:IBM", picked, [SINE, entry], S1
    )
    assert (problem, shown) == ("", False) and ibm.startswith(picked + "-")
    assert dataset_options == [SINE, {"label": "Upload: stocks.csv, IBM", "value": ibm}]
    meta, targets, target, _source, badge = functions["pick_dataset"](ibm, S1)
    assert (targets, target, meta["rows"]) == (["close", "volume"], "close", 20)
    assert badge == "dataset: stocks.csv, IBM"
    assert functions["offer_shapes"](ibm, S1)[2] == "id:IBM"  # the picker shows the choice
    assert functions["offer_choices"](ibm, S1)[6] == {"display": "none"}  # no repeats left

    by_symbol = functions["apply_shape"](2, "pivot", ibm, dataset_options, S1)
    assert [o["label"] for o in by_symbol[0]] == [SINE["label"], "Upload: stocks.csv, by symbol"]
    functions["pick_dataset"](by_symbol[1], S1)
    meta, problem, shown = functions["prepare_dataset"](
        by_symbol[1], "close:MSFT", ["close:AAPL"], "date", "interpolate", [], "keep", S1
    )
    assert (problem, shown) == ("", False) and meta["rows"] == 30
    config = config_from_controls(meta, "close:MSFT", [70, 85], tuple(raw_settings()))
    assert config.features == ("close:AAPL",) and config.dataset == meta["id"]
    figure = functions["show_series"](meta, "close:MSFT", [70, 85], S1)[0]
    assert list(figure.data[0].y[:2]) == [200.0, 201.0]

    back = functions["apply_shape"](3, "as-read", by_symbol[1], by_symbol[0], S1)
    assert back[1] == picked and back[0][-1] == entry
    same = functions["apply_shape"](4, "as-read", picked, back[0], S1)
    assert same == (no_update, no_update, "", False)
    refused = functions["apply_shape"](5, "pivot", picked, back[0], S2)  # another session's
    assert refused == (no_update, no_update, GONE, True)


def test_a_plain_upload_hides_the_shape_picker(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    picked = choose(functions, upload(client, AIR.read_bytes(), "AirQualityUCI.csv"))
    assert functions["offer_shapes"](picked, S1) == ({"display": "none"}, [], None, "")
    assert functions["offer_shapes"]("builtin:sine", S1)[0] == {"display": "none"}


def test_rows_without_a_time_column_can_be_read_newest_first(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    text = "close,volume\n" + "\n".join(f"{100 - i},{i}" for i in range(30))
    picked = choose(functions, upload(client, text.encode(), "newest-first.csv"))
    times = functions["offer_choices"](picked, S1)[1]
    assert [t["value"] for t in times] == [ROW_ORDER, ROW_ORDER_REVERSED]
    meta = functions["prepare_dataset"](
        picked, "close", [], ROW_ORDER_REVERSED, "interpolate", [], "keep", S1
    )[0]
    assert meta["recipe"]["reverse"] is True
    figure = functions["show_series"](meta, "close", [70, 85], S1)[0]
    assert list(figure.data[0].y[:2]) == [71.0, 72.0]  # the file's last row first
    report = functions["show_upload"](meta, S1)[0]
    assert "reverse file order" in str(report) and "No time column was found" in str(report)


def test_a_reload_offers_the_sessions_uploads_again(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    offer = functions["offer_kept_uploads"]
    assert offer(S1, [SINE]) is no_update  # nothing uploaded yet
    stocks = choose(functions, upload(client, long_csv(), "stocks.csv"))
    air = choose(functions, upload(client, AIR.read_bytes(), "AirQualityUCI.csv"))
    ibm = functions["apply_shape"](1, "id:IBM", stocks, [SINE], S1)[1]
    # the page as a reload builds it: the built-in datasets only
    assert offer(S1, [SINE]) == [
        SINE,
        {"label": "Upload: AirQualityUCI.csv", "value": air},
        {"label": "Upload: stocks.csv, IBM", "value": ibm},  # the shape last chosen
    ]
    functions["apply_shape"](2, "as-read", ibm, [SINE], S1)
    assert offer(S1, [SINE])[-1] == {"label": "Upload: stocks.csv", "value": stocks}
    assert offer(S2, [SINE]) is no_update  # another session's tab
    assert offer("c" * 32, [SINE]) is no_update  # a token the server never issued


# -- labelled sequences: classification (issue 13) ---------------------------------------------


def heartbeats_csv(sequences: int = 60, steps: int = 24) -> bytes:
    """label,s01..s24: 'flat' sequences hover around 0, 'peak' ones hold a bump."""
    rng = np.random.default_rng(1)
    bump = np.exp(-((np.arange(steps) - steps / 2) ** 2) / 8)
    rows = []
    for i in range(sequences):
        label = "peak" if i % 2 else "flat"
        values = rng.normal(0, 0.1, steps) + (2 * bump if label == "peak" else 0)
        rows.append(",".join([label, *[f"{v:.3f}" for v in values]]))
    header = "label," + ",".join(f"s{k:02d}" for k in range(1, steps + 1))
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.mark.slow
def test_an_upload_of_labelled_sequences_trains_as_classification(
    app_parts: tuple[dict[str, Any], FlaskClient], settings: Settings
) -> None:
    functions, client = app_parts
    result = upload(client, heartbeats_csv(), "beats.csv")
    assert functions["receive_upload"](result, [SINE])[0].endswith(
        "It may hold labelled sequences: choose 'classify' under Shape to train a classifier."
    )
    picked = choose(functions, result)
    options = functions["offer_shapes"](picked, S1)[1]
    assert [o["value"] for o in options] == ["as-read", "classify", "transpose"]
    assert options[1]["label"] == "classify by label (60 sequences of 24 steps, 2 classes)"
    beats = functions["apply_shape"](1, "classify", picked, [SINE], S1)[1]
    meta, targets, target, _source, badge = functions["pick_dataset"](beats, S1)
    assert (meta["task"], meta["classes"], target, len(targets)) == ("classify", 2, "label", 25)
    assert badge == "dataset: beats.csv, classify by label"
    assert functions["task_of_dataset"](meta, "forecast") == "classify"
    assert functions["offer_choices"](beats, S1)[8] == {"display": "none"}  # no time axis
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "target-picker.options"}]))
    assert functions["offer_features"](targets, "label", None, beats, meta)[1] == []
    meta = functions["prepare_dataset"](
        beats, "label", [], ROW_ORDER, "interpolate", [], "keep", S1
    )[0]
    assert (meta["task"], meta["id"], meta["rows"]) == ("classify", beats, 60)
    report = str(functions["show_upload"](meta, S1)[0])
    assert "Classification: 60 sequences of 24 steps" in report
    assert "Labels coded as numbers: 0 = flat, 1 = peak." in report

    raw = raw_settings(task="classify", units=8, layers=1, epochs=2, batch_size=16, dense_units=0)
    final = functions["train"](lambda values: None, 1, S1, "p1", meta, "label", [70, 85], *raw)
    assert final["status"] == "finished" and final["epoch"] == 2, final["message"]
    record = Store(settings.store_dir).get_run(final["run_id"])
    assert record["config"]["task"] == "classify" and record["classes"] == ["0", "1"]
    assert np.asarray(record["scores"]["confusion"]).sum() == 10  # 15 % of 60, rounded up


# -- large data: the cost of an epoch before Train, and making the data smaller (issue 13) ------


def minutes_csv(rows: int = 200_000) -> bytes:
    """time,load: one row a minute; load is the row's number."""
    stamps = pd.date_range("2022-01-01", periods=rows, freq="min").strftime("%Y-%m-%d %H:%M")
    return ("time,load\n" + "\n".join(f"{t},{i}" for i, t in enumerate(stamps)) + "\n").encode()


def test_a_large_upload_is_costed_before_train_and_made_smaller(
    app_parts: tuple[dict[str, Any], FlaskClient],
) -> None:
    functions, client = app_parts
    raw = raw_settings()
    small = functions["pick_dataset"]("builtin:airline", S1)[0]
    assert functions["show_cost"](small, "Passengers", [70, 85], *raw, S1)[0] == {"display": "none"}

    picked = choose(functions, upload(client, minutes_csv(), "minutes.csv"))
    meta = functions["prepare_dataset"](picked, "load", [], "time", "interpolate", [], "keep", S1)[
        0
    ]
    style, text, controls, suggested, box = functions["show_cost"](meta, "load", [70, 85], *raw, S1)
    assert style == {} and controls == {} and "alert-warning" in box
    assert text.startswith("About ") and "minutes per epoch here: 4,374 batches" in text
    assert "(the pace of a 2-core reference server" in text
    assert 10_000 <= suggested < 200_000
    options, choice, rows = functions["offer_reductions"](picked, S1)
    assert choice == "none" and rows is None
    assert [o["label"] for o in options][:3] == [
        "all rows (as uploaded)",
        "mean per hour",
        "sum per hour",
    ]

    entry = {"label": "Upload: minutes.csv", "value": picked}
    hourly_options, hourly, problem, shown = functions["apply_reduction"](
        1, "resample:h:mean", None, suggested, picked, [SINE, entry], S1
    )
    assert (problem, shown) == ("", False)
    assert hourly_options == [
        SINE,
        {"label": "Upload: minutes.csv, mean per hour", "value": hourly},
    ]
    meta = functions["pick_dataset"](hourly, S1)[0]
    assert meta["rows"] == 200_000 // 60 + 1
    assert functions["show_series"](meta, "load", [70, 85], S1)[0].data[0].y[0] == 29.5
    style, text, _controls, _suggested, box = functions["show_cost"](
        meta, "load", [70, 85], *raw, S1
    )
    assert style == {} and "alert-info" in box  # made smaller: said, not warned
    assert text.startswith("In use: minutes.csv, mean per hour. About ")
    assert "seconds per epoch" in text

    recent = functions["apply_reduction"](2, "recent", 5000, suggested, hourly, hourly_options, S1)
    assert recent[0][-1]["label"] == "Upload: minutes.csv, last 5,000 rows"
    assert functions["offer_reductions"](recent[1], S1)[1:] == ("recent", 5000)
    assert functions["apply_reduction"](3, "recent", None, None, picked, [], S1)[2:] == (
        "Type how many rows to keep.",
        True,
    )
    too_many = functions["apply_reduction"](4, "recent", 10**6, None, picked, [], S1)
    assert too_many[2].startswith("The data has 200,000 rows, not more than 1,000,000")
    gone = functions["apply_reduction"](5, "resample:D:sum", None, None, picked, [], S2)
    assert gone == (no_update, no_update, GONE, True)  # another session's upload
    reloaded = functions["offer_kept_uploads"](S1, [SINE])  # the file once, as last made
    assert reloaded == [SINE, {"label": "Upload: minutes.csv, last 5,000 rows", "value": recent[1]}]


def test_the_upload_message_names_every_kind_of_choice() -> None:
    wide = {"kind": "wide", "choices": {"as-read": "", "classify": "", "transpose": ""}}
    assert shape_hint(wide) == (  # type: ignore[arg-type]
        " It has one row per item: it can be transposed under Shape. It may hold labelled "
        "sequences: choose 'classify' under Shape to train a classifier."
    )
    long = {"kind": "long", "choices": {"as-read": "", "pivot": ""}}
    assert shape_hint(long).endswith("each as a column, under Shape.")  # type: ignore[arg-type]
