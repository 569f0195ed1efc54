"""ResilientCeleryManager with Redis down: a real Celery app and redis client pointed at a
closed local port (nothing mocked), driven through Dash's own callback routes."""

from __future__ import annotations

import base64
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import current_task
from dash import Dash, Input, Output, dcc, html
from dash import _callback_signing as signing

from dashboard import celery_jobs, lifecycle
from dashboard.celery_jobs import (
    NOT_SENT,
    ResilientCeleryManager,
    answer_when_not_sent,
    make_celery,
    not_sent_message,
    queue_reachable,
)
from dashboard.jobs import run_training
from dashboard.ml.config import TrainConfig
from dashboard.payloads import History, LiveState
from dashboard.settings import Settings
from dashboard.store import Store
from tests.server import free_port, redis_skipped, start_redis

PRESS = {
    "output": "result.data",
    "outputs": {"id": "result", "property": "data"},
    "inputs": [{"id": "train", "property": "n_clicks", "value": 1}],
    "changedPropIds": ["train.n_clicks"],
    "state": [],
}
CANCEL = {
    "output": "cancel.id",
    "outputs": {"id": "cancel", "property": "id"},
    "inputs": [{"id": "cancel", "property": "n_clicks", "value": 1}],
    "changedPropIds": ["cancel.n_clicks"],
    "state": [],
}
REFUSAL = {"status": "failed", "message": not_sent_message("Train")}


class Site:
    """A Dash app whose one background callback goes through the manager, and its port."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()  # nothing listens on it: Redis is down
        settings = Settings(data_dir=tmp_path / "data", redis_url=self.url)
        self.manager = ResilientCeleryManager(make_celery(settings), cancel_retry_s=60)
        self.app = Dash(__name__, background_callback_manager=self.manager)
        self.app.layout = html.Div(
            [html.Button(id="train"), html.Button(id="cancel"), dcc.Store(id="result")]
        )

        @self.app.callback(
            Output("result", "data"),
            Input("train", "n_clicks"),
            background=True,
            cancel=[Input("cancel", "n_clicks")],
            prevent_initial_call=True,
        )
        def train(clicks: int) -> dict[str, Any]:
            """The job: never run here (no worker)."""
            return {"status": "finished", "clicks": clicks}

        answer_when_not_sent(self.manager, "result", lambda: REFUSAL)
        self.client = self.app.server.test_client()
        assert self.client.get("/").status_code == 200  # Dash sets up its routes

    @property
    def url(self) -> str:
        """The Redis URL of the site."""
        return f"redis://127.0.0.1:{self.port}/0"

    def post(self, body: dict[str, Any], **args: str) -> Any:
        """One callback request as the renderer makes it; its answer (never a 500)."""
        answer = self.client.post("/_dash-update-component", json=body, query_string=args)
        assert answer.status_code in (200, 204), answer.get_data(as_text=True)[-2000:]
        return answer.get_json(silent=True)

    def signed_job(self, job: str) -> str:
        """A job handle as Dash hands it to the page (signed for this page load)."""
        secret = self.app._get_signing_secret()
        return str(signing.sign(secret, signing.job_scope(None), job))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The site, with the kept Cancels resent every 0.2 s instead of every 2 s."""
    monkeypatch.setattr(celery_jobs, "CANCEL_RETRY_S", 0.2)
    yield Site(tmp_path)


def test_train_with_redis_down_is_answered_in_a_sentence_and_sends_nothing(site: Site) -> None:
    assert not queue_reachable(site.manager)
    started = time.monotonic()
    handles = site.post(PRESS)
    assert time.monotonic() - started < 5, "the press waited on Redis"
    job = signing.unsign(site.app._get_signing_secret(), signing.job_scope(None), handles["job"])
    assert job == NOT_SENT + "result"
    poll = site.post(PRESS, cacheKey=handles["cacheKey"], job=handles["job"])
    assert poll["response"]["result"]["data"] == REFUSAL
    assert REFUSAL["message"].startswith("The job queue is not reachable;")
    assert not site.manager.job_running(job)


