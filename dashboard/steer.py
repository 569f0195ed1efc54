"""The page's side of steering a running job: Pause, Resume and a live learning rate, each
asked through the store for a run of the asking session only (ml.steering is the job's
side). Dash-free: callbacks/training.py wires these to the buttons and the slider."""

from __future__ import annotations

from typing import Any

from dashboard import sessions
from dashboard.jobs import live_rate_refusal
from dashboard.ml.lr_finder import short as rate_text
from dashboard.payloads import LiveState, RunRecord
from dashboard.store import NotFound, Store

NOT_TRAINING = "Pause works while a run trains: press Train first."
QUEUED = "The run is still waiting for a training slot; pause or steer it once it trains."
NOT_YOURS = "That run belongs to another session, so this page cannot steer it."


class Refusal(Exception):
    """The run on the page cannot be steered; the message is the sentence for the page."""


def training_run(store: Store, live: LiveState | None, session: Any) -> RunRecord:
    """The record of the run the page shows if it is this session's and training now;
    raises Refusal with the sentence otherwise."""
    if not live or live.get("status") not in ("queued", "running"):
        raise Refusal(NOT_TRAINING)
    try:
        owner = sessions.verify(store, session)
    except sessions.InvalidSession as refused:
        raise Refusal(refused.message) from None
    try:
        record = store.get_run(live["run_id"], series=False)
    except NotFound:  # the record is made when training starts
        raise Refusal(QUEUED) from None
    if record["session"] != owner:
        raise Refusal(NOT_YOURS)
    if record["status"] != "running":
        raise Refusal(NOT_TRAINING)
    return record


def pause_or_resume(store: Store, live: LiveState | None, session: Any) -> tuple[str, str]:
    """Ask the page's run to pause, or to go on if paused: (the button's label, a note)."""
    try:
        record = training_run(store, live, session)
    except Refusal as refusal:
        return "Pause", str(refusal)
    paused = not store.control(record["id"])["paused"]
    store.set_control(record["id"], paused=paused)
    if paused:
        return "Resume", "Pausing after the current batch…"
    return "Pause", "Going on from where it paused."


def set_live_rate(store: Store, live: LiveState | None, session: Any, rate: float) -> str:
    """Ask the page's run, if one trains, for learning rate `rate` from its next batch; the
    note for the page ('' while no run trains: the slider only sets the next run)."""
    if not live or live.get("status") != "running":
        return ""
    try:
        record = training_run(store, live, session)
    except Refusal as refusal:
        return str(refusal)
    fixed = live_rate_refusal(record["config"])
    if fixed:
        return fixed
    store.set_control(record["id"], lr=rate)
    return (
        f"Learning rate {rate_text(rate)}: applies to the running job from its next batch "
        "(and to the next run)."
    )
