"""Jobs through Redis and Celery workers: the Celery app, a manager that rides out a lost
Redis, and whether the queue answers. Used when REDIS_URL is set (dashboard.background)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from dash import CeleryManager, no_update

from dashboard import lifecycle
from dashboard.search_workers import TRIALS_TASK, run_helper
from dashboard.settings import Settings

log = logging.getLogger(__name__)

try:  # the Celery extra: only a site with Redis has these
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    QUEUE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OperationalError, OSError)
except ImportError:  # pragma: no cover - an install without the Celery extra
    QUEUE_ERRORS = (OSError,)

# The job id of a press the queue did not take (Redis down), followed by its output's id:
# signed and handed to the page like a task id, so any web process answers its polls.
NOT_SENT = "not-sent:"
CANCEL_RETRY_S = 2.0  # how often a Cancel the queue did not take is sent again
# Once Redis answers, how long it is resent until the task has ended: a worker reconnects
# up to 30 s after Redis is back, and a Cancel sent before that never reaches it.
CANCEL_RESEND_S = 60.0


def not_sent_message(button: str) -> str:
    """The page's sentence for a press the job queue did not take."""
    return f"The job queue is not reachable; nothing was started: press {button} again in a moment."


def queue_error(error: BaseException) -> bool:
    """Whether `error` means that the job queue (Redis) does not answer. Celery wraps one:
    a task sent while Redis is down first fails to subscribe to its result, and raises
    RuntimeError from the connection error."""
    return isinstance(error, QUEUE_ERRORS) or isinstance(error.__cause__, QUEUE_ERRORS)


