"""The background job manager: DiskcacheManager on one machine, Celery with Redis beyond.

Jobs never fork the web process. On one machine they fork from a forkserver that has
imported TensorFlow but never run an op (forking after ops hangs the child), which saves
the ~2 s TensorFlow import on every Train press. Celery workers import TensorFlow in
each pool child instead (dashboard/celery_jobs.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

import diskcache
import multiprocess
import psutil
from dash import CeleryManager, DiskcacheManager

from dashboard.celery_jobs import DEVICE_KEY, ResilientCeleryManager, make_celery
from dashboard.job_queue import JobQueue, busy_message, queue_message
from dashboard.ml import backend
from dashboard.payloads import LiveState
from dashboard.settings import Settings

log = logging.getLogger(__name__)

JOB_TTL_S = 7 * 24 * 3600  # how long a job's start time is remembered
# A job id that is a queue token (dashboard.job_queue), not a pid. The colon never occurs in
# a run id (store.valid_run_id), so a run whose id starts like a token is never taken for one.
QUEUED = "queued:"
DISPATCH_S = 0.5  # how often a web process looks whether its waiting jobs may start


def _job_key(pid: int) -> str:
    return f"lstm-lab-job-{pid}"


# What the training job needs, imported once by the forkserver instead of by every job.
# The modules that define the background callbacks join it as they register (see
# ForkserverDiskcacheManager.make_job_fn).
JOB_PRELOAD = ["dashboard.ml.runtime", "dashboard.ml.train", "dashboard.jobs"]


class ForkserverDiskcacheManager(DiskcacheManager):
    """DiskcacheManager whose jobs fork from a TensorFlow-preloaded forkserver."""

    def __init__(
        self,
        cache: diskcache.Cache,
        preload: list[str],
        slots: int = 0,
        max_waiting: int = 30,
        env: dict[str, str] | None = None,
    ) -> None:
        self.preload = list(preload)
        # The Keras backend and its caches: set while the forkserver starts (it starts with
        # the first job), so that it and every job forked from it import Keras on them.
        self.env = dict(env or {})
        self.started: set[int] = set()  # pids of the jobs this process started
        self.warming: Any = None  # on JAX: the child compiling the default run (warm_up)
        self.context = multiprocess.get_context("forkserver")
        self.context.set_forkserver_preload(self.preload)
        # slots > 0: a press beyond the free slots waits as an entry, not as a process
        self.queue = JobQueue(cache, slots, max_waiting) if slots else None
        self._pending: dict[str, tuple[str, Any, Any, Any]] = {}  # token -> Dash's job call
        self._lock = threading.Lock()
        self._dispatcher: threading.Thread | None = None
        super().__init__(cache)  # registers the callbacks defined so far (make_job_fn)

    def make_job_fn(self, fn: Any, progress: Any, key: Any = None) -> Any:
        """Dash's job function for the background callback `fn`, whose module joins the
        forkserver's preload: a job process unpickles `fn` by importing the module that
        defines it, which the forkserver then does once instead of every job. (Callbacks
        registered after the forkserver started still work; their jobs import it.)"""
        module = getattr(fn, "__module__", None)
        if module and module != "__main__" and module not in self.preload:
            self.preload.append(module)
            self.context.set_forkserver_preload(self.preload)
        return super().make_job_fn(fn, progress, key)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> int | str:
        """Start the job in a process forked from the forkserver, or queue it as an entry
        when every slot is taken; return its pid, or its queue token (QUEUED + token)."""
        if self.queue is None:
            return self._start(key, job_fn, args, context)
        admission = self.queue.enter()
        job = QUEUED + admission.token
        if admission.full:  # answered at once, in a sentence, without a process
            self.handle.set(key, queued_state(job, "failed", busy_message(admission.ahead)))
        elif admission.wait:
            with self._lock:
                self._pending[admission.token] = (key, job_fn, args, context)
            self._say_queued(admission.token, key, admission.ahead)
            self._ensure_dispatcher()
        else:
            self._start_queued(admission.token, key, job_fn, args, context)
        return job

    def _start(self, key: str, job_fn: Any, args: Any, context: Any) -> int:
        process = self.context.Process(
            target=job_fn, args=(key, self._make_progress_key(key), args, context)
        )
        with backend.environment(self.env):
            process.start()
        pid = int(process.pid)
        with contextlib.suppress(psutil.NoSuchProcess):  # a job may end at once
            self.handle.set(_job_key(pid), psutil.Process(pid).create_time(), expire=JOB_TTL_S)
        self.started.add(pid)
        return pid

    def _start_queued(self, token: str, key: str, job_fn: Any, args: Any, context: Any) -> None:
        assert self.queue is not None
        try:
            pid = self._start(key, job_fn, args, context)
        except Exception:
            self.queue.failed_to_start(token)
            raise
        self.queue.started(token, pid)

    def _say_queued(self, token: str, key: str, ahead: int) -> None:
        """The waiting press's progress report: its place in the queue."""
        state = queued_state(QUEUED + token, "queued", queue_message(ahead))
        self.handle.set(self._make_progress_key(key), [state])

    def _ensure_dispatcher(self) -> None:
        with self._lock:
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(
                    target=self._dispatch, name="job-queue", daemon=True
                )
                self._dispatcher.start()

    def _dispatch(self) -> None:
        """Start this process's waiting jobs as they reach a free slot; keep their pages
        told of their place. Ends when none waits (the next entry starts it again)."""
        assert self.queue is not None
        told: dict[str, int | None] = {}
        while True:
            with self._lock:
                if not self._pending:
                    self._dispatcher = None
                    return
                mine = list(self._pending)
            for token in self.queue.ready(mine):
                with self._lock:
                    call = self._pending.pop(token, None)
                if call is not None:
                    try:
                        self._start_queued(token, *call)
                    except Exception:
                        log.exception("a queued training could not be started")
            with self._lock:
                waiting = dict(self._pending)
            for token, (key, *_) in waiting.items():
                ahead = self.queue.position(token)
                if ahead is not None and told.get(token) != ahead:
                    self._say_queued(token, key, ahead)
                    told[token] = ahead
            time.sleep(DISPATCH_S)

    def queued_alive(self, job: str) -> bool:
        """True while a queue token waits, starts or runs (False: its entry is gone, e.g.
        the web process that held it ended)."""
        token = job.removeprefix(QUEUED)
        return self.queue is not None and self.queue.active(token)

    # Forkserver children are reaped as soon as they exit, so unlike Dash's default forked
    # jobs they leave no zombie behind: a finished job's pid can vanish between two psutil
    # calls, or be reused by another process. Jobs are therefore known by (pid, start time).
    def _job_process(self, job: Any) -> psutil.Process | None:
        if isinstance(job, str) and job.startswith(QUEUED):
            started = self.queue.job_of(job.removeprefix(QUEUED)) if self.queue else None
            if started is None:
                return None
            job = started[0]
        try:
            pid = int(job)
            process = psutil.Process(pid)
            started = self.handle.get(_job_key(pid))
            if started is None or process.create_time() != started:
                return None
            return None if process.status() == psutil.STATUS_ZOMBIE else process
        except (psutil.NoSuchProcess, TypeError, ValueError):
            return None

    def job_running(self, job: Any) -> bool:
        """True while the job's own process is alive (or, queued, while it waits)."""
        if isinstance(job, str) and job.startswith(QUEUED):
            return self.queued_alive(job)
        return self._job_process(job) is not None

    def terminate_job(self, job: Any) -> None:
        """SIGKILL the job and its children, if it still runs (Cancel, or a finished job);
        a job still waiting just leaves the queue."""
        if job is None:
            return
        if isinstance(job, str) and job.startswith(QUEUED) and self.queue is not None:
            token = job.removeprefix(QUEUED)
            with self._lock:
                self._pending.pop(token, None)
            if self.queue.leave(token):
                return
        with self.handle.transact():  # as Dash does: one killer at a time
            process = self._job_process(job)
            if process is None:
                return
            with contextlib.suppress(psutil.NoSuchProcess):
                for child in process.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        child.kill()
                process.kill()
            with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
                process.wait(1)

    def shutdown(self, grace_s: float = 10.0) -> None:
        """Stop the jobs this process started that still run (the server is going down):
        each gets SIGTERM, records its run as interrupted and exits; SIGKILL after
        `grace_s`. A new server then finds every run in a final state, and no orphan."""
        if self.warming is not None and self.warming.is_alive():  # nothing to keep there
            self.warming.kill()
        alive = [p for p in map(self._job_process, self.started) if p is not None]
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.terminate()
        _, left = psutil.wait_procs(alive, timeout=grace_s)
        for process in left:
            log.warning("job %d did not stop on SIGTERM; killing it", process.pid)
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        if alive:
            log.info("stopped %d running job(s) on shutdown", len(alive))

    def warm_up(self) -> None:
        """Start the forkserver and probe the device, so the first Train press is fast; on
        JAX, then compile the default run's steps into the persistent cache (a daemon child:
        it goes with the server if that stops first)."""
        process = self.context.Process(target=probe_device, args=(self.handle,))
        with backend.environment(self.env):
            process.start()
        process.join()
        if self.env.get("KERAS_BACKEND") == "jax":
            self.warming = self.context.Process(target=compile_default_run, daemon=True)
            self.warming.start()
            self.warming.join()


