"""Callbacks called directly (Dash's decorator returns the function), with real jobs."""

from __future__ import annotations

from typing import Any, cast

import pytest
from dash import no_update

from dashboard import sessions
from dashboard.app import create_app
from dashboard.control_state import SETTINGS, control_value
from dashboard.jobs import live_state
from dashboard.ml.config import TrainConfig
from dashboard.ml.presets import PRESETS
from dashboard.payloads import RunRecord
from dashboard.settings import Settings
from dashboard.store import Store
from tests.callbacks.patches import patch_ops
from tests.callbacks.tokens import T1


@pytest.fixture
def functions(settings: Settings) -> dict[str, Any]:
    app = create_app(settings, warm_up=False)
    return app.callback_functions


def raw_sliders(**values: Any) -> list[Any]:
    """What the setting controls hold: defaults unless given (log sliders hold the exponent)."""
    config = TrainConfig(**values)
    return [control_value(name, getattr(config, name)) for name in SETTINGS]


def test_pick_dataset_offers_numeric_targets(functions: dict[str, Any]) -> None:
    meta, options, target, attribution, badge = functions["pick_dataset"]("builtin:seattle", T1)
    assert meta["rows"] == 1461 and meta["id"] == "builtin:seattle"
    assert options == ["precipitation", "temp_max", "temp_min", "wind"]  # not 'weather'
    assert target == "temp_max"
    assert "NOAA" in attribution and "Seattle" in badge


def test_settings_check_names_the_longest_sequence(functions: dict[str, Any]) -> None:
    meta = functions["pick_dataset"]("builtin:airline", T1)[0]
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
    assert values[-2] == "builtin:airline" and values[-1] == PRESETS["early"].lesson
    simple = functions["apply_preset"]("simple")
    assert simple[-2] is no_update and simple[-1] == PRESETS["simple"].lesson  # keeps the data
    assert dict(zip(SETTINGS, simple, strict=False))["early_stopping"] is False


def test_changed_settings_are_highlighted(functions: dict[str, Any]) -> None:
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    live = {"config": TrainConfig(dropout=0.3).to_dict()}
    classes = functions["highlight_changes"](live, None, meta, "value", [70, 85], *raw_sliders())
    changed = [name for name, c in zip(SETTINGS, classes, strict=True) if "changed" in c]
    assert changed == ["dropout"]


def test_train_streams_whole_history_then_returns_final_state(
    functions: dict[str, Any], settings: Settings
) -> None:
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    reports: list[dict[str, Any]] = []
    raw = raw_sliders(units=8, layers=1, epochs=3, seq_len=10, batch_size=64)
    final = functions["train"](
        lambda values: reports.append(values[0]), 1, T1, "p1", meta, "value", [70, 85], *raw
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
    ops = patch_ops(patch)
    assert ops[("data", 0, "y")] == final["history"]["loss"]
    assert ops[("data", 1, "y")] == final["history"]["val_loss"]
    assert ops[("data", 0, "x")] == [1, 2, 3] and ops[("data", 2, "visible")] is False
    assert ops[("layout", "title", "text")] == "Loss (finished)"
    assert ops[("layout", "shapes")] == [] and ops[("layout", "annotations")] == []
    assert percent == 100 and text.startswith("epoch 3/3 · ") and "ETA" not in text
    assert (
        status.startswith("Finished") and color == "success" and device.startswith(("CPU", "GPU"))
    )
    assert final["backend"] == "tensorflow" and device.endswith(" · TensorFlow")  # as trained
    figure, shown = functions["show_predictions"](final, None, T1)
    names = [t.name for t in figure.data]
    assert "LSTM" in names and names[-1] == "forecast past the end"
    assert shown == [final["run_id"], 3, True]  # the final state: drawn with its extras
    assert functions["show_predictions"](final, shown, T1) == (no_update, no_update)  # unchanged
    assert functions["show_predictions"](final, shown, "other-session")[0] is no_update


def test_too_long_sequence_fails_in_the_job_with_the_same_message(
    functions: dict[str, Any],
) -> None:
    meta = functions["pick_dataset"]("builtin:airline", T1)[0]
    final = functions["train"](
        lambda values: None, 1, T1, "p1", meta, "Passengers", [70, 85], *raw_sliders(seq_len=150)
    )
    assert final["status"] == "failed" and "longest sequence that fits is 92" in final["message"]


def test_cancel_keeps_the_curves_and_marks_the_run(
    functions: dict[str, Any], settings: Settings
) -> None:
    store = Store(settings.store_dir)
    run_id = store.new_run_id()
    store.save_run(cast(RunRecord, {"id": run_id, "session": "s1", "status": "running"}))
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
    meta = functions["pick_dataset"]("builtin:ecg", T1)[0]
    assert functions["task_of_dataset"](meta, "forecast") == "classify"


def test_train_caps_epochs_at_the_servers_limit(settings: Settings) -> None:
    capped = Settings(
        data_dir=settings.data_dir,
        max_concurrent_jobs=1,
        max_epochs=2,
        secret_key=settings.secret_key,
    )
    functions = create_app(capped, warm_up=False).callback_functions
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    raw = raw_sliders(units=4, layers=1, epochs=5, seq_len=10, batch_size=64, dense_units=0)
    final = functions["train"](lambda values: None, 1, T1, "p1", meta, "value", [70, 85], *raw)
    assert_within_epoch_cap(final, cap=2)


def assert_within_epoch_cap(final: dict[str, Any], cap: int) -> None:
    """A run asked for more epochs than the server allows: capped, or refused in a sentence."""
    if final["status"] == "failed":
        assert f"at most {cap} epochs" in final["message"], final["message"]
        assert final["history"]["loss"] == []
    else:
        assert final["status"] == "finished", final["message"]
        assert final["message"] == f"Finished {cap} epochs." and final["config"]["epochs"] == cap
    assert len(final["history"]["loss"]) <= cap


def test_log_scale_switch_sets_the_loss_axis_type(functions: dict[str, Any]) -> None:
    assert patch_ops(functions["toggle_log"](True)) == {("layout", "yaxis", "type"): "log"}
    assert patch_ops(functions["toggle_log"](False)) == {("layout", "yaxis", "type"): "linear"}


def test_progress_text_shows_seconds_per_epoch_and_eta(functions: dict[str, Any]) -> None:
    state = live_state(
        "r1",
        "running",
        epochs=10,
        history={"loss": [3.0, 2.0, 1.0], "val_loss": [3.0, 2.5, 2.0]},
        epoch_seconds=[2.0, 0.5, 0.5],
    )
    _patch, percent, text, status, color, *_rest = functions["show_state"](state)
    assert percent == 30 and text == "epoch 3/10 · 0.50 s/epoch · ETA 0:04"
    assert status == "Training: epoch 3 of 10." and color == "primary"


FALLING = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]


