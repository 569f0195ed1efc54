"""TrainConfig -> a compiled Keras LSTM."""

from __future__ import annotations

import keras

from dashboard.ml.config import TrainConfig

OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}


def build_model(config: TrainConfig, n_features: int) -> keras.Model:
    """Stacked LSTM (return_sequences on all but the last), dropout, optional Dense head."""
    model = keras.Sequential(name="lstm_lab")
    model.add(keras.Input((config.seq_len, n_features)))
    for layer in range(config.layers):
        last = layer == config.layers - 1
        model.add(
            keras.layers.LSTM(config.units, return_sequences=not last, name=f"lstm_{layer + 1}")
        )
        if config.dropout > 0:
            model.add(keras.layers.Dropout(config.dropout, name=f"dropout_{layer + 1}"))
    if config.dense_units:
        model.add(keras.layers.Dense(config.dense_units, activation="relu", name="dense_head"))
    model.add(keras.layers.Dense(config.horizon, name="forecast"))
    model.compile(
        optimizer=OPTIMIZERS[config.optimizer](learning_rate=config.learning_rate),
        loss="mse",
        metrics=["mae"],
        # XLA compilation made small LSTMs 2-3x slower on CPU (bench/README.md).
        jit_compile=False,
    )
    return model
