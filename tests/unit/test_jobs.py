"""Training slots: first come first served, reclaimed from killed jobs, bounded queue."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import diskcache
import psutil
import pytest

from dashboard.jobs import WAITING_KEY, Refused, job_slot, live_state, run_training
from dashboard.ml.config import TrainConfig
from dashboard.payloads import LiveState
from dashboard.settings import Settings
from dashboard.store import Store

HOLD = """
import sys, time, diskcache
from dashboard.jobs import job_slot
cache = diskcache.Cache(sys.argv[1])
with job_slot(cache, 1, 10, on_wait=lambda ahead: None):
    print("holding", flush=True)
    time.sleep(120)
"""


WAIT_THEN_HOLD = """
import sys, time, diskcache
from dashboard.jobs import job_slot
cache = diskcache.Cache(sys.argv[1])
said = []
def on_wait(ahead):
    if not said:
        said.append(ahead)
        print("waiting", ahead, flush=True)
with job_slot(cache, 1, 10, on_wait=on_wait):
    print("holding", flush=True)
    time.sleep(120)
"""
TINY = TrainConfig(units=4, layers=1, dense_units=0, seq_len=10, epochs=2, batch_size=64)


def _holder(
    directory: Path, script: str = HOLD, first_line: str = "holding"
) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(directory)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == first_line
    return process


def wait_until(condition: Callable[[], object], timeout: float = 60) -> None:
    """Poll until `condition` holds; fail after `timeout` seconds (not a speed assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.05)


def test_a_killed_job_frees_its_slot(tmp_path: Path) -> None:
    cache = diskcache.Cache(str(tmp_path))
    holder = _holder(tmp_path)
    waits: list[int] = []
    acquired = threading.Event()

    def second_job() -> None:
        with job_slot(cache, 1, 10, on_wait=waits.append):
            acquired.set()

    thread = threading.Thread(target=second_job)
    thread.start()
    wait_until(lambda: waits)
    assert not acquired.is_set() and waits[0] == 0  # queued, next in line
    holder.kill()  # SIGKILL, like Cancel: the holder runs no clean-up
    holder.wait()
    thread.join(timeout=10)
    assert acquired.is_set()
    assert cache.get(WAITING_KEY) == []