def test_cancel_with_redis_down_answers_and_is_kept_until_redis_is_back(
    site: Site, tmp_path: Path
) -> None:
    task = "0b6a2f5e-cancelled-while-redis-was-down"
    started = time.monotonic()
    assert site.post(CANCEL, cancelJob=site.signed_job(task))["response"] == {}  # no update
    assert time.monotonic() - started < 5, "the Cancel waited on Redis"
    assert site.manager.pending_cancels() == [task]  # kept, not lost
    if redis_skipped():
        pytest.skip("redis-server is not installed: the kept Cancel's delivery is not tried")
    with ExitStack() as stack:
        start_redis(tmp_path, stack, site.port)  # Redis is back, on the same port
        client = stack.enter_context(redis.Redis(port=site.port))
        control = stack.enter_context(client.pubsub())
        control.psubscribe("*pidbox*")  # where Celery broadcasts its control commands
        deadline = time.monotonic() + 20
        while not _revoked(control, task):
            assert time.monotonic() < deadline, "the kept Cancel was not sent when Redis was back"
        assert client.get(lifecycle.CANCEL_KEY + task), (
            "sent unmarked: the job takes it for a shutdown"
        )
        site.manager.handle.backend.store_result(task, None, "REVOKED")  # the worker's word
        while site.manager.pending_cancels():  # an ended task is not cancelled again
            assert time.monotonic() < deadline, "the Cancel of an ended task is still resent"
            time.sleep(0.1)
        handles = site.post(PRESS)  # and the next press is sent as usual
        assert not str(handles["job"]).startswith(NOT_SENT)


def _revoked(control: Any, task: str) -> bool:
    """Whether the next broadcast on the control channel terminates `task`."""
    message = control.get_message(ignore_subscribe_messages=True, timeout=1.0)
    if message is None:
        return False
    command = json.loads(base64.b64decode(json.loads(message["data"])["body"]))
    return bool(command["method"] == "revoke" and command["arguments"]["task_id"] == task)


@pytest.mark.skipif(redis_skipped(), reason="redis-server is not installed")
@pytest.mark.parametrize("pressed", [True, False], ids=["cancel", "shutdown"])
def test_a_sigterm_is_recorded_as_a_cancel_only_when_one_was_pressed(
    tmp_path: Path, pressed: bool
) -> None:
    """On Celery a Cancel is a SIGTERM to the task's pool child, as a worker going down is.
    The manager marks the task in Redis before sending it, so the run is recorded
    cancelled even when the signal lands before the page's own record of the press (the
    browser sends those two requests in either order); an unmarked SIGTERM is a shutdown.

    Real Redis, the real manager and a real run; the task runs eagerly, in this (main)
    thread as in a pool child, and the SIGTERM comes from itself after its second epoch."""
    with ExitStack() as stack:
        url, _ = start_redis(tmp_path, stack)
        settings = Settings(data_dir=tmp_path / "data", redis_url=url)
        manager = ResilientCeleryManager(make_celery(settings))
        config = TrainConfig(units=4, layers=1, dense_units=0, seq_len=10, epochs=20)

        @manager.handle.task(name="lstm-lab-test-sigterm")
        def train() -> LiveState:
            def after(epoch: int, history: History) -> None:
                if len(history["loss"]) == 2:
                    if pressed:  # Dash's cancel route, before the page records the press
                        manager.terminate_job(current_task.request.id)
                    os.kill(os.getpid(), signal.SIGTERM)

            return run_training(settings, config, "s1", lambda state: None, on_epoch=after)

        final = train.apply().get()
        record = Store.from_settings(settings).get_run(final["run_id"], series=False)
    done = len(record["history"]["loss"])
    assert done == 2
    if pressed:
        expected = ("cancelled", lifecycle.cancelled_message(done, config.epochs))
    else:
        expected = ("stopped", lifecycle.interrupted_message(done))
    assert (record["status"], record["message"]) == expected
    assert (final["status"], final["message"]) == expected
