"""Small layout factories shared by the panels."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.ml.params import Param


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
        [html.Div(header, className="d-flex align-items-center gap-1"), control],
        className="control",
    )


def format_value(param: Param, value: float) -> str:
    """A setting's value as the page shows it."""
    if param.log:
        return f"{value:.0e}".replace("e-0", "e-") if value < 0.01 else f"{value:g}"
    return f"{value:g}"


def slider(param: Param, value: float | None = None) -> html.Div:
    """The slider of one setting from ml.params.PARAMS, with the current value visible."""
    value = param.default if value is None else value
    if param.log:
        exponents = range(round(_log10(param.low)), round(_log10(param.high)) + 1)
        control = dcc.Slider(
            id=ids.slider(param.name),
            min=_log10(param.low),
            max=_log10(param.high),
            step=param.step,
            value=_log10(value),
            allow_direct_input=False,
            marks={e: f"1e{e}" for e in exponents},
            updatemode="drag",
        )
        readout = html.Span(format_value(param, value), id=ids.slider_value(param.name))
        return labelled(param.label, ids.slider(param.name), param.help, control, readout)
    control = dcc.Slider(
        id=ids.slider(param.name),
        min=param.low,
        max=param.high,
        step=param.step,
        value=value,
        marks=None,
        updatemode="mouseup",
    )
    return labelled(param.label, ids.slider(param.name), param.help, control)


def _log10(value: float) -> float:
    from math import log10

    return round(log10(value), 6)
