"""The floor under any Keras training loop on this machine: the compiled steps alone.

The reference run's model (bench/project_run.py's settings), built and compiled by the
project's own `build_model` on the backend KERAS_BACKEND names, then trained by calling
Keras' compiled train step directly, batch after batch, and its compiled test step on the
validation batches: no `fit` loop, no callbacks, no reports, no logs turned into floats.
What an epoch costs here is what XLA's (or TensorFlow's) LSTM step costs; no loop written
around Keras' steps can be faster. Prints the reference's key=value fields (first_epoch_s
includes tracing the steps; median_epoch_s is the floor).

    KERAS_BACKEND=jax .venv/bin/python bench/step_run.py
"""

from __future__ import annotations

import math
import os
import time

T0 = time.perf_counter()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from project_run import config_from_env, upper_median  # noqa: E402

from dashboard.ml.data import sine_frame  # noqa: E402
from dashboard.ml.model import build_model  # noqa: E402
from dashboard.ml.train import build_state, prepare  # noqa: E402

IMPORT_S = time.perf_counter() - T0


def batches(x: np.ndarray, y: np.ndarray, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """x, y in consecutive batches of `size` (the last one shorter), as Keras slices them."""
    return [(x[i : i + size], y[i : i + size]) for i in range(0, len(x), size)]


def main() -> None:
    """Train through the compiled steps alone and print the timings as one key=value line."""
    if keras.backend.backend() != "jax":
        raise SystemExit("step_run.py drives Keras' JAX steps: set KERAS_BACKEND=jax")
    import jax

    config = config_from_env()
    data = prepare(config, sine_frame()[["value"]].to_numpy())
    keras.utils.set_random_seed(config.seed)
    steps = math.ceil(len(data.x_train) / config.batch_size)
    model = build_model(config, data.x_train.shape[2], steps)
    build_state(model, data.x_train[: config.batch_size], data.y_train[: config.batch_size])
    model.make_train_function()
    model.make_test_function()
    variables = (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    )
    state = tuple([v.value for v in group] for group in variables)
    train = [tuple(map(jax.numpy.asarray, b)) for b in batches(data.x_train, data.y_train, 32)]
    val = [tuple(map(jax.numpy.asarray, b)) for b in batches(data.x_val, data.y_val, 32)]
    seconds = []
    for _ in range(config.epochs):
        started = time.perf_counter()
        for batch in train:
            logs, state = model.train_function(state, iter([batch]))
        trainable, non_trainable, optimizer, metrics = state
        for batch in val:  # the test step donates its state too: carry what it returns
            val_logs, (trainable, non_trainable, metrics) = model.test_function(
                (trainable, non_trainable, metrics), iter([batch])
            )
        state = (trainable, non_trainable, optimizer, metrics)
        jax.block_until_ready((logs, val_logs, state))
        seconds.append(time.perf_counter() - started)
    fields = {
        "import_s": f"{IMPORT_S:.2f}",
        "first_epoch_s": f"{seconds[0]:.2f}",
        "median_epoch_s": f"{upper_median(seconds):.3f}",
        "total_s": f"{time.perf_counter() - T0:.2f}",
        "train_batches": len(train),
        "val_batches": len(val),
    }
    print(" ".join(f"{key}={value}" for key, value in fields.items()), flush=True)


if __name__ == "__main__":
    main()
