"""Stories on the distributed path: Dash's CeleryManager, a real redis-server and worker.

The site is three processes started here and stopped by their pids: redis-server on a free
port, one `celery -A dashboard.wsgi:celery_app worker -P prefork --concurrency=1`, and
`python -m dashboard` with REDIS_URL set, sharing one data folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis
from optuna.trial import TrialState
from playwright.sync_api import Browser, Page, expect

from dashboard.celery_jobs import DEVICE_KEY
from dashboard.ml.search import open_study
from dashboard.store import Store
from tests.browser.conftest import ConsoleErrors, collect_errors, screenshot_dir
from tests.browser.helpers import (
    loss_points,
    open_app,
    set_slider,
    wait_for_loss_points,
    wait_for_prediction_trace,
)
from tests.browser.test_search import open_search, search_range, set_budget
from tests.server import clean_env, redis_skipped, running_server, start_redis, stop_tree
from tests.trials import trained_together

pytestmark = [
    pytest.mark.celery,
    pytest.mark.browser,
    pytest.mark.skipif(  # on CI a missing redis-server fails the run instead (start_redis)
        redis_skipped(),
        reason="redis-server is not installed (`make test` installs it: apt-get install "
        "redis-server)",
    ),
]

WORKER_READY_S = 120  # TensorFlow import in the pool child, on a slow CI machine
JOB_TIMEOUT_MS = 90_000


@dataclass
class CelerySite:
    """The running site: web URL, Redis URL, data folder and the worker's log."""

    url: str
    redis_url: str
    data_dir: Path
    worker_log: Path
    worker: subprocess.Popen[bytes]
    redis: subprocess.Popen[bytes]
    stack: ExitStack  # what stops the site's processes at the end of the module
    env: dict[str, str]  # the environment the site's processes were started with
    directory: Path  # logs

    def add_worker(self, stack: ExitStack, name: str) -> Path:
        """Start one more worker like the first (stopped by `stack`), ready; its log."""
        process, log_path = _start_worker(self.directory, self.env, stack, name)
        deadline = time.monotonic() + WORKER_READY_S
        while " ready." not in log_path.read_text(errors="replace"):
            assert process.poll() is None, f"the second worker exited:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, "the second worker was not ready in time"
            time.sleep(0.2)
        return log_path

    def restart_redis(self) -> None:
        """Start Redis again on the same port (empty: it keeps nothing on disk)."""
        port = int(self.redis_url.rsplit(":", 1)[1].split("/")[0])
        _, self.redis = start_redis(self.data_dir.parent, self.stack, port)

    def worker_output(self) -> str:
        """The worker's log so far (stdout and stderr)."""
        return self.worker_log.read_text(errors="replace")

    def check_worker(self) -> None:
        """Fail with the reason when the worker died or refused our tasks."""
        text = self.worker_output()
        assert self.worker.poll() is None, f"the celery worker exited:\n{text[-4000:]}"
        assert "unregistered task" not in text, (
            "the worker does not know the web app's task: it runs other code than the web "
            f"process (was a callback edited between their starts?)\n{text[-4000:]}"
        )

    def runs(self) -> list[dict[str, Any]]:
        """Every run record in the shared store, oldest first."""
        cache = Store(self.data_dir / "store").cache
        try:
            records = [cache[k] for k in cache if isinstance(k, tuple) and k[0] == "run"]
        finally:
            cache.close()
        return sorted(records, key=lambda r: r.get("created", 0))


def _start_worker(
    directory: Path, env: dict[str, str], stack: ExitStack, name: str = "worker"
) -> tuple[subprocess.Popen[bytes], Path]:
    log_path = directory / f"{name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the stack
    stack.callback(log.close)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dashboard.wsgi:celery_app",
            "worker",
            "-P",
            "prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "-n",
            f"lstm-lab-test-{os.getpid()}-{name}@%h",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(stop_tree, process)
    return process, log_path


