"""The Keras model that a TrainConfig builds."""

from __future__ import annotations

import keras
import pytest

from dashboard.ml.config import TrainConfig
from dashboard.ml.model import build_model


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
def test_stacked_lstm_shapes(layers: int) -> None:
    config = TrainConfig(layers=layers, units=8, seq_len=12, dropout=0.1, dense_units=4)
    model = build_model(config, n_features=3)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == layers
    assert [layer.return_sequences for layer in lstms] == [True] * (layers - 1) + [False]
    assert all(layer.units == 8 for layer in lstms)
    assert model.input_shape == (None, 12, 3)
    assert model.output_shape == (None, 1)
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert [d.rate for d in dropouts] == [0.1] * layers


def test_head_learning_rate_and_horizon() -> None:
    config = TrainConfig(
        units=16, layers=1, dropout=0.0, dense_units=0, horizon=5, learning_rate=0.02
    )
    model = build_model(config, n_features=1)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    assert [type(layer).__name__ for layer in model.layers] == ["LSTM", "Dense"]
    assert model.output_shape == (None, 5)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.02)
    # LSTM(16) on 1 feature: 4 * (16 * (1 + 16) + 16); Dense(5): 16 * 5 + 5
    assert model.count_params() == 4 * (16 * 17 + 16) + 85
