"""The Runs tab: the session's runs listed, compared, replayed, pinned, deleted, shared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, no_update

from dashboard import ids, lifecycle, runs, sessions
from dashboard.figures import runs as figures_runs
from dashboard.layout import run_tables, runs_grid
from dashboard.layout.panels import RUNS_TAB
from dashboard.payloads import LiveState, RunRecord
from dashboard.store import Store


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the Runs tab's table and comparison (runs_focus: the focused run; runs_live:
    the run that trains now)."""
    return {
        **_register_table(app, store),
        **_register_comparison(app, store),
    }


class RunsList(NamedTuple):
    """list_runs' outputs, in Output order."""

    rows: Any = no_update
    columns: Any = no_update
    note: Any = no_update
    parallel: Any = no_update
    focus_options: Any = no_update
    focus: Any = no_update
    body_style: Any = no_update
    empty_style: Any = no_update


def runs_list(store: Store, session: str, focus: str | None) -> RunsList:
    """Every run of the session: the table, the storage note, parallel coordinates, the
    runs to focus on (the one focused stays if it is still there, else the newest)."""
    records = lifecycle.reap(store, store.list_runs(session))  # a vanished job: failed
    names = runs.table_settings(records)
    count, size = store.usage(session)
    known = {record["id"] for record in records}
    shown: dict[str, str] = {}
    hidden = {"display": "none"}
    return RunsList(
        rows=[runs.table_row(record, names) for record in records],
        columns=runs_grid.column_defs(names, searched=any("tag" in r for r in records)),
        note=runs.storage_note(count, size, store.max_runs, store.max_mb),
        parallel=figures_runs.parallel_figure(runs.parallel_axes(records)),
        focus_options=[
            {"label": _option(record), "value": record["id"]} for record in reversed(records)
        ],
        focus=focus if focus in known else (records[-1]["id"] if records else None),
        body_style=shown if records else hidden,
        empty_style=hidden if records else shown,
    )


def _register_table(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """The runs table, the storage note, and deleting runs."""

    @app.callback(
        Output(ids.RUNS_TABLE, "rowData"),
        Output(ids.RUNS_TABLE, "columnDefs"),
        Output(ids.RUNS_NOTE, "children"),
        Output(ids.PARALLEL_GRAPH, "figure"),
        Output(ids.FOCUS_RUN, "options"),
        Output(ids.FOCUS_RUN, "value"),
        Output(ids.RUNS_BODY, "style"),
        Output(ids.RUNS_EMPTY, "style"),
        Input(ids.LIVE_PHASE, "data"),
        Input(ids.RUNS_CHANGED, "data"),
        Input(ids.SESSION, "data"),
        State(ids.FOCUS_RUN, "value"),
    )
    def list_runs(_status: Any, _changed: Any, session: str, focus: str | None) -> RunsList:
        """Every run of the session: the table, the storage note, parallel coordinates."""
        try:
            owner = sessions.verify(store, session)
        except sessions.InvalidSession:  # the page says why (callbacks.session)
            return RunsList(rows=[], body_style={"display": "none"}, empty_style={})
        return runs_list(store, owner, focus)

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
        try:
            session = sessions.verify(store, session)
        except sessions.InvalidSession as refused:
            message = dbc.Alert(refused.message, color="danger", className="py-1 mb-1")
            return no_update, no_update, message, False
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


class Comparison(NamedTuple):
    """compare's outputs, in Output order."""

    loss: Any = no_update
    live_traces: Any = no_update
    predictions: Any = no_update
    differences: Any = no_update
    results: Any = no_update
    baseline_note: Any = no_update


def comparison(
    store: Store, records: list[RunRecord], baseline: str | None, live: LiveState | None
) -> Comparison:
    """The compared runs' loss and prediction overlays, the settings that differ and their
    results, against the pinned baseline when it is among them."""
    pinned = baseline if any(r["id"] == baseline for r in records) else None
    loss, live_traces = figures_runs.runs_loss_overlay(records, pinned, live)
    predictions = {r["id"]: p[1] for r in records if (p := store.get_predictions(r["id"]))}
    return Comparison(
        loss=loss,
        live_traces=live_traces,
        predictions=figures_runs.runs_prediction_overlay(records, predictions, pinned),
        differences=run_tables.diff_table(records, pinned),
        results=run_tables.results_table(records, pinned),
        baseline_note=f"baseline: {runs.run_label(records[0])}" if pinned else "no baseline pinned",
    )


def _register_comparison(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Overlays and differences of the selected runs, and the pinned baseline."""

    @app.callback(
        Output(ids.OVERLAY_LOSS, "figure"),
        Output(ids.OVERLAY_LIVE, "data"),
        Output(ids.OVERLAY_PRED, "figure"),
        Output(ids.DIFF_TABLE, "children"),
        Output(ids.COMPARE_RESULTS, "children"),
        Output(ids.BASELINE_NOTE, "children"),
        Input(ids.RUNS_TABLE, "selectedRows"),
        Input(ids.BASELINE, "data"),
        Input(ids.LIVE_PHASE, "data"),
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
        live: LiveState | None,
    ) -> Comparison:
        """Overlay the selected runs (and the pinned baseline, and a run that trains now)."""
        if tab != RUNS_TAB:
            return Comparison()
        try:
            owner = sessions.verify(store, session)
        except sessions.InvalidSession:
            return Comparison()
        records = store.owned_runs(owner, [baseline, *runs_grid.selected_ids(selected)])
        return comparison(store, records, baseline, live)

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

    return {"compare": compare, "mark_baseline": mark_baseline, "pin": pin}


def _option(record: RunRecord) -> str:
    row = runs.table_row(record, ())
    return f"#{row['number']} · {row['when']} · {row['dataset']} · {row['status']}"
