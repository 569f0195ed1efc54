"""Runs tab, URL and share-link callbacks called directly; download routes through Flask."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from contextvars import copy_context
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dash import Patch, no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import ids, sessions
from dashboard.app import create_app
from dashboard.control_state import SETTINGS, control_value
from dashboard.layout.runs_grid import runs_grid
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import Dataset
from dashboard.settings import Settings
from dashboard.store import Store
from tests.callbacks.patches import patch_ops
from tests.callbacks.tokens import T1

HREF = "http://lab.example:8050/?units=8"


@pytest.fixture
def app_and_store(settings: Settings) -> Iterator[tuple[Any, Store]]:
    app = create_app(settings, warm_up=False)
    yield app, Store.from_settings(settings)


@pytest.fixture
def functions(app_and_store: tuple[Any, Store]) -> dict[str, Any]:
    functions: dict[str, Any] = app_and_store[0].callback_functions
    return functions


@pytest.fixture
def store(app_and_store: tuple[Any, Store]) -> Store:
    return app_and_store[1]


def add_run(store: Store, session: str, dropout: float = 0.2, model: bool = True) -> str:
    """A finished forecasting run as the job leaves it: record, snapshots, model file."""
    run_id = store.new_run_id()
    y = np.sin(np.linspace(0, 20, 100)).tolist()
    store.save_predictions(run_id, 1, np.zeros((15, 1)))
    store.save_predictions(run_id, 3, np.full((15, 1), 0.5))
    if model:
        store.artifact_path(run_id, "model.keras", create=True).write_bytes(b"zip")
    store.save_run(
        {
            "id": run_id,
            "session": session,
            "status": "finished",
            "message": "Finished 3 epochs.",
            "config": TrainConfig(dropout=dropout, units=8, epochs=3).to_dict(),
            "dataset_name": "Sine + noise (synthetic)",
            "series": {"x": None, "y": y, "target": "value"},
            "split": [70, 85],
            "test_start": 85,
            "history": {"loss": [0.3, 0.2, 0.1], "val_loss": [0.4, 0.3, 0.25]},
            "epoch_seconds": [1.0, 0.5, 0.5],
            "scores": {
                "model": {"mae": 0.2, "rmse": 0.3, "mape": 9.0},
                "naive": {"mae": 0.1, "rmse": 0.2, "mape": 5.0},
                "skill": -100.0,
                "mase": 0.5 + dropout,
                "skill_strongest": -120.0 + 100 * dropout,
            },
            "device": "CPU",
        }
    )
    return run_id


def picked(*run_ids: str) -> list[dict[str, Any]]:
    """Rows as the runs grid hands its selection over: whole rows, the id among their fields."""
    return [{"id": run_id, "number": 0} for run_id in run_ids]


def triggered(prop_id: str, function: Any, *args: Any) -> Any:
    """Call a callback that reads ctx.triggered_id, as if `prop_id` fired it."""

    def run() -> Any:
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))
        return function(*args)

    return copy_context().run(run)


def test_the_list_shows_the_sessions_runs_only(functions: dict[str, Any], store: Store) -> None:
    first, second = add_run(store, "s1", 0.0), add_run(store, "s1", 0.3)
    add_run(store, "s2")
    rows, columns, note, parallel, options, focus, body, empty = functions["list_runs"](
        None, 0, T1, None
    )
    assert [row["id"] for row in rows] == [first, second]
    assert rows[1]["dropout"] == 0.3 and rows[1]["mae"] == 0.2 and rows[1]["epochs_run"] == 3
    by_field = {c["field"]: c for c in columns}
    assert set(by_field) >= {"number", "dropout", "best_val_loss", "mae", "skill", "status"}
    # the honest scores are columns too, sortable (the grid's default) and filtered as numbers
    grid_default = runs_grid().defaultColDef
    assert grid_default["sortable"] is True
    for field in ("skill", "mase", "skill_strongest"):
        column = by_field[field]
        assert column.get("sortable", grid_default["sortable"]) is True, field
        assert column["cellDataType"] == "number" and column["filter"] == "agNumberColumnFilter"
    assert by_field["mase"]["headerName"] == "MASE"
    assert [(row["mase"], row["skill_strongest"]) for row in rows] == [(0.5, -120.0), (0.8, -90.0)]
    assert by_field["number"]["initialSort"] == "desc"
    assert by_field["mae"]["filter"] == "agNumberColumnFilter"
    assert "d3.format('.4~g')" in by_field["mae"]["valueFormatter"]["function"]
    assert by_field["dataset"]["filter"] == "agTextColumnFilter"
    # the status explained on hover: the run's message, which the row carries
    assert "params.data.message" in by_field["status"]["tooltipValueGetter"]["function"]
    assert rows[0]["message"] == "Finished 3 epochs."
    assert "2 runs" in note and "50 runs or 200 MB" in note
    assert [d["label"] for d in parallel.data[0].dimensions] == ["dropout", "val_loss"]
    assert options[0]["value"] == second and focus == second
    assert body == {} and empty == {"display": "none"}
    *_, body, empty = functions["list_runs"](None, 0, "nobody", None)
    assert body == {"display": "none"} and empty == {}


def test_comparing_two_runs_overlays_them_and_lists_what_differs(
    functions: dict[str, Any], store: Store
) -> None:
    first, second = add_run(store, "s1", 0.0), add_run(store, "s1", 0.3)
    intruder = add_run(store, "s2", 0.5)
    loss, live, predictions, diff, results, note = functions["compare"](
        picked(first, second, intruder), None, None, "runs", 0, T1, None
    )
    assert len(loss.data) == 4 and len({t.legendgroup for t in loss.data}) == 2
    assert [t.name for t in loss.data[::2]] == ["#1 · Dropout 0", "#2 · Dropout 0.3"]
    assert live is None and predictions.data[0].name == "actual"
    assert len(predictions.data) == 3
    body = diff.children[1].children
    assert [row.children[0].children for row in body] == ["Dropout"]  # only what differs
    assert note == "no baseline pinned"
    assert "#1" in str(results) and "#2" in str(results) and str(intruder) not in str(results)
    assert (
        functions["compare"](picked(first), None, None, "training", 0, T1, None) == (no_update,) * 6
    )


def test_a_pinned_baseline_is_drawn_and_compared_against(
    functions: dict[str, Any], store: Store
) -> None:
    first, second = add_run(store, "s1", 0.0), add_run(store, "s1", 0.3)
    loss, _, _, diff, _, note = functions["compare"](
        picked(second), first, None, "runs", 0, T1, None
    )
    assert loss.data[0].name.endswith("(baseline)") and loss.data[0].line.width == 3.5
    assert note.startswith("baseline: #1")
    assert diff.children[0].children.children[1].children[1] == "#1 baseline"
    assert functions["pin"](1, second, first) == second
    assert functions["pin"](2, second, second) is None
    rule = functions["mark_baseline"](first)["run-baseline"]
    assert rule == f'params.data.id === "{first}"'
    assert functions["mark_baseline"](None) == {"run-baseline": 'params.data.id === ""'}


def test_earlier_runs_go_faint_behind_the_one_that_trains(
    functions: dict[str, Any], store: Store
) -> None:
    first = add_run(store, "s1")
    live = {"run_id": "trainingNow12345", "status": "running", "history": {"loss": [0.9]}}
    loss, shown, *_ = functions["compare"](picked(first), None, None, "runs", 0, T1, live)
    assert loss.data[0].opacity == 0.3 and loss.data[2].opacity == 1.0
    assert shown == {"run_id": "trainingNow12345", "traces": [2, 3]}
    live["history"] = {"loss": [0.9, 0.8], "val_loss": [1.0, 0.9]}
    patch = functions["follow_live"](live, shown, "runs")
    assert isinstance(patch, Patch)
    ops = patch_ops(patch)  # the live run's two traces grow to its two epochs
    assert list(ops[("data", 2, "y")]) == [1.0, 0.9]  # val_loss
    assert list(ops[("data", 3, "y")]) == [0.9, 0.8]  # loss
    assert len(ops[("data", 2, "x")]) == len(ops[("data", 3, "x")]) == 2
    assert functions["follow_live"](live, shown, "training") is no_update


def test_focusing_a_run_offers_its_replay_downloads_and_share_link(
    functions: dict[str, Any], store: Store
) -> None:
    with_model, without = add_run(store, "s1"), add_run(store, "s1", model=False)
    marks, low, high, value, links, link, pin = functions["focus_run"](
        with_model, with_model, None, False, T1, HREF
    )
    assert marks == {1: "1", 3: "3"} and (low, high, value) == (1, 3, 3)
    share_id = store.share_run(with_model, "s1", False)  # the link has its own id
    assert link == f"http://lab.example:8050/run/{share_id}" and pin == "Unpin baseline"
    assert share_id != with_model
    with_data = functions["focus_run"](with_model, None, None, True, T1, HREF)[5]
    assert with_data == f"http://lab.example:8050/run/{store.share_run(with_model, 's1', True)}"
    assert with_data != link
    assert links[0].href == f"/runs/{with_model}/model.keras"
    *_, links, _, _ = functions["focus_run"](without, None, None, False, T1, HREF)
    assert links[0].href is None and "disabled" in links[0].className
    assert functions["focus_run"](with_model, None, None, False, "intruder", HREF)[5] == ""
    figure = functions["replay"](2, with_model, T1)
    assert "epoch 1" in figure.layout.title.text  # the latest snapshot at or before epoch 2
    assert "epoch 3" in functions["replay"](None, with_model, T1).layout.title.text
    assert functions["follow_selection"](picked(with_model, without), with_model) is no_update
    assert functions["follow_selection"](picked(without), with_model) == without
    assert functions["follow_selection"]([], with_model) is no_update


def test_delete_and_clear_touch_only_the_sessions_runs(
    functions: dict[str, Any], store: Store
) -> None:
    mine, other = add_run(store, "s1"), add_run(store, "s2")
    changed, selected, message, dialog = triggered(
        "delete-runs.n_clicks", functions["delete_runs"], 1, None, picked(mine, other), T1, 0
    )
    assert changed == 1 and selected == [] and dialog is False
    assert "Deleted 1 run." in str(message) and store.list_runs("s2")[0]["id"] == other
    add_run(store, "s1")
    add_run(store, "s1")
    changed, *_ = triggered("clear-runs-yes.n_clicks", functions["delete_runs"], None, 1, [], T1, 1)
    assert changed == 2 and store.list_runs("s1") == []
    assert functions["delete_label"](picked(mine, other)) == (False, "Delete 2 selected")
    assert functions["delete_label"](None) == (True, "Delete selected")
    assert triggered("clear-runs.n_clicks", functions["ask_before_clearing"], 1, None) is True


def test_a_share_link_opens_the_run_read_only(functions: dict[str, Any], store: Store) -> None:
    run_id = add_run(store, "owner")
    card, style, tab = functions["show_shared"](f"/run/{store.share_run(run_id, 'owner', False)}")
    assert style == {} and tab == "runs"
    assert "Shared run #1" in str(card) and "read-only" in str(card)
    assert "Delete" not in str(card)
    assert functions["show_shared"](f"/run/{run_id}")[0].color == "warning"  # not a link
    for path in ("/run/short", "/run/AAAAAAAAAAAAAAAA"):
        card, _, tab = functions["show_shared"](path)
        assert "leads to no run" in str(card) and tab == "runs"
    assert functions["show_shared"]("/") == (None, {"display": "none"}, no_update)


def test_the_url_sets_the_controls_and_malformed_values_keep_defaults(
    functions: dict[str, Any], store: Store
) -> None:
    out = functions["apply_url"](
        "?units=24&dropout=0.35&learning_rate=0.01&layers=99&epochs=abc&optimizer=bogus"
        "&dataset=builtin:airline&target=Passengers&split=60-80",
        "/",
    )
    values = dict(zip(SETTINGS, out[: len(SETTINGS)], strict=True))
    assert (values["units"], values["dropout"], values["layers"]) == (24, 0.35, 4)
    assert values["learning_rate"] == -2.0  # the log slider holds the exponent
    assert values["epochs"] is no_update and values["optimizer"] is no_update
    dataset, split, pending = out[len(SETTINGS) :]
    assert dataset == "builtin:airline" and split == [60, 80]
    assert pending == {"dataset": "builtin:airline", "target": "Passengers"}
    assert all(v is no_update for v in functions["apply_url"]("", "/")[:-1])

    run_id = add_run(store, "owner", dropout=0.45)
    share_id = store.share_run(run_id, "owner", False)
    out = functions["apply_url"]("", f"/run/{share_id}")  # a share link brings its settings
    assert dict(zip(SETTINGS, out, strict=False))["dropout"] == 0.45

    meta = {"id": "builtin:airline", "columns": ["Passengers"]}
    assert functions["apply_pending_target"](meta, pending) == ("Passengers", None)
    assert functions["apply_pending_target"]({"id": "builtin:sine"}, pending) == (
        no_update,
        no_update,
    )


def test_the_controls_write_the_url(functions: dict[str, Any]) -> None:
    config = TrainConfig(units=16)
    raw = [control_value(name, getattr(config, name)) for name in SETTINGS]
    meta = {"id": "builtin:airline", "target": "Passengers"}
    query = functions["url_query"](meta, "Passengers", [70, 85], *raw)
    assert query == "?dataset=builtin:airline&units=16"


def test_downloads_validate_ids_and_neutralise_csv(
    app_and_store: tuple[Any, Store],
) -> None:
    app, store = app_and_store
    run_id = add_run(store, "owner")
    client = app.server.test_client()
    answer = client.get(f"/runs/{run_id}/predictions.csv")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["step", "actual", "predicted", "naive (last value)"] and len(rows) == 16
    data = json.loads(client.get(f"/runs/{run_id}/run.json").get_data())
    assert "session" not in data and data["predictions"]["epoch"] == 3
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/runs/{run_id}/train.zip").get_data()))
    top = {name.split("/")[1] for name in archive.namelist()}
    assert top == {"sine.csv", "train.py", "dashboard"}  # the app's own modules ride along
    assert client.get(f"/runs/{run_id}/model.keras").get_data() == b"zip"

    nothing = add_run(store, "owner", model=False)
    answer = client.get(f"/runs/{nothing}/model.keras")
    assert answer.status_code == 404 and b"no saved model" in answer.get_data()
    for path in (
        "/runs/AAAAAAAAAAAAAAAA/run.json",
        f"/runs/{run_id}/secrets.txt",
        f"/runs/{run_id}/..%2F..%2Fstore",
        "/runs/..%2F..%2Fetc/run.json",
        "/runs/short/run.json",
        f"/runs/{run_id}x/run.json",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.mimetype == "text/plain" and len(answer.get_data()) < 60, path


def test_ids_of_the_runs_tab_are_unique() -> None:
    names = [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)]
    assert len(names) == len(set(names))


def test_a_new_run_trains_in_front_of_the_earlier_ones(
    functions: dict[str, Any], store: Store
) -> None:
    first, second = add_run(store, "s1", 0.0), add_run(store, "s1", 0.3)
    behind = functions["earlier_runs_behind"]
    patch, shown = behind("newRunId12345678:queued", None, None, [], T1, True)
    traces = patch.to_plotly_json()["operations"][0]["params"]["value"]
    assert shown == "newRunId12345678"
    assert [t["name"] for t in traces][:2] == ["loss", "val_loss"]  # the run's own, first
    faint = [t for t in traces if t.get("legendgroup") == "earlier"]
    assert len(faint) == 1 and faint[0]["opacity"] == 0.3  # the last run, when none picked
    patch, _ = behind("newRunId12345678:running", None, first, picked(second), T1, True)
    traces = patch.to_plotly_json()["operations"][0]["params"]["value"]
    assert len([t for t in traces if t.get("legendgroup") == "earlier"]) == 2
    assert behind("newRunId12345678:running", "newRunId12345678", None, [], T1, True) == (
        no_update,
        no_update,
    )
    assert behind("newRunId12345678:finished", None, None, [], T1, True) == (
        no_update,
        no_update,
    )


def upload_run(store: Store, session: str) -> str:
    """A finished run on an upload of `session` (its dataset kept in the store)."""
    frame = pd.DataFrame({"value": np.sin(np.linspace(0, 20, 100))})
    dataset_id = "upload:" + "f" * 24
    store.save_dataset(session, Dataset(dataset_id, "secret-sales.csv", frame, "value", "upload"))
    run_id = add_run(store, session)
    record = store.get_run(run_id)
    record["config"] = TrainConfig(dataset=dataset_id, target="value", units=8, epochs=3).to_dict()
    record["dataset_name"] = "secret-sales.csv"
    store.save_run(record)
    return run_id


def test_a_share_link_without_data_shows_curves_and_no_ids_or_data(
    app_and_store: tuple[Any, Store], functions: dict[str, Any]
) -> None:
    app, store = app_and_store
    client = app.server.test_client()
    run_id = upload_run(store, "owner-session-7")
    share_id = store.share_run(run_id, "owner-session-7", False)
    assert store.cache[("share", share_id)] == {"run": run_id, "data": False}  # as stored
    assert store.shared_run(share_id)[1] is False
    card = str(functions["show_shared"](f"/run/{share_id}")[0])
    assert "Shared run #1" in card and "not its data" in card
    for private in (run_id, "owner-session-7", "upload:", "f" * 24):
        assert private not in card
    assert f"/shared/{share_id}/predictions.csv" not in card and "/runs/" not in card
    text = client.get(f"/shared/{share_id}/run.json").get_data(as_text=True)
    for private in (run_id, "owner-session-7", "upload:", "f" * 24, '"series"', '"predictions"'):
        assert private not in text
    assert json.loads(text)["history"]["loss"] == [0.3, 0.2, 0.1]
    for name in ("predictions.csv", "model.keras"):
        answer = client.get(f"/shared/{share_id}/{name}")
        assert answer.status_code == 404 and b"not its data" in answer.get_data()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/shared/{share_id}/train.zip").get_data()))
    names = archive.namelist()
    assert {n.split("/")[1] for n in names} == {"train.py", "dashboard"}  # no data file
    assert all(run_id not in n for n in names)
    script = archive.read(names[0].split("/")[0] + "/train.py").decode()
    assert "upload:" not in script and run_id not in script
    assert client.get(f"/runs/{run_id}/predictions.csv").status_code == 200  # the owner's


def test_a_share_link_with_data_serves_the_data_file_and_predictions(
    app_and_store: tuple[Any, Store], functions: dict[str, Any]
) -> None:
    app, store = app_and_store
    client = app.server.test_client()
    run_id = upload_run(store, "owner-session-7")
    share_id = store.share_run(run_id, "owner-session-7", True)
    assert share_id != store.share_run(run_id, "owner-session-7", False)
    card = str(functions["show_shared"](f"/run/{share_id}")[0])
    assert f"/shared/{share_id}/predictions.csv" in card and "upload:" not in card
    answer = client.get(f"/shared/{share_id}/predictions.csv")
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("step,actual")
    assert client.get(f"/shared/{share_id}/model.keras").get_data() == b"zip"
    data = json.loads(client.get(f"/shared/{share_id}/run.json").get_data())
    assert data["predictions"]["epoch"] == 3 and data["id"] == share_id
    assert "session" not in data and data["config"]["dataset"] == "upload"
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/shared/{share_id}/train.zip").get_data()))
    top = {name.split("/")[1] for name in archive.namelist()}
    assert top == {"secret-sales.csv", "train.py", "dashboard"}
    store.delete_run(run_id, "owner-session-7")  # a deleted run's links lead nowhere
    assert client.get(f"/shared/{share_id}/run.json").status_code == 404
    assert "leads to no run" in str(functions["show_shared"](f"/run/{share_id}")[0])


def test_callbacks_refuse_a_session_the_server_never_issued(
    functions: dict[str, Any], store: Store
) -> None:
    add_run(store, "s1")
    forged = [
        "s1",  # a bare id, unsigned
        "s1.forgedsignature",
        sessions.token_for("another-servers-key", "s1"),
        None,
    ]
    for token in forged:
        listed = functions["list_runs"](None, 0, token, None)
        assert listed.rows == [] and listed.body_style == {"display": "none"}
        *_, message, _ = triggered(
            "clear-runs-yes.n_clicks", functions["delete_runs"], None, 1, [], token, 1
        )
        assert sessions.MESSAGE in str(message)
        kept, sentence, shown = functions["check_session"](token)
        assert sentence == sessions.MESSAGE and shown is True
        assert sessions.verify(store, kept)  # a fresh, issued session replaces it
    assert len(store.list_runs("s1")) == 1  # nothing was deleted
    assert functions["check_session"](T1) == (no_update, "", False)