@pytest.mark.parametrize(
    ("val_loss", "overfitting"),
    [
        ([1.0, 0.7, 0.6, 0.65, 0.7, 0.8], True),
        (FALLING, False),
        ([1.0, 0.7, 0.6, 0.65, 0.7, 0.69], False),
    ],
)
def test_overfitting_is_shaded_and_said_only_when_val_loss_rises(
    functions: dict[str, Any], val_loss: list[float], overfitting: bool
) -> None:
    state = live_state(
        "r1",
        "running",
        epochs=20,
        history={"loss": FALLING, "val_loss": val_loss},
        epoch_seconds=[0.1] * 6,
    )
    patch, *_middle, signal, signal_open, _table, _device = functions["show_state"](state)
    ops = patch_ops(patch)
    shading = [s for s in ops[("layout", "shapes")] if s["type"] == "rect"]
    notes = [a["text"] for a in ops[("layout", "annotations")]]
    if overfitting:
        assert [(s["x0"], s["x1"]) for s in shading] == [(2.5, 6.5)]  # epochs 3 to 6
        assert notes == ["overfitting"]
        assert signal_open and signal.startswith("Overfitting since epoch 3: val_loss keeps rising")
    else:
        assert shading == [] and notes == [] and (signal, signal_open) == ("", False)


def test_best_epoch_is_marked_with_early_stopping(functions: dict[str, Any]) -> None:
    history = {"loss": [3.0, 2.0, 1.5, 1.2], "val_loss": [3.0, 1.0, 2.0, 2.5]}
    state = {
        **live_state("r1", "finished", epochs=10, history=history, epoch_seconds=[0.1] * 4),
        "config": TrainConfig(early_stopping=True).to_dict(),
    }
    ops = patch_ops(functions["show_state"](state)[0])
    lines = [(s["x0"], s["x1"]) for s in ops[("layout", "shapes")] if s["type"] == "line"]
    assert lines == [(2, 2)] and "best epoch 2" in [
        a["text"] for a in ops[("layout", "annotations")]
    ]
    plain = {**state, "config": TrainConfig().to_dict()}  # no early stopping: no mark
    assert patch_ops(functions["show_state"](plain)[0])[("layout", "shapes")] == []


def test_train_refuses_a_session_the_server_never_issued(
    functions: dict[str, Any], settings: Settings
) -> None:
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    raw = raw_sliders(units=4, layers=1, epochs=1, seq_len=10, batch_size=64, dense_units=0)
    final = functions["train"](lambda values: None, 1, "s1", "p1", meta, "value", [70, 85], *raw)
    assert final["status"] == "failed" and final["message"] == sessions.MESSAGE
    assert Store(settings.store_dir).list_runs("s1") == []
    assert functions["pick_dataset"]("builtin:sine", "s1")[0] is None  # refused too
