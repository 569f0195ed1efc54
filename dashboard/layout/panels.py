"""The right column: the Training, Evaluation, Inside, Data, Runs, Search and Class tabs."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.figures import training as figures
from dashboard.layout import data_panel
from dashboard.layout.challenges import class_tab
from dashboard.layout.evaluation import evaluation_tab
from dashboard.layout.inside import TAB as INSIDE_TAB
from dashboard.layout.inside import inside_tab
from dashboard.layout.runs_panel import runs_tab
from dashboard.layout.search import search_tab

RUNS_TAB = "runs"  # the Runs tab's id
GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True, "displayModeBar": "hover"}
GRAPH_STYLE = {"height": "max(300px, calc(100vh - 390px))"}  # the charts fill the screen


def training_tab() -> html.Div:
    """Live loss curves, progress, predictions and the final scores."""
    return html.Div(
        [
            dbc.Alert(
                "Pick a dataset, set the sliders and press Train.",
                id=ids.STATUS,
                color="light",
                className="py-2 mb-2",
            ),
            html.Div(
                [
                    dbc.Progress(id=ids.PROGRESS, value=0, className="flex-grow-1 progress-lg"),
                    html.Span("epoch 0/0", id=ids.PROGRESS_TEXT, className="progress-text"),
                    dbc.Switch(
                        id=ids.LOG_SCALE, label="log scale", value=True, className="ms-3 mb-0"
                    ),
                ],
                className="d-flex align-items-center gap-2 mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Graph(
                            id=ids.LOSS_GRAPH,
                            figure=figures.loss_figure(),
                            config=GRAPH_CONFIG,
                            className="graph",
                            style=GRAPH_STYLE,
                        ),
                        lg=5,
                    ),
                    dbc.Col(
                        dcc.Graph(
                            id=ids.PRED_GRAPH,
                            config=GRAPH_CONFIG,
                            className="graph",
                            style=GRAPH_STYLE,
                        ),
                        lg=7,
                    ),
                ],
                className="g-2",
            ),
            dbc.Alert(id=ids.SIGNAL, color="warning", is_open=False, className="py-1 my-2 signal"),
            html.Div(id=ids.METRICS, className="mt-2"),
            html.Div(id=ids.MODEL_SUMMARY, className="mt-2"),
        ]
    )


def data_tab() -> html.Div:
    """The chosen series: reading choices of an upload, summary, plot, first rows."""
    return data_panel.data_tab(
        dcc.Graph(id=ids.SERIES_GRAPH, config=GRAPH_CONFIG, className="graph", style=GRAPH_STYLE)
    )


def tabs() -> dbc.Tabs:
    """Training (default), Evaluation, Inside, Data, Runs, Search and Class."""
    return dbc.Tabs(
        [
            dbc.Tab(training_tab(), label="Training", tab_id="training"),
            dbc.Tab(evaluation_tab(), label="Evaluation", tab_id="evaluation"),
            dbc.Tab(inside_tab(), label="Inside", tab_id=INSIDE_TAB),
            dbc.Tab(data_tab(), label="Data", tab_id="data"),
            dbc.Tab(runs_tab(), label="Runs", tab_id=RUNS_TAB),
            dbc.Tab(search_tab(), label="Search", tab_id="search"),
            dbc.Tab(class_tab(), label="Class", tab_id="class"),
        ],
        id=ids.TABS,
        active_tab="training",
        className="mb-2",
    )
