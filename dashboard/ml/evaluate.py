"""Scoring a trained model: test predictions, baselines, roll-outs and forecasts past the end.

Keras-free: the model is reached through a `predict(windows) -> outputs` callable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from dashboard.ml import metrics
from dashboard.ml.config import TrainConfig
from dashboard.ml.sequences import Sequences
from dashboard.ml.windows import Windows, naive_forecast

if TYPE_CHECKING:
    from dashboard.ml.train import RunResult

Predict = Callable[[np.ndarray], np.ndarray]


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


def score(
    result: RunResult,
    config: TrainConfig,
    values: np.ndarray,
    data: Windows | Sequences,
    predict: Predict,
) -> None:
    """Fill `result` with test predictions, scores and the task's extras."""
    if isinstance(data, Sequences):
        codes = class_codes(predict(data.x_test))
        result.predictions = np.column_stack([codes, data.y_test]).astype(float)
        result.actual = data.y_test[:, None].astype(float)
        result.scores = metrics.classification_scores(data.y_test, codes, data.classes)
        return
    result.predictions = data.to_original(predict(data.x_test))
    result.actual = data.to_original(data.y_test)
    result.test_rows = data.test_rows
    result.naive = naive_forecast(values[:, 0], data.test_rows, config.outputs)
    model_scores = metrics.scores(result.actual, result.predictions)
    naive_scores = metrics.scores(result.actual, result.naive)
    result.scores = {
        "model": model_scores,
        "naive": naive_scores,
        "skill": metrics.skill(model_scores["mae"] or 0.0, naive_scores["mae"] or 0.0),
    }
    result.extras = {
        "rollout": data.to_original(roll_out(predict, data.x_test[0], config)).tolist(),
        "future": data.to_original(roll_out(predict, data.last_window, config)).tolist(),
    }


def headline_scores(scores: dict[str, Any]) -> dict[str, float]:
    """The test scores a run is judged by, flat and rounded: what the exported script prints
    next to the app's."""
    model, naive = scores.get("model") or {}, scores.get("naive") or {}
    found = {
        "accuracy": scores.get("accuracy"),
        "test MAE": model.get("mae"),
        "test RMSE": model.get("rmse"),
        "naive MAE": naive.get("mae"),
        "skill %": scores.get("skill"),
    }
    return {k: round(float(v), 6) for k, v in found.items() if isinstance(v, int | float)}
