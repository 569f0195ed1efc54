"""Sliders mirrored by their number boxes, and the live check of the settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output

from callbacks.common import config_from_controls, slider_deps
from dashboard import ids
from dashboard.ml.config import check
from dashboard.ml.params import PARAMS, Param
from dashboard.settings import Settings

# Runs in the browser: typing in the box moves the slider, moving the slider fills the box.
SYNC_JS = """
function(position, typed) {
    const spec = %s;
    const skip = window.dash_clientside.no_update;
    const trigger = (dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
    if (trigger.endsWith("-input.value")) {
        if (typed === null || typed === undefined || isNaN(typed)) { return [skip, skip]; }
        let value = Math.min(spec.high, Math.max(spec.low, Number(typed)));
        if (spec.integer) { value = Math.round(value); }
        const pos = spec.log ? Math.round(Math.log10(value) * 1e6) / 1e6 : value;
        return [pos, value === Number(typed) ? skip : value];
    }
    const value = spec.log ? Number(Math.pow(10, position).toPrecision(2)) : position;
    return [skip, value];
}
"""


def sync_script(param: Param) -> str:
    """The clientside function that keeps one slider and its box in step."""
    spec = {"low": param.low, "high": param.high, "log": param.log, "integer": param.integer}
    return SYNC_JS % json.dumps(spec)


def register(app: Dash, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Wire slider/box mirroring and the settings check."""
    for name, param in PARAMS.items():
        app.clientside_callback(
            sync_script(param),
            Output(ids.slider(name), "value"),
            Output(ids.slider_input(name), "value"),
            Input(ids.slider(name), "value"),
            Input(ids.slider_input(name), "value"),
            prevent_initial_call=True,
        )

    @app.callback(
        Output(ids.SETTINGS_PROBLEM, "children"),
        Output(ids.SETTINGS_PROBLEM, "is_open"),
        Input(ids.DATASET, "data"),
        Input(ids.TARGET_PICKER, "value"),
        Input(ids.SPLIT, "value"),
        *slider_deps(Input),
    )
    def check_settings(
        meta: dict[str, Any] | None, target: str | None, split: list[int], *raw: float
    ) -> tuple[str, bool]:
        """Say before Train is pressed what would stop these settings from training."""
        if not meta:
            return "", False
        config = config_from_controls(meta, target, split, raw, settings)
        problems = check(config, meta["rows"], meta["name"])
        return " ".join(problems), bool(problems)

    return {"check_settings": check_settings}
