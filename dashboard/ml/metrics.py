"""Forecast error measures (MAE, RMSE, guarded MAPE, sMAPE, MASE, by step ahead), the skill of
a model over a baseline, and classification scores with the majority-class baseline."""

from __future__ import annotations

from typing import Any

import numpy as np


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))))


def rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(predicted)) ** 2)))


NEAR_ZERO = 0.01  # an actual value below this share of the mean |actual| counts as zero


def has_near_zero(actual: np.ndarray) -> bool:
    """True when percentage errors would divide by (almost) nothing: some actual value is
    within NEAR_ZERO * mean|actual| of zero (sunspots' 0.2 against a mean of 79), or the
    actual values change sign (a series that crosses zero passes near it). MAPE is then
    dominated by a few points and sMAPE is shown instead."""
    actual = np.asarray(actual, dtype=float)
    if not actual.size:
        return False
    size = np.abs(actual)
    crosses = bool(np.any(actual > 0) and np.any(actual < 0))
    return crosses or bool(np.any(size < NEAR_ZERO * size.mean())) or not size.mean()


def mape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """Mean absolute percentage error in %; None when an actual value is at or near zero
    (see `has_near_zero`: use sMAPE then)."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    if not actual.size or has_near_zero(actual):
        return None
    return float(np.mean(np.abs((actual - predicted) / actual)) * 100)


def smape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """Symmetric MAPE in % (0-200): mean of |a - p| / ((|a| + |p|) / 2); a pair that is
    0 and 0 counts as no error. None for no values."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    if not actual.size:
        return None
    denominator = (np.abs(actual) + np.abs(predicted)) / 2
    safe = np.where(denominator == 0, 1.0, denominator)
    ratios = np.where(denominator == 0, 0.0, np.abs(actual - predicted) / safe)
    return float(np.mean(ratios) * 100)


def mase_scale(train: np.ndarray, season: int = 1) -> float | None:
    """MASE's denominator: the in-sample MAE of the seasonal naive forecast (y[t] predicted
    by y[t - season]) on the training part only; season 0 or 1 means the last value. None
    when the training part is too short or constant."""
    train = np.asarray(train, dtype=float)
    m = max(int(season), 1)
    if len(train) <= m:
        return None
    scale = float(np.mean(np.abs(train[m:] - train[:-m])))
    return scale if scale > 0 else None


def mase(actual: np.ndarray, predicted: np.ndarray, scale: float | None) -> float | None:
    """Mean absolute scaled error: MAE / `scale` (see `mase_scale`). Below 1, the forecast
    beats the seasonal naive forecast's in-sample error."""
    if not scale:
        return None
    return mae(actual, predicted) / scale


def scores(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    """MAE, RMSE, MAPE and sMAPE (both in %) in one dict."""
    return {
        "mae": mae(actual, predicted),
        "rmse": rmse(actual, predicted),
        "mape": mape(actual, predicted),
        "smape": smape(actual, predicted),
    }


def horizon_mae(actual: np.ndarray, predicted: np.ndarray) -> list[float]:
    """MAE at each step ahead: one value per column of (windows x steps) arrays."""
    errors = np.abs(np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float))
    return [float(v) for v in errors.reshape(len(errors), -1).mean(axis=0)]


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


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    """The mean recall over the classes present in `labels` (chance level: 1 / classes)."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    recalls = [np.mean(predicted[labels == c] == c) for c in np.unique(labels)]
    return float(np.mean(recalls)) if recalls else 0.0


def majority_baseline(
    train_labels: np.ndarray, labels: np.ndarray, predicted: np.ndarray, classes: list[str]
) -> dict[str, Any]:
    """Always guessing the most common class of the training part, next to the model:
    accuracy and balanced accuracy (mean recall over the classes present) of each, and a
    sentence."""
    train_labels, labels = np.asarray(train_labels), np.asarray(labels)
    majority = int(np.bincount(train_labels.astype(int)).argmax())
    guess = np.full_like(labels, majority)
    baseline = {
        "accuracy": float(np.mean(labels == guess)),
        "balanced_accuracy": balanced_accuracy(labels, guess),
    }
    model = {
        "accuracy": float(np.mean(labels == np.asarray(predicted))),
        "balanced_accuracy": balanced_accuracy(labels, predicted),
    }
    name = classes[majority] if majority < len(classes) else str(majority)
    beats = model["balanced_accuracy"] > baseline["balanced_accuracy"]
    verdict = (
        f"The model {'beats' if beats else 'does not beat'} always guessing the most common "
        f"class, {name!r}: balanced accuracy {model['balanced_accuracy']:.2f} against "
        f"{baseline['balanced_accuracy']:.2f} (accuracy {model['accuracy']:.2f} against "
        f"{baseline['accuracy']:.2f})."
    )
    return {"class": name, "baseline": baseline, "model": model, "verdict": verdict}
