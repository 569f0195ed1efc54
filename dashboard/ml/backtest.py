"""Rolling-origin backtest on the test part, without refitting.

From each of k origins (stride steps apart, the first at the test part's first window) the
model forecasts the whole horizon, and so do the baselines; each origin is scored on its
own. Origins lie in the test part only: their first forecast step is a test row, and no
origin's forecast runs past the end of the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dashboard.ml import metrics
from dashboard.ml.baselines import forecasts


def origin_indices(
    test_rows: np.ndarray, n_rows: int, horizon: int, count: int, stride: int
) -> np.ndarray:
    """Positions in the test windows of up to `count` origins, `stride` windows apart,
    whose whole horizon lies in the data."""
    test_rows = np.asarray(test_rows, dtype=int)
    usable = np.flatnonzero(test_rows + horizon <= n_rows)
    if count < 1 or not len(usable):
        return np.zeros(0, dtype=int)
    picks = np.arange(count) * max(int(stride), 1)
    return usable[picks[picks < len(usable)]]


def backtest(
    series: np.ndarray,
    rows: np.ndarray,
    model: np.ndarray,
    horizon: int,
    season: int = 0,
) -> dict[str, Any]:
    """Per-origin forecasts and MAE of the model (`model`: origins x horizon, original
    units) and the baselines, from origins whose first forecast step is at `rows`, plus the
    mean MAE over the origins."""
    series, rows = np.asarray(series, dtype=np.float64), np.asarray(rows, dtype=int)
    actual = series[rows[:, None] + np.arange(horizon)[None, :]]
    others = forecasts(series, rows, horizon, season)
    origins = []
    for i, row in enumerate(rows):
        mae = {"model": metrics.mae(actual[i], model[i])}
        mae |= {name: metrics.mae(actual[i], f[i]) for name, f in others.items()}
        origins.append(
            {
                "row": int(row),
                "actual": actual[i].tolist(),
                "model": np.asarray(model[i], dtype=float).tolist(),
                "baselines": {name: f[i].tolist() for name, f in others.items()},
                "mae": mae,
            }
        )
    names = ["model", *others]
    mean = {name: float(np.mean([o["mae"][name] for o in origins])) for name in names}
    return {"horizon": horizon, "origins": origins, "mean_mae": mean if origins else {}}
