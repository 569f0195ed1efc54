"""The training job: runs in a job process, reports the whole state after every epoch.

Dash-free. `run_training` is what the background callback calls; its `report` argument is
Dash's `set_progress` (or any callable), and each report carries everything the page needs,
because the job manager keeps only the newest report between two polls of the page.
"""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, Unpack

import diskcache
import numpy as np
import psutil

from dashboard import lifecycle
from dashboard.job_queue import alive as _alive
from dashboard.job_queue import busy_message, queue_message
from dashboard.ml.config import TrainConfig, check, split_rows
from dashboard.ml.lr_finder import short as rate_text
from dashboard.ml.season import resolve_season
from dashboard.ml.sequences import class_names
from dashboard.payloads import History, LiveState, LrChange, Outcome, RunRecord
from dashboard.settings import Settings
from dashboard.store import SNAPSHOT, SNAPSHOT_PART, NotFound, Store

log = logging.getLogger(__name__)

Report = Callable[[LiveState], None]
# Called after each epoch with (epoch, history so far); a sentence asks the run to stop
# there, and becomes its message (a search prunes a trial this way). None: train on.
EpochObserver = Callable[[int, History], str | None]
SETTLE_S = 0.3  # a live rate applies once the slider has rested this long (a drag is many)
SLOT_PREFIX = "train-slot"
WAITING_KEY = "train-waiting"


class Refused(Exception):
    """The job cannot run; the message is shown in the page as it is."""


def live_state(
    run_id: str,
    status: str,
    message: str = "",
    *,
    epochs: int = 0,
    history: History | None = None,
    epoch_seconds: list[float] | None = None,
    pred_epoch: int | None = None,
    batch: tuple[int, int, float] | None = None,
    lr_changes: list[LrChange] | None = None,
    paused: bool = False,
    **outcome: Unpack[Outcome],
) -> LiveState:
    """The JSON the page renders: status, epoch n/N, the whole history, timings; within a
    long epoch, `batch` (done, per epoch, seconds into the epoch) moves the ETA too; the
    learning rates set while it trained, and whether it is paused (no ETA then)."""
    seconds = epoch_seconds or []
    per_epoch = statistics.median(seconds[1:] or seconds) if seconds else None
    eta = per_epoch * (epochs - len(seconds)) if per_epoch else None
    state: LiveState = {
        "run_id": run_id,
        "status": status,
        "message": message,
        "epoch": len(seconds),
        "epochs": epochs,
        "history": {"loss": [], "val_loss": []} if history is None else history,
        "sec_per_epoch": per_epoch,
        "eta_s": eta,
        **outcome,
    }
    if batch is not None:
        done, steps, into = batch
        this_epoch = into * steps / max(done, 1)  # at the pace of this epoch so far
        state["batch"] = [done, steps]
        state["eta_s"] = max(this_epoch - into, 0.0) + (per_epoch or this_epoch) * max(
            epochs - len(seconds) - 1, 0
        )
    if pred_epoch is not None:
        state["pred_epoch"] = pred_epoch
    if lr_changes:
        state["lr_changes"] = lr_changes
    if paused:
        state["paused"], state["eta_s"] = True, None
    return state


def steering_message(
    epochs_done: int, epochs: int, changes: list[LrChange], paused_at: float | None = None
) -> str:
    """What the page says of a steered run: 'Paused at epoch 6.4 of 50: press Resume to go
    on.', or 'Training: epoch 7 of 50. Learning rate set to 3e-3 at epoch 6.4.' ('' when
    neither: the page's own line)."""
    if paused_at is not None:
        return f"Paused at epoch {round(paused_at, 1):g} of {epochs}: press Resume to go on."
    if not changes:
        return ""
    last = changes[-1]
    return (
        f"Training: epoch {epochs_done} of {epochs}. Learning rate set to "
        f"{rate_text(last['lr'])} at epoch {round(last['epoch'], 1):g}."
    )


def live_rate_refusal(config: dict[str, Any]) -> str | None:
    """Why the learning rate of a run with these settings cannot change while it trains, or
    None when it can (a cosine schedule sets the rate at every batch; the plateau callback
    only lowers whatever rate is set)."""
    if config.get("lr_schedule") == "cosine":
        return (
            "This run's learning rate follows a cosine schedule, so it cannot change while "
            "it trains; the next run starts with the new rate."
        )
    return None


