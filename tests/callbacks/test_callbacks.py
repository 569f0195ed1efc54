"""Callbacks called directly (Dash's decorator returns the function), with real jobs."""

from __future__ import annotations

from typing import Any

import pytest
from dash import Patch

from callbacks.common import SETTINGS, control_value
from dashboard.app import create_app
from dashboard.ml.config import TrainConfig
from dashboard.settings import Settings
from dashboard.store import Store


@pytest.fixture
def functions(settings: Settings) -> dict[str, Any]:
    app = create_app(settings, warm_up=False)
    return app.callback_functions  # type: ignore[attr-defined,no-any-return]


def raw_sliders(**values: Any) -> list[Any]:
    """What the setting controls hold: defaults unless given (log sliders hold the exponent)."""
    config = TrainConfig(**values)
    return [control_value(name, getattr(config, name)) for name in SETTINGS]


def test_pick_dataset_offers_numeric_targets(functions: dict[str, Any]) -> None:
    meta, options, target, attribution, badge = functions["pick_dataset"]("builtin:seattle", "s1")
    assert meta["rows"] == 1461 and meta["id"] == "builtin:seattle"
    assert options == ["precipitation", "temp_max", "temp_min", "wind"]  # not 'weather'
    assert target == "temp_max"
    assert "NOAA" in attribution and "Seattle" in badge


def test_settings_check_names_the_longest_sequence(functions: dict[str, Any]) -> None:
    meta = functions["pick_dataset"]("builtin:airline", "s1")[0]
    message, shown, color, summary = functions["check_settings"](
        meta, "Passengers", [70, 85], *raw_sliders(seq_len=200)
    )
    assert shown and color == "warning" and "longest sequence that fits is 92" in message
    message, shown, color, summary = functions["check_settings"](
        meta, "Passengers", [70, 85], *raw_sliders()
    )
    assert (message, shown) == ("", False)
    assert "52,033 parameters" in str(summary)  # the tutorial's model, counted without Keras
    wide = functions["check_settings"](
        meta, "Passengers", [70, 85], *raw_sliders(units=512, layers=4)
    )
    assert wide[1] and "this server allows at most 1024" in wide[0]
    raw = functions["check_settings"](meta, "Passengers", [70, 85], *raw_sliders(scaling="none"))
    assert raw[1] and raw[2] == "info" and "Scaling is off" in raw[0]  # advice, not a refusal


def test_preset_sets_every_control_and_says_what_it_shows(functions: dict[str, Any]) -> None:
    values = functions["apply_preset"]("early")
    by_name = dict(zip(SETTINGS, values, strict=False))
    assert by_name["early_stopping"] is True and by_name["patience"] == 5
    assert by_name["units"] == 256 and by_name["dropout"] == 0.0
    assert (values[-2] == "builtin:airline" and "early" in values[-1].lower()) or "stops" in values[
        -1
    ]


def test_changed_settings_are_highlighted(functions: dict[str, Any]) -> None:
    meta = functions["pick_dataset"]("builtin:sine", "s1")[0]
    live = {"config": TrainConfig(dropout=0.3).to_dict()}
    classes = functions["highlight_changes"](live, meta, "value", [70, 85], *raw_sliders())
    changed = [name for name, c in zip(SETTINGS, classes, strict=True) if "changed" in c]
    assert changed == ["dropout"]


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

    patch, percent, text, status, color, signal, signal_open, _table, device = functions[
        "show_state"
    ](final)
    assert (signal, signal_open) == ("", False)
    assert isinstance(patch, Patch) and percent == 100 and text.startswith("epoch 3/3")
    assert (
        status.startswith("Finished") and color == "success" and device.startswith(("CPU", "GPU"))
    )
    figure, shown = functions["show_predictions"](final, None, "s1")
    names = [t.name for t in figure.data]
    assert "LSTM" in names and names[-1] == "forecast past the end"
    assert shown == [final["run_id"], 3]
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
    run_id = store.new_run_id()
    store.save_run({"id": run_id, "session": "s1", "status": "running"})
    live = {
        "run_id": run_id,
        "status": "running",
        "epoch": 4,
        "epochs": 50,
        "history": {"loss": [4, 3, 2, 1], "val_loss": [4, 3, 2, 2]},
    }
    state = functions["mark_cancelled"](1, live)
    assert state["status"] == "cancelled" and state["history"] == live["history"]
    assert "Cancelled at epoch 4 of 50" in state["message"]
    assert store.get_run(run_id)["status"] == "cancelled"


def test_classification_disables_window_length_and_horizon(functions: dict[str, Any]) -> None:
    assert functions["lock_for_task"]("classify") == (True, True, True, True)
    assert functions["lock_for_task"]("forecast") == (False, False, False, False)
    meta = functions["pick_dataset"]("builtin:ecg", "s1")[0]
    assert functions["task_of_dataset"](meta, "forecast") == "classify"
