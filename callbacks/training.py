"""Train, Cancel, and drawing the live state: thin wiring around dashboard.jobs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, NamedTuple

from dash import Dash, Input, Output, Patch, State, no_update

from dashboard import ids, jobs, lifecycle, sessions, steer
from dashboard.background import slots_cache
from dashboard.celery_jobs import answer_when_not_sent, not_sent_message, queue_reachable
from dashboard.control_state import config_from_controls, data_deps, setting_deps, setting_value
from dashboard.figures import common as figures
from dashboard.figures.runs import run_prediction_figure
from dashboard.layout import results
from dashboard.layout.panels import RUNS_TAB
from dashboard.ml.backend import badge_text
from dashboard.ml.params import PARAMS
from dashboard.payloads import DatasetMeta, LiveState
from dashboard.settings import Settings
from dashboard.store import NotFound, Store

CANCEL_KEPT = "the job queue is not reachable, so the job stops when it is back; "

# In the browser, on every change of ids.LIVE: the facets of it that views wait for, each
# passed on only when it changes (ids.LIVE_PHASE, ids.LIVE_PRED), and LIVE itself only while
# the Runs tab shows it (ids.LIVE_ON_RUNS). Each server callback listening to LIVE would be
# one more request per epoch per page; listening to these, views are asked only when there
# is something new to draw.
LIVE_FACETS_JS = """
function(live, tab, phase, pred) {
    const no = window.dash_clientside.no_update;
    const scored = !!(live && live.scores && Object.keys(live.scores).length);
    const nowPhase = live ? [live.run_id, live.status, !!live.paused, scored].join(":") : null;
    const nowPred = live ? [live.run_id, live.pred_epoch || 0, "extras" in live].join(":") : null;
    return [
        nowPhase === phase ? no : nowPhase,
        nowPred === pred ? no : nowPred,
        tab === "{runs}" ? live : no,
    ];
}
""".replace("{runs}", RUNS_TAB)


def register(
    app: Dash, settings: Settings, store: Store, manager: Any
) -> dict[str, Callable[..., Any]]:
    """Wire the background training job and everything that shows its progress."""
    return {
        **_register_job(app, settings, store, manager),
        **_register_views(app, store),
        **_register_steering(app, store),
    }


def _register_job(
    app: Dash, settings: Settings, store: Store, manager: Any
) -> dict[str, Callable[..., Any]]:
    """Train (a background job), Cancel, and the state they leave in ids.LIVE."""
    slots = slots_cache(manager)

    @app.callback(
        Output(ids.RESULT, "data"),
        Input(ids.TRAIN, "n_clicks"),
        State(ids.SESSION, "data"),
        State(ids.PAGE, "data"),  # identical clicks from two page loads must not share a job
        *data_deps(State),
        *setting_deps(State),
        background=True,
        manager=manager,
        progress=[Output(ids.LIVE, "data")],
        running=[
            (Output(ids.TRAIN, "disabled"), True, False),
            (Output(ids.CANCEL, "disabled"), False, True),
            (Output(ids.PAUSE, "disabled"), False, True),
            (Output(ids.SEARCH_START, "disabled"), True, False),
        ],
        cancel=[Input(ids.CANCEL, "n_clicks")],
        interval=settings.poll_interval_ms,
        prevent_initial_call=True,
    )
    def train(
        set_progress: Any,
        _clicks: int,
        session: str,
        _page: str,
        meta: DatasetMeta | None,
        target: str | None,
        split: list[int],
        *raw: float,
    ) -> LiveState:
        """Run one training in a job process, streaming its whole state after each epoch."""
        config = config_from_controls(meta, target, split, raw)
        try:
            owner = sessions.verify(Store.from_settings(settings), session)
        except sessions.InvalidSession as refused:  # nothing trains, nothing is stored
            return jobs.live_state(Store.new_run_id(), "failed", refused.message)
        return jobs.run_training(
            settings, config, owner, lambda state: set_progress([state]), slots
        )

    answer_when_not_sent(  # Redis down: nothing is sent, the press is answered so
        manager,
        ids.RESULT,
        lambda: jobs.live_state(Store.new_run_id(), "failed", not_sent_message("Train")),
    )

    # Said in the browser at once: a Celery job says nothing until a worker takes it.
    app.clientside_callback(
        """() => ["Submitted: waiting for a free training worker…", "info"]""",
        Output(ids.STATUS, "children", allow_duplicate=True),
        Output(ids.STATUS, "color", allow_duplicate=True),
        Input(ids.TRAIN, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.LIVE, "data", allow_duplicate=True),
        Input(ids.RESULT, "data"),
        prevent_initial_call=True,
    )
    def finish(result: LiveState) -> LiveState:
        """Show the final state. (Inputs fed by a running callback wait for it to end,
        so the views listen to LIVE alone, and the result reaches them through here.)"""
        return result

    @app.callback(
        Output(ids.LIVE, "data", allow_duplicate=True),
        Input(ids.CANCEL, "n_clicks"),
        State(ids.LIVE, "data"),
        prevent_initial_call=True,
    )
    def mark_cancelled(_clicks: int, live: LiveState | None) -> Any:
        """Keep the curves drawn so far and say that the run was cancelled (and, with the
        job queue down, that the job stops when it is back: the manager keeps the Cancel)."""
        if not live:
            return no_update
        later = "" if queue_reachable(manager) else CANCEL_KEPT
        state: LiveState = {
            **live,
            "status": "cancelled",
            "message": lifecycle.cancelled_message(
                live.get("epoch", 0), live.get("epochs", 0), later
            ),
        }
        with contextlib.suppress(NotFound):  # cancelled while queued: nothing stored yet
            store.update_run(live["run_id"], status="cancelled", message=state["message"])
        return state

    return {"train": train, "finish": finish, "mark_cancelled": mark_cancelled}


class ShownState(NamedTuple):
    """show_state's outputs, in Output order; what a branch leaves out stays as it is."""

    loss_figure: Any = no_update
    progress: Any = no_update
    progress_text: Any = no_update
    status: Any = no_update
    status_color: Any = no_update
    signal: Any = no_update
    signal_open: Any = no_update
    metrics: Any = no_update
    device_badge: Any = no_update


