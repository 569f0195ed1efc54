"""Scoring a trained model: test predictions, roll-outs and forecasts past the end, and the
honest comparison of ml/honest.py (baselines, MASE, intervals, diagnostics, backtest).

Keras-free: the model is reached through a `predict(windows) -> outputs` callable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from dashboard.ml import metrics
from dashboard.ml.backtest import origin_indices
from dashboard.ml.baselines import LABELS
from dashboard.ml.config import TrainConfig
from dashboard.ml.honest import Forecasts, forecast_report
from dashboard.ml.sequences import Sequences
from dashboard.ml.windows import Windows, naive_forecast

if TYPE_CHECKING:
    from dashboard.ml.train import RunResult

Predict = Callable[[np.ndarray], np.ndarray]
# backtest origins' first forecast rows -> refit forecasts (original units, the first k
# origins x horizon) and why fewer than all were refit (ml/train.py: refit_forecasts)
Refit = Callable[[np.ndarray], tuple[np.ndarray, str]]


def class_codes(outputs: np.ndarray) -> np.ndarray:
    """Predicted class codes from sigmoid (one column) or softmax outputs."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0.5).astype(int)
    return np.argmax(outputs, axis=1)


def predictions(config: TrainConfig, data: Windows | Sequences, outputs: np.ndarray) -> np.ndarray:
    """Model outputs as the page shows them: forecasts in original units, or for
    classification (predicted, true) class-code pairs, the makings of a confusion matrix."""
    if isinstance(data, Sequences):
        return np.column_stack([class_codes(outputs), data.y_test]).astype(float)
    return data.to_original(outputs)


def roll_out(predict: Predict, window: np.ndarray, config: TrainConfig) -> np.ndarray:
    """`config.horizon` scaled values after `window` (seq_len x features), one model call
    for a direct head, or step by step feeding each prediction back (recursive)."""
    if config.forecast_mode != "recursive":
        return predict(window[None])[0]
    window, out = window.copy(), []
    for _ in range(config.horizon):
        step = float(predict(window[None])[0, 0])
        out.append(step)
        window = np.concatenate([window[1:], [[step]]]).astype(np.float32)
    return np.asarray(out)


def roll_out_many(predict: Predict, windows: np.ndarray, config: TrainConfig) -> np.ndarray:
    """`roll_out` for a batch of windows at once: (windows x horizon) scaled values, one
    model call per step ahead (recursive) or one in all (direct)."""
    if config.forecast_mode != "recursive" or not len(windows):
        return np.asarray(predict(windows)) if len(windows) else np.zeros((0, config.horizon))
    windows, out = windows.copy(), []
    for _ in range(config.horizon):
        step = np.asarray(predict(windows))[:, :1].astype(np.float32)
        out.append(step[:, 0])
        windows = np.concatenate([windows[:, 1:], step[:, :, None]], axis=1)
    return np.stack(out, axis=1)