def _wait_for_worker(site: CelerySite) -> None:
    """Ready means: the main process says so and a pool child has imported TensorFlow
    (it then records its device in Redis; "ready." alone comes before that)."""
    deadline = time.monotonic() + WORKER_READY_S
    with redis.Redis.from_url(site.redis_url) as client:
        while time.monotonic() < deadline:
            site.check_worker()
            if " ready." in site.worker_output() and client.get(DEVICE_KEY):
                return
            time.sleep(0.2)
    raise TimeoutError(
        f"the worker was not ready in {WORKER_READY_S} s:\n{site.worker_output()[-4000:]}"
    )


@pytest.fixture(scope="module")
def celery_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CelerySite]:
    """redis-server, one prefork worker (concurrency 1) and the web app, on free ports."""
    directory = tmp_path_factory.mktemp("celery")
    data_dir = directory / "data"
    data_dir.mkdir()
    with ExitStack() as stack:  # stops web app, worker, then Redis (reverse order)
        redis_url, redis_process = start_redis(directory, stack)
        site_env = {
            "REDIS_URL": redis_url,
            "LSTM_LAB_REDIS_URL": redis_url,
            "LSTM_LAB_PARALLEL_TRIALS": "2",  # a search's trials: two at once, on any worker
        }
        env = clean_env(**site_env, LSTM_LAB_DATA_DIR=str(data_dir))
        env["PYTHONUNBUFFERED"] = "1"
        # Worker and web app start back to back, so that both import the same callbacks.
        worker, worker_log = _start_worker(directory, env, stack)
        url = stack.enter_context(running_server(data_dir, site_env))
        site = CelerySite(
            url, redis_url, data_dir, worker_log, worker, redis_process, stack, env, directory
        )
        _wait_for_worker(site)
        yield site
        site.check_worker()


def _idle(process: psutil.Process, window_s: float = 1.0) -> bool:
    """Whether `process` used under a third of a core over `window_s` (training takes one)."""
    before = sum(process.cpu_times()[:2])
    time.sleep(window_s)
    return sum(process.cpu_times()[:2]) - before < window_s / 3


def _wait_for_text(page: Page, selector: str, pattern: str, site: CelerySite) -> None:
    try:
        expect(page.locator(selector)).to_have_text(re.compile(pattern), timeout=JOB_TIMEOUT_MS)
    except AssertionError:
        site.check_worker()  # a dead or skewed worker explains a page that waits forever
        raise


def test_train_three_epochs_on_the_celery_worker(
    celery_site: CelerySite, page: tuple[Page, ConsoleErrors]
) -> None:
    browser_page, errors = page
    open_app(browser_page, celery_site.url)
    device = browser_page.locator("#device-badge").inner_text()
    assert re.search(r"CPU|GPU", device), f"the worker's device is not shown: {device!r}"
    set_slider(browser_page, "epochs", 3)
    clicked = time.monotonic()
    browser_page.click("#train-button")
    expect(browser_page.locator("#train-button")).to_be_disabled()
    try:
        wait_for_loss_points(browser_page, 1, timeout_ms=JOB_TIMEOUT_MS)
    except Exception:
        celery_site.check_worker()
        raise
    first_epoch_s = time.monotonic() - clicked
    _wait_for_text(browser_page, "#status-alert", r"^Finished", celery_site)
    finished_s = time.monotonic() - clicked
    print(f"\nCelery: click to first epoch {first_epoch_s:.2f} s, to finished {finished_s:.2f} s")
    assert loss_points(browser_page) == 3
    wait_for_prediction_trace(browser_page, "LSTM")
    expect(browser_page.locator("#progress-text")).to_contain_text("epoch 3/3")
    expect(browser_page.locator("#train-button")).to_be_enabled()
    browser_page.screenshot(path=str(screenshot_dir() / "celery-trained.png"))
    run = celery_site.runs()[-1]  # the worker wrote it into the shared store
    assert run["status"] == "finished"
    assert len(run["history"]["loss"]) == 3
    assert errors == []
    celery_site.check_worker()


