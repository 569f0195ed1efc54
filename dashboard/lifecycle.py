"""A run's true state, whatever dies: the job's heartbeat, lost jobs, interrupted ones.

Dash-free. A job beats (a time stamp in the store) about once a second from the moment it
starts, queued or training, until it ends. The page's watch (callbacks/watch.py) and the
Runs tab read the store: a run the store has finished reaches the page even when the
page's own poll died (a server restart, Redis gone for a while); a run whose beat stopped
(the process was killed, ran out of memory, its worker vanished) is recorded as failed
at once, with the curves so far, and the page says so within a few seconds.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from dashboard.payloads import LiveState, RunRecord
from dashboard.store import NotFound, Store

log = logging.getLogger(__name__)

BEAT_S = 1.0  # how often a job says it is alive
LOST_AFTER_S = 8.0  # no beat for this long: the job is gone (several missed beats)
ACTIVE = ("queued", "running")
# A Celery task whose Cancel was pressed: CANCEL_KEY + its id, set in Redis before the
# SIGTERM is sent (dashboard.celery_jobs), kept CANCEL_KEEP_S.
CANCEL_KEY = "lstm-lab-cancel:"
CANCEL_KEEP_S = 3600
FINAL = ("finished", "stopped", "cancelled", "failed")


class Interrupted(BaseException):
    """The job was asked to stop (SIGTERM: the server or worker is shutting down).

    A BaseException, as KeyboardInterrupt is: a SIGTERM may land anywhere, also inside an
    `except Exception` that shields a progress report, and must not be swallowed there (the
    job would train on until it is killed, leaving its run recorded as running)."""


@contextlib.contextmanager
def heartbeat(store: Store, run_id: str, every_s: float = BEAT_S) -> Iterator[None]:
    """Beat for `run_id` from a daemon thread while the block runs."""
    done = threading.Event()

    def beat() -> None:
        while not done.is_set():
            try:
                store.beat(run_id)
            except Exception:  # a missed beat is survivable; a dead thread is not
                log.warning("could not record the heartbeat of run %s", run_id, exc_info=True)
            done.wait(every_s)

    store.beat(run_id)  # the first beat before the page hears of the run
    thread = threading.Thread(target=beat, name=f"heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=2 * every_s)
        store.beat(run_id, ended=True)


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into `Interrupted` in the job's main thread (a no-op elsewhere), so a
    server or worker shutting down leaves the run recorded as interrupted, not running."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def lost_message(epochs_done: int, started: bool) -> str:
    """What the page says about a job that vanished."""
    if not started:
        return (
            "The training process stopped unexpectedly before the run started; press Train again."
        )
    return (
        f"The training process stopped unexpectedly at epoch {epochs_done}; the curves so far "
        "are kept. (The server may have run out of memory, or the process was killed.)"
    )


def cancel_requested() -> bool:
    """Whether the SIGTERM that interrupted this job was a Cancel pressed in the page.

    On Celery a Cancel is a SIGTERM to the task's pool child, as a worker going down is;
    the web process marks the task before it sends the signal, so the job can tell the two
    apart whichever of the page's two callbacks (Dash's cancel, the page's record of it)
    runs first. False outside a Celery task, or with Redis gone (then: a shutdown)."""
    try:
        from celery import current_task
    except ImportError:  # an install without the Celery extra
        return False
    task_id = getattr(getattr(current_task, "request", None), "id", None)
    if not task_id:
        return False
    try:
        return bool(current_task.app.backend.client.get(CANCEL_KEY + task_id))
    except Exception:  # Redis gone: take it for a shutdown, said as such
        log.warning("could not ask Redis whether job %s was cancelled", task_id, exc_info=True)
        return False


def cancelled_message(epoch: int, epochs: int, later: str = "") -> str:
    """What the page says about a run cancelled at `epoch`; `later` may say when the
    Cancel takes effect."""
    return f"Cancelled at epoch {epoch} of {epochs}; {later}the curves so far are kept."


def interrupted_message(epochs_done: int) -> str:
    """What the page says about a run the server stopped on its way down."""
    return (
        f"The server shut down at epoch {epochs_done} while this run trained; the curves so "
        "far are kept. Press Train to run it again."
    )


def is_lost(store: Store, run_id: str, now: float | None = None) -> bool:
    """True when the run's job is gone: it has not beaten for LOST_AFTER_S (or never did),
    or it ended (a job that ends cleanly records its run's final state before its last
    beat, so a run still active after it was left behind)."""
    now = time.time() if now is None else now
    beat = store.last_beat(run_id)
    return beat is None or beat.ended or now - beat.at > LOST_AFTER_S


def mark_lost(store: Store, record: RunRecord) -> RunRecord:
    """Record a running run whose job vanished as failed, keeping its curves."""
    done = len(record.get("history", {}).get("loss", []))
    changed = store.update_run(record["id"], status="failed", message=lost_message(done, True))
    return {**record, **changed}


def reap(store: Store, records: list[RunRecord], now: float | None = None) -> list[RunRecord]:
    """`records` with every running one whose job vanished recorded as failed."""
    return [
        mark_lost(store, r) if r["status"] in ACTIVE and is_lost(store, r["id"], now) else r
        for r in records
    ]


def state_of(record: RunRecord) -> LiveState:
    """The live state the page shows for a stored run."""
    seconds = record.get("epoch_seconds", [])
    state: LiveState = {
        "run_id": record["id"],
        "status": record["status"],
        "message": record.get("message", ""),
        "epoch": len(seconds),
        "epochs": int(record["config"].get("epochs", len(seconds))),
        "history": record.get("history", {"loss": [], "val_loss": []}),
        "sec_per_epoch": None,
        "eta_s": None,
        "pred_epoch": len(seconds) if record["status"] != "failed" else 0,
        "config": record["config"],
    }
    for key in ("scores", "device", "backend", "parameters", "best_epoch", "extras"):
        if key in record:
            state[key] = record[key]
    if record.get("lr_changes"):  # the loss chart marks them
        state["lr_changes"] = record["lr_changes"]
    return state


def true_state(store: Store, live: LiveState, now: float | None = None) -> LiveState | None:
    """What really became of the run the page shows as queued or running, when the page
    does not know yet: finished (its poll died), or lost (its job died). None: up to date."""
    run_id = live["run_id"]
    try:
        record: RunRecord | None = store.get_run(run_id, series=False)
    except NotFound:  # still queued: the record is made when training starts
        record = None
    if record is not None and record["status"] in FINAL:
        return state_of(record)
    if not is_lost(store, run_id, now):
        return None
    if record is None:
        message = lost_message(0, started=False)
        return {**live, "status": "failed", "message": message, "eta_s": None}
    return state_of(mark_lost(store, record))
