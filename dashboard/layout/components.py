"""Small layout factories shared by the panels."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.ml.params import Choice, Param


def help_icon(target: str, text: str) -> html.Span:
    """A '?' badge that shows `text` on hover or focus."""
    return html.Span(
        [
            html.Span("?", id=f"{target}-help", className="help-icon", tabIndex="0"),
            dbc.Tooltip(text, target=f"{target}-help", placement="right"),
        ]
    )


def labelled(
    label: str,
    target: str,
    help_text: str,
    control: Component,
    value: Component | None = None,
) -> html.Div:
    """A control with its label, help icon and (optionally) a value read-out."""
    header = [
        html.Label(label, htmlFor=target, className="control-label"),
        help_icon(target, help_text),
    ]
    if value is not None:
        header.append(html.Span(value, className="control-value ms-auto"))
    return html.Div(
        [html.Div(header, className="d-flex align-items-center gap-1 control-head"), control],
        className="control",
    )


def slider_row(label: str, target: str, help_text: str, control: Component, name: str) -> html.Div:
    """A compact one-line control: label and help on the left, the control on the right."""
    return html.Div(
        [
            html.Div(
                [
                    html.Label(label, htmlFor=target, className="control-label"),
                    help_icon(target, help_text),
                ],
                className="d-flex align-items-center gap-1 slider-label",
            ),
            html.Div(control, className="flex-grow-1 slider-body"),
        ],
        className="d-flex align-items-center control slider-row",
        id=ids.row(name),
    )


def slider(param: Param, value: float | None = None) -> html.Div:
    """One setting of ml.params.PARAMS: a slider and a number box that mirror each other."""
    value = param.clean(param.default if value is None else value)
    control = dcc.Slider(
        id=ids.slider(param.name),
        min=param.to_position(param.low),
        max=param.to_position(param.high),
        step=param.step,
        value=param.to_position(value),
        marks=None,
        allow_direct_input=False,
        updatemode="drag",
    )
    box = dbc.Input(
        id=ids.slider_input(param.name),
        type="number",
        size="sm",
        value=value,
        # no min/max: the browser would keep an out-of-range number in the box without
        # passing it on; the sync script clamps it in view instead (callbacks/controls.py)
        step="any" if param.log else param.step,
        debounce=True,
        className="slider-box",
    )
    return slider_row(
        param.label,
        ids.slider(param.name),
        param.help,
        html.Div(
            [html.Div(control, className="flex-grow-1"), box],
            className="d-flex align-items-center gap-2",
        ),
        name=param.name,
    )


def choice(spec: Choice, value: Any = None) -> html.Div:
    """One setting of ml.params.CHOICES: a switch for on/off, else a dropdown."""
    value = spec.default if value is None else value
    if spec.is_switch:
        control: Component = dbc.Switch(
            id=ids.choice(spec.name), value=bool(value), className="mb-0"
        )
    else:
        control = dcc.Dropdown(
            id=ids.choice(spec.name),
            value=value,
            clearable=False,
            searchable=False,
            options=[{"label": label, "value": option} for option, label in spec.options],
            className="choice-dropdown",
        )
    return slider_row(spec.label, ids.choice(spec.name), spec.help, control, name=spec.name)