class ResilientCeleryManager(CeleryManager):
    """CeleryManager that rides out a lost Redis.

    Each poll of the page asks Redis for progress, the result and the task's state; with
    Redis gone, Dash's manager raises and the poll answers 500. Here a poll that cannot
    reach Redis answers "no news yet" (the job is taken to be running), so the page keeps
    polling and catches up when Redis is back; the page's watch says meanwhile that the
    queue is not reachable (`queue_reachable`).

    A press (Train, Search) while Redis is down sends nothing and is answered by its
    callback's refusal (`answer_when_not_sent`) with one sentence; a Cancel is kept and sent
    again until the task has ended, so it is not lost with Redis.
    """

    def __init__(
        self,
        celery_app: Any,
        cache_by: Any = None,
        expire: Any = None,
        cancel_retry_s: float = 3600.0,
    ) -> None:
        self.cancel_retry_s = cancel_retry_s  # how long a Cancel waits for Redis at most
        self.not_sent: dict[str, Callable[[], Any]] = {}  # output id -> its refusal
        self._cancels: dict[str, float] = {}  # job -> when to stop sending its Cancel
        self._cancel_lock = threading.Lock()
        self._retrier: threading.Thread | None = None
        super().__init__(celery_app, cache_by, expire)

    def _calm(self, method: str, default: Any, *args: Any) -> Any:
        try:
            return getattr(CeleryManager, method)(self, *args)
        except QUEUE_ERRORS:
            log.warning("the job queue (Redis) is not reachable; the page will retry")
            return default

    def call_job_fn(self, key: Any, job_fn: Any, args: Any, context: Any) -> str:
        """Send the job to the workers and return its task id. With Redis down nothing is
        sent: the job id then makes the press's poll answer with its callback's refusal."""
        try:
            return str(super().call_job_fn(key, job_fn, args, context))
        except Exception as error:
            if not queue_error(error):
                raise
            log.warning(
                "the job queue (Redis) is not reachable; a press was answered without sending "
                "its job (%s)",
                type(error).__name__,
            )
            return NOT_SENT + _output_id(context)

    def terminate_job(self, job: Any) -> None:
        """Stop the task (Cancel, or a finished job); with Redis down, keep the Cancel and
        send it again until the task has ended."""
        if job is None or _not_sent(job):
            return
        if queue_reachable(self):  # a closed port answers at once; a Cancel waits 6 s on it
            try:
                self._terminate(str(job))
                return
            except QUEUE_ERRORS:
                pass
        log.warning("the job queue (Redis) is not reachable; job %s stops when it is back", job)
        with self._cancel_lock:
            self._cancels[str(job)] = time.monotonic() + self.cancel_retry_s
            if self._retrier is None:
                self._retrier = threading.Thread(
                    target=self._send_cancels, name="celery-cancels", daemon=True
                )
                self._retrier.start()

    def _terminate(self, job: str) -> None:
        """Mark the task cancelled, then SIGTERM it: the job tells a Cancel from a worker
        going down by the mark (lifecycle.cancel_requested). Raises QUEUE_ERRORS."""
        self.handle.backend.client.set(lifecycle.CANCEL_KEY + job, 1, ex=lifecycle.CANCEL_KEEP_S)
        self.handle.control.terminate(job)

    def pending_cancels(self) -> list[str]:
        """The jobs whose Cancel waits for Redis (or for the task to end)."""
        with self._cancel_lock:
            return list(self._cancels)

    def _send_cancels(self) -> None:
        """Send each kept Cancel every CANCEL_RETRY_S until its task has ended (or it is
        given up on); a Cancel sent while the worker has not reconnected yet is lost, so
        it is resent for a while after Redis is back. Ends when none is left."""
        while True:
            with self._cancel_lock:
                if not self._cancels:
                    self._retrier = None
                    return
                pending = dict(self._cancels)
            for job, deadline in pending.items():
                now, until = time.monotonic(), deadline
                try:
                    if self.handle.AsyncResult(job).ready():  # ended: revoked, or done
                        until = 0.0
                    else:
                        self._terminate(job)
                        until = min(deadline, now + CANCEL_RESEND_S)
                        log.info("sent the Cancel of job %s again", job)
                except QUEUE_ERRORS:
                    pass  # still down: later
                with self._cancel_lock:
                    if now >= until:
                        self._cancels.pop(job, None)
                    else:
                        self._cancels[job] = until
            time.sleep(CANCEL_RETRY_S)

    def get_progress(self, key: Any) -> Any:
        """The newest progress report, or None while Redis is unreachable."""
        return self._calm("get_progress", None, key)

    def result_ready(self, key: Any) -> bool:
        """Whether the result is in; False while Redis is unreachable."""
        return bool(self._calm("result_ready", False, key))

    def get_result(self, key: Any, job: Any) -> Any:
        """The job's result, or 'not yet' while Redis is unreachable; for a press the queue
        did not take, its callback's refusal."""
        if _not_sent(job):
            answer = self.not_sent.get(str(job).removeprefix(NOT_SENT))
            return answer() if answer is not None else no_update
        return self._calm("get_result", self.UNDEFINED, key, job)

    def job_running(self, job: Any) -> bool:
        """The task's state; while Redis is unreachable, assumed running (the page waits)."""
        if _not_sent(job):
            return False
        return bool(self._calm("job_running", True, job))

    def get_updated_props(self, key: Any) -> Any:
        """Props set by the job; none while Redis is unreachable."""
        return self._calm("get_updated_props", {}, key)


def answer_when_not_sent(manager: Any, output: str, result: Callable[[], Any]) -> None:
    """What the background callback writing `output` answers when the job queue did not
    take its press (Redis down): its own refusal, with `not_sent_message`. A no-op with
    the one-machine manager."""
    if isinstance(manager, ResilientCeleryManager):
        manager.not_sent[output] = result


def _not_sent(job: Any) -> bool:
    return isinstance(job, str) and job.startswith(NOT_SENT)


def _output_id(context: Any) -> str:
    """The id of the (first) output of the callback whose job `context` describes."""
    outputs = (context or {}).get("outputs_list")
    first = outputs[0] if isinstance(outputs, list) and outputs else outputs
    return str(first.get("id", "")) if isinstance(first, dict) else ""


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
