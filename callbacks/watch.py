"""The watch on an active run: whatever dies (the job, the server, the queue), the page
learns the run's true state from the store within a few seconds and never hangs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, lifecycle, sessions
from dashboard.background import waiting_entry_lost
from dashboard.celery_jobs import queue_reachable
from dashboard.payloads import LiveState
from dashboard.store import NotFound, Store


class Watched(NamedTuple):
    """watch_run's outputs, in Output order."""

    live: Any = no_update
    train_disabled: Any = no_update
    cancel_disabled: Any = no_update


WAIT_LOST = "The server restarted while this training waited for a slot; press Train again."
QUEUE_DOWN = "The job queue is not reachable; retrying… (the run goes on if it started)."


def watched(store: Store, manager: Any, live: LiveState | None, session: str) -> Watched:
    """The run's true state when the page's is out of date (finished unseen, or lost), or
    a sentence while the job queue does not answer."""
    if not live or live.get("status") not in lifecycle.ACTIVE or "run_id" not in live:
        return Watched()
    lost = waiting_entry_lost(manager, live["run_id"])
    if lost is not None:  # still waiting for a slot: no process, no record yet
        if not lost:
            return Watched()
        return Watched(
            live={**live, "status": "failed", "message": WAIT_LOST},
            train_disabled=False,
            cancel_disabled=True,
        )
    try:
        if store.get_run(live["run_id"], series=False)["session"] != session:
            return Watched()
    except NotFound:
        pass  # queued: no record yet; the heartbeat alone tells
    state = lifecycle.true_state(store, live)  # the store first: it outlives the queue
    if state is None:
        return (
            Watched(live={**live, "message": QUEUE_DOWN})
            if not queue_reachable(manager)
            else Watched()
        )
    return Watched(live=state, train_disabled=False, cancel_disabled=True)


def register(app: Dash, store: Store, manager: Any) -> dict[str, Callable[..., Any]]:
    """Wire the watch: ticking while a run is active, and what each tick finds."""
    app.clientside_callback(
        """(live) => !(live && ["queued", "running"].includes(live.status))""",
        Output(ids.WATCH, "disabled"),
        Input(ids.LIVE, "data"),
    )

    @app.callback(
        Output(ids.LIVE, "data", allow_duplicate=True),
        Output(ids.TRAIN, "disabled", allow_duplicate=True),
        Output(ids.CANCEL, "disabled", allow_duplicate=True),
        Input(ids.WATCH, "n_intervals"),
        State(ids.LIVE, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def watch_run(_ticks: int, live: LiveState | None, session: str) -> Watched:
        """Show a run that ended while the page's poll could not tell (server restarted,
        queue unreachable), or whose job died, as the store records it."""
        try:  # the tab's signed token -> its session id (dashboard.sessions)
            session = sessions.verify(store, session)
        except sessions.InvalidSession:
            return Watched()
        return watched(store, manager, live, session)

    return {"watch_run": watch_run}
