"""Keras settings on CPU: what each does to the first epoch and to a steady epoch.

The model is built as dashboard/ml/model.py builds it (copied here so that the compile and
fit options can vary): 2 x LSTM(64) with dropout 0.2, Dense(32, relu), Dense(1), adam, mse,
mae metric; the built-in sine series with the app's default split (70/15/15, seq 50, batch
32: 21 training and 5 validation batches per epoch). Every variant runs in its own
subprocess, because thread counts must be set before TensorFlow initialises and because the
first epoch (tracing, XLA compilation) is part of what is measured.

Variants (the baseline is what the app runs: jit_compile=False, steps_per_execution=1,
numpy arrays, intra-op 1 / inter-op 2 threads set through dashboard.ml.runtime):

- jit_compile True and "auto" (Keras' default);
- steps_per_execution 8 and 32;
- a tf.data pipeline (from_tensor_slices -> cache -> shuffle -> batch -> prefetch(AUTOTUNE))
  instead of numpy arrays;
- TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS (intra/inter) = 1/2, 2/2, 2/1, and unset;
- building the optimizer's slots (`optimizer.build`) or all compile state (optimizer and
  metrics: `model._symbolic_build`) right after compile: without it, Keras' TensorFlow trainer
  creates those variables inside the first trace of the train step, so tf.function traces it
  twice (`step_traces` counts the traces of the train and test steps: 3 vs 2); and
  `optimizer.build` with no compile metric (the mae curve is not drawn): public API only;
- Grappler's meta optimizer off (less graph optimisation before the first step), and, only
  when named with --only (it takes about a minute), run_eagerly=True (no tracing at all).

A last subprocess compares the cost of predicting the 150-window test part (what the live
prediction refresh does): `model.predict_on_batch(x)` vs `model(x, training=False)` vs
`model.predict(x)`, first call and the median of repeated calls, interleaved.

    .venv/bin/python bench/bench_knobs.py     # 2 rounds, 5 epochs: 3.5 min quiet, 7 loaded
    ROUNDS=3 EPOCHS=6 .venv/bin/python bench/bench_knobs.py --only baseline,spe_8,tfdata

Output: one line per subprocess, then per variant the medians over rounds of first_epoch_s
and median_epoch_s (median of epochs 2..N within a run), and the ratio to the baseline
measured in the same run (below 1: faster than the baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

VARIANTS: dict[str, dict[str, Any]] = {
    "baseline": {},
    "jit_true": {"jit_compile": True},
    "jit_auto": {"jit_compile": "auto"},
    "spe_8": {"steps_per_execution": 8},
    "spe_32": {"steps_per_execution": 32},
    "tfdata": {"data": "tfdata"},
    "threads_env_1_2": {"threads": "env", "env": {"intra": 1, "inter": 2}},
    "threads_env_2_2": {"threads": "env", "env": {"intra": 2, "inter": 2}},
    "threads_env_2_1": {"threads": "env", "env": {"intra": 2, "inter": 1}},
    "threads_unset": {"threads": "env", "env": {}},
    "run_eagerly": {"run_eagerly": True},
    "grappler_off": {"grappler_off": True},
    "prebuild_optimizer": {"prebuild": "optimizer"},
    "prebuild_symbolic": {"prebuild": "symbolic"},
    "prebuild_optimizer_no_metric": {"prebuild": "optimizer", "metrics": []},
}
OPT_IN = {"run_eagerly"}  # 15 s per epoch here: only with --only run_eagerly
BASELINE = {
    "jit_compile": False,
    "steps_per_execution": 1,
    "data": "numpy",
    "threads": "app",  # runtime.configure_threads(1, 2), as a server job does
    "env": {},
    "run_eagerly": False,
    "grappler_off": False,
    "prebuild": "",
    "metrics": ["mae"],
}


# --- worker side (runs in a fresh subprocess) ----------------------------------------
def worker_train(options: dict[str, Any], epochs: int) -> dict[str, Any]:
    """Build, fit `epochs` epochs with `options`; the timings of each phase."""
    t0 = time.perf_counter()
    from dashboard.ml import runtime  # imports TensorFlow

    keras, tf = runtime.keras, runtime.tf
    t_import = time.perf_counter() - t0
    if options["threads"] == "app":
        runtime.configure_threads(1, 2)
    if options["grappler_off"]:
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})

    windows = sine_windows()
    keras.utils.set_random_seed(0)
    t1 = time.perf_counter()
    model = build(keras, windows.x_train.shape[1:], options)
    if options["prebuild"] == "optimizer":
        model.optimizer.build(model.trainable_variables)
    elif options["prebuild"] == "symbolic":
        model._symbolic_build(data_batch=(windows.x_train[:1], windows.y_train[:1], None))
    t_build = time.perf_counter() - t1
    train_data, val_data = fit_data(tf, windows, options["data"])
    seconds: list[float] = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seconds.append(time.perf_counter() - self.started)

    fit_kwargs: dict[str, Any] = {"epochs": epochs, "verbose": 0, "callbacks": [Timer()]}
    if options["data"] == "numpy":
        fit_kwargs["batch_size"] = 32
    t2 = time.perf_counter()
    history = model.fit(*train_data, validation_data=val_data, **fit_kwargs)
    t_fit = time.perf_counter() - t2
    return {
        "import_s": round(t_import, 3),
        "build_s": round(t_build, 3),
        "fit_s": round(t_fit, 3),
        "first_epoch_s": round(seconds[0], 3),
        "median_epoch_s": round(statistics.median(seconds[1:] or seconds), 4),
        "val_loss": round(float(history.history["val_loss"][-1]), 5),
        "step_traces": step_traces(),
        "intra": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def step_traces() -> int:
    """How many times Keras' train and test steps (`one_step_on_data`) were traced."""
    import gc

    from tensorflow.python.eager.polymorphic_function.polymorphic_function import Function

    return sum(
        f.experimental_get_tracing_count()
        for f in gc.get_objects()
        if isinstance(f, Function) and f.__name__ == "one_step_on_data"
    )


