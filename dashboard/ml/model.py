"""TrainConfig -> a compiled Keras LSTM (forecasting or sequence classification)."""

from __future__ import annotations

import keras

from dashboard.ml.config import TrainConfig, layer_units


def regularizer(l1: float, l2: float) -> keras.regularizers.Regularizer | None:
    """An L1/L2 penalty, or None when both are off."""
    if not l1 and not l2:
        return None
    return keras.regularizers.L1L2(l1=l1, l2=l2)


def make_optimizer(config: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The optimizer, with a cosine-decaying learning rate if asked for."""
    rate: float | keras.optimizers.schedules.LearningRateSchedule = config.learning_rate
    if config.lr_schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate, decay_steps=max(1, config.epochs * steps_per_epoch)
        )
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=rate, momentum=config.momentum)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate)
    return keras.optimizers.Adam(learning_rate=rate)


def lstm_layer(config: TrainConfig, units: int, last: bool, index: int) -> keras.layers.Layer:
    """One LSTM layer (wrapped in Bidirectional if asked for)."""
    layer = keras.layers.LSTM(
        units,
        activation=config.activation,
        return_sequences=not last,
        recurrent_dropout=config.recurrent_dropout,
        kernel_regularizer=regularizer(config.l1, config.l2),
        recurrent_regularizer=regularizer(config.recurrent_l1, config.recurrent_l2),
        stateful=config.stateful,
        name=f"lstm_{index}",
    )
    if config.bidirectional:
        return keras.layers.Bidirectional(layer, name=f"bidirectional_{index}")
    return layer


def output_layer(config: TrainConfig, n_classes: int) -> keras.layers.Layer:
    """Linear outputs for forecasts; sigmoid (2 classes) or softmax for classification."""
    if config.task != "classify":
        return keras.layers.Dense(config.outputs, name="forecast")
    if n_classes == 2:
        return keras.layers.Dense(1, activation="sigmoid", name="classes")
    return keras.layers.Dense(n_classes, activation="softmax", name="classes")


def loss_and_metrics(config: TrainConfig, n_classes: int) -> tuple[str, list[str]]:
    """Keras loss and metric names for the task."""
    if config.task != "classify":
        return "mse", ["mae"]
    if n_classes == 2:
        return "binary_crossentropy", ["accuracy"]
    return "sparse_categorical_crossentropy", ["accuracy"]


def build_model(
    config: TrainConfig, n_features: int, steps_per_epoch: int = 1, n_classes: int = 0
) -> keras.Model:
    """Stacked LSTM (return_sequences on all but the last), dropout, optional Dense head."""
    batch_size = config.batch_size if config.stateful else None  # stateful: fixed batches
    model = keras.Sequential(name="lstm_lab")
    model.add(keras.Input((config.seq_len, n_features), batch_size=batch_size))
    widths = layer_units(config)
    for index, units in enumerate(widths, start=1):
        model.add(lstm_layer(config, units, last=index == len(widths), index=index))
        if config.dropout > 0:
            model.add(keras.layers.Dropout(config.dropout, name=f"dropout_{index}"))
    if config.dense_units:
        model.add(
            keras.layers.Dense(
                config.dense_units, activation=config.dense_activation, name="dense_head"
            )
        )
    model.add(output_layer(config, n_classes))
    loss, metrics = loss_and_metrics(config, n_classes)
    model.compile(
        optimizer=make_optimizer(config, steps_per_epoch),
        loss=loss,
        metrics=metrics,
        # XLA compilation made small LSTMs 2-3x slower on CPU (bench/README.md).
        jit_compile=False,
    )
    return model