def waiting_entry_lost(manager: Any, run_id: str) -> bool | None:
    """For a press still waiting in the queue (its run id is a queue token): True when its
    entry is gone (the web process that held it ended); None for any other run id."""
    if not (run_id.startswith(QUEUED) and isinstance(manager, ForkserverDiskcacheManager)):
        return None
    return not manager.queued_alive(run_id)


def queued_state(job: str, status: str, message: str) -> LiveState:
    """The page's state of a Train press that has no job process (yet): waiting, or refused."""
    return {
        "run_id": job,
        "status": status,
        "message": message,
        "epoch": 0,
        "epochs": 0,
        "history": {"loss": [], "val_loss": []},
        "sec_per_epoch": None,
        "eta_s": None,
    }


def make_manager(settings: Settings) -> DiskcacheManager | CeleryManager:
    """CeleryManager when settings.redis_url is set, else the forkserver DiskcacheManager."""
    if settings.redis_url:
        # a Cancel is kept while Redis is down for as long as the task may run
        hard_limit = settings.job_max_seconds + 300
        return ResilientCeleryManager(make_celery(settings), cancel_retry_s=hard_limit)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    return ForkserverDiskcacheManager(
        diskcache.Cache(str(settings.cache_dir)),
        JOB_PRELOAD,
        slots=settings.max_concurrent_jobs,
        max_waiting=settings.max_queued_jobs,
        env=settings.job_environment,
    )


