"""The Runs tab: the session's runs listed, compared, replayed, pinned, deleted, shared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, no_update

from callbacks import runs_live
from callbacks.runs_live import owned
from dashboard import ids, runs
from dashboard import urls as share
from dashboard.figures import common as figures
from dashboard.figures import runs as figures_runs
from dashboard.layout import run_tables, runs_grid, runs_panel
from dashboard.store import NotFound, Store

# Runs in the browser: passes "<run id>:<status>" on only when it changes, so the table is
# rebuilt when a run starts or ends, not on every progress poll.
RUN_STATUS_JS = """
function(live, previous) {
    const now = live ? live.run_id + ":" + live.status : null;
    return now === previous ? window.dash_clientside.no_update : now;
}
"""


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the Runs tab."""
    return {
        **_register_table(app, store),
        **_register_comparison(app, store),
        **runs_live.register(app, store),
    }


def _register_table(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """The runs table, the storage note, and deleting runs."""
    app.clientside_callback(
        RUN_STATUS_JS,
        Output(ids.RUN_STATUS, "data"),
        Input(ids.LIVE, "data"),
        State(ids.RUN_STATUS, "data"),
    )

    @app.callback(
        Output(ids.RUNS_TABLE, "rowData"),
        Output(ids.RUNS_TABLE, "columnDefs"),
        Output(ids.RUNS_NOTE, "children"),
        Output(ids.PARALLEL_GRAPH, "figure"),
        Output(ids.FOCUS_RUN, "options"),
        Output(ids.FOCUS_RUN, "value"),
        Output(ids.RUNS_BODY, "style"),
        Output(ids.RUNS_EMPTY, "style"),
        Input(ids.RUN_STATUS, "data"),
        Input(ids.RUNS_CHANGED, "data"),
        Input(ids.SESSION, "data"),
        State(ids.FOCUS_RUN, "value"),
    )
    def list_runs(_status: Any, _changed: Any, session: str, focus: str | None) -> tuple:
        """Every run of the session: the table, the storage note, parallel coordinates."""
        records = store.list_runs(session or "")
        names = runs.table_settings(records)
        rows = [runs.table_row(record, names) for record in records]
        count, size = store.usage(session or "")
        note = runs.storage_note(count, size, store.max_runs, store.max_mb)
        options = [
            {"label": _option(record), "value": record["id"]} for record in reversed(records)
        ]
        known = {record["id"] for record in records}
        chosen = focus if focus in known else (records[-1]["id"] if records else None)
        parallel = figures_runs.parallel_figure(runs.parallel_axes(records))
        shown: dict[str, str] = {}
        hidden = {"display": "none"}
        return (
            rows,
            runs_grid.column_defs(names),
            note,
            parallel,
            options,
            chosen,
            *((shown, hidden) if records else (hidden, shown)),
        )

    @app.callback(
        Output(ids.DELETE_RUNS, "disabled"),
        Output(ids.DELETE_RUNS, "children"),
        Input(ids.RUNS_TABLE, "selectedRows"),
    )
    def delete_label(selected: list[dict[str, Any]] | None) -> tuple[bool, str]:
        """Say how many runs Delete would remove."""
        count = len(runs_grid.selected_ids(selected))
        return count == 0, f"Delete {count} selected" if count else "Delete selected"

    @app.callback(
        Output(ids.CLEAR_DIALOG, "is_open"),
        Input(ids.CLEAR_RUNS, "n_clicks"),
        Input(ids.CLEAR_NO, "n_clicks"),
        prevent_initial_call=True,
    )
    def ask_before_clearing(_open: int | None, _keep: int | None) -> bool:
        """Open the 'delete every run?' dialog, or close it."""
        return ctx.triggered_id == ids.CLEAR_RUNS

    @app.callback(
        Output(ids.RUNS_CHANGED, "data"),
        Output(ids.RUNS_TABLE, "selectedRows"),
        Output(ids.RUNS_MESSAGE, "children"),
        Output(ids.CLEAR_DIALOG, "is_open", allow_duplicate=True),
        Input(ids.DELETE_RUNS, "n_clicks"),
        Input(ids.CLEAR_YES, "n_clicks"),
        State(ids.RUNS_TABLE, "selectedRows"),
        State(ids.SESSION, "data"),
        State(ids.RUNS_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def delete_runs(
        _delete: Any,
        _clear: Any,
        selected: list[dict[str, Any]] | None,
        session: str,
        changed: int | None,
    ) -> tuple:
        """Delete the selected runs, or every run of the session."""
        if ctx.triggered_id == ids.CLEAR_YES:
            count = store.clear_session(session)
        else:
            picked = runs_grid.selected_ids(selected)
            count = sum(store.delete_run(run_id, session) for run_id in picked)
        text = f"Deleted {count} run{'s' if count != 1 else ''}."
        message = dbc.Alert(text, color="secondary", duration=4000, className="py-1 mb-1")
        return (changed or 0) + 1, [], message, False

    return {
        "list_runs": list_runs,
        "delete_label": delete_label,
        "ask_before_clearing": ask_before_clearing,
        "delete_runs": delete_runs,
    }


def _register_comparison(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Overlays, differences, the focused run's replay, downloads and share link, pinning."""

    @app.callback(
        Output(ids.OVERLAY_LOSS, "figure"),
        Output(ids.OVERLAY_LIVE, "data"),
        Output(ids.OVERLAY_PRED, "figure"),
        Output(ids.DIFF_TABLE, "children"),
        Output(ids.COMPARE_RESULTS, "children"),
        Output(ids.BASELINE_NOTE, "children"),
        Input(ids.RUNS_TABLE, "selectedRows"),
        Input(ids.BASELINE, "data"),
        Input(ids.RUN_STATUS, "data"),
        Input(ids.TABS, "active_tab"),
        Input(ids.RUNS_CHANGED, "data"),
        State(ids.SESSION, "data"),
        State(ids.LIVE, "data"),
    )
    def compare(
        selected: list[dict[str, Any]] | None,
        baseline: str | None,
        _status: Any,
        tab: str | None,
        _changed: Any,
        session: str,
        live: dict[str, Any] | None,
    ) -> tuple:
        """Overlay the selected runs (and the pinned baseline, and a run that trains now)."""
        if tab != "runs":
            return (no_update,) * 6
        records = owned(store, session, [baseline, *runs_grid.selected_ids(selected)])
        pinned = baseline if any(r["id"] == baseline for r in records) else None
        loss, live_traces = figures_runs.runs_loss_overlay(records, pinned, live)
        predictions = {r["id"]: p[1] for r in records if (p := store.get_predictions(r["id"]))}
        return (
            loss,
            live_traces,
            figures_runs.runs_prediction_overlay(records, predictions, pinned),
            run_tables.diff_table(records, pinned),
            run_tables.results_table(records, pinned),
            f"baseline: {runs.run_label(records[0])}" if pinned else "no baseline pinned",
        )

    @app.callback(
        Output(ids.FOCUS_RUN, "value", allow_duplicate=True),
        Input(ids.RUNS_TABLE, "selectedRows"),
        State(ids.FOCUS_RUN, "value"),
        prevent_initial_call=True,
    )
    def follow_selection(selected: list[dict[str, Any]] | None, focus: str | None) -> Any:
        """Bring the newest selected run into the replay and download card."""
        picked = runs_grid.selected_ids(selected)
        return picked[-1] if picked and focus not in picked else no_update

    @app.callback(
        Output(ids.REPLAY_SLIDER, "marks"),
        Output(ids.REPLAY_SLIDER, "min"),
        Output(ids.REPLAY_SLIDER, "max"),
        Output(ids.REPLAY_SLIDER, "value"),
        Output(ids.RUN_DOWNLOADS, "children"),
        Output(ids.SHARE_LINK, "value"),
        Output(ids.PIN_BASELINE, "children"),
        Input(ids.FOCUS_RUN, "value"),
        Input(ids.BASELINE, "data"),
        Input(ids.RUN_STATUS, "data"),  # a run that ends gains snapshots and a model file
        State(ids.SESSION, "data"),
        State(ids.URL, "href"),
    )
    def focus_run(
        run_id: str | None, baseline: str | None, _status: Any, session: str, href: str
    ) -> tuple:
        """The picked run's replay epochs, its downloads and its share link."""
        pin = "Unpin baseline" if run_id and run_id == baseline else "Pin as baseline"
        try:
            record = store.owned_run(run_id or "", session)
        except NotFound:
            return {}, 0, 1, None, [], "", pin
        epochs = sorted(store.prediction_history(record["id"]))
        marks = {epoch: str(epoch) for epoch in epochs}
        links = runs_panel.download_links(record["id"], available_files(store, record))
        link = _origin(href) + share.share_path(record["id"])
        low, high = min(epochs, default=0), max(epochs, default=1)
        return marks, low, high, high if epochs else None, links, link, pin

    @app.callback(
        Output(ids.REPLAY_GRAPH, "figure"),
        Input(ids.REPLAY_SLIDER, "value"),
        Input(ids.FOCUS_RUN, "value"),
        State(ids.SESSION, "data"),
    )
    def replay(epoch: int | None, run_id: str | None, session: str) -> Any:
        """The focused run's predictions as they were at the chosen epoch."""
        try:
            record = store.owned_run(run_id or "", session)
        except NotFound:
            return figures.empty_figure("Pick a run to replay its predictions.")
        history = store.prediction_history(record["id"])
        if not history:
            return figures.empty_figure("This run kept no predictions.")
        shown = max((e for e in history if epoch is None or e <= epoch), default=min(history))
        latest = shown == max(history)
        return figures_runs.run_prediction_figure(record, shown, history[shown], latest)

    @app.callback(
        Output(ids.RUNS_TABLE, "rowClassRules"),
        Input(ids.BASELINE, "data"),
    )
    def mark_baseline(baseline: str | None) -> dict[str, str]:
        """Set the pinned baseline's row apart in the runs table."""
        return runs_grid.baseline_rule(baseline)

    @app.callback(
        Output(ids.BASELINE, "data"),
        Input(ids.PIN_BASELINE, "n_clicks"),
        State(ids.FOCUS_RUN, "value"),
        State(ids.BASELINE, "data"),
        prevent_initial_call=True,
    )
    def pin(_clicks: int, focus: str | None, baseline: str | None) -> str | None:
        """Pin the focused run as the baseline (or unpin it)."""
        return None if focus == baseline else focus

    return {
        "compare": compare,
        "follow_selection": follow_selection,
        "mark_baseline": mark_baseline,
        "focus_run": focus_run,
        "replay": replay,
        "pin": pin,
    }


def _option(record: dict[str, Any]) -> str:
    row = runs.table_row(record, ())
    return f"#{row['number']} · {row['when']} · {row['dataset']} · {row['status']}"


def _origin(href: str | None) -> str:
    parts = urlsplit(href or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def available_files(store: Store, record: dict[str, Any]) -> set[str]:
    """Which downloads a run offers now."""
    available = {"run.json", "train.zip"}
    if store.get_predictions(record["id"]) is not None:
        available.add("predictions.csv")
    if store.artifact_path(record["id"], "model.keras").is_file():
        available.add("model.keras")
    return available
