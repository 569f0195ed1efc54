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


def headline_scores(scores: dict[str, Any]) -> dict[str, float]:
    """The test scores a run is judged by, flat and rounded: what the exported script prints
    next to the app's."""
    model, naive = scores.get("model") or {}, scores.get("naive") or {}
    strongest = (scores.get("baselines") or {}).get(scores.get("strongest")) or {}
    found = {
        "accuracy": scores.get("accuracy"),
        "test MAE": model.get("mae"),
        "test RMSE": model.get("rmse"),
        "naive MAE": naive.get("mae"),
        "skill %": scores.get("skill"),
        "MASE": scores.get("mase"),
        "strongest baseline MAE": strongest.get("mae"),
        "skill over strongest %": scores.get("skill_strongest"),
    }
    return {k: round(float(v), 6) for k, v in found.items() if isinstance(v, int | float)}
