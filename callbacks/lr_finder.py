"""The learning-rate finder: Find (a background job), Stop, Close, and Use the suggestion:
thin wiring around dashboard.lr_jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, lr_jobs, sessions
from dashboard.background import slots_cache
from dashboard.celery_jobs import answer_when_not_sent, not_sent_message
from dashboard.control_state import config_from_controls, control_value, data_deps, setting_deps
from dashboard.figures.lr_finder import lr_finder_figure
from dashboard.layout.lr_finder import STATUS_COLORS, range_note, usable_rate, use_label
from dashboard.lr_jobs import FinderState
from dashboard.payloads import DatasetMeta
from dashboard.settings import Settings
from dashboard.store import Store


class ShownSweep(NamedTuple):
    """show_lr_sweep's outputs, in Output order."""

    status: Any = no_update
    status_color: Any = no_update
    progress: Any = no_update
    figure: Any = no_update
    use_label: Any = no_update
    use_disabled: Any = no_update


def shown_sweep(state: FinderState) -> ShownSweep:
    """What the dialog shows of a finder state: its sentence, progress, chart, Use button."""
    done, total = state.get("batch", 0), state.get("batches", 0)
    finished = state["status"] == "finished"
    percent = 100 if finished else round(100 * done / total) if total else 0
    suggestion = state.get("suggestion") if finished else None
    rate = usable_rate(suggestion)
    return ShownSweep(
        status=state.get("message", "") + (range_note(suggestion) if finished else ""),
        status_color=STATUS_COLORS.get(state["status"], "light"),
        progress=percent,
        figure=lr_finder_figure(
            state.get("lrs", []), state.get("losses", []), state.get("smoothed", []), suggestion
        ),
        use_label=use_label(rate),
        use_disabled=rate is None,
    )


def register(app: Dash, settings: Settings, manager: Any) -> dict[str, Callable[..., Any]]:
    """Wire the finder's job and its dialog."""
    return {**_register_job(app, settings, manager), **_register_dialog(app)}


def _register_job(app: Dash, settings: Settings, manager: Any) -> dict[str, Callable[..., Any]]:
    """Find: a sweep in a job process, streaming the whole curve so far."""
    slots = slots_cache(manager)

    @app.callback(
        Output(ids.LR_RESULT, "data"),
        Input(ids.LR_FIND, "n_clicks"),
        State(ids.SESSION, "data"),
        State(ids.PAGE, "data"),  # identical clicks from two page loads must not share a job
        *data_deps(State),
        *setting_deps(State),
        background=True,
        manager=manager,
        progress=[Output(ids.LR_LIVE, "data")],
        running=[
            (Output(ids.LR_FIND, "disabled"), True, False),
            (Output(ids.LR_STOP, "disabled"), False, True),
        ],
        cancel=[Input(ids.LR_STOP, "n_clicks"), Input(ids.LR_CLOSE, "n_clicks")],
        interval=settings.poll_interval_ms,
        prevent_initial_call=True,
    )
    def find_lr_rate(
        set_progress: Any,
        _clicks: int,
        session: str,
        _page: str,
        meta: DatasetMeta | None,
        target: str | None,
        split: list[int],
        *raw: Any,
    ) -> FinderState:
        """Sweep the learning rate for the model the controls describe, in a job process."""
        config = config_from_controls(meta, target, split, raw)
        try:
            owner = sessions.verify(Store.from_settings(settings), session)
        except sessions.InvalidSession as refused:
            return lr_jobs.finder_state("failed", refused.message)
        report = lambda state: set_progress([state])  # noqa: E731
        return lr_jobs.run_finder(settings, config, owner, report, slots)

    answer_when_not_sent(  # Redis down: nothing is sent; the press is answered so
        manager, ids.LR_RESULT, lambda: lr_jobs.finder_state("failed", not_sent_message("Find"))
    )
    return {"find_lr_rate": find_lr_rate}


def _register_dialog(app: Dash) -> dict[str, Callable[..., Any]]:
    """Open and close the dialog, draw the sweep, stop it, and use its suggestion."""

    @app.callback(
        Output(ids.LR_MODAL, "is_open"),
        Output(ids.LR_LIVE, "data", allow_duplicate=True),
        Input(ids.LR_FIND, "n_clicks"),
        prevent_initial_call=True,
    )
    def lr_dialog(_clicks: int) -> tuple[bool, FinderState]:
        """Find opens the dialog on a fresh sweep."""
        return True, lr_jobs.finder_state("queued", "Starting the sweep…")

    @app.callback(
        Output(ids.LR_MODAL, "is_open", allow_duplicate=True),
        Input(ids.LR_CLOSE, "n_clicks"),
        Input(ids.LR_USE, "n_clicks"),
        prevent_initial_call=True,
    )
    def lr_close(*_clicks: int | None) -> bool:
        """Close and Use close the dialog."""
        return False

    @app.callback(
        Output(ids.LR_LIVE, "data", allow_duplicate=True),
        Input(ids.LR_RESULT, "data"),
        prevent_initial_call=True,
    )
    def lr_finish(result: FinderState | None) -> Any:
        """Show the sweep's final state (the views listen to LR_LIVE alone)."""
        return result or no_update

    @app.callback(
        Output(ids.LR_LIVE, "data", allow_duplicate=True),
        Input(ids.LR_STOP, "n_clicks"),
        State(ids.LR_LIVE, "data"),
        prevent_initial_call=True,
    )
    def lr_stop(_clicks: int, live: FinderState | None) -> Any:
        """Keep the curve so far and say that the sweep was stopped."""
        if not live or live.get("status") not in ("queued", "running"):
            return no_update
        done = live.get("batch", 0)
        text = f"Stopped at batch {done}: no suggestion; press Find again for a whole sweep."
        return {**live, "status": "stopped", "message": text, "suggestion": None}

    @app.callback(
        Output(ids.LR_STATUS, "children"),
        Output(ids.LR_STATUS, "color"),
        Output(ids.LR_PROGRESS, "value"),
        Output(ids.LR_GRAPH, "figure"),
        Output(ids.LR_USE, "children"),
        Output(ids.LR_USE, "disabled"),
        Input(ids.LR_LIVE, "data"),
        prevent_initial_call=True,
    )
    def show_lr_sweep(state: FinderState | None) -> ShownSweep:
        """Draw the newest state of the sweep."""
        return shown_sweep(state) if state else ShownSweep()

    @app.callback(
        Output(ids.slider("learning_rate"), "value", allow_duplicate=True),
        Input(ids.LR_USE, "n_clicks"),
        State(ids.LR_LIVE, "data"),
        prevent_initial_call=True,
    )
    def use_lr_suggestion(_clicks: int, live: FinderState | None) -> Any:
        """Set the learning-rate control to the suggestion (the box follows the slider)."""
        rate = usable_rate(live.get("suggestion") if live else None)
        return no_update if rate is None else control_value("learning_rate", rate)

    return {
        "lr_dialog": lr_dialog,
        "lr_close": lr_close,
        "lr_finish": lr_finish,
        "lr_stop": lr_stop,
        "show_lr_sweep": show_lr_sweep,
        "use_lr_suggestion": use_lr_suggestion,
    }
