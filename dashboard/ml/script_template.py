"""The train.py that LSTM Lab exports (a template; see dashboard/ml/export.py)."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quiet TensorFlow's start-up messages

# --- settings (written by LSTM Lab) ---
CONFIG: dict[str, Any] = {
    "dataset": "builtin:sine",
    "target": "value",
    "features": [],
    "train_pct": 70,
    "val_pct": 15,
    "task": "forecast",
    "units": 64,
    "layers": 2,
    "units_schedule": "same",
    "bidirectional": False,
    "activation": "tanh",
    "dropout": 0.2,
    "recurrent_dropout": 0.0,
    "l1": 0.0,
    "l2": 0.0,
    "recurrent_l1": 0.0,
    "recurrent_l2": 0.0,
    "dense_units": 32,
    "dense_activation": "relu",
    "stateful": False,
    "seq_len": 50,
    "horizon": 1,
    "forecast_mode": "direct",
    "scaling": "minmax",
    "optimizer": "adam",
    "learning_rate": 0.001,
    "momentum": 0.9,
    "lr_schedule": "none",
    "batch_size": 32,
    "epochs": 20,
    "early_stopping": False,
    "patience": 5,
    "restore_best": True,
    "seed": 0,
}
DATA_FILE = "data.csv"
COLUMNS = ["value"]  # the target (or class label) first, then the input columns
APP_SCORES: dict[str, float] = {}  # what LSTM Lab measured on the test part
# --- end of settings ---

# Every setting this script reproduces; LSTM Lab's tests fail when a new one is missing.
HANDLED = frozenset(
    {
        *("dataset", "target", "features", "train_pct", "val_pct", "task"),
        *("units", "layers", "units_schedule", "bidirectional", "activation", "dropout"),
        *("recurrent_dropout", "l1", "l2", "recurrent_l1", "recurrent_l2", "dense_units"),
        *("dense_activation", "stateful", "seq_len", "horizon", "forecast_mode", "scaling"),
        *("optimizer", "learning_rate", "momentum", "lr_schedule", "batch_size", "epochs"),
        *("early_stopping", "patience", "restore_best", "seed"),
    }
)


def outputs(config: dict[str, Any]) -> int:
    """Values the forecasting head predicts per window (1 for a recursive roll-out)."""
    return 1 if config["forecast_mode"] == "recursive" else int(config["horizon"])


# data: chronological split, scalers fitted on the training rows only, windows ---------
def split_rows(n_rows: int, train_pct: int, val_pct: int) -> tuple[int, int]:
    """Row positions where the validation and the test parts start."""
    return int(n_rows * train_pct / 100), int(n_rows * (train_pct + val_pct) / 100)


def make_scaler(kind: str) -> Any:
    """A fresh scaler: 'minmax', 'standard', or None for 'none'."""
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    return {"minmax": MinMaxScaler, "standard": StandardScaler}.get(kind, lambda: None)()


def fit_scale(values: np.ndarray, train_end: int, kind: str) -> tuple[np.ndarray, Any]:
    """Scale every row with a scaler fitted on rows [0, train_end) only."""
    scaler = make_scaler(kind)
    if scaler is None:
        return values.astype(np.float64), None
    scaler.fit(values[:train_end])
    return scaler.transform(values), scaler


def to_original(scaler: Any, scaled: np.ndarray) -> np.ndarray:
    """Scaled target values (any shape) back in the series' own units."""
    if scaler is None:
        return np.asarray(scaled, dtype=np.float64)
    flat = np.asarray(scaled, dtype=np.float64).reshape(-1, 1)
    return np.asarray(scaler.inverse_transform(flat)).reshape(np.shape(scaled))


