"""The page URL: it carries the settings both ways, and a share link opens a run read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update

from dashboard import ids, runs, sharing
from dashboard import urls as share
from dashboard.control_state import (
    SETTINGS,
    config_from_controls,
    control_id,
    control_value,
    data_deps,
    setting_deps,
)
from dashboard.figures import common as figures
from dashboard.figures import runs as figures_runs
from dashboard.layout import results, run_tables, runs_panel, shared_run
from dashboard.ml.config import TrainConfig
from dashboard.payloads import DatasetMeta, RunRecord
from dashboard.store import NotFound, Store

# Runs in the browser: rewrite the address bar without a reload or a new history entry.
REPLACE_URL_JS = """
function(query) {
    if (typeof query !== "string") { return window.dash_clientside.no_update; }
    const url = window.location.pathname + query + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", url);
    }
    return window.dash_clientside.no_update;
}
"""


def wanted_settings(store: Store, search: str | None, pathname: str | None) -> dict[str, Any]:
    """The settings a URL asks for: its query, or else the settings of the run it shares."""
    wanted = share.parse_query(search)
    share_id = share.shared_run_id(pathname)
    if wanted or share_id is None:
        return wanted
    try:
        return share.config_settings(store.shared_run(share_id)[0].get("config", {}))
    except NotFound:
        return {}


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire URL -> controls on load, controls -> URL on change, and the share-link view."""

    @app.callback(
        *[Output(control_id(name), "value", allow_duplicate=True) for name in SETTINGS],
        Output(ids.DATASET_PICKER, "value", allow_duplicate=True),
        Output(ids.SPLIT, "value", allow_duplicate=True),
        Output(ids.URL_PENDING, "data"),
        Input(ids.URL, "search"),
        State(ids.URL, "pathname"),
        prevent_initial_call="initial_duplicate",
    )
    def apply_url(search: str | None, pathname: str | None) -> tuple[Any, ...]:
        """Set the controls from the URL; anything malformed keeps its default, silently."""
        wanted = wanted_settings(store, search, pathname)
        values = [
            control_value(name, wanted[name]) if name in wanted else no_update for name in SETTINGS
        ]
        pending = None
        if "target" in wanted:
            dataset = wanted.get("dataset", TrainConfig().dataset)
            pending = {"dataset": dataset, "target": wanted["target"]}
        return (
            *values,
            wanted.get("dataset", no_update),
            wanted.get("split", no_update),
            pending,
        )

    @app.callback(
        Output(ids.TARGET_PICKER, "value", allow_duplicate=True),
        Output(ids.URL_PENDING, "data", allow_duplicate=True),
        Input(ids.DATASET, "data"),
        Input(ids.URL_PENDING, "data"),
        prevent_initial_call=True,
    )
    def apply_pending_target(meta: DatasetMeta | None, pending: dict[str, Any] | None) -> Any:
        """Once the URL's dataset is loaded, pick the URL's target (if the data has it)."""
        if not pending or not meta or meta.get("id") != pending.get("dataset"):
            return no_update, no_update
        target = pending.get("target")
        return (target if target in meta.get("columns", []) else no_update), None

    @app.callback(
        Output(ids.URL_QUERY, "data"),
        *data_deps(Input),
        *setting_deps(Input),
        prevent_initial_call=True,
    )
    def url_query(
        meta: DatasetMeta | None, target: str | None, split: list[int] | None, *raw: Any
    ) -> str:
        """The query that describes the current settings (only those off their default)."""
        return share.settings_query(config_from_controls(meta, target, split, raw))

    app.clientside_callback(
        REPLACE_URL_JS,
        Output(ids.URL_SYNC, "data"),
        Input(ids.URL_QUERY, "data"),
        prevent_initial_call=True,
    )

    return {
        "apply_url": apply_url,
        "apply_pending_target": apply_pending_target,
        "url_query": url_query,
        **_register_shared(app, store),
    }


class SharedRun(NamedTuple):
    """show_shared's outputs, in Output order."""

    card: Any = no_update
    card_style: Any = no_update
    tab: Any = no_update


def _register_shared(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the share-link view."""

    @app.callback(
        Output(ids.SHARED_RUN, "children"),
        Output(ids.SHARED_RUN, "style"),
        Output(ids.TABS, "active_tab"),
        Input(ids.URL, "pathname"),
    )
    def show_shared(pathname: str | None) -> SharedRun:
        """A share link (/run/<share id>) opens that run read-only on the Runs tab."""
        if not share.is_share_path(pathname):
            return SharedRun(card=None, card_style={"display": "none"})
        share_id = share.shared_run_id(pathname) or ""
        try:
            record, data = store.shared_run(share_id)
        except NotFound:
            alert = dbc.Alert(
                "This link leads to no run: it may have been deleted, or the link is cut short.",
                color="warning",
            )
            return SharedRun(card=alert, card_style={}, tab="runs")
        return SharedRun(card=shared_view(store, record, share_id, data), card_style={}, tab="runs")

    return {"show_shared": show_shared}


def shared_view(store: Store, record: RunRecord, share_id: str, data: bool) -> Any:
    """The read-only card of a shared run: curves, scores, settings and files; with the
    data, its predictions too. Nothing of the owner's (run id, session, upload) shows."""
    files = sharing.shared_files(store.available_files(record["id"]), data)
    saved = store.get_predictions(record["id"]) if data else None
    record = sharing.public_record(record, share_id, data)
    curve = figures_runs.Curve(runs.run_label(record), runs.run_color(record), record["history"])
    if not data:
        predictions = figures.empty_figure(sharing.NO_DATA_NOTE)
    elif saved is not None:
        predictions = figures_runs.run_prediction_figure(record, *saved)
    else:
        predictions = figures.empty_figure("This run has no predictions.")
    scores = record.get("scores") or {}
    if "accuracy" in scores:
        table = results.classification_table(scores)
    else:
        table = results.metrics_table(scores, record.get("device", ""), record.get("parameters", 0))
    title = f"Shared run #{record.get('number', '?')} · {record.get('dataset_name', '')}"
    return shared_run.shared_view(
        title,
        figures_runs.loss_overlay([curve]),
        predictions,
        html.Div([html.P(record.get("message", ""), className="small mb-1"), table]),
        run_tables.settings_rows(record),
        runs_panel.download_links(share_id, files, share=data),
    )
