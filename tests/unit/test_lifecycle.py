"""A run's true state from the store: heartbeats, lost jobs, runs that ended unseen."""

from __future__ import annotations

import os
import signal
import time

import pytest

from dashboard import lifecycle
from dashboard.ml.config import TrainConfig
from dashboard.payloads import LiveState, RunRecord
from dashboard.settings import Settings
from dashboard.store import Store


def running_record(store: Store, run_id: str, epochs_done: int = 3) -> RunRecord:
    """A run the store believes is training, with some epochs of curves."""
    record: RunRecord = {
        "id": run_id,
        "session": "s1",
        "status": "running",
        "config": TrainConfig(epochs=10).to_dict(),
        "dataset_name": "Sine",
        "history": {"loss": [0.5] * epochs_done, "val_loss": [0.6] * epochs_done},
        "epoch_seconds": [0.1] * epochs_done,
    }
    store.save_run(record)
    return record


def live(run_id: str, status: str = "running") -> LiveState:
    """What the page shows for a run."""
    return {
        "run_id": run_id,
        "status": status,
        "message": "",
        "epoch": 3,
        "epochs": 10,
        "history": {"loss": [0.5] * 3, "val_loss": [0.6] * 3},
        "sec_per_epoch": 0.1,
        "eta_s": 0.7,
    }


def test_a_beating_job_is_alive_and_a_silent_or_ended_one_is_lost(settings: Settings) -> None:
    store = Store.from_settings(settings)
    run_id = store.new_run_id()
    assert lifecycle.is_lost(store, run_id)  # never beat
    with lifecycle.heartbeat(store, run_id, every_s=0.05):
        assert not lifecycle.is_lost(store, run_id)
        time.sleep(0.2)
        beat = store.last_beat(run_id)
        assert beat is not None and time.time() - beat.at < 0.2  # it keeps beating
    assert lifecycle.is_lost(store, run_id)  # ended: a run still active was left behind
    other = store.new_run_id()
    store.beat(other)
    assert not lifecycle.is_lost(store, other)
    assert lifecycle.is_lost(store, other, now=time.time() + lifecycle.LOST_AFTER_S + 1)


def test_a_run_whose_job_vanished_is_recorded_failed_with_its_curves(settings: Settings) -> None:
    store = Store.from_settings(settings)
    record = running_record(store, store.new_run_id())
    store.beat(record["id"])
    later = time.time() + lifecycle.LOST_AFTER_S + 1
    assert lifecycle.true_state(store, live(record["id"])) is None  # still beating: up to date
    state = lifecycle.true_state(store, live(record["id"]), now=later)
    assert state is not None and state["status"] == "failed"
    assert "stopped unexpectedly at epoch 3" in state["message"]
    assert state["history"]["loss"] == [0.5] * 3  # the curves so far are kept
    stored = store.get_run(record["id"])
    assert stored["status"] == "failed" and stored["message"] == state["message"]


def test_a_run_that_finished_unseen_reaches_the_page_as_stored(settings: Settings) -> None:
    store = Store.from_settings(settings)
    record = running_record(store, store.new_run_id())
    store.update_run(record["id"], status="finished", message="Finished 3 epochs.")
    state = lifecycle.true_state(store, live(record["id"]))
    assert state is not None and (state["status"], state["message"]) == (
        "finished",
        "Finished 3 epochs.",
    )
    assert state["epoch"] == 3 and state["epochs"] == 10


def test_a_queued_job_that_died_before_its_record_says_so(settings: Settings) -> None:
    store = Store.from_settings(settings)
    run_id = store.new_run_id()
    store.beat(run_id)
    waiting = live(run_id, "queued")
    assert lifecycle.true_state(store, waiting) is None
    state = lifecycle.true_state(store, waiting, now=time.time() + lifecycle.LOST_AFTER_S + 1)
    assert state is not None and "before the run started" in state["message"]


def test_the_runs_tab_reaps_only_vanished_active_runs(settings: Settings) -> None:
    store = Store.from_settings(settings)
    alive, gone = (
        running_record(store, store.new_run_id()),
        running_record(store, store.new_run_id()),
    )
    done = running_record(store, store.new_run_id())
    store.update_run(done["id"], status="finished")
    store.beat(alive["id"])
    reaped = lifecycle.reap(store, store.list_runs("s1"))
    assert [r["status"] for r in reaped] == ["running", "failed", "finished"]
    assert store.get_run(gone["id"])["status"] == "failed"


def test_a_sigterm_is_not_swallowed_where_a_report_is_shielded() -> None:
    """A SIGTERM landing inside `except Exception` (a progress report guarded against a lost
    queue) still stops the job: Interrupted is not an Exception."""
    reached = []
    with pytest.raises(lifecycle.Interrupted), lifecycle.stop_on_sigterm():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises at the next instruction
        except Exception:  # what jobs.run_training's report does with a queue error
            reached.append("swallowed")
    assert reached == []
