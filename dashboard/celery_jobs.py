"""Jobs through Redis and Celery workers: the Celery app, a manager that rides out a lost
Redis, and whether the queue answers. Used when REDIS_URL is set (dashboard.background)."""

from __future__ import annotations

import logging
import os
from typing import Any

from dash import CeleryManager

from dashboard.search_workers import TRIALS_TASK, run_helper
from dashboard.settings import Settings

log = logging.getLogger(__name__)

try:  # the Celery extra: only a site with Redis has these
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    QUEUE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OperationalError, OSError)
except ImportError:  # pragma: no cover - an install without the Celery extra
    QUEUE_ERRORS = (OSError,)


class ResilientCeleryManager(CeleryManager):
    """CeleryManager that rides out a lost Redis.

    Each poll of the page asks Redis for progress, the result and the task's state; with
    Redis gone, Dash's manager raises and the poll answers 500. Here a poll that cannot
    reach Redis answers "no news yet" (the job is taken to be running), so the page keeps
    polling and catches up when Redis is back; the page's watch says meanwhile that the
    queue is not reachable (`queue_reachable`).
    """

    def _calm(self, method: str, default: Any, *args: Any) -> Any:
        try:
            return getattr(CeleryManager, method)(self, *args)
        except QUEUE_ERRORS:
            log.warning("the job queue (Redis) is not reachable; the page will retry")
            return default

    def get_progress(self, key: Any) -> Any:
        """The newest progress report, or None while Redis is unreachable."""
        return self._calm("get_progress", None, key)

    def result_ready(self, key: Any) -> bool:
        """Whether the result is in; False while Redis is unreachable."""
        return bool(self._calm("result_ready", False, key))

    def get_result(self, key: Any, job: Any) -> Any:
        """The job's result, or 'not yet' while Redis is unreachable."""
        return self._calm("get_result", self.UNDEFINED, key, job)

    def job_running(self, job: Any) -> bool:
        """The task's state; while Redis is unreachable, assumed running (the page waits)."""
        return bool(self._calm("job_running", True, job))

    def get_updated_props(self, key: Any) -> Any:
        """Props set by the job; none while Redis is unreachable."""
        return self._calm("get_updated_props", {}, key)


def queue_reachable(manager: Any) -> bool:
    """False when the jobs go through Redis and Redis does not answer (True on one machine)."""
    if not isinstance(manager, CeleryManager):
        return True
    try:
        return bool(manager.handle.backend.client.ping())
    except QUEUE_ERRORS:
        return False


def make_celery(settings: Settings) -> Any:
    """A Celery app on settings.redis_url whose pool children import TensorFlow once.

    Web processes and workers must build it from the same code (`celery -A
    dashboard.wsgi:celery_app worker -P prefork`): each background callback is a task named
    after a hash of its source, and a worker running older code logs "Received unregistered
    task" while the page waits forever (Celery reports PENDING for unknown tasks).
    """
    from celery import Celery
    from celery.signals import worker_process_init

    app = Celery("lstm_lab", broker=settings.redis_url, backend=settings.redis_url)
    hard_limit = settings.job_max_seconds + 300  # the job stops itself at job_max_seconds
    app.conf.update(
        worker_prefetch_multiplier=1,  # a busy worker reserves no jobs that others could run
        task_acks_late=True,
        task_time_limit=hard_limit,  # prefork only: the backstop if an epoch never ends
        # Redis hands an unacknowledged (running, acks_late) job to another worker after
        # visibility_timeout (default 1 h): keep it above the longest job.
        broker_transport_options={"visibility_timeout": hard_limit + 600},
        worker_proc_alive_timeout=60,  # importing TensorFlow takes longer than the 4 s default
        broker_connection_retry_on_startup=True,
        # With Redis gone, a page's poll must answer within a second or two, not hang in
        # retries: the page says the queue is unreachable and polls again.
        redis_socket_connect_timeout=2,
        redis_socket_timeout=5,
        result_backend_always_retry=False,
        # A progress report (a write to the result backend) retries 20 times a second apart
        # by default: with Redis down, each epoch of a run would then wait 20 s to train on.
        # A second is enough; the run's record in the store is what the page falls back on.
        result_backend_transport_options={
            "retry_policy": {
                "max_retries": 2,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 0.5,
            }
        },
    )

    @app.task(name=TRIALS_TASK)
    def search_trials(study: str, session: str, beat: str) -> int:
        """A search's helper (dashboard.search_workers): trials of its study, until none is
        left or the search is gone."""
        return run_helper(settings, study, session, beat)

    @worker_process_init.connect(weak=False)
    def _warm_up(**_: Any) -> None:
        """In each pool child, after the fork: Keras on the chosen backend, thread pools,
        the device badge."""
        os.environ.update(settings.job_environment)  # before Keras is first imported
        import dashboard.ml.train  # noqa: F401
        from dashboard.ml import runtime

        runtime.configure_threads(settings.tf_intra_threads, settings.tf_inter_threads)
        device = runtime.badge()  # no TensorFlow op: the runtime stays uninitialised
        try:
            app.backend.client.set(DEVICE_KEY, device)
        except Exception:  # the badge is cosmetic; jobs report their device anyway
            log.warning("could not record the worker's device", exc_info=True)
        log.info("%s: pool child %d ready to train on %s", WARM_LOG, os.getpid(), device)

    return app


DEVICE_KEY = "lstm-lab-device"
WARM_LOG = "TensorFlow imported"  # logged by each pool child once it can train