# concurrency ---------------------------------------------------------------------
@contextmanager
def job_slot(
    cache: diskcache.Cache, slots: int, max_waiting: int, on_wait: Callable[[int], None]
) -> Iterator[None]:
    """Hold one of `slots` training slots, leased by (pid, start time).

    A job killed by Cancel (SIGKILL) runs no clean-up; its slot is reclaimed because its
    process is gone. Waiting jobs call on_wait(jobs_ahead) about twice a second.
    """
    me = (os.getpid(), psutil.Process().create_time())
    _join_queue(cache, me, max_waiting)
    key: str | None = None
    try:
        while key is None:
            key = _try_acquire(cache, me, slots)
            if key is None:
                on_wait(_position(cache, me))
                time.sleep(0.5)
        yield
    finally:
        with cache.transact(retry=True):
            if key is not None and cache.get(key) == me:
                cache.delete(key)
            cache.set(WAITING_KEY, [w for w in cache.get(WAITING_KEY, []) if w != me])


def _join_queue(cache: diskcache.Cache, me: tuple[int, float], max_waiting: int) -> None:
    with cache.transact(retry=True):
        waiting = [w for w in cache.get(WAITING_KEY, []) if _alive(w)]
        if len(waiting) >= max_waiting:
            raise Refused(busy_message(len(waiting)))
        cache.set(WAITING_KEY, [*waiting, me])


def _try_acquire(cache: diskcache.Cache, me: tuple[int, float], slots: int) -> str | None:
    with cache.transact(retry=True):
        waiting = [w for w in cache.get(WAITING_KEY, []) if _alive(w)]
        if waiting and tuple(waiting[0]) != me:
            return None  # first come, first served
        for i in range(slots):
            key = f"{SLOT_PREFIX}-{i}"
            if not _alive(cache.get(key)):
                cache.set(key, me)
                cache.set(WAITING_KEY, waiting[1:])
                return key
    return None


def _position(cache: diskcache.Cache, me: tuple[int, float]) -> int:
    waiting = [tuple(w) for w in cache.get(WAITING_KEY, []) if _alive(w)]
    return waiting.index(me) if me in waiting else 0


