"""One description of the network a config builds, free of TensorFlow.

`layer_specs(config, ...)` lists the layers in order with everything Keras needs to make
them. The same list feeds `ml.model.build_model` (which makes the Keras layers), the model
summary beside the sliders (output shapes, parameter counts, cuDNN eligibility) and, through
the shipped modules, the exported script: the three cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.ml.config import TrainConfig


@dataclass(frozen=True)
class Cell:
    """A recurrent cell: its Keras class, its weight blocks and what cuDNN asks of it."""

    keras_class: str
    gates: str  # what the page says about its gates
    blocks: int  # weight blocks of one layer (gates plus candidate)
    biases_per_block: int = 1  # GRU with reset_after keeps two bias vectors per block
    cudnn: bool = True  # a fused cuDNN kernel exists for it


CELLS: dict[str, Cell] = {
    "lstm": Cell("LSTM", "input, forget and output gates + candidate", 4),
    "gru": Cell("GRU", "update and reset gates + candidate", 3, biases_per_block=2),
    "simple_rnn": Cell("SimpleRNN", "no gates", 1, cudnn=False),
}


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its Keras class, name and constructor arguments (plain JSON values).

    Arguments ending in `_regularizer` hold {"l1": .., "l2": ..} or None; `bidirectional`
    wraps a recurrent layer in keras.layers.Bidirectional.
    """

    kind: str  # a keras.layers class name: LSTM, GRU, SimpleRNN, Dropout, Dense
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    bidirectional: bool = False

    @property
    def recurrent(self) -> bool:
        """True for the recurrent layers (the ones a cell choice changes)."""
        return self.kind in {cell.keras_class for cell in CELLS.values()}


def layer_units(config: TrainConfig) -> list[int]:
    """Units of each recurrent layer: all the same, or halving with depth (at least 4)."""
    if config.units_schedule == "halving":
        return [max(4, config.units // 2**i) for i in range(config.layers)]
    return [config.units] * config.layers


def _penalty(l1: float, l2: float) -> dict[str, float] | None:
    return {"l1": l1, "l2": l2} if l1 or l2 else None


def recurrent_spec(config: TrainConfig, units: int, index: int, last: bool) -> LayerSpec:
    """The index-th recurrent layer (1-based); all but the last return sequences."""
    cell = CELLS[config.cell]
    return LayerSpec(
        cell.keras_class,
        f"{config.cell}_{index}",
        {
            "units": units,
            "activation": config.activation,
            "return_sequences": not last,
            "recurrent_dropout": config.recurrent_dropout,
            "kernel_regularizer": _penalty(config.l1, config.l2),
            "recurrent_regularizer": _penalty(config.recurrent_l1, config.recurrent_l2),
            "stateful": config.stateful,
        },
        bidirectional=config.bidirectional,
    )


def output_spec(config: TrainConfig, n_classes: int) -> LayerSpec:
    """Linear outputs for forecasts; sigmoid (2 classes) or softmax for classification."""
    if config.task != "classify":
        return LayerSpec("Dense", "forecast", {"units": config.outputs})
    if n_classes == 2:
        return LayerSpec("Dense", "classes", {"units": 1, "activation": "sigmoid"})
    return LayerSpec("Dense", "classes", {"units": max(n_classes, 1), "activation": "softmax"})


def layer_specs(config: TrainConfig, n_classes: int = 0) -> list[LayerSpec]:
    """Stacked recurrent layers, dropout after each, an optional Dense head, the output."""
    specs: list[LayerSpec] = []
    widths = layer_units(config)
    for index, units in enumerate(widths, start=1):
        specs.append(recurrent_spec(config, units, index, last=index == len(widths)))
        if config.dropout > 0:
            specs.append(LayerSpec("Dropout", f"dropout_{index}", {"rate": config.dropout}))
    if config.dense_units:
        head = {"units": config.dense_units, "activation": config.dense_activation}
        specs.append(LayerSpec("Dense", "dense_head", head))
    specs.append(output_spec(config, n_classes))
    return specs


def loss_and_metrics(config: TrainConfig, n_classes: int) -> tuple[str, list[str]]:
    """Keras loss and metric names for the task."""
    if config.task != "classify":
        return "mse", ["mae"]
    if n_classes == 2:
        return "binary_crossentropy", ["accuracy"]
    return "sparse_categorical_crossentropy", ["accuracy"]


# what the summary needs: widths and parameter counts, as Keras counts them ---------------
def cell_of(spec: LayerSpec) -> Cell:
    """The cell of a recurrent layer spec."""
    return next(cell for cell in CELLS.values() if cell.keras_class == spec.kind)


def parameters(spec: LayerSpec, inputs: int) -> int:
    """Weights of one layer fed `inputs` features, as Keras' count_params() counts them."""
    units = int(spec.args.get("units", 0))
    if spec.recurrent:
        cell = cell_of(spec)
        one = cell.blocks * (units * (inputs + units) + cell.biases_per_block * units)
        return one * (2 if spec.bidirectional else 1)
    if spec.kind == "Dense":
        return inputs * units + units
    return 0


def output_width(spec: LayerSpec, inputs: int) -> int:
    """Features a layer passes on (per time step for sequence outputs)."""
    if spec.kind == "Dropout":
        return inputs
    units = int(spec.args["units"])
    return units * 2 if spec.recurrent and spec.bidirectional else units


def cudnn_blockers(config: TrainConfig) -> list[str]:
    """Settings that rule out the fast cuDNN kernel on a GPU (empty: it will be used)."""
    cell = CELLS[config.cell]
    if not cell.cudnn:
        return [f"{cell.keras_class} has no cuDNN kernel"]
    blockers = []
    if config.activation != "tanh":
        blockers.append(f"activation {config.activation} (cuDNN needs tanh)")
    if config.recurrent_dropout > 0:
        blockers.append("recurrent dropout (cuDNN needs 0)")
    return blockers