def test_two_visitors_share_one_worker_in_turn(celery_site: CelerySite, browser: Browser) -> None:
    """Identical settings, pressed together: one job waits for the single pool child,
    and each visitor gets their own run."""
    visitors = []
    with ExitStack() as stack:
        for _ in range(2):
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            stack.callback(context.close)
            visitor = context.new_page()
            errors = ConsoleErrors()
            collect_errors(visitor, errors)
            open_app(visitor, celery_site.url)
            set_slider(visitor, "epochs", 5)
            visitors.append((visitor, errors))
        before = len(celery_site.runs())
        for visitor, _ in visitors:
            visitor.click("#train-button")
        clicked = time.monotonic()

        # Watch both pages: who trains first, what the other one shows meanwhile.
        timeline: list[list[tuple[float, int, str]]] = [[], []]
        deadline = clicked + JOB_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            for i, (visitor, _) in enumerate(visitors):
                state = (
                    round(time.monotonic() - clicked, 2),
                    loss_points(visitor),
                    visitor.locator("#status-alert").inner_text(),
                )
                if not timeline[i] or timeline[i][-1][1:] != state[1:]:
                    timeline[i].append(state)
            if all(t[-1][2].startswith("Finished") for t in timeline):
                break
            time.sleep(0.05)
        else:
            celery_site.check_worker()
            pytest.fail(f"not both finished: {json.dumps(timeline, indent=1)}")
        print("\n" + "\n".join(f"visitor {i}: {t}" for i, t in enumerate(timeline)))

        def first_epoch(t: list[tuple[float, int, str]]) -> float:
            return next(when for when, points, _ in t if points > 0)

        def finished(t: list[tuple[float, int, str]]) -> float:
            return next(when for when, _, status in t if status.startswith("Finished"))

        first, second = sorted(timeline, key=first_epoch)
        assert first_epoch(second) > finished(first), "both trained at once on concurrency 1"
        for visitor, errors in visitors:
            assert loss_points(visitor) == 5
            wait_for_prediction_trace(visitor, "LSTM")
            expect(visitor.locator("#progress-text")).to_contain_text("epoch 5/5")
            assert errors == []
    runs = celery_site.runs()[before:]
    assert len(runs) == 2, runs
    assert {r["status"] for r in runs} == {"finished"}
    assert runs[0]["session"] != runs[1]["session"], "one visitor got the other's run"
    celery_site.check_worker()


def test_cancel_terminates_the_pool_child_and_the_next_job_runs(
    celery_site: CelerySite, page: tuple[Page, ConsoleErrors]
) -> None:
    """Cancel on Celery is `control.terminate` (SIGTERM to the prefork child, which the job
    turns into its end, the run kept as cancelled): the curve stops, the task ends, the pool
    child that trained it falls idle, and the next Train press still trains."""
    browser_page, errors = page
    open_app(browser_page, celery_site.url)
    set_slider(browser_page, "epochs", 300)
    browser_page.click("#train-button")
    wait_for_loss_points(browser_page, 2, timeout_ms=JOB_TIMEOUT_MS)
    [child] = psutil.Process(celery_site.worker.pid).children()  # concurrency 1: the job's
    browser_page.click("#cancel-button")
    expect(browser_page.locator("#status-alert")).to_contain_text(
        "Cancelled at epoch", timeout=10_000
    )
    expect(browser_page.locator("#train-button")).to_be_enabled()
    kept = loss_points(browser_page)
    browser_page.wait_for_timeout(2500)
    # The job may finish the epoch it was in before the SIGTERM lands; its last state can
    # then still reach the page (one poll was in flight). Nothing after that.
    settled = loss_points(browser_page)
    assert settled - kept <= 1
    browser_page.wait_for_timeout(2500)  # the job is gone: the curve stops growing
    assert loss_points(browser_page) == settled
    expect(browser_page.locator("#status-alert")).to_contain_text("Cancelled")
    deadline = time.monotonic() + 20
    while "Terminating" not in celery_site.worker_output():
        assert time.monotonic() < deadline, "the worker never terminated the cancelled job"
        time.sleep(0.2)
    task = re.findall(r"Terminating (\S+)", celery_site.worker_output())[-1]
    while not re.search(rf"\[{task}\] (succeeded|raised)", celery_site.worker_output()):
        assert time.monotonic() < deadline, f"the cancelled task {task} never ended"
        time.sleep(0.2)
    # The SIGTERM ends the job, not the pool child that ran it: it stays, ready for the next
    # job without importing TensorFlow again (were it gone, the worker would start another).
    assert not child.is_running() or _idle(child), f"pool child {child.pid} still trains"
    assert celery_site.runs()[-1]["status"] == "cancelled"
    celery_site.check_worker()

    set_slider(browser_page, "epochs", 2)
    browser_page.click("#train-button")
    _wait_for_text(browser_page, "#status-alert", r"^Finished 2 epochs", celery_site)
    assert loss_points(browser_page) == 2
    assert errors == []


