"""A model summary without TensorFlow: layers, output shapes, parameters, cuDNN eligibility.

The web process shows it next to the sliders as they move; it mirrors ml.model.build_model
(a unit test checks the counts against Keras).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.ml.config import TrainConfig, layer_units


@dataclass(frozen=True)
class LayerRow:
    """One line of the summary."""

    name: str
    output_shape: str
    parameters: int


def lstm_parameters(units: int, inputs: int) -> int:
    """Weights of one LSTM layer: four gates, each with input, recurrent and bias weights."""
    return 4 * (units * (inputs + units) + units)


def summarize(config: TrainConfig, n_features: int, n_classes: int = 0) -> list[LayerRow]:
    """The layers build_model makes for `config`, with their output shapes and sizes."""
    rows, width = [], n_features
    widths = layer_units(config)
    for index, units in enumerate(widths, start=1):
        last = index == len(widths)
        directions = 2 if config.bidirectional else 1
        params = directions * lstm_parameters(units, width)
        width = directions * units
        shape = f"(batch, {width})" if last else f"(batch, {config.seq_len}, {width})"
        kind = "Bidirectional LSTM" if config.bidirectional else "LSTM"
        rows.append(LayerRow(f"{kind}({units}, {config.activation})", shape, params))
        if config.dropout > 0:
            rows.append(LayerRow(f"Dropout({config.dropout:g})", shape, 0))
    if config.dense_units:
        rows.append(
            LayerRow(
                f"Dense({config.dense_units}, {config.dense_activation})",
                f"(batch, {config.dense_units})",
                width * config.dense_units + config.dense_units,
            )
        )
        width = config.dense_units
    outputs = _outputs(config, n_classes)
    rows.append(LayerRow(f"Dense({outputs})", f"(batch, {outputs})", width * outputs + outputs))
    return rows


def _outputs(config: TrainConfig, n_classes: int) -> int:
    if config.task == "classify":
        return 1 if n_classes == 2 else max(n_classes, 1)
    return config.outputs


def cudnn_blockers(config: TrainConfig) -> list[str]:
    """Settings that rule out the fast cuDNN LSTM kernel on a GPU (empty: it will be used)."""
    blockers = []
    if config.activation != "tanh":
        blockers.append(f"activation {config.activation} (cuDNN needs tanh)")
    if config.recurrent_dropout > 0:
        blockers.append("recurrent dropout (cuDNN needs 0)")
    return blockers
