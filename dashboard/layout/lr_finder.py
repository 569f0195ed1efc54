"""The learning-rate finder: a "Find" button under the learning-rate slider and its dialog
(progress, the loss-vs-rate chart, the suggestion, and a button that uses it)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.figures.lr_finder import lr_finder_figure
from dashboard.ml.lr_finder import short
from dashboard.ml.params import PARAMS

GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True, "displayModeBar": False}
STATUS_COLORS = {
    "queued": "info",
    "running": "info",
    "finished": "success",
    "stopped": "warning",
    "failed": "danger",
}
INTRO = (
    "One short sweep: the model trains for 100 batches while the learning rate rises from "
    "1e-6 to 1. The good rates are where the loss falls fastest, before it blows up."
)


def with_finder(rate_control: Component) -> html.Div:
    """The learning-rate control with the Find button under it, and the dialog it opens."""
    find = dbc.Button(
        "Find a good rate…",
        id=ids.LR_FIND,
        color="link",
        size="sm",
        className="p-0 lr-find",
        title="Sweep the learning rate on this model and data, and suggest one",
    )
    return html.Div(
        [
            rate_control,
            html.Div(find, className="d-flex justify-content-end lr-find-row"),
            dialog(),
            dcc.Store(id=ids.LR_LIVE),
            dcc.Store(id=ids.LR_RESULT),
        ]
    )


def dialog() -> dbc.Modal:
    """The finder's dialog: what it does, progress, the chart, and its buttons."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Learning-rate finder"), close_button=False),
            dbc.ModalBody(
                [
                    html.P(INTRO, className="mb-2"),
                    dbc.Alert("Starting…", id=ids.LR_STATUS, color="info", className="py-2 mb-2"),
                    dbc.Progress(id=ids.LR_PROGRESS, value=0, className="mb-2 progress-lg"),
                    dcc.Graph(
                        id=ids.LR_GRAPH,
                        figure=lr_finder_figure([], [], []),
                        config=GRAPH_CONFIG,
                        style={"height": "min(420px, calc(100vh - 330px))"},
                    ),
                ]
            ),
            dbc.ModalFooter(
                [
                    dbc.Button("Stop", id=ids.LR_STOP, color="outline-danger", disabled=True),
                    dbc.Button("Close", id=ids.LR_CLOSE, color="secondary"),
                    dbc.Button("Use the suggestion", id=ids.LR_USE, color="primary", disabled=True),
                ]
            ),
        ],
        id=ids.LR_MODAL,
        is_open=False,
        size="lg",
        backdrop="static",  # a click beside it must not hide a sweep that is still running
        keyboard=False,
        scrollable=True,
    )


def usable_rate(suggestion: float | None) -> float | None:
    """The rate the learning-rate control can hold for a suggestion: within the slider's
    range, with its significant digits (ml.params.Param.clean): what a run then trains with."""
    return None if suggestion is None else float(PARAMS["learning_rate"].clean(suggestion))


def range_note(suggestion: float | None) -> str:
    """A sentence when the slider cannot hold the suggestion itself ("" when it can)."""
    rate = usable_rate(suggestion)
    if suggestion is None or rate is None or abs(rate - suggestion) <= 0.05 * suggestion:
        return ""
    end = "lowest" if rate > suggestion else "highest"
    return f" The slider's {end} rate is {rate:g}, so that is what Use sets."


def use_label(rate: float | None) -> str:
    """The use button's text: the rate it sets ("Use 3.2e-3"), in the slider's digits."""
    return "Use the suggestion" if rate is None else f"Use {short(rate)}"
