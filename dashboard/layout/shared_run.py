"""The read-only view of a run that a share link opens."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.layout.run_tables import settings_table
from dashboard.layout.runs_panel import GRAPH_CONFIG, GRAPH_STYLE


def shared_view(
    title: str,
    loss: Any,
    predictions: Any,
    scores: Any,
    settings: list[tuple[str, str]],
    downloads: list[Any],
) -> dbc.Card:
    """A run opened through its share link: results and settings, nothing to change."""
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.B(title),
                    dbc.Badge("read-only", color="secondary", className="ms-2"),
                    html.Small(
                        "The controls on the left now hold this run's settings: press Train "
                        "to run it yourself.",
                        className="text-muted ms-3",
                    ),
                ],
            ),
            dbc.CardBody(
                [
                    dbc.Row(
                        [
                            dbc.Col(dcc.Graph(id=ids.SHARED_LOSS, figure=loss, **_graph()), lg=5),
                            dbc.Col(
                                dcc.Graph(id=ids.SHARED_PRED, figure=predictions, **_graph()), lg=7
                            ),
                        ],
                        className="g-2 mb-2",
                    ),
                    dbc.Row(
                        [
                            dbc.Col(scores, lg=5),
                            dbc.Col(
                                [
                                    html.H3("Settings", className="panel-title"),
                                    settings_table(settings),
                                ],
                                lg=4,
                            ),
                            dbc.Col(
                                [
                                    html.H3("Download", className="panel-title"),
                                    html.Div(downloads, className="d-grid gap-1"),
                                ],
                                lg=3,
                            ),
                        ],
                        className="g-3",
                    ),
                ]
            ),
        ],
        className="mb-3 shared-run",
    )


def _graph() -> dict[str, Any]:
    return {"config": GRAPH_CONFIG, "className": "graph", "style": GRAPH_STYLE}
