"""Training slots: first come first served, reclaimed from killed jobs, bounded queue."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import diskcache
import psutil
import pytest

from dashboard.jobs import WAITING_KEY, Refused, job_slot, live_state

HOLD = """
import sys, time, diskcache
from dashboard.jobs import job_slot
cache = diskcache.Cache(sys.argv[1])
with job_slot(cache, 1, 10, on_wait=lambda ahead: None):
    print("holding", flush=True)
    time.sleep(120)
"""


def _holder(directory: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(directory)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    return process


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
    time.sleep(1.2)
    assert not acquired.is_set() and waits and waits[0] == 0  # queued, next in line
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
    assert os.getpid() > 0
