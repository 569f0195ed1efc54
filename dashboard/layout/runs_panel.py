"""The Runs tab: every run of the session in a table, their comparison, replay, downloads and
share links; and the read-only view that a share link opens."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.figures import common as figures
from dashboard.layout import runs_grid
from dashboard.layout.components import help_icon
from dashboard.urls import DOWNLOADS, download_path, shared_download_path

GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True, "displayModeBar": "hover"}
GRAPH_STYLE = {"height": "360px"}
DOWNLOAD_LABELS = {
    "model.keras": "Model (.keras)",
    "predictions.csv": "Predictions (CSV)",
    "run.json": "Run (JSON)",
    "train.zip": "train.py + data (zip)",
}


def graph(graph_id: str, message: str, style: dict[str, str] | None = None) -> dcc.Graph:
    """A chart of the tab, blank with a hint until it has data."""
    return dcc.Graph(
        id=graph_id,
        figure=figures.empty_figure(message),
        config=GRAPH_CONFIG,
        className="graph",
        style=style or GRAPH_STYLE,
    )


def runs_table() -> Component:
    """The session's runs: sortable, filterable, rows selectable for comparison."""
    return runs_grid.runs_grid()


def toolbar() -> html.Div:
    """What the session holds, and the buttons that delete runs."""
    return html.Div(
        [
            html.Span(id=ids.RUNS_NOTE, className="text-muted small me-auto"),
            dbc.Button(
                "Delete selected",
                id=ids.DELETE_RUNS,
                color="outline-danger",
                size="sm",
                disabled=True,
            ),
            dbc.Button("Clear session…", id=ids.CLEAR_RUNS, color="outline-secondary", size="sm"),
        ],
        className="d-flex align-items-center gap-2 mb-1",
    )