def sine_windows() -> Any:
    """The app's default windows of the built-in sine series (70/15/15, seq 50)."""
    from dashboard.ml.data import sine_frame
    from dashboard.ml.windows import make_windows

    return make_windows(sine_frame()[["value"]].to_numpy(), 50, 1, 70, 15, "minmax")


def build(keras: Any, input_shape: tuple[int, ...], options: dict[str, Any]) -> Any:
    """dashboard.ml.model.build_model's network, compiled with `options`."""
    model = keras.Sequential(name="lstm_lab")
    model.add(keras.Input(input_shape))
    model.add(keras.layers.LSTM(64, return_sequences=True, name="lstm_1"))
    model.add(keras.layers.Dropout(0.2, name="dropout_1"))
    model.add(keras.layers.LSTM(64, return_sequences=False, name="lstm_2"))
    model.add(keras.layers.Dropout(0.2, name="dropout_2"))
    model.add(keras.layers.Dense(32, activation="relu", name="dense_head"))
    model.add(keras.layers.Dense(1, name="forecast"))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="mse",
        metrics=options["metrics"],
        jit_compile=options["jit_compile"],
        steps_per_execution=options["steps_per_execution"],
        run_eagerly=options["run_eagerly"],
    )
    return model


def fit_data(tf: Any, windows: Any, kind: str) -> tuple[tuple[Any, ...], Any]:
    """(train args for fit, validation_data) as numpy arrays or as tf.data pipelines."""
    if kind == "numpy":
        return (windows.x_train, windows.y_train), (windows.x_val, windows.y_val)
    autotune = tf.data.AUTOTUNE
    train = (
        tf.data.Dataset.from_tensor_slices((windows.x_train, windows.y_train))
        .cache()
        .shuffle(len(windows.x_train), seed=0, reshuffle_each_iteration=True)
        .batch(32)
        .prefetch(autotune)
    )
    val = (
        tf.data.Dataset.from_tensor_slices((windows.x_val, windows.y_val))
        .batch(32)
        .cache()
        .prefetch(autotune)
    )
    return (train,), val


