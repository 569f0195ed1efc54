"""The Evaluation tab: the newest finished run next to its baselines. For a forecast, error
by step ahead, the backtest, the residuals (over time, histogram, autocorrelation with its
reading) and the anomalies; for classification, the majority-class baseline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.figures.common import empty_figure
from dashboard.figures.evaluation import SMALL_HEIGHT
from dashboard.layout import results

EMPTY = "Train a forecasting run to see its evaluation."
GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True, "displayModeBar": False}
MAX_LISTED = 20  # anomalies listed in the tab (the farthest out)


def _graph(graph_id: str, height: int = SMALL_HEIGHT) -> dcc.Graph:
    return dcc.Graph(
        id=graph_id,
        figure=empty_figure(EMPTY),
        config=GRAPH_CONFIG,
        className="graph",
        style={"height": f"{height}px"},
    )


def evaluation_tab() -> html.Div:
    """The empty state, then (once a run is evaluated) its summary and small charts."""
    row = "g-2 mb-2"
    charts = html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(_graph(ids.EVAL_HORIZON), lg=4),
                    dbc.Col(_graph(ids.EVAL_BACKTEST), lg=4),
                    dbc.Col(
                        [
                            html.Div(
                                [
                                    html.Label(
                                        "Backtest origin",
                                        htmlFor=ids.EVAL_ORIGIN,
                                        className="small text-nowrap mb-0",
                                    ),
                                    dbc.Select(id=ids.EVAL_ORIGIN, options=[], size="sm"),
                                ],
                                className="d-flex align-items-center gap-2 mb-1",
                            ),
                            _graph(ids.EVAL_ORIGIN_GRAPH, SMALL_HEIGHT - 36),  # under the picker
                        ],
                        lg=4,
                    ),
                ],
                className=row,
            ),
            dbc.Row(
                [
                    dbc.Col(_graph(ids.EVAL_RESIDUALS), lg=4),
                    dbc.Col(_graph(ids.EVAL_HISTOGRAM), lg=4),
                    dbc.Col(
                        [
                            _graph(ids.EVAL_ACF),
                            html.P(id=ids.EVAL_ACF_READING, className="verdict small mb-0"),
                        ],
                        lg=4,
                    ),
                ],
                className=row,
            ),
            html.Div(id=ids.EVAL_ANOMALIES),
        ],
        id=ids.EVAL_FORECAST,
    )
    return html.Div(
        [
            dcc.Store(id=ids.EVAL_RUN),
            dbc.Alert(EMPTY, id=ids.EVAL_EMPTY, color="light", className="py-2 mb-2"),
            html.Div(
                [html.Div(id=ids.EVAL_SUMMARY, className="mb-2"), charts],
                id=ids.EVAL_BODY,
                style={"display": "none"},
            ),
        ]
    )


def summary(scores: dict[str, Any], intervals: dict[str, Any] | None, model: str) -> html.Div:
    """The verdict and the table of the model against its baselines; for classification,
    the model against always guessing the most common class."""
    if "per_class" in scores:
        majority = scores.get("majority")
        if not majority:
            return html.Div(html.P(f"Accuracy {scores['accuracy'] * 100:.1f} %."))
        return html.Div(
            [
                html.P(majority["verdict"], className="verdict mb-1"),
                results.majority_table(majority),
            ]
        )
    sentences = [*scores.get("notes", [])]
    if intervals and intervals.get("sentence"):
        sentences.insert(0, intervals["sentence"])
    return html.Div(
        [
            html.P(results.forecast_verdict(scores), className="verdict mb-1"),
            html.Div(
                [
                    results.forecast_table(scores, model),
                    html.Div([html.P(s, className="small mb-1") for s in sentences]),
                ],
                className="metrics-row",
            ),
        ]
    )


def when(x: Sequence[Any] | None, row: int) -> str:
    """A row's time label when the series has one, else 'row n'."""
    return str(x[row]) if x is not None and 0 <= row < len(x) else f"row {row}"


def origin_options(backtest: dict[str, Any] | None, x: Sequence[Any] | None) -> list[dict]:
    """The backtest origins as choices: 'origin 1 · 1958-03', by position."""
    origins = (backtest or {}).get("origins") or []
    return [
        {"label": f"origin {i + 1} · from {when(x, int(o['row']))}", "value": str(i)}
        for i, o in enumerate(origins)
    ]


def anomalies_table(anomalies: dict[str, Any] | None, x: Sequence[Any] | None) -> Any:
    """The test points outside their interval, farthest out first: time, actual, predicted
    and by how much the interval missed them."""
    anomalies = anomalies or {}
    points = anomalies.get("points") or []
    if anomalies.get("width") is None:
        return html.P(
            "No anomalies: the interval needs more validation windows.", className="small"
        )
    if not points:
        return html.P("No anomalies: every test point lies inside its interval.", className="small")
    total = anomalies.get("total", len(points))
    shown = points[:MAX_LISTED]
    title = f"Anomalies: {total} test point(s) outside the interval"
    if total > len(shown):
        title += f", the {len(shown)} farthest out"
    body = [
        html.Tr(
            [
                html.Td(when(x, int(p["row"]))),
                html.Td(f"{p['actual']:.4g}"),
                html.Td(f"{p['predicted']:.4g}"),
                html.Td(f"{p['lower']:.4g} to {p['upper']:.4g}"),
                html.Td(f"{p['outside_by']:.3g}"),
            ]
        )
        for p in shown
    ]
    head = html.Tr([html.Th(h) for h in ("time", "actual", "predicted", "interval", "outside by")])
    return html.Div(
        [
            html.H6(title, className="mb-1"),
            dbc.Table(
                [html.Thead(head), html.Tbody(body)],
                size="sm",
                hover=True,
                className="metrics mb-0",
                style={"maxWidth": "44rem"},
            ),
        ]
    )