def test_a_search_trains_two_trials_at_once_on_two_workers(
    celery_site: CelerySite, page: tuple[Page, ConsoleErrors]
) -> None:
    """With a second worker, a search (two trials at once, LSTM_LAB_PARALLEL_TRIALS) runs
    on both: the search's job on one worker, a helper task on the other, two trials of one
    study training at the same time, the study in the shared journal."""
    browser_page, errors = page
    with ExitStack() as stack:
        celery_site.add_worker(stack, "second-worker")
        open_app(browser_page, celery_site.url)
        set_slider(browser_page, "epochs", 6)
        open_search(browser_page)
        search_range(browser_page, "units", 4, 12)
        set_budget(browser_page, 4)
        browser_page.locator("label[for='search-pruning']").click()  # pruning off
        browser_page.click("#search-button")
        try:
            expect(browser_page.locator("#search-status")).to_contain_text(
                "Search finished: 4 trials (4 complete)", timeout=3 * JOB_TIMEOUT_MS
            )
        except AssertionError:
            celery_site.check_worker()
            raise
    journals = list((celery_site.data_dir / "studies").glob("*.journal"))
    assert len(journals) == 1
    trials = open_study(journals[0], journals[0].stem).study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 4
    workers = {t.user_attrs["worker"] for t in trials}
    assert len(workers) == 2, f"one worker ran every trial: {workers}"
    assert trained_together(trials), "the two workers never trained at the same time"
    assert errors == []
    celery_site.check_worker()


def test_redis_stopped_and_restarted_mid_run(
    celery_site: CelerySite, page: tuple[Page, ConsoleErrors]
) -> None:
    """Redis goes away for a while during a run: the page says so in a sentence (no 500),
    the worker trains on, and the page catches up when Redis is back. (Last in this module:
    it restarts Redis empty.)"""
    browser_page, _ = page
    open_app(browser_page, celery_site.url)
    set_slider(browser_page, "units", 8)
    set_slider(browser_page, "layers", 1)
    set_slider(browser_page, "epochs", 40)
    browser_page.click("#train-button")
    wait_for_loss_points(browser_page, 2, timeout_ms=JOB_TIMEOUT_MS)
    celery_site.redis.terminate()
    celery_site.redis.wait(timeout=10)
    status = browser_page.locator("#status-alert")
    expect(status).to_contain_text("job queue is not reachable", timeout=20_000)
    down_at = len(celery_site.runs()[-1]["history"]["loss"])
    deadline = time.monotonic() + 60  # the worker trains on without Redis
    while len(celery_site.runs()[-1]["history"]["loss"]) < down_at + 2:
        assert time.monotonic() < deadline, "the worker stopped training while Redis was down"
        time.sleep(0.5)
    celery_site.restart_redis()
    _wait_for_text(browser_page, "#status-alert", r"^Finished 40 epochs", celery_site)
    expect(browser_page.locator("#train-button")).to_be_enabled()
    assert celery_site.runs()[-1]["status"] == "finished"
    # Train while Redis is down: one sentence, Train usable again, nothing sent or stored
    runs = celery_site.runs()
    celery_site.redis.terminate()
    celery_site.redis.wait(timeout=10)
    browser_page.click("#train-button")
    expect(status).to_contain_text("queue is not reachable; nothing was started", timeout=20_000)
    expect(browser_page.locator("#train-button")).to_be_enabled()
    assert celery_site.runs() == runs
    celery_site.restart_redis()
    server_log = next(celery_site.data_dir.parent.glob("server-*.log")).read_text()
    assert "Traceback" not in server_log and " 500 " not in server_log, server_log[-3000:]
