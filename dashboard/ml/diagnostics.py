"""Residual diagnostics: autocorrelation with its noise band, a histogram, a one-sentence
reading, and the test points that fall outside their prediction interval.

The autocorrelation is a few lines of numpy (the usual sample ACF, as statsmodels' `acf`
computes it without adjustment), so no statistics package is needed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dashboard.ml.season import period_name

MAX_LAGS = 40
MAX_BINS = 30


def acf(values: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelation at lags 1..max_lag: sum of (x[t] - mean)(x[t+k] - mean) over
    the sum of squares (0 for a constant series)."""
    x = np.asarray(values, dtype=np.float64)
    x = x - x.mean() if len(x) else x
    total = float(np.sum(x * x))
    lags = range(1, max(0, min(max_lag, len(x) - 1)) + 1)
    if total == 0:
        return np.zeros(len(lags))
    return np.array([np.sum(x[k:] * x[:-k]) / total for k in lags])


def band(n: int) -> float:
    """The 95 % band of white noise's autocorrelation: +-1.96 / sqrt(n)."""
    return 1.96 / math.sqrt(n) if n else math.inf


def lags_for(n: int) -> int:
    """How many lags to show: min(40, n / 2)."""
    return min(MAX_LAGS, n // 2)


def reading(correlations: np.ndarray, limit: float, season: int = 0) -> str:
    """One sentence on what the autocorrelation of the residuals says."""
    outside = [k + 1 for k, r in enumerate(correlations) if abs(r) > limit]
    if not outside:
        return "No autocorrelation beyond the band: the errors look like noise."
    if season and season in outside:
        return (
            f"The residuals still correlate at lag {season}: a {period_name(season)} "
            "pattern is left unexplained."
        )
    if 1 in outside:
        return (
            "The residuals still correlate at lag 1: one error predicts the next, so some "
            "short-term movement is left unexplained."
        )
    if len(outside) <= max(1, round(0.05 * len(correlations))):
        listed = ", ".join(map(str, outside))
        which = f"lag {listed} lies" if len(outside) == 1 else f"lags {listed} lie"
        return (
            f"Only {which} just beyond the band, about what chance gives over "
            f"{len(correlations)} lags: the errors look like noise."
        )
    strongest = max(outside, key=lambda k: abs(correlations[k - 1]))
    return (
        f"The residuals still correlate at lag {strongest}: a pattern that repeats every "
        f"{strongest} steps is left unexplained."
    )


def residual_report(rows: np.ndarray, residuals: np.ndarray, season: int = 0) -> dict[str, Any]:
    """Residuals over time, a histogram's counts, the ACF with its band, and a reading."""
    residuals = np.asarray(residuals, dtype=np.float64)
    n = len(residuals)
    correlations = acf(residuals, lags_for(n))
    limit = band(n)
    counts, edges = (
        np.histogram(residuals, bins=min(MAX_BINS, max(5, math.isqrt(n))))
        if n
        else (np.zeros(0), np.zeros(0))
    )
    return {
        "rows": [int(r) for r in rows],
        "values": residuals.tolist(),
        "mean": float(residuals.mean()) if n else None,
        "histogram": {"counts": [int(c) for c in counts], "edges": edges.tolist()},
        "acf": {
            "lags": list(range(1, len(correlations) + 1)),
            "values": correlations.tolist(),
            "band": limit if n else None,
        },
        "reading": reading(correlations, limit, season) if len(correlations) else "",
    }


def anomalies(
    rows: np.ndarray, actual: np.ndarray, predicted: np.ndarray, width: float
) -> list[dict[str, Any]]:
    """The points whose actual value lies outside predicted +- width, farthest out first:
    row, actual, predicted, the interval and by how much it was missed."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    miss = np.abs(actual - predicted) - width
    found = [
        {
            "row": int(rows[i]),
            "actual": float(actual[i]),
            "predicted": float(predicted[i]),
            "lower": float(predicted[i] - width),
            "upper": float(predicted[i] + width),
            "outside_by": float(miss[i]),
        }
        for i in np.flatnonzero(miss > 0)
    ]
    return sorted(found, key=lambda point: -point["outside_by"])
