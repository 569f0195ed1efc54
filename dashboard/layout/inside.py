"""The Inside tab: one window of a run's test part (finished, or training now) replayed
through its recurrent layers: the window and its prediction, the chosen units' cell and
hidden state, and every gate as a unit x time heatmap, with one sentence of reading."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.figures.common import empty_figure
from dashboard.figures.inside import HEIGHT

EMPTY = "Train a run, then look inside its cells here: gates, cell and hidden state."
WAIT = (
    "The run training now appears here at its first look at the test part (its weights are "
    "saved then, and again as it trains)."
)
TAB = "inside"  # the tab's id
GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True, "displayModeBar": False}


def _graph(graph_id: str, height: int | None = HEIGHT) -> dcc.Graph:
    style = {"height": f"{height}px"} if height else {}
    return dcc.Graph(
        id=graph_id, figure=empty_figure(EMPTY), config=GRAPH_CONFIG, className="graph", style=style
    )


def _labelled(label: str, control_id: str, control: Any, width: int) -> dbc.Col:
    return dbc.Col(
        [html.Label(label, htmlFor=control_id, className="small mb-0"), control], md=width
    )


def controls() -> dbc.Row:
    """Which run, which window of its test part, which layer, which units."""
    return dbc.Row(
        [
            _labelled("Run", ids.INSIDE_RUN, dcc.Dropdown(id=ids.INSIDE_RUN, clearable=False), 3),
            _labelled(
                "Test window",
                ids.INSIDE_WINDOW,
                html.Div(
                    [
                        dcc.Slider(
                            id=ids.INSIDE_WINDOW,
                            min=1,
                            max=1,
                            step=1,
                            value=1,
                            marks=None,
                            updatemode="mouseup",
                            tooltip={"placement": "bottom"},
                        ),
                        html.Div(id=ids.INSIDE_WINDOW_TEXT, className="small text-muted"),
                    ]
                ),
                4,
            ),
            _labelled(
                "Layer", ids.INSIDE_LAYER, dcc.Dropdown(id=ids.INSIDE_LAYER, clearable=False), 2
            ),
            _labelled(
                "Units traced",
                ids.INSIDE_UNITS,
                dcc.Dropdown(id=ids.INSIDE_UNITS, multi=True, placeholder="most active"),
                3,
            ),
        ],
        className="g-2 mb-2 align-items-end",
    )


def inside_tab() -> html.Div:
    """The empty state, then (once a run has finished) its controls, reading and charts."""
    return html.Div(
        [
            dbc.Alert(EMPTY, id=ids.INSIDE_EMPTY, color="light", className="py-2 mb-2"),
            dcc.Store(id=ids.INSIDE_MODEL),
            html.Div(
                [
                    controls(),
                    html.P(id=ids.INSIDE_READING, className="verdict mb-1"),
                    html.P(id=ids.INSIDE_NOTE, className="small text-muted mb-1"),
                    dbc.Row(
                        [
                            dbc.Col(_graph(ids.INSIDE_INPUT_GRAPH), lg=5),
                            dbc.Col(_graph(ids.INSIDE_STATES_GRAPH), lg=7),
                        ],
                        className="g-2 mb-2",
                    ),
                    _graph(ids.INSIDE_GATES_GRAPH, None),
                ],
                id=ids.INSIDE_BODY,
                style={"display": "none"},
            ),
        ]
    )
