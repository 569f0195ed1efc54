"""Prediction intervals by split conformal prediction, and the coverage they achieve.

The absolute errors of the model on the validation part (never used to fit the weights)
give, per step ahead, a width q: the ceil((n + 1) * coverage)-th smallest of the n errors,
the finite-sample correction that makes "prediction +- q" hold the truth at least
`coverage` of the time for exchangeable errors. The test part then shows how often it did.
"""

from __future__ import annotations

import math

import numpy as np


def conformal_widths(residuals: np.ndarray, coverage: float) -> list[float | None]:
    """Half-widths per step ahead from (windows x steps) validation errors; None for a step
    when too few windows exist for this coverage (the interval would be unbounded)."""
    errors = np.abs(np.asarray(residuals, dtype=np.float64))
    errors = errors.reshape(len(errors), -1)
    n = len(errors)
    rank = math.ceil((n + 1) * coverage)
    if n == 0 or rank > n:
        return [None] * errors.shape[1]
    ordered = np.sort(errors, axis=0)
    return [float(v) for v in ordered[rank - 1]]


def inside(actual: np.ndarray, predicted: np.ndarray, width: float) -> np.ndarray:
    """Whether each actual value lies within predicted +- width (bounds included)."""
    return np.abs(np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float)) <= width


def achieved_coverage(
    actual: np.ndarray, predicted: np.ndarray, widths: list[float | None]
) -> tuple[float | None, list[float | None]]:
    """The share (in %) of test values inside their interval: over every step with a
    width, and per step."""
    actual = np.asarray(actual, dtype=float).reshape(len(actual), -1)
    predicted = np.asarray(predicted, dtype=float).reshape(len(predicted), -1)
    hits: list[np.ndarray] = []
    by_step: list[float | None] = []
    for step, width in enumerate(widths):
        if width is None or not len(actual):
            by_step.append(None)
            continue
        hit = inside(actual[:, step], predicted[:, step], width)
        hits.append(hit)
        by_step.append(float(np.mean(hit) * 100))
    overall = float(np.mean(np.concatenate(hits)) * 100) if hits else None
    return overall, by_step