def make_windows(values: np.ndarray, config: dict[str, Any]) -> dict[str, Any]:
    """Cut `values` (rows x columns, target first) into scaled windows and their targets.

    A window belongs to the part that holds all of its target steps; windows whose
    targets straddle a boundary are dropped.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    seq_len, horizon = int(config["seq_len"]), outputs(config)
    train_end, val_end = split_rows(len(values), config["train_pct"], config["val_pct"])
    scaled, _ = fit_scale(values, train_end, config["scaling"])
    _, target_scaler = fit_scale(values[:, :1], train_end, config["scaling"])
    n_windows = len(values) - seq_len - horizon + 1
    inputs = sliding_window_view(scaled[: n_windows + seq_len - 1], seq_len, axis=0)
    inputs = inputs.transpose(0, 2, 1)  # (windows, seq_len, features)
    targets = sliding_window_view(scaled[seq_len:, 0], horizon)[:n_windows]
    first = np.arange(n_windows) + seq_len
    last = first + horizon - 1
    parts = {
        "train": last < train_end,
        "val": (first >= train_end) & (last < val_end),
        "test": first >= val_end,
    }
    data: dict[str, Any] = {"scaler": target_scaler}
    for name, mask in parts.items():
        data[f"x_{name}"] = np.ascontiguousarray(inputs[mask], dtype=np.float32)
        data[f"y_{name}"] = np.ascontiguousarray(targets[mask], dtype=np.float32)
        data[f"{name}_rows"] = first[mask]
    data["last_window"] = np.ascontiguousarray(scaled[-seq_len:], dtype=np.float32)
    return data


def make_sequences(values: np.ndarray, config: dict[str, Any]) -> dict[str, Any]:
    """Classification: each row one sequence, column 0 its label; a seeded (stratified)
    split into train/validation/test, one scale for every step fitted on training rows."""
    labels, series = values[:, 0], np.asarray(values[:, 1:], dtype=np.float64)
    classes, codes = np.unique(labels, return_inverse=True)
    seed, train_pct, val_pct = config["seed"], config["train_pct"], config["val_pct"]
    rest, test = _split(np.arange(len(values)), codes, 1 - (train_pct + val_pct) / 100, seed)
    train, val = _split(rest, codes[rest], val_pct / (train_pct + val_pct), seed)
    scaler = make_scaler("standard" if config["scaling"] == "minmax" else config["scaling"])
    if scaler is not None:
        scaler.fit(series[train].reshape(-1, 1))
        series = scaler.transform(series.reshape(-1, 1)).reshape(series.shape)
    x = series[..., None].astype(np.float32)
    names = [f"{c:g}" if isinstance(c, float) else str(c) for c in classes]
    data: dict[str, Any] = {"classes": names}
    for name, rows in (("train", train), ("val", val), ("test", test)):
        data[f"x_{name}"], data[f"y_{name}"] = x[rows], codes[rows]
    return data


def _split(index: np.ndarray, codes: np.ndarray, share: float, seed: int) -> tuple[Any, ...]:
    from sklearn.model_selection import train_test_split

    try:
        return tuple(train_test_split(index, test_size=share, random_state=seed, stratify=codes))
    except ValueError:  # a class with a single member cannot be stratified
        return tuple(train_test_split(index, test_size=share, random_state=seed))


# the model -----------------------------------------------------------------------------
def layer_units(config: dict[str, Any]) -> list[int]:
    """Units of each LSTM layer: all the same, or halving with depth (at least 4)."""
    units, layers = int(config["units"]), int(config["layers"])
    if config["units_schedule"] == "halving":
        return [max(4, units // 2**i) for i in range(layers)]
    return [units] * layers


def regularizer(l1: float, l2: float) -> Any:
    """An L1/L2 penalty, or None when both are off."""
    import keras

    return keras.regularizers.L1L2(l1=l1, l2=l2) if l1 or l2 else None


def make_optimizer(config: dict[str, Any], steps_per_epoch: int) -> Any:
    """Adam, RMSprop or SGD with momentum; the learning rate may decay on a cosine."""
    import keras

    rate: Any = config["learning_rate"]
    if config["lr_schedule"] == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(
            config["learning_rate"], decay_steps=max(1, config["epochs"] * steps_per_epoch)
        )
    if config["optimizer"] == "sgd":
        return keras.optimizers.SGD(learning_rate=rate, momentum=config["momentum"])
    if config["optimizer"] == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate)
    return keras.optimizers.Adam(learning_rate=rate)


def build_model(
    config: dict[str, Any], n_features: int, steps_per_epoch: int, n_classes: int = 0
) -> Any:
    """Stacked LSTM (all but the last return sequences), dropout, optional Dense head."""
    import keras

    batch_size = config["batch_size"] if config["stateful"] else None
    model = keras.Sequential(name="lstm_lab")
    model.add(keras.Input((config["seq_len"], n_features), batch_size=batch_size))
    widths = layer_units(config)
    for index, units in enumerate(widths, start=1):
        layer = keras.layers.LSTM(
            units,
            activation=config["activation"],
            return_sequences=index < len(widths),
            recurrent_dropout=config["recurrent_dropout"],
            kernel_regularizer=regularizer(config["l1"], config["l2"]),
            recurrent_regularizer=regularizer(config["recurrent_l1"], config["recurrent_l2"]),
            stateful=config["stateful"],
            name=f"lstm_{index}",
        )
        if config["bidirectional"]:
            layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{index}")
        model.add(layer)
        if config["dropout"] > 0:
            model.add(keras.layers.Dropout(config["dropout"], name=f"dropout_{index}"))
    if config["dense_units"]:
        dense = keras.layers.Dense(
            config["dense_units"], activation=config["dense_activation"], name="dense_head"
        )
        model.add(dense)
    model.add(_head(config, n_classes))
    loss, metrics = _loss(config, n_classes)
    optimizer = make_optimizer(config, steps_per_epoch)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics, jit_compile=False)
    return model


def _head(config: dict[str, Any], n_classes: int) -> Any:
    import keras

    if config["task"] != "classify":
        return keras.layers.Dense(outputs(config), name="forecast")
    if n_classes == 2:
        return keras.layers.Dense(1, activation="sigmoid", name="classes")
    return keras.layers.Dense(n_classes, activation="softmax", name="classes")


def _loss(config: dict[str, Any], n_classes: int) -> tuple[str, list[str]]:
    if config["task"] != "classify":
        return "mse", ["mae"]
    if n_classes == 2:
        return "binary_crossentropy", ["accuracy"]
    return "sparse_categorical_crossentropy", ["accuracy"]


# training ------------------------------------------------------------------------------
def reset_states(model: Any) -> None:
    """Forget the carried LSTM state (stateful mode)."""
    for layer in model.layers:
        inner = (getattr(layer, "forward_layer", None), getattr(layer, "backward_layer", None))
        for part in (layer, *inner):
            if part is not None and getattr(part, "stateful", False):
                part.reset_states()


def training_callbacks(config: dict[str, Any]) -> list[Any]:
    """State resets (stateful), learning-rate plateau and early stopping, as configured."""
    import keras

    class ResetStates(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            reset_states(self.model)

    extra: list[Any] = [ResetStates()] if config["stateful"] else []
    if config["lr_schedule"] == "plateau":
        patience = max(2, config["patience"] // 2)
        extra.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.5, patience=patience, min_lr=1e-6
            )
        )
    if config["early_stopping"]:
        extra.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss",
                patience=config["patience"],
                restore_best_weights=config["restore_best"],
            )
        )
    return extra


def predict(model: Any, config: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Model outputs for windows `x` (a stateful model takes full batches only)."""
    if not config["stateful"]:
        return np.asarray(model.predict_on_batch(x))
    batch = config["batch_size"]
    padded = np.concatenate([x, np.repeat(x[-1:], -len(x) % batch, axis=0)])
    reset_states(model)
    out = model.predict(padded, batch_size=batch, verbose=0)
    reset_states(model)
    return np.asarray(out[: len(x)])


