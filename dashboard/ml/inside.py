"""Inside the cell: a trained run's recurrent layers replayed in numpy over one window.

The weights come straight from the run's saved model.keras (a zip holding config.json and
model.weights.h5), read with h5py, so the web process never imports Keras. Each step's
gates, cell state and hidden state are kept: the page draws them as heatmaps and traces.
The replay follows Keras 3's cells (tests check it against Keras on the same weights):

- LSTM: z = x W + h U + b, split into input, forget, candidate, output (that order);
  c = f * c + i * act(candidate); h = o * act(c).
- GRU: update, reset, candidate; with reset_after (Keras' default) the bias has two rows,
  one added to x W and one to h U, and the reset gate scales h U's candidate block;
  h = z * h + (1 - z) * act(candidate).
- SimpleRNN: h = act(x W + h U + b): no gates, only the hidden state.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from dashboard.ml.config import TrainConfig
from dashboard.ml.sequences import make_sequences
from dashboard.ml.windows import make_windows

GATES = {
    "LSTM": ("input", "forget", "candidate", "output"),
    "GRU": ("update", "reset", "candidate"),
    "SimpleRNN": (),
}
PASS_THROUGH = {"InputLayer", "Dropout"}  # layers that change nothing at prediction time
MOST_ACTIVE = 4  # units traced by default
HEATMAP_UNITS = 64  # rows of a gate heatmap at most (readable, and a light page)
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "hard_sigmoid": lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0),
}


class InsideError(ValueError):
    """The inside view cannot be shown; the message is a sentence for the page."""


@dataclass(frozen=True)
class Weights:
    """One direction of a recurrent layer: kernel (inputs x blocks*units), recurrent kernel
    (units x blocks*units) and bias ((blocks*units,), GRU reset_after: (2, blocks*units))."""

    kernel: np.ndarray
    recurrent: np.ndarray
    bias: np.ndarray | None


@dataclass(frozen=True)
class Recurrent:
    """A recurrent layer of a saved model: its cell, settings and weights."""

    kind: str  # LSTM | GRU | SimpleRNN
    units: int
    activation: str
    recurrent_activation: str
    forward: Weights
    backward: Weights | None = None  # Bidirectional: the backward direction
    reset_after: bool = True  # GRU only

    @property
    def label(self) -> str:
        """'LSTM' or 'bidirectional LSTM'."""
        return f"bidirectional {self.kind}" if self.backward is not None else self.kind


@dataclass(frozen=True)
class Steps:
    """One direction of one layer over a window; every array is (steps, units)."""

    gates: dict[str, np.ndarray]  # gate name -> values ("candidate": after act)
    cell: np.ndarray | None  # LSTM only
    hidden: np.ndarray


@dataclass(frozen=True)
class InsideView:
    """What the Inside tab shows of one window and one layer."""

    kind: str
    layer: int  # 0-based
    layers: list[str]  # each recurrent layer's label, in order
    steps: Steps
    units: list[int]  # the traced units (0-based)
    rows: list[int]  # the units in the heatmaps: all, or the HEATMAP_UNITS most active
    reading: str
    note: str  # "" or what the view leaves out (a backward direction, a carried state)


# reading the model file ------------------------------------------------------------------
def snake_case(name: str) -> str:
    """Keras' name for a class in the weights file ('SimpleRNN' -> 'simple_rnn')."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _weights(group: Any) -> Weights:
    values = [np.asarray(group["cell"]["vars"][str(k)], dtype=np.float64) for k in range(3)]
    return Weights(values[0], values[1], values[2])


def _weights_no_bias(group: Any) -> Weights:
    found = group["cell"]["vars"]
    kernel, recurrent = (np.asarray(found[k], dtype=np.float64) for k in ("0", "1"))
    return Weights(kernel, recurrent, None)


def _recurrent(spec: dict[str, Any], group: Any, backward: Any = None) -> Recurrent:
    config = spec["config"]
    read = _weights if config.get("use_bias", True) else _weights_no_bias
    for name in ("activation", "recurrent_activation"):
        if config.get(name, "sigmoid") not in ACTIVATIONS:
            raise InsideError(f"The inside view cannot replay the activation {config[name]!r}.")
    return Recurrent(
        kind=spec["class_name"],
        units=int(config["units"]),
        activation=config.get("activation", "tanh"),
        recurrent_activation=config.get("recurrent_activation", "sigmoid"),
        forward=read(group),
        backward=None if backward is None else read(backward),
        reset_after=bool(config.get("reset_after", True)),
    )