def test_a_full_queue_refuses_with_a_message(tmp_path: Path) -> None:
    cache = diskcache.Cache(str(tmp_path))
    holder = _holder(tmp_path)
    try:
        waiter = psutil.Process(holder.pid)
        cache.set(WAITING_KEY, [(holder.pid, waiter.create_time())])  # one live waiter
        with (
            pytest.raises(Refused, match="1 trainings are already waiting"),
            job_slot(cache, 1, 1, on_wait=lambda ahead: None),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_live_state_carries_the_whole_history_and_eta() -> None:
    state = live_state(
        "r1", "running", epochs=10, history={"loss": [3.0, 2.0, 1.0]}, epoch_seconds=[2.0, 0.5, 0.5]
    )
    assert state["epoch"] == 3 and state["history"]["loss"] == [3.0, 2.0, 1.0]
    assert state["sec_per_epoch"] == 0.5  # the first epoch (tracing) is left out
    assert state["eta_s"] == pytest.approx(3.5)
    assert state["status"] == "running" and state["run_id"] == "r1"
    done = live_state("r1", "finished", epochs=3, epoch_seconds=[2.0, 0.5, 0.7])
    assert done["epoch"] == 3 and done["sec_per_epoch"] == pytest.approx(0.6)
    assert done["eta_s"] == pytest.approx(0.0)
    fresh = live_state("r2", "queued", "Waiting", epochs=5)
    assert fresh["epoch"] == 0 and fresh["sec_per_epoch"] is None and fresh["eta_s"] is None
    assert fresh["history"] == {"loss": [], "val_loss": []} and fresh["message"] == "Waiting"


# -- the server's limits, checked inside the job ------------------------------------------------


def test_a_second_job_waits_says_its_place_in_the_queue_then_runs(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_concurrent_jobs=1)
    cache = diskcache.Cache(str(tmp_path / "slots"))
    holder = _holder(tmp_path / "slots")  # a training that runs
    waiter = _holder(tmp_path / "slots", WAIT_THEN_HOLD, "waiting 0")  # one queued before ours
    reports: list[LiveState] = []
    results: list[LiveState] = []
    thread = threading.Thread(
        target=lambda: results.append(run_training(settings, TINY, "s1", reports.append, cache))
    )
    try:
        thread.start()
        messages = lambda: [r["message"] for r in reports]  # noqa: E731
        wait_until(lambda: "Queued: 1 training ahead of yours." in messages())
        assert not results and all(r["status"] == "queued" for r in reports)
        holder.kill()  # the running one ends; the one ahead of ours takes the slot
        holder.wait()
        wait_until(lambda: "Queued: another training is running; yours starts next." in messages())
        assert not results and "running" not in [r["status"] for r in reports]
        waiter.kill()
        waiter.wait()
        thread.join(timeout=120)
        assert results and results[0]["status"] == "finished", results
        assert results[0]["epoch"] == 2 and len(results[0]["history"]["loss"]) == 2
        statuses = [r["status"] for r in reports]
        assert statuses.index("running") > statuses.index("queued")
    finally:
        for process in (holder, waiter):
            if process.poll() is None:
                process.kill()
                process.wait()
        thread.join(timeout=120)


def test_the_job_refuses_a_model_over_units_x_layers_even_unchecked(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_units_x_layers=16)
    config = TrainConfig.from_dict({**TINY.to_dict(), "units": 8, "layers": 3})
    reports: list[LiveState] = []
    final = run_training(settings, config, "s1", reports.append)
    assert final["status"] == "failed"
    assert "Units x layers is 24; this server allows at most 16" in final["message"]
    assert "running" not in [r["status"] for r in reports] and final["history"]["loss"] == []
    assert run_training(settings, TINY, "s1", lambda state: None)["status"] == "finished"


def test_the_job_stops_at_the_wall_time_limit_with_a_sentence(tmp_path: Path) -> None:
    environ = {"LSTM_LAB_JOB_MAX_SECONDS": "0", "LSTM_LAB_DATA_DIR": str(tmp_path / "data")}
    settings = Settings.from_env(environ=environ)
    assert settings.job_max_seconds == 0
    config = TrainConfig.from_dict({**TINY.to_dict(), "epochs": 50})
    final = run_training(settings, config, "s1", lambda state: None)
    assert final["status"] == "stopped" and final["epoch"] < 50
    assert final["message"] == (
        f"Stopped after {final['epoch']} of 50 epochs: the server's time limit of 0 s a run "
        "was reached (time paused counts)."
    )
    assert len(final["history"]["loss"]) == final["epoch"]


def test_the_job_trains_no_more_than_the_servers_epoch_cap(tmp_path: Path) -> None:
    """Called directly (as a Celery worker or a stale page would), a run of more epochs than
    the server allows is refused before it trains: failed, one sentence naming the limit, no
    epoch trained and no run recorded. Never a silent cap."""
    settings = Settings(data_dir=tmp_path / "data", max_epochs=2)
    reports: list[LiveState] = []
    config = TrainConfig.from_dict({**TINY.to_dict(), "epochs": 4})
    assert config.epochs == 4  # the config keeps what was asked; the job refuses it
    final = run_training(settings, config, "s1", reports.append)
    assert final["status"] == "failed", final
    assert final["message"] == (
        "This server trains at most 2 epochs per run (now 4): lower Epochs, or turn on early "
        "stopping."
    )
    assert final["history"] == {"loss": [], "val_loss": []}
    assert "running" not in [r["status"] for r in reports]
    assert Store.from_settings(settings).list_runs("s1") == []


def test_job_states_are_plain_json(settings: Settings) -> None:
    """Celery moves progress and results as JSON: every state the job reports, and the
    one it returns, must survive a strict json round trip unchanged."""
    reports: list[LiveState] = []
    final = run_training(settings, TrainConfig(epochs=2), "session-1", reports.append)
    assert final["status"] == "finished", final
    for state in [*reports, final]:
        assert json.loads(json.dumps(state, allow_nan=False)) == state, state
    assert [r["status"] for r in reports][:2] == ["queued", "running"]
    assert len(final["history"]["loss"]) == 2


def test_a_report_that_fails_does_not_stop_the_training(settings: Settings) -> None:
    """With Redis gone, Celery's progress writes raise: the job trains on and records the
    run in the store, where the page's watch finds it."""
    calls: list[str] = []

    def broken(state: LiveState) -> None:
        calls.append(state["status"])
        raise ConnectionError("the queue is down")

    final = run_training(settings, TrainConfig(epochs=2, units=4, layers=1), "s1", broken)
    assert final["status"] == "finished" and len(calls) >= 3
    record = Store.from_settings(settings).get_run(final["run_id"])
    assert record["status"] == "finished" and len(record["history"]["loss"]) == 2