def full_batches(x: np.ndarray, y: np.ndarray, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """The first whole batches of (x, y) (stateful mode)."""
    keep = len(x) - len(x) % batch
    return x[:keep], y[:keep]


def fit(config: dict[str, Any], data: dict[str, Any], epochs: int) -> tuple[Any, Any]:
    """Build and train the model; return it and Keras' history."""
    x_train, y_train, x_val, y_val = data["x_train"], data["y_train"], data["x_val"], data["y_val"]
    if config["stateful"]:
        x_train, y_train = full_batches(x_train, y_train, config["batch_size"])
        x_val, y_val = full_batches(x_val, y_val, config["batch_size"])
    steps = max(1, math.ceil(len(x_train) / config["batch_size"]))
    n_classes = len(data.get("classes", []))
    model = build_model(config, x_train.shape[2], steps, n_classes)
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=config["batch_size"],
        shuffle=not config["stateful"],
        callbacks=training_callbacks(config),
        verbose=2,
    )
    return model, history


# scoring -------------------------------------------------------------------------------
def forecast_scores(
    model: Any, config: dict[str, Any], data: dict[str, Any], target: np.ndarray
) -> dict[str, float]:
    """Test-part MAE, RMSE and MAPE of the model and of the naive last-value forecast."""
    predicted = to_original(data["scaler"], predict(model, config, data["x_test"]))
    actual = to_original(data["scaler"], data["y_test"])
    naive = np.repeat(target[data["test_rows"] - 1][:, None], outputs(config), axis=1)
    scores = {"mae": _mae(actual, predicted), "rmse": _rmse(actual, predicted)}
    scores |= {"naive_mae": _mae(actual, naive), "naive_rmse": _rmse(actual, naive)}
    if scores["naive_mae"]:
        scores["skill"] = (1 - scores["mae"] / scores["naive_mae"]) * 100
    return scores


