"""Simple forecasts an LSTM has to beat: last value, seasonal naive and drift.

Each takes the whole series (original units), the row of the first predicted step of each
window and the horizon, and returns (windows x horizon) forecasts that use only the rows
before that first step, so they are scored exactly like the model on the same windows.
"""

from __future__ import annotations

import numpy as np

from dashboard.ml.windows import naive_forecast

LABELS = {"last_value": "last value", "seasonal_naive": "seasonal naive", "drift": "drift"}


def last_value(series: np.ndarray, rows: np.ndarray, horizon: int = 1) -> np.ndarray:
    """Every step ahead repeats the last value seen."""
    return naive_forecast(series, np.asarray(rows, dtype=int), horizon)


def seasonal_naive(
    series: np.ndarray, rows: np.ndarray, horizon: int, season: int
) -> np.ndarray | None:
    """Each step ahead repeats the value one season before it (y[t+h] = y[t+h-m]); a step
    more than a season ahead takes the latest seen value of its phase. None without a season
    or when a window starts less than one season into the series."""
    series, rows = np.asarray(series, dtype=np.float64), np.asarray(rows, dtype=int)
    if season < 1 or not len(rows) or rows.min() < season:
        return None
    ahead = np.arange(horizon)  # h - 1
    seasons_back = ahead // season + 1  # whole seasons back, so the source is seen already
    source = rows[:, None] + ahead[None, :] - season * seasons_back[None, :]
    return series[source]


def drift(series: np.ndarray, rows: np.ndarray, horizon: int = 1) -> np.ndarray:
    """The last value plus h times the slope of the line from the series' first value (the
    first training value) to the last value seen."""
    series, rows = np.asarray(series, dtype=np.float64), np.asarray(rows, dtype=int)
    last = series[rows - 1]
    steps = np.maximum(rows - 1, 1)  # rows seen after the first one
    slope = np.where(rows > 1, (last - series[0]) / steps, 0.0)
    ahead = np.arange(1, horizon + 1)
    return last[:, None] + ahead[None, :] * slope[:, None]


def forecasts(
    series: np.ndarray, rows: np.ndarray, horizon: int, season: int
) -> dict[str, np.ndarray]:
    """Every baseline that applies, by name (seasonal naive only with a usable season)."""
    found = {"last_value": last_value(series, rows, horizon)}
    seasonal = seasonal_naive(series, rows, horizon, season)
    if seasonal is not None:
        found["seasonal_naive"] = seasonal
    found["drift"] = drift(series, rows, horizon)
    return found


def label(name: str, season: int = 0) -> str:
    """How a sentence names a baseline: "seasonal naive (m=12)", "last value", "drift"."""
    if name == "seasonal_naive":
        return f"{LABELS[name]} (m={season})"
    return LABELS.get(name, name)