def read_layers(path: Path) -> list[Recurrent]:
    """The recurrent layers of a saved .keras model, in order (raises InsideError)."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            weights = archive.read("model.weights.h5")
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise InsideError("The run's model file cannot be read.") from error
    layers = config.get("config", {}).get("layers", [])
    used: dict[str, int] = {}  # Keras numbers each class in order: lstm, lstm_1, ...
    found: list[Recurrent] = []
    with h5py.File(io.BytesIO(weights), "r") as h5:
        for spec in layers:
            kind = spec["class_name"]
            name = snake_case(kind)
            count = used.get(name, 0)
            used[name] = count + 1
            group = h5["layers"].get(name if count == 0 else f"{name}_{count}")
            if kind == "Bidirectional":
                inner = spec["config"]["layer"]
                found.append(_recurrent(inner, group["forward_layer"], group["backward_layer"]))
            elif kind in GATES:
                found.append(_recurrent(spec, group))
            elif kind not in PASS_THROUGH:
                break  # a layer the replay does not do: the recurrent ones end here
    if not found:
        raise InsideError("This model has no recurrent layer the inside view can replay.")
    return found


# the replay ---------------------------------------------------------------------------
def _split(z: np.ndarray, blocks: int) -> list[np.ndarray]:
    return list(np.split(z, blocks, axis=-1))


def lstm_steps(layer: Recurrent, weights: Weights, x: np.ndarray) -> Steps:
    """An LSTM over x (steps, inputs) from a zero state."""
    act, gate = ACTIVATIONS[layer.activation], ACTIVATIONS[layer.recurrent_activation]
    h = c = np.zeros(layer.units)
    kept: dict[str, list[np.ndarray]] = {name: [] for name in GATES["LSTM"]}
    cells, hidden = [], []
    bias = 0.0 if weights.bias is None else weights.bias
    for x_t in x:
        z_i, z_f, z_c, z_o = _split(x_t @ weights.kernel + h @ weights.recurrent + bias, 4)
        i, f, o, candidate = gate(z_i), gate(z_f), gate(z_o), act(z_c)
        c = f * c + i * candidate
        h = o * act(c)
        for name, value in zip(GATES["LSTM"], (i, f, candidate, o), strict=True):
            kept[name].append(value)
        cells.append(c)
        hidden.append(h)
    gates = {name: np.asarray(values) for name, values in kept.items()}
    return Steps(gates, np.asarray(cells), np.asarray(hidden))


def gru_steps(layer: Recurrent, weights: Weights, x: np.ndarray) -> Steps:
    """A GRU over x (steps, inputs) from a zero state (reset_after or not)."""
    act, gate = ACTIVATIONS[layer.activation], ACTIVATIONS[layer.recurrent_activation]
    bias = np.zeros((2, 3 * layer.units)) if weights.bias is None else weights.bias
    input_bias, inner_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, 0.0)
    u_zr, u_h = weights.recurrent[:, : 2 * layer.units], weights.recurrent[:, 2 * layer.units :]
    h = np.zeros(layer.units)
    kept: dict[str, list[np.ndarray]] = {name: [] for name in GATES["GRU"]}
    hidden = []
    for x_t in x:
        x_z, x_r, x_h = _split(x_t @ weights.kernel + input_bias, 3)
        if layer.reset_after:
            r_z, r_r, r_h = _split(h @ weights.recurrent + inner_bias, 3)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            candidate = act(x_h + r * r_h)
        else:
            r_z, r_r = _split(h @ u_zr, 2)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            candidate = act(x_h + (r * h) @ u_h)
        h = z * h + (1 - z) * candidate
        for name, value in zip(GATES["GRU"], (z, r, candidate), strict=True):
            kept[name].append(value)
        hidden.append(h)
    return Steps({k: np.asarray(v) for k, v in kept.items()}, None, np.asarray(hidden))


def simple_steps(layer: Recurrent, weights: Weights, x: np.ndarray) -> Steps:
    """A SimpleRNN over x (steps, inputs) from a zero state: only its hidden state."""
    act = ACTIVATIONS[layer.activation]
    h, hidden = np.zeros(layer.units), []
    bias = 0.0 if weights.bias is None else weights.bias
    for x_t in x:
        h = act(x_t @ weights.kernel + h @ weights.recurrent + bias)
        hidden.append(h)
    return Steps({}, None, np.asarray(hidden))


REPLAY = {"LSTM": lstm_steps, "GRU": gru_steps, "SimpleRNN": simple_steps}


def layer_steps(layer: Recurrent, x: np.ndarray) -> tuple[Steps, np.ndarray]:
    """The forward direction's steps, and the sequence the layer passes on (steps, width):
    a Bidirectional layer concatenates the backward direction, read back in time order."""
    replay = REPLAY[layer.kind]
    forward = replay(layer, layer.forward, x)
    if layer.backward is None:
        return forward, forward.hidden
    backward = replay(layer, layer.backward, x[::-1])
    return forward, np.concatenate([forward.hidden, backward.hidden[::-1]], axis=1)


def replay(layers: Sequence[Recurrent], window: np.ndarray, index: int) -> Steps:
    """Layer `index`'s steps over `window` (steps, features): each layer reads the hidden
    sequence of the one before (dropout does nothing at prediction time)."""
    sequence = np.asarray(window, dtype=np.float64)
    for layer in layers[:index]:
        sequence = layer_steps(layer, sequence)[1]
    return layer_steps(layers[index], sequence)[0]


def hidden_sequence(layers: Sequence[Recurrent], window: np.ndarray) -> np.ndarray:
    """What the last recurrent layer passes on over `window` (both directions if two)."""
    sequence = np.asarray(window, dtype=np.float64)
    for layer in layers:
        sequence = layer_steps(layer, sequence)[1]
    return sequence


# what to show -------------------------------------------------------------------------
def most_active(steps: Steps, count: int = MOST_ACTIVE) -> list[int]:
    """The units with the largest mean |h| over the window, most active first."""
    activity = np.abs(steps.hidden).mean(axis=0)
    return [int(u) for u in np.argsort(-activity, kind="stable")[:count]]


def unit_name(unit: int) -> str:
    """How the page names a unit (1-based: 'unit 1' is the first)."""
    return f"unit {unit + 1}"


def reading(kind: str, steps: Steps) -> str:
    """One sentence on the most telling pattern in the window's numbers."""
    activity = np.abs(steps.hidden).mean(axis=0)
    busiest = int(np.argmax(activity))
    fallback = f"{unit_name(busiest)} is the most active (mean |h| {activity[busiest]:.2f})."
    if kind == "SimpleRNN":
        return f"A SimpleRNN has no gates: only its hidden state is shown; {fallback}"
    gate, memory = ("forget", "cell") if kind == "LSTM" else ("update", "state")
    mean_keep = steps.gates[gate].mean(axis=0)
    holder = int(np.argmax(mean_keep))
    if mean_keep[holder] >= 0.9:
        return (
            f"{unit_name(holder)}'s {gate} gate stays near 1 ({mean_keep[holder]:.2f} on "
            "average): it carries the level across the window."
        )
    if kind == "LSTM":
        writes = steps.gates["input"]
        tail = max(1, len(writes) // 4)
        rise = writes[-tail:].mean(axis=0) - writes[:-tail].mean(axis=0)
        riser = int(np.argmax(rise))
        if len(writes) > 1 and rise[riser] >= 0.3:
            return (
                f"{unit_name(riser)}'s input gate opens at the last {tail} steps (from "
                f"{writes[:-tail, riser].mean():.2f} to {writes[-tail:, riser].mean():.2f}): "
                "it writes the newest values into its cell."
            )
    forgetter = int(np.argmin(mean_keep))
    if mean_keep[forgetter] <= 0.1:
        return (
            f"{unit_name(forgetter)}'s {gate} gate stays near 0 ({mean_keep[forgetter]:.2f} on "
            "average): it drops its past at every step and follows the latest inputs."
        )
    if mean_keep[holder] >= 0.75:
        return (
            f"{unit_name(holder)}'s {gate} gate is the most open ({mean_keep[holder]:.2f} on "
            f"average): it keeps most of its {memory} from step to step."
        )
    return fallback


def model_inputs(config: TrainConfig, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The test part's model inputs (windows, steps, features) as training made them, and
    for a forecast the row each window predicts first (classification: empty).

    Mirrors ml.train.prepare, which imports Keras (the web process may not); a unit test
    holds the two equal.
    """
    if config.task == "classify":
        scaling = "standard" if config.scaling == "minmax" else config.scaling
        data = make_sequences(values, config.train_pct, config.val_pct, config.seed, scaling)
        return data.x_test, np.empty(0, dtype=int)
    windows = make_windows(
        values, config.seq_len, config.outputs, config.train_pct, config.val_pct, config.scaling
    )
    return windows.x_test, windows.test_rows


def layer_labels(layers: Sequence[Recurrent]) -> list[str]:
    """How the page names each recurrent layer: '1: LSTM(64)', '2: bidirectional GRU(32)'."""
    return [f"{i + 1}: {layer.label}({layer.units})" for i, layer in enumerate(layers)]


def inside_view(
    layers: Sequence[Recurrent],
    window: np.ndarray,
    layer: int,
    units: Sequence[int] = (),
    stateful: bool = False,
) -> InsideView:
    """Replay one window through layer `layer` and pick what to trace: `units` (those that
    exist), or the most active ones."""
    layer = min(max(int(layer), 0), len(layers) - 1)
    chosen = layers[layer]
    steps = replay(layers, window, layer)
    picked = [int(u) for u in units if 0 <= int(u) < chosen.units] or most_active(steps)
    rows = sorted(most_active(steps, HEATMAP_UNITS))
    notes = []
    if chosen.units > HEATMAP_UNITS:
        notes.append(
            f"The heatmaps show the {HEATMAP_UNITS} most active of its {chosen.units} units."
        )
    if chosen.backward is not None:
        notes.append(
            "Only the forward direction is shown; the backward one reads the window from its end."
        )
    if stateful:
        notes.append(
            "This stateful run carried its state from window to window; the view "
            "starts each window from a zero state."
        )
    return InsideView(
        kind=chosen.kind,
        layer=layer,
        layers=layer_labels(layers),
        steps=steps,
        units=picked,
        rows=rows,
        reading=reading(chosen.kind, steps),
        note=" ".join(notes),
    )
