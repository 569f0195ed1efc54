"""Slider read-outs and the live check of the settings against the dataset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output

from callbacks.common import config_from_controls, slider_deps, slider_value
from dashboard import ids
from dashboard.layout.components import format_value
from dashboard.ml.config import check
from dashboard.ml.params import PARAMS
from dashboard.settings import Settings


def register(app: Dash, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Wire the read-outs of log sliders and the settings check."""
    for name, param in PARAMS.items():
        if param.log:
            app.callback(
                Output(ids.slider_value(name), "children"), Input(ids.slider(name), "value")
            )(lambda raw, name=name, param=param: format_value(param, slider_value(name, raw)))

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