# the job ---------------------------------------------------------------------------
def run_training(
    settings: Settings,
    config: TrainConfig,
    session: str,
    report: Report,
    slots_cache: diskcache.Cache | None = None,
    *,
    on_epoch: EpochObserver | None = None,
    tag: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> LiveState:
    """Train one run end to end and return its final state; never raises.

    Every state, reported or returned, carries the run's settings (the page compares them).
    `on_epoch` may stop the run after an epoch with a sentence (it is then "stopped" with
    that message); `tag` is kept in the run record (a search's study and trial number);
    `run_id` is the run's id when the caller must know it before the run starts.
    """
    hooks = _Hooks(on_epoch, tag, run_id or Store.new_run_id())
    settings_dict = config.to_dict()

    def tagged(state: LiveState) -> LiveState:
        return {**state, "config": settings_dict}

    def send(state: LiveState) -> None:
        try:
            report(tagged(state))
        except Exception:  # the queue is down: train on, the store has the truth
            log.warning("could not report the progress of a run; training goes on", exc_info=True)

    return tagged(_run(settings, config, session, send, slots_cache, hooks))


class _Hooks(NamedTuple):
    on_epoch: EpochObserver | None
    tag: dict[str, Any] | None
    run_id: str


def _run(
    settings: Settings,
    config: TrainConfig,
    session: str,
    report: Report,
    slots_cache: diskcache.Cache | None,
    hooks: _Hooks,
) -> LiveState:
    store = Store.from_settings(settings)
    run_id = hooks.run_id
    with lifecycle.heartbeat(store, run_id), lifecycle.stop_on_sigterm():
        report(
            live_state(run_id, "queued", "Waiting for a free training slot…", epochs=config.epochs)
        )
        try:
            if slots_cache is None:  # Celery: the worker's concurrency is the limit
                return _train(settings, store, hooks, config, session, report)

            def queued(ahead: int) -> None:
                report(live_state(run_id, "queued", queue_message(ahead), epochs=config.epochs))

            slots, waiting = settings.max_concurrent_jobs, settings.max_queued_jobs
            with job_slot(slots_cache, slots, waiting, queued):
                return _train(settings, store, hooks, config, session, report)
        except (Refused, NotFound) as refusal:
            message = str(refusal) if isinstance(refusal, Refused) else _gone(config)
            return live_state(run_id, "failed", message, epochs=config.epochs)
        except lifecycle.Interrupted:
            return _interrupted(store, run_id, config)
        except Exception as error:  # the page gets a sentence; the log gets the traceback
            log.exception("run %s failed", run_id)
            message = f"Training failed: {_short(error)}"
            with contextlib.suppress(NotFound):  # the record, if made, says so too
                store.update_run(run_id, status="failed", message=message)
            return live_state(run_id, "failed", message, epochs=config.epochs)


def _interrupted(store: Store, run_id: str, config: TrainConfig) -> LiveState:
    """The run's state after a SIGTERM, with the curves so far: cancelled when it was
    Celery's Cancel (the page's record of the press may come before or after the signal),
    stopped when the server or worker went down."""
    cancelled = lifecycle.cancel_requested()
    try:
        record = store.get_run(run_id, series=False)
    except NotFound:  # still queued: nothing trained, nothing to keep
        status, message = (
            ("cancelled", lifecycle.cancelled_message(0, config.epochs))
            if cancelled
            else ("stopped", lifecycle.interrupted_message(0))
        )
        return live_state(run_id, status, message, epochs=config.epochs)
    if record["status"] != "cancelled":
        done = len(record.get("history", {}).get("loss", []))
        if cancelled:
            message = lifecycle.cancelled_message(done, config.epochs)
            record = store.update_run(run_id, status="cancelled", message=message)
        else:
            message = lifecycle.interrupted_message(done)
            record = store.update_run(run_id, status="stopped", message=message)
    return {**lifecycle.state_of(record), "config": config.to_dict()}


def _gone(config: TrainConfig) -> str:
    return f"The dataset {config.dataset!r} is no longer on the server: pick or upload it again."


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


def _train(
    settings: Settings,
    store: Store,
    hooks: _Hooks,
    config: TrainConfig,
    session: str,
    report: Report,
) -> LiveState:
    from dashboard.ml import runtime  # TensorFlow: already imported in a warm job process

    run_id = hooks.run_id
    runtime.configure_threads(settings.tf_intra_threads, settings.tf_inter_threads)
    from dashboard.ml.steering import Control, Steer
    from dashboard.ml.train import train

    dataset = store.load_dataset(config.dataset, session)
    config = resolve_season(config, dataset.frame.index)  # season 0: the data's own season
    values = dataset.values(config.target, config.features)
    problems = check(config, len(values), dataset.name, settings.limits)
    if problems:
        raise Refused(" ".join(problems))
    record = _new_record(run_id, session, config, dataset)
    store.save_run({**record, "tag": hooks.tag} if hooks.tag else record)
    report(live_state(run_id, "running", "Building the model…", epochs=config.epochs))
    deadline = time.monotonic() + settings.job_max_seconds

    live = _Progress(store, run_id, config, report, hooks.on_epoch)
    result = train(
        config,
        values,
        live.on_epoch,
        should_stop=lambda: live.stop_reason is not None or time.monotonic() > deadline,
        on_model=lambda model: _save_model(store, run_id, model),
        steer=Steer(_poll(store, run_id, Control), live.on_change, live.on_pause),
        on_snapshot=lambda model: _save_snapshot(store, run_id, model),
    )
    if live.stop_reason is not None and result.status == "stopped":
        result.message = live.stop_reason
    elif result.status == "stopped" and time.monotonic() > deadline:
        result.message = time_limit_message(result.message, settings.job_max_seconds)
    pred_epoch = live.pred_epoch
    if result.status != "failed":
        pred_epoch = len(result.epoch_seconds)
        store.save_predictions(run_id, pred_epoch, result.predictions)
    outcome: Outcome = {
        "scores": result.scores,
        "device": result.device,
        "backend": result.backend,
        "parameters": result.parameters,
        "best_epoch": result.best_epoch,
        "extras": result.extras,
    }
    history, seconds = result.history, result.epoch_seconds
    store.update_run(
        run_id,
        status=result.status,
        message=result.message,
        history=history,
        epoch_seconds=seconds,
        lr_changes=live.changes,
        **outcome,
    )
    return live_state(
        run_id,
        result.status,
        result.message,
        epochs=config.epochs,
        history=history,
        epoch_seconds=seconds,
        pred_epoch=pred_epoch,
        lr_changes=live.changes,
        **outcome,
    )


def time_limit_message(stopped: str, limit_s: int) -> str:
    """'Stopped after 12 of 300 epochs.' with the reason: the server's time limit."""
    return (
        f"{stopped.removesuffix('.')}: the server's time limit of {limit_s} s a run was "
        "reached (time paused counts)."
    )


class _Progress:
    """A training job's reports: after each epoch (and within a long one), each live rate
    change and each pause; it keeps the newest curves, so every report is whole."""

    def __init__(
        self,
        store: Store,
        run_id: str,
        config: TrainConfig,
        report: Report,
        observer: EpochObserver | None,
    ) -> None:
        self.store, self.run_id, self.config = store, run_id, config
        self.report, self.observer = report, observer
        self.pred_epoch = 0
        self.stop_reason: str | None = None  # the observer's sentence: stop after this epoch
        self.history: History | None = None
        self.seconds: list[float] = []
        self.changes: list[LrChange] = []

    def state(
        self, batch: tuple[int, int, float] | None = None, paused_at: float | None = None
    ) -> LiveState:
        """The run's state while it trains (paused or not)."""
        epochs = self.config.epochs
        return live_state(
            self.run_id,
            "running",
            steering_message(len(self.seconds), epochs, self.changes, paused_at),
            epochs=epochs,
            history=self.history,
            epoch_seconds=self.seconds,
            pred_epoch=self.pred_epoch,
            batch=batch,
            lr_changes=self.changes,
            paused=paused_at is not None,
        )

    def on_epoch(self, update: Any) -> None:
        """An ml.train.EpochUpdate: keep the curves and predictions, report."""
        self.history, self.seconds = update.history, update.epoch_seconds
        if update.batch is not None:  # within a long epoch: where it is, nothing to keep
            self.report(self.state(update.batch))
            return
        if update.predictions is not None:
            self.store.save_predictions(self.run_id, update.epoch, update.predictions)
            self.pred_epoch = update.epoch
        self.store.update_run(self.run_id, history=self.history, epoch_seconds=self.seconds)
        first = update.predictions is None  # each epoch reports once more with predictions
        if self.observer is not None and first and self.stop_reason is None:
            self.stop_reason = self.observer(update.epoch, self.history)
        self.report(self.state())

    def on_change(self, change: dict[str, Any]) -> None:
        """A live learning rate applied: into the record at once, and to the page."""
        self.changes.append(LrChange(**change))  # type: ignore[typeddict-item]
        self.store.update_run(self.run_id, lr_changes=self.changes)
        self.report(self.state())

    def on_pause(self, paused: bool, at: float) -> None:
        """Paused (at `at` epochs) or going on: the page says which."""
        self.report(self.state(paused_at=at if paused else None))


def _poll(store: Store, run_id: str, control: Callable[..., Any]) -> Callable[[], Any]:
    """The job's view of what the page asks (ml.steering.Control, passed in: Keras lives in
    the job only): a rate once the slider has rested SETTLE_S, so a drag is one change."""

    def poll() -> Any:
        wanted = store.control(run_id)
        settled = time.time() - wanted["lr_at"] >= SETTLE_S
        return control(
            lr=wanted["lr"] if settled else None, seq=wanted["seq"], paused=wanted["paused"]
        )

    return poll


def _save_model(store: Store, run_id: str, model: Any) -> None:
    """Keep the trained model as a .keras file in the run's folder (downloads offer it);
    its snapshot during training goes."""
    try:
        model.save(store.artifact_path(run_id, "model.keras", create=True))
        store.update_run(run_id, artifacts=["model.keras"])
        store.artifact_path(run_id, SNAPSHOT).unlink(missing_ok=True)
    except Exception:  # the run's results matter more than its model file
        log.warning("could not save the model of run %s", run_id, exc_info=True)


def _save_snapshot(store: Store, run_id: str, model: Any) -> None:
    """The model as it is now, for the Inside tab during the run: written aside, then
    moved into place, so a reader never opens half a file."""
    try:
        part = store.artifact_path(run_id, SNAPSHOT_PART, create=True)
        model.save(part)
        os.replace(part, store.artifact_path(run_id, SNAPSHOT))
    except Exception:  # the view waits for the next one; the run goes on
        log.warning("could not save a snapshot of run %s", run_id, exc_info=True)


def _new_record(run_id: str, session: str, config: TrainConfig, dataset: Any) -> RunRecord:
    record: RunRecord = {
        "id": run_id,
        "session": session,
        "status": "running",
        "config": config.to_dict(),
        "dataset_name": dataset.name,
        "history": {"loss": [], "val_loss": []},
    }
    if config.task == "classify":
        values = dataset.frame[config.target].to_numpy()
        return {**record, "classes": class_names(values)}
    index = dataset.frame.index
    labels = index.strftime("%Y-%m-%d %H:%M").tolist() if hasattr(index, "strftime") else None
    target = dataset.frame[config.target].to_numpy(dtype=np.float64)
    train_end, val_end = split_rows(len(target), config.train_pct, config.val_pct)
    return {
        **record,
        "series": {"x": labels, "y": target.tolist(), "target": config.target},
        "split": [train_end, val_end],
        "test_start": max(val_end, config.seq_len),
    }
