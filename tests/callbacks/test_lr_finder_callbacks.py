"""The learning-rate finder's callbacks called directly: a real sweep streamed and drawn,
Use setting the learning-rate control to what a run then trains with, Stop, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from dash import no_update

from dashboard.app import create_app
from dashboard.control_state import SETTINGS, config_from_controls, control_value
from dashboard.layout.lr_finder import range_note, usable_rate
from dashboard.lr_jobs import FinderState, finder_state
from dashboard.ml.config import TrainConfig
from dashboard.ml.lr_finder import short
from dashboard.settings import Settings
from tests.callbacks.tokens import T1

SPLIT = [70, 85]


@pytest.fixture
def functions(settings: Settings) -> dict[str, Any]:
    return create_app(settings, warm_up=False).callback_functions


def sliders(**values: Any) -> list[Any]:
    config = TrainConfig(**values)
    return [control_value(name, getattr(config, name)) for name in SETTINGS]


def test_find_streams_a_sweep_and_use_sets_the_rate_a_run_trains_with(
    functions: dict[str, Any],
) -> None:
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    raw = sliders(units=16, layers=1, dense_units=0, seq_len=20, batch_size=32, dropout=0.0)
    reports: list[FinderState] = []
    final = functions["find_lr_rate"](
        lambda values: reports.append(values[0]), 1, T1, "p1", meta, "value", SPLIT, *raw
    )
    assert final["status"] == "finished", final["message"]
    assert [r["status"] for r in reports][:2] == ["queued", "running"]
    assert final["suggestion"] is not None and len(final["lrs"]) == 100

    view = functions["show_lr_sweep"](final)
    rate = usable_rate(final["suggestion"])
    assert view.use_disabled is False and view.progress == 100
    assert rate is not None and view.use_label == f"Use {short(rate)}"
    assert view.status.startswith("Suggested learning rate")
    assert len(view.figure.data) == 2 and view.figure.layout.xaxis.type == "log"
    assert view.figure.layout.shapes[0].x0 == final["suggestion"]  # the marked rate

    position = functions["use_lr_suggestion"](1, final)
    raw[SETTINGS.index("learning_rate")] = position
    trained = config_from_controls(meta, "value", SPLIT, tuple(raw)).learning_rate
    assert trained == rate  # the box, the button and the run agree
    assert functions["lr_close"](None, 1) is False  # Use closes the dialog


def test_a_suggestion_beyond_the_slider_is_clamped_and_said() -> None:
    assert usable_rate(2.3e-5) == 1e-4 and usable_rate(0.5) == 0.1
    assert usable_rate(3.17e-3) == 3.2e-3 and range_note(3.17e-3) == ""
    assert range_note(2.3e-5) == " The slider's lowest rate is 0.0001, so that is what Use sets."


def test_stop_keeps_the_curve_and_offers_nothing_to_use(functions: dict[str, Any]) -> None:
    live = finder_state("running", "", lrs=[1e-6, 2e-6], losses=[1.0, 0.9], batch=2, batches=100)
    live["smoothed"] = [1.0, 0.95]
    stopped = functions["lr_stop"](1, live)
    assert stopped["status"] == "stopped" and stopped["lrs"] == [1e-6, 2e-6]
    assert stopped["message"].startswith("Stopped at batch 2")
    view = functions["show_lr_sweep"](stopped)
    assert view.use_disabled is True and view.status_color == "warning"
    assert functions["lr_stop"](1, {**live, "status": "finished"}) is no_update
    assert functions["use_lr_suggestion"](1, stopped) is no_update


def test_a_forged_session_or_a_model_over_the_limits_is_refused_in_a_sentence(
    settings: Settings, functions: dict[str, Any]
) -> None:
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    final = functions["find_lr_rate"](
        lambda values: None, 1, "forged", "p1", meta, "value", SPLIT, *sliders()
    )
    assert final["status"] == "failed" and final["message"]
    view = functions["show_lr_sweep"](final)
    assert view.status_color == "danger" and view.use_disabled is True
    big = sliders(units=512, layers=4)
    limited = create_app(
        Settings(data_dir=settings.data_dir, secret_key=settings.secret_key, max_units_x_layers=64),
        warm_up=False,
    ).callback_functions
    refused = limited["find_lr_rate"](lambda v: None, 1, T1, "p1", meta, "value", SPLIT, *big)
    assert refused["status"] == "failed" and "this server allows at most 64" in refused["message"]


def test_find_opens_the_dialog_on_a_fresh_state(functions: dict[str, Any]) -> None:
    is_open, live = functions["lr_dialog"](1)
    assert is_open is True and live["status"] == "queued" and live["lrs"] == []
    assert functions["show_lr_sweep"](live).use_disabled is True