def slots_cache(manager: Any) -> diskcache.Cache | None:
    """The cache that bounds concurrent trainings (None: Celery's worker concurrency does)."""
    return manager.handle if isinstance(manager, DiskcacheManager) else None


def compile_default_run() -> None:
    """In a job process: ml.train.compile_default_run (imported there, where Keras is)."""
    from dashboard.ml.train import compile_default_run as compile_steps

    compile_steps()


def probe_device(cache: diskcache.Cache) -> None:
    """In a job process: record the device and backend jobs train on ('CPU · JAX')."""
    from dashboard.ml.runtime import badge

    cache.set(DEVICE_KEY, badge())


def known_device(manager: Any) -> str:
    """The device found by the start-up probe, or a neutral word until it reports."""
    if isinstance(manager, DiskcacheManager):
        return str(manager.handle.get(DEVICE_KEY, "device: starting…"))
    try:  # set by the pool children of the Celery workers (the newest one wins)
        device = manager.handle.backend.client.get(DEVICE_KEY)
    except Exception:  # Redis down: the page still loads; jobs fail visibly later
        log.warning("could not read the workers' device from Redis", exc_info=True)
        device = None
    return device.decode() if device else "device: Celery workers"


def celery_app_of(app: Any) -> Any:
    """The Celery app behind a Dash app's CeleryManager (None with diskcache)."""
    manager = app._background_manager  # Dash keeps no public accessor
    return getattr(manager, "handle", None) if isinstance(manager, CeleryManager) else None
