"""The forkserver job manager: jobs are known by pid and start time, never by pid alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import diskcache

from dashboard.background import ForkserverDiskcacheManager


def quick_job(key: str, progress_key: str, args: object, context: object) -> None:
    """Stands in for Dash's job function: write a result and exit."""
    diskcache.Cache(str(args)).set(key, "done")


def slow_job(key: str, progress_key: str, args: object, context: object) -> None:
    """A job that runs until it is killed."""
    time.sleep(60)


def test_a_finished_job_is_not_running_and_terminating_it_is_harmless(tmp_path: Path) -> None:
    manager = ForkserverDiskcacheManager(diskcache.Cache(str(tmp_path)), preload=[])
    pid = manager.call_job_fn("k1", quick_job, str(tmp_path), {})
    deadline = time.monotonic() + 30
    while manager.handle.get("k1") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert manager.handle.get("k1") == "done"
    time.sleep(0.3)  # the forkserver reaps the child: its pid is gone, not a zombie
    assert not manager.job_running(pid)
    manager.terminate_job(pid)  # Dash calls this after every result; it must not raise


def test_cancel_kills_the_job_but_never_an_unrelated_pid(tmp_path: Path) -> None:
    manager = ForkserverDiskcacheManager(diskcache.Cache(str(tmp_path)), preload=[])
    pid = manager.call_job_fn("k2", slow_job, str(tmp_path), {})
    assert manager.job_running(pid)
    manager.terminate_job(pid)
    assert not manager.job_running(pid)
    # a pid this manager did not start (here: the test process itself) is left alone
    assert not manager.job_running(os.getpid())
    manager.terminate_job(os.getpid())
    assert os.getpid() > 0  # still alive to tell
