"""The setting controls: slider/box mirroring, presets, the settings check, the model summary
and which settings changed since the last run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, no_update

from dashboard import ids
from dashboard.control_state import (
    SETTINGS,
    config_from_controls,
    control_id,
    control_value,
    data_deps,
    setting_deps,
)
from dashboard.layout.summary import model_summary
from dashboard.ml.config import TrainConfig, advice, check
from dashboard.ml.params import LOG_DIGITS, PARAMS, Param
from dashboard.ml.presets import PRESETS
from dashboard.payloads import DatasetMeta, LiveState
from dashboard.settings import Settings

# Runs in the browser: typing in the box moves the slider, moving the slider fills the box.
# It cleans a value as ml.params.Param.clean does (range, integer, significant digits on a
# log scale), so the box always shows the value that will train: a typed value beyond the
# range is replaced by the nearest end, a cleared box by the slider's value.
SYNC_JS = """
function(position, typed) {
    const spec = %s;
    const skip = window.dash_clientside.no_update;
    const trigger = (dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
    const clean = (number) => {
        let value = Math.min(spec.high, Math.max(spec.low, number));
        if (spec.integer) { return Math.round(value); }
        if (spec.log) { value = Number(value.toPrecision(spec.digits)); }
        return Math.min(spec.high, Math.max(spec.low, value));
    };
    if (trigger.endsWith("-input.value")) {
        if (typed === null || typed === undefined || typed === "" || isNaN(typed)) {
            // not a number: the box shows again the value that will train
            return [skip, clean(spec.log ? Math.pow(10, position) : position)];
        }
        const value = clean(Number(typed));
        const pos = spec.log ? Math.round(Math.log10(value) * 1e6) / 1e6 : value;
        return [pos, value === Number(typed) ? skip : value];
    }
    return [skip, clean(spec.log ? Math.pow(10, position) : position)];
}
"""


def sync_script(param: Param) -> str:
    """The clientside function that keeps one slider and its box in step."""
    spec = {
        "low": param.low,
        "high": param.high,
        "log": param.log,
        "integer": param.integer,
        "digits": LOG_DIGITS,
    }
    return SYNC_JS % json.dumps(spec)


def preset_values(key: str | None) -> tuple[list[Any], Any, str]:
    """Control values, dataset and a note for a preset (defaults for what it leaves out)."""
    if key not in PRESETS:
        return [no_update] * len(SETTINGS), no_update, ""
    preset = PRESETS[key]
    config = TrainConfig.from_dict(preset.settings)
    values = [control_value(name, getattr(config, name)) for name in SETTINGS]
    return values, preset.settings.get("dataset", no_update), preset.lesson


def changed_rows(previous: dict[str, Any] | None, config: TrainConfig) -> list[str]:
    """Row classes: 'changed' on the settings that differ from the previous run's."""
    base = "d-flex align-items-center control slider-row"
    if not previous:
        return [base] * len(SETTINGS)
    old = TrainConfig.from_dict(previous)
    return [f"{base} changed" if getattr(old, n) != getattr(config, n) else base for n in SETTINGS]


def register(app: Dash, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Wire the setting controls."""
    for name, param in PARAMS.items():
        app.clientside_callback(
            sync_script(param),
            Output(ids.slider(name), "value"),
            Output(ids.slider_input(name), "value"),
            Input(ids.slider(name), "value"),
            Input(ids.slider_input(name), "value"),
            prevent_initial_call=True,
        )
    deps = setting_deps(Input)
    data_inputs = data_deps(Input)

    @app.callback(
        Output(ids.SETTINGS_PROBLEM, "children"),
        Output(ids.SETTINGS_PROBLEM, "is_open"),
        Output(ids.SETTINGS_PROBLEM, "color"),
        Output(ids.MODEL_SUMMARY, "children"),
        *data_inputs,
        *deps,
    )
    def check_settings(
        meta: DatasetMeta | None, target: str | None, split: list[int], *raw: Any
    ) -> tuple[str, bool, str, Any]:
        """Say before Train is pressed what would stop these settings (or what the guides
        warn about), and what model they build."""
        if not meta:
            return "", False, "warning", no_update
        config = config_from_controls(meta, target, split, raw)
        problems = check(config, meta["rows"], meta["name"], settings.limits)
        notes = problems or advice(config)
        color = "warning" if problems else "info"
        return " ".join(notes), bool(notes), color, model_summary(config, meta)

    @app.callback(
        *[Output(control_id(n), "value", allow_duplicate=True) for n in SETTINGS],
        Output(ids.DATASET_PICKER, "value", allow_duplicate=True),
        Output(ids.PRESET_NOTE, "children"),
        Input(ids.PRESET, "value"),
        prevent_initial_call=True,
    )
    def apply_preset(key: str | None) -> tuple[Any, ...]:
        """Set every control to a preset's values."""
        values, dataset, note = preset_values(key)
        return (*values, dataset, note)

    @app.callback(
        *[Output(ids.row(n), "className") for n in SETTINGS],
        State(ids.LIVE, "data"),
        Input(ids.LIVE_PHASE, "data"),  # another run on screen (its settings with it)
        *data_inputs,
        *deps,
    )
    def highlight_changes(
        live: LiveState | None,
        _phase: Any,
        meta: DatasetMeta | None,
        target: str | None,
        split: list[int],
        *raw: Any,
    ) -> list[str]:
        """Mark the settings that differ from those of the run on screen."""
        config = config_from_controls(meta, target, split, raw)
        return changed_rows(live.get("config") if live else None, config)

    @app.callback(
        Output(ids.choice("task"), "value", allow_duplicate=True),
        Input(ids.DATASET, "data"),
        State(ids.choice("task"), "value"),
        prevent_initial_call=True,
    )
    def task_of_dataset(meta: DatasetMeta | None, task: str) -> Any:
        """A labelled-sequences dataset means classification; a series means forecasting."""
        wanted = meta.get("task", "forecast") if meta else "forecast"
        return wanted if wanted != task else no_update

    @app.callback(
        Output(ids.slider("seq_len"), "disabled"),
        Output(ids.slider_input("seq_len"), "disabled"),
        Output(ids.slider("horizon"), "disabled"),
        Output(ids.slider_input("horizon"), "disabled"),
        Input(ids.choice("task"), "value"),
    )
    def lock_for_task(task: str) -> tuple[bool, ...]:
        """Classification takes whole rows as sequences: no window length, no horizon."""
        return (task == "classify",) * 4

    return {
        "lock_for_task": lock_for_task,
        "check_settings": check_settings,
        "apply_preset": apply_preset,
        "highlight_changes": highlight_changes,
        "task_of_dataset": task_of_dataset,
    }