def pause_label(state: LiveState) -> Any:
    """Pause or Resume, as the job says; unchanged while it trains (a press has just set
    it, and an older report must not flip it back)."""
    if state["status"] != "running":
        return "Pause"
    return "Resume" if state.get("paused") else no_update


def shown_state(state: LiveState) -> ShownState:
    """What the Training tab shows of a job's state."""
    percent, text = results.progress(state)
    signal, signal_open = results.signal(state)
    return ShownState(
        loss_figure=results.loss_patch(state),
        progress=percent,
        progress_text=text,
        status=results.status_message(state),
        status_color=results.STATUS_COLORS.get(state["status"], "light"),
        signal=signal,
        signal_open=signal_open,
        metrics=results.metrics_table(
            state.get("scores", {}), state.get("device", ""), state.get("parameters", 0)
        ),
        device_badge=ran_on(state),
    )


def _register_views(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """The loss chart, progress, status, scores and predictions drawn from ids.LIVE."""
    app.clientside_callback(
        LIVE_FACETS_JS,
        Output(ids.LIVE_PHASE, "data"),
        Output(ids.LIVE_PRED, "data"),
        Output(ids.LIVE_ON_RUNS, "data"),
        Input(ids.LIVE, "data"),
        State(ids.TABS, "active_tab"),
        State(ids.LIVE_PHASE, "data"),
        State(ids.LIVE_PRED, "data"),
    )

    @app.callback(
        Output(ids.LOSS_GRAPH, "figure"),
        Output(ids.PROGRESS, "value"),
        Output(ids.PROGRESS_TEXT, "children"),
        Output(ids.STATUS, "children"),
        Output(ids.STATUS, "color"),
        Output(ids.SIGNAL, "children"),
        Output(ids.SIGNAL, "is_open"),
        Output(ids.METRICS, "children"),
        Output(ids.DEVICE_BADGE, "children"),
        Input(ids.LIVE, "data"),
        prevent_initial_call=True,
    )
    def show_state(state: LiveState | None) -> ShownState:
        """Draw the newest state: loss curves, progress, status, signal, scores."""
        return shown_state(state) if state else ShownState()

    @app.callback(
        Output(ids.LOSS_GRAPH, "figure", allow_duplicate=True),
        Input(ids.LOG_SCALE, "value"),
        prevent_initial_call=True,
    )
    def toggle_log(log_y: bool) -> Patch:
        """Switch the loss axis between log and linear."""
        patch = Patch()
        patch["layout"]["yaxis"]["type"] = "log" if log_y else "linear"
        return patch

    @app.callback(
        Output(ids.PRED_GRAPH, "figure"),
        Output(ids.PRED_SHOWN, "data"),
        State(ids.LIVE, "data"),
        State(ids.PRED_SHOWN, "data"),
        State(ids.SESSION, "data"),
        Input(ids.LIVE_PRED, "data"),
    )
    def show_predictions(
        state: LiveState | None, shown: list[Any] | None, session: str, _pred: Any = None
    ) -> tuple[Any, Any]:
        """Redraw prediction vs actual only when the job saved newer predictions, or when
        the run ends (its extras: roll-out, forecast past the end, interval band)."""
        if not state:
            return figures.empty_figure("Predictions appear here while the model trains."), None
        latest = [state["run_id"], state.get("pred_epoch", 0), "extras" in state]
        if not latest[1] or latest == shown:
            return no_update, no_update
        figure = _prediction_figure(store, state["run_id"], session)
        return (figure, latest) if figure is not None else (no_update, no_update)

    return {
        "show_state": show_state,
        "toggle_log": toggle_log,
        "show_predictions": show_predictions,
    }


def _register_steering(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Pause/Resume, and the learning-rate slider steering the run that trains."""

    @app.callback(
        Output(ids.PAUSE, "children", allow_duplicate=True),
        Output(ids.STEER_NOTE, "children"),
        Input(ids.PAUSE, "n_clicks"),
        State(ids.LIVE, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def pause(_clicks: int, live: LiveState | None, session: str) -> tuple[str, str]:
        """Pause the session's training run, or let it go on."""
        return steer.pause_or_resume(store, live, session)

    @app.callback(
        Output(ids.PAUSE, "children", allow_duplicate=True),
        State(ids.LIVE, "data"),
        Input(ids.LIVE_PHASE, "data"),
        prevent_initial_call=True,
    )
    def show_paused(state: LiveState | None, _phase: Any = None) -> Any:
        """The button says Resume while the job says it is paused."""
        return pause_label(state) if state else no_update

    @app.callback(
        Output(ids.STEER_NOTE, "children", allow_duplicate=True),
        Input(ids.slider("learning_rate"), "value"),
        State(ids.LIVE, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def live_rate(position: float | None, live: LiveState | None, session: str) -> str:
        """While a run trains, the learning rate set here is its rate from the next batch."""
        rate = PARAMS["learning_rate"].clean(setting_value("learning_rate", position))
        return steer.set_live_rate(store, live, session, rate)

    return {"pause": pause, "show_paused": show_paused, "live_rate": live_rate}


def _prediction_figure(store: Store, run_id: str, session: str) -> Any:
    """The latest predictions of one of this session's runs, or None."""
    try:
        run = store.get_run(run_id)
        owner = sessions.verify(store, session)
    except NotFound:
        return None
    saved = store.get_predictions(run_id)
    if run["session"] != owner or saved is None:
        return None
    return run_prediction_figure(run, *saved)


def ran_on(state: LiveState) -> Any:
    """The device badge after a run: its device and backend ('CPU · JAX'); unchanged while
    the run has not said (a record older than the backend field names its device only)."""
    if not state.get("device"):
        return no_update
    device = state["device"]
    return badge_text(device, state["backend"]) if state.get("backend") else device
