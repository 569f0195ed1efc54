"""The run that trains now, among the others: earlier runs faint behind its curves on the
Training tab, and its curves growing in the Runs tab's overlay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, Patch, State, no_update

from dashboard import ids, runs, sessions
from dashboard.figures import runs as figures_runs
from dashboard.figures import training as figures
from dashboard.layout import runs_grid
from dashboard.layout.panels import RUNS_TAB
from dashboard.payloads import LiveState, LiveTraces, RunRecord
from dashboard.store import Store


def earlier_runs(
    store: Store, session: str, current: str, picked: list[str | None]
) -> list[RunRecord]:
    """The runs to draw behind `current`: the pinned and selected ones, else the last one."""
    chosen = [r for r in store.owned_runs(session, picked) if r["id"] != current]
    if chosen:
        return chosen
    before = [r for r in store.list_runs(session) if r["id"] != current and r.get("history")]
    return before[-1:]


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the faint earlier runs and the growing overlay."""

    @app.callback(
        Output(ids.LOSS_GRAPH, "figure", allow_duplicate=True),
        Output(ids.FAINT_SHOWN, "data"),
        Input(ids.LIVE_PHASE, "data"),
        State(ids.FAINT_SHOWN, "data"),
        State(ids.BASELINE, "data"),
        State(ids.RUNS_TABLE, "selectedRows"),
        State(ids.SESSION, "data"),
        State(ids.LOG_SCALE, "value"),
        prevent_initial_call=True,
    )
    def earlier_runs_behind(
        status: str | None,
        shown: str | None,
        baseline: str | None,
        selected: list[dict[str, Any]] | None,
        session: str,
        log_y: bool,
    ) -> tuple[Any, Any]:
        """When a run starts, lay the earlier runs' val_loss faintly under its loss chart."""
        run_id, _, state = (status or "").partition(":")
        if state not in runs.ACTIVE or run_id == shown:
            return no_update, no_update
        try:
            session = sessions.verify(store, session)
        except sessions.InvalidSession:
            return no_update, no_update
        behind = earlier_runs(store, session, run_id, [baseline, *runs_grid.selected_ids(selected)])
        base = [trace.to_plotly_json() for trace in figures.loss_figure(log_y=log_y).data]
        patch = Patch()
        patch["data"] = [*base, *figures_runs.faint_traces(behind)]  # the run's own curves first
        return patch, run_id

    @app.callback(
        Output(ids.OVERLAY_LOSS, "figure", allow_duplicate=True),
        Input(ids.LIVE_ON_RUNS, "data"),  # the live state, while the Runs tab shows it
        State(ids.OVERLAY_LIVE, "data"),
        State(ids.TABS, "active_tab"),
        prevent_initial_call=True,
    )
    def follow_live(live: LiveState | None, shown: LiveTraces | None, tab: str) -> Any:
        """Grow the training run's curves in the overlay, epoch by epoch."""
        if tab != RUNS_TAB or not live or not shown or shown["run_id"] != live.get("run_id"):
            return no_update
        arrays = figures.loss_arrays(live.get("history", {}))
        patch = Patch()
        for trace, name in zip(shown["traces"], ("val_loss", "loss"), strict=True):
            patch["data"][trace]["x"] = arrays["x"]
            patch["data"][trace]["y"] = arrays[name]
        return patch

    return {"earlier_runs_behind": earlier_runs_behind, "follow_live": follow_live}
