"""The forkserver job manager: jobs are known by pid and start time, never by pid alone."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import diskcache
import psutil

from dashboard.background import ForkserverDiskcacheManager


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
