"""What several callbacks share: the slider inputs and the config they make."""

from __future__ import annotations

from typing import Any

from dash import Input, State

from dashboard import ids
from dashboard.ml.config import TrainConfig
from dashboard.ml.params import PARAMS
from dashboard.settings import Settings

SLIDERS = tuple(PARAMS)


def slider_deps(kind: type[Input] | type[State] = State) -> list[Any]:
    """One dependency per setting slider, in SLIDERS order."""
    return [kind(ids.slider(name), "value") for name in SLIDERS]


def slider_value(name: str, raw: float | None) -> float:
    """A slider's position as the setting's value (log sliders hold the exponent)."""
    param = PARAMS[name]
    if raw is None:
        return param.default
    return param.clamp(10**raw if param.log else raw)


def config_from_controls(
    dataset: dict[str, Any] | None,
    target: str | None,
    split: list[int] | None,
    raw_values: tuple[float | None, ...],
    settings: Settings | None = None,
) -> TrainConfig:
    """The TrainConfig that the controls describe, with the server's limits applied."""
    values: dict[str, Any] = {
        n: slider_value(n, v) for n, v in zip(SLIDERS, raw_values, strict=True)
    }
    if settings is not None:
        values["epochs"] = min(values["epochs"], settings.max_epochs)
    train_end, val_end = split or (70, 85)
    dataset = dataset or {}
    return TrainConfig(
        dataset=dataset.get("id", "builtin:sine"),
        target=target or dataset.get("target", "value"),
        train_pct=int(train_end),
        val_pct=int(val_end - train_end),
        **values,
    )
