"""Forecast error measures, and the skill of a model over the naive baseline."""

from __future__ import annotations

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
