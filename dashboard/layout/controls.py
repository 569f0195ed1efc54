"""The left column: data, model and training controls, and the Train / Cancel buttons."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.layout.components import choice, help_icon, labelled, slider
from dashboard.layout.data_panel import feature_picker, upload_box
from dashboard.layout.lr_finder import with_finder
from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS
from dashboard.ml.params import (
    CHOICES,
    PARAMS,
    SECTIONS,
    SPLIT_DEFAULT,
    SPLIT_HELP,
    in_section,
)
from dashboard.ml.presets import PRESETS


def section(title: str, *children: Component) -> html.Section:
    """A titled group of controls."""
    return html.Section([html.H2(title, className="section-title"), *children], className="mb-3")


def data_section() -> html.Section:
    """Dataset picker and upload box, target and inputs, the split, the attribution."""
    options = [{"label": b.title, "value": BUILTIN_PREFIX + b.key} for b in BUILTINS.values()]
    return section(
        "Data",
        labelled(
            "Dataset",
            ids.DATASET_PICKER,
            "A built-in example series, or a file you uploaded.",
            dcc.Dropdown(
                id=ids.DATASET_PICKER, options=options, value=options[0]["value"], clearable=False
            ),
        ),
        upload_box(),
        labelled(
            "Target",
            ids.TARGET_PICKER,
            "The column the model learns to predict.",
            dcc.Dropdown(id=ids.TARGET_PICKER, clearable=False),
        ),
        feature_picker(),
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
    """The one big Train button, Pause (Resume) and Cancel; under them, what a change to the
    running job did (a learning rate moved while it trains applies to it)."""
    return html.Div(
        [
            html.Div(
                [
                    dbc.Button(
                        "Train", id=ids.TRAIN, color="primary", size="lg", className="flex-grow-1"
                    ),
                    dbc.Button(
                        "Pause", id=ids.PAUSE, color="outline-secondary", size="lg", disabled=True
                    ),
                    dbc.Button(
                        "Cancel", id=ids.CANCEL, color="outline-danger", size="lg", disabled=True
                    ),
                ],
                className="d-flex gap-2",
            ),
            html.Small(id=ids.STEER_NOTE, className="text-muted d-block steer-note"),
        ],
        className="sticky-buttons",
    )


def setting(name: str) -> html.Div:
    """The control of one setting, from whichever table defines it (the learning rate's
    with the finder's Find button under it)."""
    control = slider(PARAMS[name]) if name in PARAMS else choice(CHOICES[name])
    return with_finder(control) if name == "learning_rate" else control


def presets() -> html.Div:
    """One click loads a classic example's settings."""
    options = [{"label": p.title, "value": p.key} for p in PRESETS.values()]
    return html.Div(
        [
            dcc.Dropdown(
                id=ids.PRESET,
                options=options,
                placeholder="Load a preset…",
                clearable=True,
                searchable=False,
            ),
            html.Small(id=ids.PRESET_NOTE, className="text-muted d-block preset-note"),
        ],
        className="mb-2",
    )


def settings_section(title: str) -> html.Section:
    """One always-visible section of settings (the first also offers the presets)."""
    first = title == SECTIONS[0][0]
    return section(title, *([presets()] if first else []), *map(setting, in_section(title)))


def advanced() -> dbc.Accordion:
    """The knobs beyond the everyday ones, grouped and folded away."""
    return dbc.Accordion(
        [
            dbc.AccordionItem([setting(name) for name in in_section(title)], title=title)
            for title, folded in SECTIONS
            if folded
        ],
        start_collapsed=True,
        always_open=True,
        className="mb-3 advanced",
    )


def controls() -> html.Div:
    """Everything the user sets before pressing Train."""
    return html.Div(
        [
            data_section(),
            *[settings_section(title) for title, folded in SECTIONS if not folded],
            section("More settings", advanced()),
            dbc.Alert(id=ids.SETTINGS_PROBLEM, color="warning", is_open=False, className="py-2"),
            buttons(),
        ],
        className="controls",
    )


__all__ = ["controls", "help_icon"]