def worker_predict(repeats: int) -> dict[str, Any]:
    """Cost of predicting the 150-window test part, three ways, after 2 epochs of fit."""
    from dashboard.ml import runtime

    keras = runtime.keras
    runtime.configure_threads(1, 2)
    windows = sine_windows()
    keras.utils.set_random_seed(0)
    model = build(keras, windows.x_train.shape[1:], BASELINE)
    model.fit(
        windows.x_train,
        windows.y_train,
        validation_data=(windows.x_val, windows.y_val),
        batch_size=32,
        epochs=2,
        verbose=0,
    )
    x = windows.x_test
    ways = {
        "predict_on_batch": lambda: model.predict_on_batch(x),
        "call": lambda: model(x, training=False).numpy(),
        "predict": lambda: model.predict(x, verbose=0),
    }
    result: dict[str, Any] = {"windows": len(x)}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for index in range(repeats + 1):
        for name, way in ways.items():
            started = time.perf_counter()
            way()
            elapsed = time.perf_counter() - started
            if index == 0:
                result[f"{name}_first_ms"] = round(elapsed * 1000, 1)
            else:
                times[name].append(elapsed)
    for name, values in times.items():
        result[f"{name}_median_ms"] = round(statistics.median(values) * 1000, 2)
    return result


# --- parent side ----------------------------------------------------------------------
def run_worker(args: list[str], env_threads: dict[str, int] | None) -> dict[str, Any]:
    """Run this script in worker mode in a fresh process; its JSON result."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_NUM_INTRAOP_THREADS", None)
    env.pop("TF_NUM_INTEROP_THREADS", None)
    for key, value in (env_threads or {}).items():
        env[f"TF_NUM_{key.upper()}OP_THREADS"] = str(value)
    argv = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {args} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Parent: alternate the variants for N rounds, then the predict comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "2")))
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("EPOCHS", "5")))
    parser.add_argument("--only", default="", help="comma-separated variant names")
    parser.add_argument("--repeats", type=int, default=30, help="predict calls per way")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-predict", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker_train({**BASELINE, **json.loads(args.worker)}, args.epochs)))
        return
    if args.worker_predict:
        print(json.dumps(worker_predict(args.repeats)))
        return

    names = [n for n in args.only.split(",") if n] or [n for n in VARIANTS if n not in OPT_IN]
    if "baseline" not in names:
        names.insert(0, "baseline")
    print(f"# {args.rounds} rounds x {len(names)} variants, {args.epochs} epochs each", flush=True)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    started = time.perf_counter()
    for round_no in range(1, args.rounds + 1):
        order = names if round_no % 2 else list(reversed(names))
        for name in order:
            options = VARIANTS[name]
            worker_args = ["--worker", json.dumps(options), "--epochs", str(args.epochs)]
            result = run_worker(worker_args, options.get("env"))
            results[name].append(result)
            print(
                f"round={round_no} variant={name} "
                + " ".join(f"{k}={v}" for k, v in result.items()),
                flush=True,
            )

    predict = run_worker(["--worker-predict", "--repeats", str(args.repeats)], None)
    print("predict " + " ".join(f"{k}={v}" for k, v in predict.items()), flush=True)

    print(f"\n# medians over rounds ({time.perf_counter() - started:.0f} s in all)")
    base = {
        k: statistics.median(r[k] for r in results["baseline"])
        for k in ("first_epoch_s", "median_epoch_s")
    }
    print(f"{'variant':<18}{'first_epoch_s':>15}{'x base':>8}{'median_epoch_s':>16}{'x base':>8}")
    for name, runs in results.items():
        first = statistics.median(r["first_epoch_s"] for r in runs)
        epoch = statistics.median(r["median_epoch_s"] for r in runs)
        print(
            f"{name:<18}{first:>15.3f}{first / base['first_epoch_s']:>8.2f}"
            f"{epoch:>16.4f}{epoch / base['median_epoch_s']:>8.2f}"
        )


if __name__ == "__main__":
    main()
