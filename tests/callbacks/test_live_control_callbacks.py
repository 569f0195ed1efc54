"""Pause/Resume and the live learning rate, called directly: only the session that owns the
training run can steer it (through the store the job polls); a cosine schedule refuses a
live rate in a sentence; the loss chart marks each change, live and after the run."""

from __future__ import annotations

from typing import Any, cast

import pytest
from dash import no_update

from dashboard import steer
from dashboard.app import create_app
from dashboard.control_state import control_value
from dashboard.jobs import live_rate_refusal, live_state
from dashboard.lifecycle import state_of
from dashboard.ml.config import TrainConfig
from dashboard.payloads import LrChange, RunRecord
from dashboard.settings import Settings
from dashboard.store import Store
from tests.callbacks.patches import patch_ops
from tests.callbacks.tokens import T1, T2

CHANGE: LrChange = {"epoch": 6.4, "batch": 4, "seconds": 2.5, "previous": 1e-3, "lr": 3e-3}


@pytest.fixture
def functions(settings: Settings) -> dict[str, Any]:
    return create_app(settings, warm_up=False).callback_functions


def _running(settings: Settings, schedule: str = "none") -> tuple[Store, dict[str, Any]]:
    """A run of session s1 that trains, and the live state its page shows."""
    store = Store.from_settings(settings)
    run_id = store.new_run_id()
    config = TrainConfig(lr_schedule=schedule).to_dict()
    record = {"id": run_id, "session": "s1", "status": "running", "config": config}
    store.save_run(cast(RunRecord, record))
    return store, {**live_state(run_id, "running", epochs=50), "config": config}


def test_only_the_owning_session_pauses_resumes_or_sets_the_rate(
    functions: dict[str, Any], settings: Settings
) -> None:
    store, live = _running(settings)
    run_id = live["run_id"]
    lr = control_value("learning_rate", 0.003)
    assert functions["pause"](1, live, T2) == ("Pause", steer.NOT_YOURS)
    assert functions["live_rate"](lr, live, T2) == steer.NOT_YOURS
    assert store.control(run_id) == {"lr": None, "seq": 0, "lr_at": 0.0, "paused": False}

    assert functions["pause"](1, live, T1) == ("Resume", "Pausing after the current batch…")
    assert store.control(run_id)["paused"] is True
    assert functions["pause"](2, live, T1) == ("Pause", "Going on from where it paused.")
    assert store.control(run_id)["paused"] is False
    note = functions["live_rate"](lr, live, T1)
    assert note.startswith("Learning rate 3e-3: applies to the running job from its next batch")
    assert store.control(run_id)["lr"] == 0.003 and store.control(run_id)["seq"] == 1


def test_a_run_that_does_not_train_is_not_steered(
    functions: dict[str, Any], settings: Settings
) -> None:
    lr = control_value("learning_rate", 0.003)
    assert functions["live_rate"](lr, None, T1) == ""  # the slider only sets the next run
    assert functions["pause"](1, None, T1) == ("Pause", steer.NOT_TRAINING)
    queued = live_state(Store.new_run_id(), "queued", epochs=50)
    assert functions["pause"](1, queued, T1) == ("Pause", steer.QUEUED)
    store, live = _running(settings, "cosine")
    refusal = live_rate_refusal(live["config"])
    assert refusal and "cosine schedule" in refusal
    assert functions["live_rate"](lr, live, T1) == refusal
    assert store.control(live["run_id"])["lr"] is None
    finished = {**live, "status": "finished"}
    assert functions["live_rate"](lr, finished, T1) == ""


def test_the_page_says_paused_and_marks_each_rate_change(functions: dict[str, Any]) -> None:
    seconds = [0.4] * 6
    paused = live_state(
        "r" * 16,
        "running",
        "Paused at epoch 6.4 of 50: press Resume to go on.",
        epochs=50,
        epoch_seconds=seconds,
        lr_changes=[CHANGE],
        paused=True,
    )
    shown = functions["show_state"](paused)
    assert functions["show_paused"](paused) == "Resume" and shown.status.startswith(
        "Paused at epoch 6.4"
    )
    assert "ETA" not in shown.progress_text  # no ETA while paused
    ops = patch_ops(shown.loss_figure)
    [line] = [s for s in ops[("layout", "shapes")] if s.get("line", {}).get("dash") == "dash"]
    assert line["x0"] == line["x1"] == 6.4
    assert [n["text"] for n in ops[("layout", "annotations")]] == ["lr 3e-3"]
    going = {**paused, "paused": False, "message": ""}
    assert (
        functions["show_paused"](going) is no_update
    )  # a press set it; an older report must not flip it
    # the finished run's chart, drawn from its record, keeps the mark
    record = cast(
        RunRecord,
        {
            "id": "r" * 16,
            "session": "s1",
            "status": "finished",
            "config": TrainConfig().to_dict(),
            "lr_changes": [CHANGE],
        },
    )
    ended = functions["show_state"](state_of(record))
    assert functions["show_paused"](state_of(record)) == "Pause"
    assert [n["text"] for n in patch_ops(ended.loss_figure)[("layout", "annotations")]] == [
        "lr 3e-3"
    ]
