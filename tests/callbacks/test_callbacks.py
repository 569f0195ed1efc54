"""Callbacks called directly (Dash's decorator returns the function), with real jobs."""

from __future__ import annotations

from typing import Any

import pytest
from dash import Patch

from callbacks.common import SLIDERS
from dashboard.app import create_app
from dashboard.ml.params import PARAMS
from dashboard.settings import Settings
from dashboard.store import Store


@pytest.fixture
def functions(settings: Settings) -> dict[str, Any]:
    app = create_app(settings, warm_up=False)
    return app.callback_functions  # type: ignore[attr-defined,no-any-return]


def raw_sliders(**values: float) -> list[float]:
    """Slider positions, defaults unless given (the log slider holds the exponent)."""
    return [values.get(name, -3 if PARAMS[name].log else PARAMS[name].default) for name in SLIDERS]


def test_pick_dataset_offers_numeric_targets(functions: dict[str, Any]) -> None:
    meta, options, target, attribution, badge = functions["pick_dataset"]("builtin:seattle", "s1")
    assert meta["rows"] == 1461 and meta["id"] == "builtin:seattle"
    assert options == ["precipitation", "temp_max", "temp_min", "wind"]  # not 'weather'
    assert target == "temp_max"
    assert "NOAA" in attribution and "Seattle" in badge


def test_settings_check_names_the_longest_sequence(functions: dict[str, Any]) -> None:
    meta = functions["pick_dataset"]("builtin:airline", "s1")[0]
    message, shown = functions["check_settings"](
        meta, "Passengers", [70, 85], *raw_sliders(seq_len=200)
    )
    assert shown and "longest sequence that fits is 92" in message
    assert functions["check_settings"](meta, "Passengers", [70, 85], *raw_sliders()) == ("", False)


def test_train_streams_whole_history_then_returns_final_state(
    functions: dict[str, Any], settings: Settings
) -> None:
    meta = functions["pick_dataset"]("builtin:sine", "s1")[0]
    reports: list[dict[str, Any]] = []
    raw = raw_sliders(units=8, layers=1, epochs=3, seq_len=10, batch_size=64)
    final = functions["train"](
        lambda values: reports.append(values[0]), 1, "s1", "p1", meta, "value", [70, 85], *raw
    )
    statuses = [r["status"] for r in reports]
    assert statuses[0] == "queued" and "running" in statuses
    running = [r for r in reports if r["status"] == "running" and r["epoch"]]
    assert [len(r["history"]["loss"]) for r in running] == sorted(r["epoch"] for r in running)
    assert final["status"] == "finished" and final["epoch"] == 3
    assert final["scores"]["model"]["mae"] > 0 and final["pred_epoch"] == 3
    record = Store(settings.store_dir).get_run(final["run_id"])
    assert record["status"] == "finished" and record["session"] == "s1"
    assert len(record["history"]["loss"]) == 3

    patch, percent, text, status, color, _table, device = functions["show_state"](final)
    assert isinstance(patch, Patch) and percent == 100 and text.startswith("epoch 3/3")
    assert (
        status.startswith("Finished") and color == "success" and device.startswith(("CPU", "GPU"))
    )
    figure, shown = functions["show_predictions"](final, None, "s1")
    assert [t.name for t in figure.data][-1] == "LSTM" and shown == [final["run_id"], 3]
    assert functions["show_predictions"](final, shown, "s1")[1] is not None  # unchanged: no_update


def test_too_long_sequence_fails_in_the_job_with_the_same_message(
    functions: dict[str, Any],
) -> None:
    meta = functions["pick_dataset"]("builtin:airline", "s1")[0]
    final = functions["train"](
        lambda values: None, 1, "s1", "p1", meta, "Passengers", [70, 85], *raw_sliders(seq_len=150)
    )
    assert final["status"] == "failed" and "longest sequence that fits is 92" in final["message"]


def test_cancel_keeps_the_curves_and_marks_the_run(
    functions: dict[str, Any], settings: Settings
) -> None:
    store = Store(settings.store_dir)
    store.save_run({"id": "r1", "session": "s1", "status": "running"})
    live = {
        "run_id": "r1",
        "status": "running",
        "epoch": 4,
        "epochs": 50,
        "history": {"loss": [4, 3, 2, 1], "val_loss": [4, 3, 2, 2]},
    }
    state = functions["mark_cancelled"](1, live)
    assert state["status"] == "cancelled" and state["history"] == live["history"]
    assert "Cancelled at epoch 4 of 50" in state["message"]
    assert store.get_run("r1")["status"] == "cancelled"
