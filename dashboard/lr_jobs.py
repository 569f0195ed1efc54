"""The learning-rate finder's job: runs in a job process, reports the whole sweep so far.

Dash-free, and free of Keras at import time (the web process imports it for `finder_state`).
`run_finder` is what the background callback calls; like a training it checks the run's
settings against the server's limits and holds one of the training slots while it sweeps,
so a finder and a training never overload one server between them.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, TypedDict

import diskcache

from dashboard.job_queue import queue_message
from dashboard.jobs import Refused, job_slot
from dashboard.ml.config import TrainConfig, check
from dashboard.ml.season import resolve_season
from dashboard.settings import Settings
from dashboard.store import NotFound, Store

log = logging.getLogger(__name__)
REPORT_S = 0.3  # the sweep reports its curve at most this often (the page polls slower)


class FinderState(TypedDict, total=False):
    """What the finder's modal draws: status, the sweep so far, the suggestion, a sentence."""

    status: str  # "queued" | "running" | "finished" | "failed"
    message: str
    lrs: list[float]
    losses: list[float | None]  # None: not finite (a gap in the chart)
    smoothed: list[float | None]
    suggestion: float | None
    batch: int
    batches: int


def finder_state(status: str, message: str = "", **sweep: Any) -> FinderState:
    """A finder state with empty curves unless given (plain JSON: Celery moves it so)."""
    state: FinderState = {
        "status": status,
        "message": message,
        "lrs": [],
        "losses": [],
        "smoothed": [],
        "suggestion": None,
        "batch": 0,
        "batches": 0,
    }
    state.update(sweep)  # type: ignore[typeddict-item]
    return state


def run_finder(
    settings: Settings,
    config: TrainConfig,
    session: str,
    report: Any,
    slots_cache: diskcache.Cache | None = None,
    batches: int | None = None,
) -> FinderState:
    """Sweep the learning rate for `config` on the session's dataset; never raises: a
    refusal or a failure ends as a "failed" state with one sentence."""

    def send(state: FinderState) -> None:
        try:
            report(state)
        except Exception:  # the queue is down: the sweep is short, it goes on
            log.warning("could not report the progress of a learning-rate sweep", exc_info=True)

    try:
        send(finder_state("queued", "Waiting for a free training slot…"))
        if slots_cache is None:  # Celery: the worker's concurrency is the limit
            return _sweep(settings, config, session, send, batches)
        waited = lambda ahead: send(finder_state("queued", queue_message(ahead)))  # noqa: E731
        with job_slot(slots_cache, settings.max_concurrent_jobs, settings.max_queued_jobs, waited):
            return _sweep(settings, config, session, send, batches)
    except Refused as refusal:
        return finder_state("failed", str(refusal))
    except NotFound:
        return finder_state(
            "failed",
            f"The dataset {config.dataset!r} is no longer on the server: pick or upload it again.",
        )
    except Exception as error:  # the page gets a sentence; the log gets the traceback
        log.exception("learning-rate sweep failed")
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return finder_state("failed", f"The learning-rate sweep failed: {text[:200]}")


def _sweep(
    settings: Settings, config: TrainConfig, session: str, send: Any, batches: int | None
) -> FinderState:
    from dashboard.ml import runtime  # Keras: imported in the job process only

    runtime.configure_threads(settings.tf_intra_threads, settings.tf_inter_threads)
    from dashboard.ml import lr_finder

    store = Store.from_settings(settings)
    dataset = store.load_dataset(config.dataset, session)
    config = resolve_season(config, dataset.frame.index)
    values = dataset.values(config.target, config.features)
    problems = check(config, len(values), dataset.name, settings.limits)
    if problems:
        raise Refused(" ".join(problems))
    total = batches or lr_finder.BATCHES
    send(finder_state("running", "Building the model…", batches=total))
    deadline = time.monotonic() + settings.job_max_seconds
    said = [0.0]
    seen: dict[str, list[float]] = {"lrs": [], "losses": []}

    def on_batch(done: int, rate: float, loss: float) -> bool:
        seen["lrs"].append(rate)
        seen["losses"].append(loss)
        now = time.monotonic()
        if now - said[0] >= REPORT_S:
            said[0] = now
            text = f"Batch {done} of {total}: learning rate {rate:.1e}, loss {loss:.3g}."
            curves = {**seen, "smoothed": lr_finder.smooth(seen["losses"])}
            send(finder_state("running", text, batch=done, batches=total, **curves))
        return now > deadline

    sweep = lr_finder.find_lr(config, values, batches=total, on_batch=on_batch)
    return finder_state(
        "finished",
        sweep.message,
        lrs=sweep.lrs,
        losses=[_finite(v) for v in sweep.losses],
        smoothed=[_finite(v) for v in sweep.smoothed],
        suggestion=sweep.suggestion,
        batch=len(sweep.lrs),
        batches=total,
    )


def _finite(value: float) -> float | None:
    """A loss as JSON can carry it: NaN and infinity become None (a gap in the chart)."""
    return value if math.isfinite(value) else None
