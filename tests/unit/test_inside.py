"""Inside the cell (ml.inside): the numpy replay of a saved model's recurrent layers equals a
hand-written LSTM step and Keras' own hidden states on the same weights."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from dashboard.figures.inside import gates_figure
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import load_builtin
from dashboard.ml.inside import (
    HEATMAP_UNITS,
    InsideError,
    Recurrent,
    Steps,
    Weights,
    inside_view,
    layer_steps,
    lstm_steps,
    model_inputs,
    read_layers,
    reading,
)
from dashboard.ml.model import build_model
from dashboard.ml.train import prepare
from dashboard.ml.windows import Windows


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def test_lstm_gates_equal_a_hand_written_step() -> None:
    rng = np.random.default_rng(3)
    n_in, units = 3, 5
    kernel, recurrent = rng.normal(size=(n_in, 4 * units)), rng.normal(size=(units, 4 * units))
    bias = rng.normal(size=4 * units)
    x = rng.normal(size=(2, n_in))
    layer = Recurrent("LSTM", units, "tanh", "sigmoid", Weights(kernel, recurrent, bias))
    steps = lstm_steps(layer, layer.forward, x)

    h, c = np.zeros(units), np.zeros(units)
    for t in range(2):  # the textbook step, gate blocks in Keras' order i, f, c, o
        z = x[t] @ kernel + h @ recurrent + bias
        i, f = _sigmoid(z[:units]), _sigmoid(z[units : 2 * units])
        g, o = np.tanh(z[2 * units : 3 * units]), _sigmoid(z[3 * units :])
        c = f * c + i * g
        h = o * np.tanh(c)
        assert np.allclose(steps.gates["input"][t], i)
        assert np.allclose(steps.gates["forget"][t], f)
        assert np.allclose(steps.gates["candidate"][t], g)
        assert np.allclose(steps.gates["output"][t], o)
        assert steps.cell is not None and np.allclose(steps.cell[t], c)
        assert np.allclose(steps.hidden[t], h)


@pytest.mark.parametrize(("cell", "bidirectional"), [("lstm", False), ("gru", True)])
def test_replay_equals_keras_on_the_same_weights(
    tmp_path: Path, cell: str, bidirectional: bool
) -> None:
    config = TrainConfig(
        cell=cell,
        units=6,
        layers=2,
        seq_len=7,
        dropout=0.2,
        dense_units=3,
        bidirectional=bidirectional,
    )
    model = build_model(config, n_features=2)
    rng = np.random.default_rng(0)
    for weight in model.weights:  # random, biases included, so every term counts
        weight.assign(rng.normal(0, 0.5, weight.shape).astype("float32"))
    path = tmp_path / "model.keras"
    model.save(path)
    recurrent = [layer for layer in model.layers if not isinstance(layer, keras.layers.Dropout)]
    probe = keras.Model(model.inputs, [recurrent[0].output, recurrent[1].output])
    x = rng.normal(size=(3, 7, 2)).astype("float32")
    first, last = (np.asarray(out) for out in probe.predict(x, verbose=0))

    layers = read_layers(path)
    assert [layer.kind for layer in layers] == [cell.upper()] * 2
    for window in range(3):
        sequence = layer_steps(layers[0], x[window])[1]  # the first layer's whole sequence
        assert np.abs(sequence - first[window]).max() < 1e-5
        top = layer_steps(layers[1], sequence)[1]
        final = top[-1] if not bidirectional else np.concatenate([top[-1, :6], top[0, 6:]])
        assert np.abs(final - last[window]).max() < 1e-5  # Keras' final hidden state
        view = inside_view(layers, x[window], layer=1)
        assert np.array_equal(view.steps.hidden, top[:, :6])
        assert len(view.units) == 4 and set(view.steps.gates) == (
            {"input", "forget", "candidate", "output"}
            if cell == "lstm"
            else {"update", "reset", "candidate"}
        )
    if bidirectional:
        assert "forward direction" in inside_view(layers, x[0], layer=0).note


def test_model_inputs_are_the_test_windows_training_made() -> None:
    values = load_builtin("airline").values("Passengers")
    config = TrainConfig(seq_len=12, horizon=3, forecast_mode="direct")
    x_test, rows = model_inputs(config, values)
    data = prepare(config, values)
    assert isinstance(data, Windows)
    assert np.array_equal(x_test, data.x_test) and np.array_equal(rows, data.test_rows)
    assert x_test.shape[1:] == (12, 1) and len(rows) == len(x_test)


def test_a_file_that_is_no_model_is_refused_with_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "model.keras").write_text("not a zip")
    with pytest.raises(InsideError, match="model file cannot be read"):
        read_layers(tmp_path / "model.keras")


def _steps(**gates: np.ndarray) -> Steps:
    hidden = np.tile(np.linspace(0.1, 0.5, 5), (8, 1))  # unit 5 is the most active
    return Steps(gates, None, hidden)


def test_reading_names_the_telling_unit() -> None:
    low = np.full((8, 5), 0.5)
    holding = low.copy()
    holding[:, 2] = 0.97  # the third unit keeps its cell
    assert reading("LSTM", _steps(input=low, forget=holding)) == (
        "unit 3's forget gate stays near 1 (0.97 on average): it carries the level across "
        "the window."
    )
    opening = low.copy()
    opening[6:, 1] = 0.9  # the second unit writes at the last two steps
    assert reading("LSTM", _steps(input=opening, forget=low)).startswith(
        "unit 2's input gate opens at the last 2 steps (from 0.50 to 0.90)"
    )
    assert reading("GRU", _steps(update=np.full((8, 5), 0.05), reset=low)).startswith(
        "unit 1's update gate stays near 0 (0.05 on average)"
    )
    mostly = low.copy()
    mostly[:, 3] = 0.8
    assert reading("GRU", _steps(update=mostly, reset=low)) == (
        "unit 4's update gate is the most open (0.80 on average): it keeps most of its state "
        "from step to step."
    )
    assert reading("LSTM", _steps(input=low, forget=low)) == (
        "unit 5 is the most active (mean |h| 0.50)."
    )
    assert reading("SimpleRNN", _steps()).startswith("A SimpleRNN has no gates")


def test_replay_refuses_nothing_recurrent(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.save(tmp_path / "dense.keras")
    with pytest.raises(InsideError, match="no recurrent layer"):
        read_layers(tmp_path / "dense.keras")


def test_a_wide_layer_shows_its_most_active_units_in_the_heatmaps() -> None:
    rng = np.random.default_rng(5)
    units = HEATMAP_UNITS + 6
    weights = Weights(
        rng.normal(size=(1, 4 * units)), rng.normal(size=(units, 4 * units)) / 10, None
    )
    layer = Recurrent("LSTM", units, "tanh", "sigmoid", weights)
    view = inside_view([layer], rng.normal(size=(9, 1)), layer=0)
    activity = np.abs(view.steps.hidden).mean(axis=0)
    assert len(view.rows) == HEATMAP_UNITS and view.rows == sorted(view.rows)
    assert activity[view.rows].min() >= np.delete(activity, view.rows).max()
    assert f"the {HEATMAP_UNITS} most active of its {units} units" in view.note
    figure = gates_figure(view.steps, view.kind, "1: LSTM", view.rows)
    assert [len(trace.y) for trace in figure.data] == [HEATMAP_UNITS] * 4
