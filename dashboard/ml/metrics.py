"""Forecast error measures, and the skill of a model over the naive baseline."""

from __future__ import annotations

from typing import Any

import numpy as np


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))))


def rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(predicted)) ** 2)))


def mape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """Mean absolute percentage error over the non-zero actual values (None if all are 0)."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    nonzero = actual != 0
    if not nonzero.any():
        return None
    return float(np.mean(np.abs((actual[nonzero] - predicted[nonzero]) / actual[nonzero])) * 100)


def scores(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    """MAE, RMSE and MAPE (in %) in one dict."""
    return {
        "mae": mae(actual, predicted),
        "rmse": rmse(actual, predicted),
        "mape": mape(actual, predicted),
    }


def skill(model_error: float, baseline_error: float) -> float | None:
    """How much smaller the model's error is than the baseline's, in % (positive = better)."""
    if baseline_error == 0:
        return None
    return (1 - model_error / baseline_error) * 100


def best_epoch(history: dict[str, list[float]]) -> int | None:
    """The epoch (1-based) with the lowest finite val_loss, or None."""
    values = np.asarray(history.get("val_loss", []), dtype=float)
    if not len(values) or not np.isfinite(values).any():
        return None
    return int(np.nanargmin(np.where(np.isfinite(values), values, np.nan))) + 1


def overfitting_since(history: dict[str, list[float]], run: int = 3) -> int | None:
    """First epoch of the latest stretch where val_loss rose `run` times in a row while the
    training loss kept falling (the classic sign of overfitting), or None."""
    loss = np.asarray(history.get("loss", []), dtype=float)
    val = np.asarray(history.get("val_loss", []), dtype=float)
    if len(val) <= run or len(loss) != len(val):
        return None
    rising = np.diff(val[-run - 1 :]) > 0
    falling = np.diff(loss[-run - 1 :]) < 0
    if rising.all() and falling.all():
        return len(val) - run
    return None


def classification_scores(
    labels: np.ndarray, predicted: np.ndarray, classes: list[str]
) -> dict[str, Any]:
    """Accuracy, the confusion matrix (rows: true class) and per-class precision/recall/F1."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    codes = list(range(len(classes)))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=codes, zero_division=0
    )
    return {
        "accuracy": float(np.mean(labels == predicted)),
        "confusion": confusion_matrix(labels, predicted, labels=codes).tolist(),
        "classes": classes,
        "per_class": [
            {
                "class": c,
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for c, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
        ],
    }
