"""TrainConfig -> a compiled Keras model, built from ml.network's layer specs."""

from __future__ import annotations

from typing import Any

import keras

from dashboard.ml.config import TrainConfig
from dashboard.ml.network import LayerSpec, layer_specs, loss_and_metrics


def regularizer(penalty: dict[str, float] | None) -> keras.regularizers.Regularizer | None:
    """An L1/L2 penalty, or None when both are off."""
    return keras.regularizers.L1L2(**penalty) if penalty else None


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


def make_layer(spec: LayerSpec) -> keras.layers.Layer:
    """The Keras layer a spec describes (wrapped in Bidirectional if asked for)."""
    args: dict[str, Any] = {
        key: regularizer(value) if key.endswith("_regularizer") else value
        for key, value in spec.args.items()
    }
    layer_class = getattr(keras.layers, spec.kind)
    if spec.bidirectional:
        inner = layer_class(**args, name=spec.name)
        return keras.layers.Bidirectional(inner, name=f"bidirectional_{spec.name}")
    return layer_class(**args, name=spec.name)


def build_model(
    config: TrainConfig, n_features: int, steps_per_epoch: int = 1, n_classes: int = 0
) -> keras.Model:
    """The layers of ml.network.layer_specs on (seq_len, n_features) inputs, compiled."""
    batch_size = config.batch_size if config.stateful else None  # stateful: fixed batches
    model = keras.Sequential(name="lstm_lab")
    model.add(keras.Input((config.seq_len, n_features), batch_size=batch_size))
    for spec in layer_specs(config, n_classes):
        model.add(make_layer(spec))
    loss, metrics = loss_and_metrics(config, n_classes)
    model.compile(
        optimizer=make_optimizer(config, steps_per_epoch),
        loss=loss,
        metrics=metrics,
        # On TensorFlow, XLA compilation made small LSTMs 2-3x slower on CPU (bench/README.md);
        # on JAX, compiled steps are the point (uncompiled, an epoch is 10-20x slower).
        jit_compile=keras.backend.backend() == "jax",
    )
    return model
