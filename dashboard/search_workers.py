"""A search's helpers: the other trial loops of one study, so that its trials train at the
same time (dashboard.search_jobs runs the first loop itself).

Dash-free. On one machine a helper is a child process of the search's job,
`python -m dashboard.search_workers`, whose trainings take job slots like any Train press:
with N slots, up to N trials of a study train at once. Cancel kills the search's job with
its children, so the helpers go with it. With Redis a helper is a Celery task
(`TRIALS_TASK`, registered by dashboard.celery_jobs.make_celery) that any worker may take,
on this machine or another: they all reach the study's journal in the shared data folder.

Either way a helper asks, trains and tells trials until the study's budget is spent, and
stops (its running trial with a sentence) when the search that started it is gone: each
search beats under `search_beat(name)` while it runs, as a training's job does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.settings import Settings

log = logging.getLogger(__name__)

TRIALS_TASK = "lstm_lab.search_trials"
JOB_ENV = "LSTM_LAB_SEARCH_HELPER"  # the helper's study, session and beat, as JSON
STOP_GRACE_S = 10.0
EXIT_S = 5.0  # a helper with no trial left ends by itself within this


def search_beat(study: str) -> str:
    """The heartbeat id of a running search (dashboard.lifecycle.heartbeat)."""
    return f"search-{study}"


@dataclass
class Helpers:
    """The helpers a search started (processes on one machine; none to keep with Celery,
    whose tasks end by themselves once the search's beat has ended)."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self, exit_s: float = 0.0) -> None:
        """Give the helpers `exit_s` to end by themselves (they do once no trial is left);
        then stop the others (SIGTERM: each records its running trial as stopped), and
        SIGKILL what is left after a grace period."""
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(exit_s)
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                log.warning("search helper %d did not stop on SIGTERM; killing it", process.pid)
                process.kill()
                process.wait()


def start_helpers(
    settings: Settings, study: str, session: str, count: int, celery: bool = False
) -> Helpers:
    """Start `count` helper trial loops for the session's `study`: Celery tasks when
    `celery` (the search runs on a worker), else child processes of this one."""
    if count <= 0:
        return Helpers()
    job = [study, session, search_beat(study)]
    if celery:
        _send_tasks(settings, job, count)
        return Helpers()
    env = {**os.environ, **settings.as_env(), JOB_ENV: json.dumps(job)}
    command = [sys.executable, "-m", "dashboard.search_workers"]
    return Helpers([subprocess.Popen(command, env=env) for _ in range(count)])


def _send_tasks(settings: Settings, job: Sequence[str], count: int) -> None:
    """Queue `count` helper tasks through Redis (a bare producer: no worker set-up)."""
    from celery import Celery

    app = Celery("lstm_lab", broker=settings.redis_url, backend=settings.redis_url)
    try:
        for _ in range(count):
            app.send_task(TRIALS_TASK, args=list(job))
    finally:
        app.close()


def run_helper(settings: Settings, study: str, session: str, beat: str) -> int:
    """One helper's work: trial after trial of the study until none is left or the search
    is gone; how many trials it trained."""
    from dashboard import search_jobs  # the job's modules (TensorFlow when training)

    slots = None
    if not settings.redis_url:  # one machine: the trainings take the site's job slots
        import diskcache

        slots = diskcache.Cache(str(settings.cache_dir))
    return search_jobs.trial_loop(settings, study, session, beat, slots)


def main() -> None:
    """`python -m dashboard.search_workers`: a helper started by a search's job."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    study, session, beat = json.loads(os.environ[JOB_ENV])
    trained = run_helper(Settings.from_env(), study, session, beat)
    log.info("search helper for study %s trained %d trial(s)", study, trained)


if __name__ == "__main__":
    main()
