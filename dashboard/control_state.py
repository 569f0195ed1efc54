"""The setting controls as Dash dependencies, and the TrainConfig they describe (shared by
the callbacks of the controls, the URL and training)."""

from __future__ import annotations

from typing import Any

from dash import Input, State

from dashboard import ids
from dashboard.ml.config import TrainConfig
from dashboard.ml.params import PARAMS
from dashboard.ml.params import SETTINGS as TABLE
from dashboard.payloads import DatasetMeta

SETTINGS = tuple(TABLE)  # every setting control, in this order everywhere


def control_id(name: str) -> str:
    """The id of the control that holds setting `name` (slider or choice)."""
    return ids.slider(name) if name in PARAMS else ids.choice(name)


def data_deps(kind: type[Input] | type[State] = State) -> list[Any]:
    """The dataset, target and split dependencies, in config_from_controls' order."""
    return [kind(ids.DATASET, "data"), kind(ids.TARGET_PICKER, "value"), kind(ids.SPLIT, "value")]


def setting_deps(kind: type[Input] | type[State] = State) -> list[Any]:
    """One dependency per setting control, in SETTINGS order."""
    return [kind(control_id(name), "value") for name in SETTINGS]


def setting_value(name: str, raw: Any) -> Any:
    """A control's value as the setting's value (log sliders hold the exponent); TrainConfig
    cleans it (range, digits) when the config is made."""
    if name in PARAMS and isinstance(raw, int | float):
        return PARAMS[name].from_position(raw)
    return raw


def control_value(name: str, value: Any) -> Any:
    """The inverse of setting_value: what the control shows for a setting's value."""
    return PARAMS[name].to_position(value) if name in PARAMS else value


def config_from_controls(
    dataset: DatasetMeta | None,
    target: str | None,
    split: list[int] | None,
    raw_values: tuple[Any, ...],
) -> TrainConfig:
    """The TrainConfig that the controls describe (the server's limits are checked, never
    applied silently: ml.config.check)."""
    values: dict[str, Any] = {
        n: setting_value(n, v) for n, v in zip(SETTINGS, raw_values, strict=True)
    }
    train_end, val_end = split or (70, 85)
    return TrainConfig(
        dataset=dataset.get("id", "builtin:sine") if dataset else "builtin:sine",
        target=target or (dataset.get("target", "value") if dataset else "value"),
        # chosen inputs ride with the dataset
        features=tuple((dataset.get("features") if dataset else None) or ()),
        train_pct=int(train_end),
        val_pct=int(val_end - train_end),
        **values,
    )
