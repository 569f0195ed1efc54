"""The left column: data, model and training controls, and the Train / Cancel buttons."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.layout.components import help_icon, labelled, slider
from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS
from dashboard.ml.params import PARAMS, SPLIT_DEFAULT, SPLIT_HELP

MODEL_PARAMS = ("units", "layers", "dropout", "learning_rate", "seq_len")
TRAINING_PARAMS = ("batch_size", "epochs", "seed")


def section(title: str, *children: Component) -> html.Section:
    """A titled group of controls."""
    return html.Section([html.H2(title, className="section-title"), *children], className="mb-3")


def data_section() -> html.Section:
    """Dataset and target pickers, the split, and the dataset's attribution."""
    options = [{"label": b.title, "value": BUILTIN_PREFIX + b.key} for b in BUILTINS.values()]
    return section(
        "Data",
        labelled(
            "Dataset",
            ids.DATASET_PICKER,
            "A built-in example series.",
            dcc.Dropdown(
                id=ids.DATASET_PICKER, options=options, value=options[0]["value"], clearable=False
            ),
        ),
        labelled(
            "Target",
            ids.TARGET_PICKER,
            "The column the model learns to predict.",
            dcc.Dropdown(id=ids.TARGET_PICKER, clearable=False),
        ),
        labelled(
            "Split train/val/test",
            ids.SPLIT,
            SPLIT_HELP,
            dcc.RangeSlider(
                id=ids.SPLIT,
                min=10,
                max=95,
                step=5,
                value=list(SPLIT_DEFAULT),
                marks=None,
                allow_direct_input=False,
                pushable=5,
            ),
            html.Span(id=ids.SPLIT_LABEL),
        ),
        html.Small(id=ids.ATTRIBUTION, className="text-muted d-block attribution"),
    )


def buttons() -> html.Div:
    """The one big Train button and Cancel."""
    return html.Div(
        [
            dbc.Button("Train", id=ids.TRAIN, color="primary", size="lg", className="flex-grow-1"),
            dbc.Button("Cancel", id=ids.CANCEL, color="outline-danger", size="lg", disabled=True),
        ],
        className="d-flex gap-2 sticky-buttons",
    )


def controls() -> html.Div:
    """Everything the user sets before pressing Train."""
    return html.Div(
        [
            data_section(),
            section("Model", *[slider(PARAMS[name]) for name in MODEL_PARAMS]),
            section("Training", *[slider(PARAMS[name]) for name in TRAINING_PARAMS]),
            dbc.Alert(id=ids.SETTINGS_PROBLEM, color="warning", is_open=False, className="py-2"),
            buttons(),
        ],
        className="controls",
    )


__all__ = ["controls", "help_icon"]
