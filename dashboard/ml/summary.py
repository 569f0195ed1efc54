"""A model summary without TensorFlow: layers, output shapes, parameters, cuDNN eligibility.

The web process shows it beside the sliders as they move. It reads ml.network's layer specs,
the same ones ml.model.build_model makes into Keras layers (a unit test checks the counts
against Keras' count_params() for every cell).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.ml.config import TrainConfig
from dashboard.ml.network import (
    CELLS,
    LayerSpec,
    cell_of,
    cudnn_blockers,
    layer_specs,
    output_width,
    parameters,
)

__all__ = ["LayerRow", "cell_note", "cudnn_blockers", "summarize"]


@dataclass(frozen=True)
class LayerRow:
    """One line of the summary."""

    name: str
    output_shape: str
    parameters: int


def layer_title(spec: LayerSpec) -> str:
    """'LSTM(64, tanh)', 'Bidirectional GRU(32, tanh)', 'Dropout(0.2)', 'Dense(1)'."""
    args = spec.args
    if spec.kind == "Dropout":
        return f"Dropout({args['rate']:g})"
    if spec.recurrent:
        prefix = "Bidirectional " if spec.bidirectional else ""
        return f"{prefix}{cell_of(spec).keras_class}({args['units']}, {args['activation']})"
    if "activation" in args and spec.name == "dense_head":
        return f"Dense({args['units']}, {args['activation']})"
    return f"Dense({args['units']})"


def summarize(config: TrainConfig, n_features: int, n_classes: int = 0) -> list[LayerRow]:
    """The layers build_model makes for `config`, with their output shapes and sizes."""
    rows, width, sequence = [], n_features, True
    for spec in layer_specs(config, n_classes):
        count = parameters(spec, width)
        width = output_width(spec, width)
        if spec.kind != "Dropout":  # dropout keeps the shape it is given
            sequence = bool(spec.args.get("return_sequences"))
        shape = f"(batch, {config.seq_len}, {width})" if sequence else f"(batch, {width})"
        rows.append(LayerRow(layer_title(spec), shape, count))
    return rows


def cell_note(config: TrainConfig) -> str:
    """What the chosen cell is made of, in a sentence."""
    cell = CELLS[config.cell]
    blocks = "block" if cell.blocks == 1 else "blocks"
    return f"{cell.keras_class} cell: {cell.gates} ({cell.blocks} weight {blocks} per layer)."