def clear_dialog() -> dbc.Modal:
    """Asks before every run of the session is deleted."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Delete every run of this session?")),
            dbc.ModalBody("Their curves, predictions, models and share links go too."),
            dbc.ModalFooter(
                [
                    dbc.Button("Keep them", id=ids.CLEAR_NO, color="secondary"),
                    dbc.Button("Delete all runs", id=ids.CLEAR_YES, color="danger"),
                ]
            ),
        ],
        id=ids.CLEAR_DIALOG,
        is_open=False,
    )


def comparison() -> html.Div:
    """Overlaid curves and predictions of the selected runs, what differs, and every run's
    settings against val_loss."""
    differ = html.Div(
        [
            html.Div(
                [
                    html.H3("Settings that differ", className="panel-title mb-0"),
                    help_icon(
                        ids.DIFF_TABLE,
                        "Only the settings that are not the same in every selected run "
                        "(and the pinned baseline). Pin a run below to compare the others "
                        "against it.",
                    ),
                    html.Span(id=ids.BASELINE_NOTE, className="ms-auto small text-muted"),
                ],
                className="d-flex align-items-center gap-1 mb-1",
            ),
            html.Div(id=ids.DIFF_TABLE),
            html.Div(id=ids.COMPARE_RESULTS, className="mt-2"),
        ],
        className="panel",
    )
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(graph(ids.OVERLAY_LOSS, "Select runs in the table."), lg=6),
                    dbc.Col(graph(ids.OVERLAY_PRED, "Select runs in the table."), lg=6),
                ],
                className="g-2 mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col(differ, lg=6),
                    dbc.Col(graph(ids.PARALLEL_GRAPH, "No finished runs yet."), lg=6),
                ],
                className="g-2 mb-2",
            ),
        ]
    )


def focus_card() -> dbc.Card:
    """One run up close: replay its predictions epoch by epoch, download it, share it."""
    header = html.Div(
        [
            html.Label("Run", htmlFor=ids.FOCUS_RUN, className="control-label"),
            dcc.Dropdown(id=ids.FOCUS_RUN, clearable=False, className="focus-picker"),
            dbc.Button("Pin as baseline", id=ids.PIN_BASELINE, color="outline-dark", size="sm"),
        ],
        className="d-flex align-items-center gap-2",
    )
    replay = html.Div(
        [
            graph(ids.REPLAY_GRAPH, "Pick a run to replay its predictions."),
            html.Div(
                [
                    html.Label("Epoch", htmlFor=ids.REPLAY_SLIDER, className="control-label"),
                    help_icon(
                        ids.REPLAY_SLIDER,
                        "Predictions are kept every few epochs: move the slider to watch "
                        "the model learn the series.",
                    ),
                    html.Div(
                        dcc.Slider(id=ids.REPLAY_SLIDER, min=0, max=1, step=None, marks={}),
                        className="flex-grow-1",
                    ),
                ],
                className="d-flex align-items-center gap-2 mt-1",
            ),
        ]
    )
    files = html.Div(
        [
            html.H3("Download", className="panel-title"),
            html.Div(id=ids.RUN_DOWNLOADS, className="d-grid gap-1 mb-3"),
            html.H3("Share (read-only link)", className="panel-title"),
            html.Div(
                [
                    dbc.Input(id=ids.SHARE_LINK, readonly=True, size="sm", value=""),
                    dcc.Clipboard(
                        target_id=ids.SHARE_LINK,
                        id=ids.SHARE_COPY,
                        title="Copy the link",
                        className="btn btn-outline-secondary btn-sm",
                    ),
                ],
                className="d-flex gap-1",
            ),
            dbc.Switch(
                id=ids.SHARE_DATA,
                label="include the data",
                value=False,
                className="small mt-1 mb-0",
            ),
            html.Small(
                "Whoever has the link sees this run's curves, scores and settings, and "
                "nothing else of yours; with the data, also its predictions, model and data "
                "file.",
                className="text-muted",
            ),
        ]
    )
    return dbc.Card(
        [
            dbc.CardHeader(header),
            dbc.CardBody(dbc.Row([dbc.Col(replay, lg=8), dbc.Col(files, lg=4)], className="g-3")),
        ],
        className="mb-3",
    )


def download_links(run_id: str, available: set[str], share: bool | None = None) -> list[Any]:
    """One link per file of a run; files it does not have are shown disabled. For a share
    link's holder (`share` is whether the data is shared), `run_id` is the share id."""
    links = []
    path = download_path if share is None else shared_download_path
    for name in DOWNLOADS:
        enabled = name in available
        label = DOWNLOAD_LABELS[name]
        if name == "train.zip" and share is False:
            label = "train.py, no data (zip)"
        links.append(
            html.A(
                label,
                href=path(run_id, name) if enabled else None,
                download="" if enabled else None,
                className="btn btn-outline-primary btn-sm" + ("" if enabled else " disabled"),
                title=None if enabled else "Not available for this run",
            )
        )
    return links


def runs_tab() -> html.Div:
    """The whole Runs tab."""
    empty = html.P(
        "No runs in this session yet. Press Train: every run lands here, to be compared, "
        "replayed, downloaded and shared.",
        id=ids.RUNS_EMPTY,
        className="text-muted mt-2",
    )
    body = html.Div(
        [html.Div(runs_table(), className="panel mb-2"), comparison(), focus_card()],
        id=ids.RUNS_BODY,
        style={"display": "none"},
    )
    return html.Div(
        [
            html.Div(id=ids.SHARED_RUN, style={"display": "none"}),
            toolbar(),
            html.Div(id=ids.RUNS_MESSAGE),
            empty,
            body,
            clear_dialog(),
            dcc.Store(id=ids.BASELINE, storage_type="session"),
            dcc.Store(id=ids.OVERLAY_LIVE),
            dcc.Store(id=ids.FAINT_SHOWN),
            dcc.Store(id=ids.RUNS_CHANGED, data=0),
        ]
    )