def roll_out(model: Any, config: dict[str, Any], window: np.ndarray) -> np.ndarray:
    """`horizon` scaled values after `window`: one call (direct) or fed back step by step."""
    if config["forecast_mode"] != "recursive":
        return predict(model, config, window[None])[0]
    window, out = window.copy(), []
    for _ in range(config["horizon"]):
        step = float(predict(model, config, window[None])[0, 0])
        out.append(step)
        window = np.concatenate([window[1:], [[step]]]).astype(np.float32)
    return np.asarray(out)


def _mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(actual - predicted)))


def _rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.sqrt(np.mean((actual - predicted) ** 2)))


def classification_report(model: Any, config: dict[str, Any], data: dict[str, Any]) -> float:
    """Print the test accuracy and confusion matrix; return the accuracy."""
    out = predict(model, config, data["x_test"])
    codes = (out[:, 0] > 0.5).astype(int) if out.shape[1] == 1 else np.argmax(out, axis=1)
    accuracy = float(np.mean(codes == data["y_test"]))
    print(f"test accuracy {accuracy:.4f}  ({len(codes)} sequences)")
    k = len(data["classes"])
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (data["y_test"], codes), 1)
    print("confusion matrix (rows: true class, columns: predicted):", data["classes"])
    print(confusion)
    return accuracy


# the run -------------------------------------------------------------------------------
def load_values(path: Path) -> np.ndarray:
    """The columns the run used, as floats (target or label first)."""
    frame = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        sys.exit(f"{path} has no column(s) {missing}: is it the file the run used?")
    return frame[COLUMNS].to_numpy(dtype=np.float64)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train as the run did, print the test scores next to the app's; return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", default=DATA_FILE, help="the data file (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=CONFIG["epochs"], help="override epochs")
    parser.add_argument("--save", help="write the trained model to this .keras file")
    args = parser.parse_args(argv)
    unknown = sorted(set(CONFIG) - HANDLED)
    if unknown:
        print(f"note: this script does not reproduce the setting(s) {', '.join(unknown)}")
    import keras

    keras.utils.set_random_seed(CONFIG["seed"])
    path = Path(args.data)
    values = load_values(path if path.is_absolute() else Path(__file__).parent / path)
    if CONFIG["task"] == "classify":
        data = make_sequences(values, CONFIG)
        config = {**CONFIG, "seq_len": data["x_train"].shape[1]}
    else:
        data, config = make_windows(values, CONFIG), CONFIG
    model, _ = fit(config, data, args.epochs)
    if config["task"] == "classify":
        scores = {"accuracy": classification_report(model, config, data)}
    else:
        scores = forecast_scores(model, config, data, values[:, 0])
        print(f"test MAE {scores['mae']:.6g}  RMSE {scores['rmse']:.6g}")
        print(f"naive MAE {scores['naive_mae']:.6g}  RMSE {scores['naive_rmse']:.6g}")
        if "skill" in scores:
            print(f"skill over the naive forecast {scores['skill']:+.1f} % (MAE)")
        future = to_original(data["scaler"], roll_out(model, config, data["last_window"]))
        print("forecast past the last row:", np.round(future.ravel(), 4).tolist())
    if APP_SCORES:
        print("LSTM Lab measured:", "  ".join(f"{k} {v:.6g}" for k, v in APP_SCORES.items()))
    if args.save:
        model.save(args.save)
    return scores


if __name__ == "__main__":
    main()
