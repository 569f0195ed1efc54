"""The forkserver job manager: jobs are known by pid and start time, never by pid alone."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import diskcache
import psutil

from dashboard.background import QUEUED, ForkserverDiskcacheManager, waiting_entry_lost
from dashboard.store import Store, valid_run_id


def quick_job(key: str, progress_key: str, args: object, context: object) -> None:
    """Stands in for Dash's job function: write a result and exit."""
    diskcache.Cache(str(args)).set(key, "done")


def slow_job(key: str, progress_key: str, args: object, context: object) -> None:
    """A job that runs until it is killed."""
    time.sleep(60)


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_finished_job_is_not_running_and_terminating_it_is_harmless(tmp_path: Path) -> None:
    manager = ForkserverDiskcacheManager(diskcache.Cache(str(tmp_path)), preload=[])
    pid = manager.call_job_fn("k1", quick_job, str(tmp_path), {})
    assert wait_until(lambda: manager.handle.get("k1") == "done")
    # the forkserver reaps the child: its pid goes away, it does not stay a zombie
    assert wait_until(lambda: not manager.job_running(pid))
    manager.terminate_job(pid)  # Dash calls this after every result; it must not raise
    assert not manager.job_running(pid)


def test_cancel_kills_the_job_but_never_an_unrelated_pid(tmp_path: Path) -> None:
    manager = ForkserverDiskcacheManager(diskcache.Cache(str(tmp_path)), preload=[])
    pid = manager.call_job_fn("k2", slow_job, str(tmp_path), {})
    assert isinstance(pid, int)  # no queue: the job's pid
    assert manager.job_running(pid)
    manager.terminate_job(pid)
    assert wait_until(lambda: not psutil.pid_exists(pid) or not manager.job_running(pid))
    assert not manager.job_running(pid)
    # a process this manager did not start is left alone, even when asked to kill its pid
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert not manager.job_running(bystander.pid)
        manager.terminate_job(bystander.pid)
        assert bystander.poll() is None  # still running
    finally:
        bystander.kill()
        bystander.wait()


def test_a_reused_pid_is_not_taken_for_the_job(tmp_path: Path) -> None:
    """A pid known from an earlier job but now held by another process is not killed."""
    manager = ForkserverDiskcacheManager(diskcache.Cache(str(tmp_path)), preload=[])
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = psutil.Process(bystander.pid).create_time()
        manager.handle.set(f"lstm-lab-job-{bystander.pid}", started - 100)  # an older job
        assert not manager.job_running(bystander.pid)
        manager.terminate_job(bystander.pid)
        assert bystander.poll() is None
        manager.handle.set(f"lstm-lab-job-{bystander.pid}", started)  # the same process
        assert manager.job_running(bystander.pid)
        manager.terminate_job(bystander.pid)
        bystander.wait(timeout=10)  # it ends (psutil may have reaped it already)
        assert not psutil.pid_exists(bystander.pid)
    finally:
        if bystander.poll() is None:
            bystander.kill()
            bystander.wait()


def test_the_modules_of_background_callbacks_join_the_forkserver_preload(tmp_path: Path) -> None:
    manager = ForkserverDiskcacheManager(diskcache.Cache(str(tmp_path)), preload=["dashboard.jobs"])
    manager.make_job_fn(quick_job, progress=False)
    assert manager.preload[0] == "dashboard.jobs" and __name__ in manager.preload
    assert manager.preload.count(__name__) == 1


def gated(tmp_path: Path, slots: int = 1, max_waiting: int = 2) -> ForkserverDiskcacheManager:
    """A manager that runs `slots` jobs at once and queues `max_waiting` more as entries."""
    cache = diskcache.Cache(str(tmp_path))
    return ForkserverDiskcacheManager(cache, preload=[], slots=slots, max_waiting=max_waiting)


def progress_of(manager: ForkserverDiskcacheManager, key: str) -> dict[str, object]:
    """The newest progress report the page would get for `key`."""
    [state] = manager.handle.get(manager._make_progress_key(key))
    return dict(state)


def test_a_press_beyond_the_free_slots_waits_as_an_entry_not_a_process(tmp_path: Path) -> None:
    manager = gated(tmp_path)
    running = manager.call_job_fn("first", slow_job, str(tmp_path), {})
    assert wait_until(lambda: len(manager.started) == 1 and manager.job_running(running))
    waiting = manager.call_job_fn("second", quick_job, str(tmp_path), {})
    assert isinstance(waiting, str) and manager.job_running(waiting)
    assert len(manager.started) == 1  # no process for the waiting press
    state = progress_of(manager, "second")
    assert state["status"] == "queued" and "yours starts next" in str(state["message"])
    third = manager.call_job_fn("third", quick_job, str(tmp_path), {})
    assert "1 training ahead of yours" in str(progress_of(manager, "third")["message"])
    busy = manager.call_job_fn("fourth", quick_job, str(tmp_path), {})  # the queue is full
    assert not manager.job_running(busy) and len(manager.started) == 1
    refusal = manager.handle.get("fourth")
    assert refusal["status"] == "failed" and "The server is busy" in refusal["message"]

    manager.terminate_job(third)  # Cancel while waiting: the entry goes, nothing is killed
    assert not manager.job_running(third)
    manager.terminate_job(running)  # the slot frees: the waiting press starts, in order
    assert wait_until(lambda: manager.handle.get("second") == "done")
    assert len(manager.started) == 2 and manager.handle.get("third") is None
    assert wait_until(lambda: not manager.job_running(waiting))


def test_a_waiting_entry_of_a_web_process_that_died_is_dropped(tmp_path: Path) -> None:
    """Another web process queued a press and died: its entry does not block the queue."""
    from dashboard.job_queue import QUEUE_KEY

    manager = gated(tmp_path)
    ghost = subprocess.Popen([sys.executable, "-c", "pass"])
    ghost.wait()
    manager.handle.set(QUEUE_KEY, [("deadbeef", ghost.pid, 1.0)])
    job = manager.call_job_fn("k", quick_job, str(tmp_path), {})
    assert wait_until(lambda: manager.handle.get("k") == "done")
    assert len(manager.started) == 1 and not manager.queued_alive("qdeadbeef")
    assert wait_until(lambda: not manager.job_running(job))


def test_a_run_whose_id_starts_like_a_queue_token_is_not_taken_for_one(tmp_path: Path) -> None:
    """A run id is 16 URL-safe characters and may begin with any of them; only a queue
    token (with its colon) is a press still waiting. (A run id starting with 'q' was once
    shown as 'the server restarted while this training waited' when its job died.)"""
    manager = gated(tmp_path)
    waiting = manager.call_job_fn("first", slow_job, str(tmp_path), {})
    try:
        for run_id in ("q" + "A" * 15, "queuedAAAAAAAAAA", Store.new_run_id()):
            assert valid_run_id(run_id)
            assert waiting_entry_lost(manager, run_id) is None
        token = manager.call_job_fn("second", quick_job, str(tmp_path), {})
        assert isinstance(token, str) and token.startswith(QUEUED) and not valid_run_id(token)
        assert waiting_entry_lost(manager, token) is False  # it waits
        manager.terminate_job(token)
        assert waiting_entry_lost(manager, token) is True
    finally:
        manager.terminate_job(waiting)
