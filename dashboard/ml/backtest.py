"""Rolling-origin backtest on the test part, without refitting by default.

From each of k origins (stride steps apart, the first at the test part's first window) the
model forecasts the whole horizon, and so do the baselines; each origin is scored on its
own. Origins lie in the test part only: their first forecast step is a test row, and no
origin's forecast runs past the end of the data. With backtest refit on, a model refit on
the rows before each of the first origins (ml/train.py: refit_forecasts) forecasts from
there too, and is scored beside the one trained model on the same origins.
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
    refit: np.ndarray | None = None,
    refit_note: str = "",
) -> dict[str, Any]:
    """Per-origin forecasts and MAE of the model (`model`: origins x horizon, original
    units) and the baselines, from origins whose first forecast step is at `rows`, plus the
    mean MAE over the origins.

    `refit` (the first k origins x horizon; None: refit off) adds each of those origins'
    refit forecast and its MAE ("refit"), and a "refit" summary: how many origins were
    refit, the mean MAE refit and not refit on them, and a sentence (with `refit_note`, why
    fewer than all were refit)."""
    series, rows = np.asarray(series, dtype=np.float64), np.asarray(rows, dtype=int)
    actual = series[rows[:, None] + np.arange(horizon)[None, :]]
    others = forecasts(series, rows, horizon, season)
    refits = np.zeros((0, horizon)) if refit is None else np.asarray(refit, dtype=float)
    origins = []
    for i, row in enumerate(rows):
        mae = {"model": metrics.mae(actual[i], model[i])}
        mae |= {name: metrics.mae(actual[i], f[i]) for name, f in others.items()}
        origin = {
            "row": int(row),
            "actual": actual[i].tolist(),
            "model": np.asarray(model[i], dtype=float).tolist(),
            "baselines": {name: f[i].tolist() for name, f in others.items()},
            "mae": mae,
        }
        if i < len(refits):
            origin["refit"] = refits[i].tolist()
            mae["refit"] = metrics.mae(actual[i], refits[i])
        origins.append(origin)
    names = ["model", *others]
    mean = {name: float(np.mean([o["mae"][name] for o in origins])) for name in names}
    report = {"horizon": horizon, "origins": origins, "mean_mae": mean if origins else {}}
    report["refit"] = None if refit is None else refit_summary(origins, refit_note)
    return report


def refit_summary(origins: list[dict[str, Any]], note: str = "") -> dict[str, Any]:
    """How many `origins` carry a refit forecast, the mean MAE of the refit and of the one
    trained model on those origins, and a sentence saying so."""
    done = [o for o in origins if "refit" in o["mae"]]
    count, total = len(done), len(origins)
    refit_mae = float(np.mean([o["mae"]["refit"] for o in done])) if done else None
    model_mae = float(np.mean([o["mae"]["model"] for o in done])) if done else None
    if count == total:
        sentence = f"Refit at each origin: a fresh model was trained before each of the {total}."
    else:
        sentence = f"Refit at {count} of {total} origins" + (f": {note}." if note else ".")
    if refit_mae is not None and model_mae is not None:
        sentence += (
            f" Mean MAE refit {refit_mae:.4g}, one model for all origins {model_mae:.4g} "
            f"(on the same {count} origin{'s' if count != 1 else ''})."
        )
    return {
        "origins": count,
        "of": total,
        "mean_mae": refit_mae,
        "model_mean_mae": model_mae,
        "note": note,
        "sentence": sentence,
    }