def score(
    result: RunResult,
    config: TrainConfig,
    values: np.ndarray,
    data: Windows | Sequences,
    predict: Predict,
    refit: Refit | None = None,
) -> None:
    """Fill `result` with test predictions, scores and the task's extras.

    `refit`, when given, refits a model at the backtest origins (backtest_refit on). A
    recursive run's test windows are also rolled out the whole horizon (one model call per
    step, all windows at once) for the error by step ahead.
    """
    if isinstance(data, Sequences):
        codes = class_codes(predict(data.x_test))
        result.predictions = np.column_stack([codes, data.y_test]).astype(float)
        result.actual = data.y_test[:, None].astype(float)
        result.scores = metrics.classification_scores(data.y_test, codes, data.classes)
        result.scores["majority"] = metrics.majority_baseline(
            data.y_train, data.y_test, codes, data.classes
        )
        return
    result.predictions = data.to_original(predict(data.x_test))
    result.actual = data.to_original(data.y_test)
    result.test_rows = data.test_rows
    series = np.asarray(values[:, 0], dtype=np.float64)
    result.naive = naive_forecast(series, data.test_rows, config.outputs)
    future = data.to_original(roll_out(predict, data.last_window, config))
    chosen = origin_indices(
        data.test_rows, len(series), config.horizon, config.backtest_origins, config.backtest_stride
    )
    backtest_rows = data.test_rows[chosen]
    refit_made, refit_note = refit(backtest_rows) if refit is not None else (None, "")
    rolled = None
    if config.forecast_mode == "recursive" and config.horizon > 1:
        rolled = data.to_original(roll_out_many(predict, data.x_test, config))
    forecasts = Forecasts(
        series=series,
        train_end=data.train_end,
        rows=data.test_rows,
        actual=result.actual,
        predicted=result.predictions,
        val_actual=data.to_original(data.y_val),
        val_predicted=data.to_original(predict(data.x_val)) if len(data.x_val) else data.y_val,
        backtest_rows=backtest_rows,
        backtest_predicted=data.to_original(roll_out_many(predict, data.x_test[chosen], config)),
        future=future,
        backtest_refit=refit_made,
        refit_note=refit_note,
        rolled=rolled,
    )
    result.scores, honest = forecast_report(forecasts, config)
    result.extras = {
        "rollout": data.to_original(roll_out(predict, data.x_test[0], config)).tolist(),
        "future": future.tolist(),
        **honest,
    }


def headline_scores(scores: dict[str, Any]) -> dict[str, float | str]:
    """The test scores a run is judged by, flat and rounded: what the exported script prints
    next to the app's.

    Forecasts: the model's MAE, RMSE, MAPE (or sMAPE where the app shows sMAPE: some actual
    value near zero) and MASE; each baseline's MAE and the same percentage error; the
    strongest baseline's name and MAE; the skill over the last value and over the strongest.
    Classification: the model's accuracy and balanced accuracy, and the majority-class
    baseline's (its class named).
    """
    if "accuracy" in scores:
        return _classification_headline(scores)
    model = scores.get("model") or {}
    found: dict[str, Any] = {"test MAE": model.get("mae"), "test RMSE": model.get("rmse")}
    percent = "mape" if model.get("mape") is not None else "smape"
    shown = "MAPE" if percent == "mape" else "sMAPE"
    found[f"test {shown} %"] = model.get(percent)
    found["MASE"] = scores.get("mase")
    every = scores.get("baselines") or {}
    if not every and scores.get("naive"):  # a record from before the baselines
        every = {"last_value": scores["naive"]}
    for name, baseline in every.items():
        found[f"{LABELS.get(name, name)} MAE"] = baseline.get("mae")
        found[f"{LABELS.get(name, name)} {shown} %"] = baseline.get(percent)
    strongest = every.get(scores.get("strongest")) or {}
    if scores.get("strongest_label"):
        found["strongest baseline"] = str(scores["strongest_label"])
    found["strongest baseline MAE"] = strongest.get("mae")
    found["skill over last value %"] = scores.get("skill")
    found["skill over strongest %"] = scores.get("skill_strongest")
    return _rounded(found)


def _classification_headline(scores: dict[str, Any]) -> dict[str, float | str]:
    majority = scores.get("majority") or {}
    model, baseline = majority.get("model") or {}, majority.get("baseline") or {}
    found: dict[str, Any] = {
        "accuracy": scores.get("accuracy"),
        "balanced accuracy": model.get("balanced_accuracy"),
        "majority class": None if majority.get("class") is None else str(majority["class"]),
        "majority accuracy": baseline.get("accuracy"),
        "majority balanced accuracy": baseline.get("balanced_accuracy"),
    }
    return _rounded(found)


def _rounded(found: dict[str, Any]) -> dict[str, float | str]:
    """Numbers rounded to 6 decimals, text kept, anything missing (None) left out."""
    out: dict[str, float | str] = {}
    for key, value in found.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = round(float(value), 6)
    return out
