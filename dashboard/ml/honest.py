"""Honest forecasts: the model's test scores next to simple baselines, MASE, errors by step
ahead, conformal prediction intervals, residual diagnostics, anomalies and a backtest.

Pure numpy on forecasts already made (ml/evaluate.py makes them), so a notebook can call
it on any forecasts. `forecast_report` returns the run's scores and extras as plain,
JSON-ready values (no NaN: None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.ml import baselines, diagnostics, intervals, metrics
from dashboard.ml.backtest import backtest
from dashboard.ml.config import TrainConfig
from dashboard.ml.params import CHOICES

MAX_ANOMALIES = 100  # the farthest out; the total is given too


@dataclass(frozen=True)
class Forecasts:
    """What the model forecast, in the series' own units (windows x steps ahead)."""

    series: np.ndarray  # the target, every row
    train_end: int  # rows [0, train_end) trained the model
    rows: np.ndarray  # the first predicted row of each test window
    actual: np.ndarray
    predicted: np.ndarray
    val_actual: np.ndarray  # the validation part: calibrates the intervals
    val_predicted: np.ndarray
    backtest_rows: np.ndarray  # backtest origins' first forecast rows
    backtest_predicted: np.ndarray  # origins x horizon
    future: np.ndarray | None = None  # the forecast past the end of the data
    # backtest refit on: forecasts of a model refit at each of the first k origins (k x
    # horizon), and why fewer than all origins were refit; None: no refit
    backtest_refit: np.ndarray | None = None
    refit_note: str = ""
    # recursive runs: every test window rolled out the whole horizon (windows x horizon)
    rolled: np.ndarray | None = None


def plain(value: Any) -> Any:
    """`value` as JSON allows it: numpy numbers and arrays as Python ones, NaN and
    infinities as None, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def usable_season(season: int, train_end: int, rows: np.ndarray) -> tuple[int, str]:
    """The season the baselines and MASE can use (0: none), and a note when it is dropped."""
    if season < 1:
        return 0, (
            "No seasonal naive baseline: the data has no season (plain row order or an "
            "irregular time step). Set Season length if you know the cycle."
        )
    if season >= train_end or (len(rows) and int(np.min(rows)) < season):
        return 0, (
            f"No seasonal naive baseline: a season of {season} steps is longer than the "
            "training part, so MASE is scaled by the last-value forecast instead."
        )
    return season, ""


def verdict(model: str, strongest: str, skill: float | None) -> str:
    """One sentence: does the model beat the strongest baseline in MAE, and by how much."""
    if skill is None:
        return f"The strongest baseline, {strongest}, is exact on the test part: nothing beats it."
    if skill > 0:
        return f"The {model} beats the strongest baseline, {strongest}, by {skill:.0f} % in MAE."
    return (
        f"The {model} does not beat the strongest baseline, {strongest}: its MAE is "
        f"{-skill:.0f} % higher."
    )


def _scored(actual: np.ndarray, predicted: np.ndarray, scale: float | None) -> dict[str, Any]:
    return {**metrics.scores(actual, predicted), "mase": metrics.mase(actual, predicted, scale)}


def compare(f: Forecasts, config: TrainConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scores of the model and every baseline on the same windows, the strongest baseline,
    the verdict; and the errors by step ahead."""
    steps = f.predicted.shape[1]
    season, season_note = usable_season(config.season, f.train_end, f.rows)
    scale = metrics.mase_scale(f.series[: f.train_end], season or 1)
    made = baselines.forecasts(f.series, f.rows, steps, season)
    scored = {
        name: {"label": baselines.label(name, season), **_scored(f.actual, b, scale)}
        for name, b in made.items()
    }
    model = _scored(f.actual, f.predicted, scale)
    strongest = min(scored, key=lambda name: scored[name]["mae"])
    skill = metrics.skill(model["mae"], scored[strongest]["mae"])
    model_name = CHOICES["cell"].label_of(config.cell)
    notes = [season_note] if season_note else []
    if scale is None:
        notes.append(
            "MASE is not given: the training part is too short, or the "
            f"{baselines.label('seasonal_naive' if season else 'last_value', season)} "
            "forecast is exact on it, so there is no error to scale by."
        )
    if model["mape"] is None:
        notes.append(
            "MAPE is not given: some actual values are at or near zero (under "
            f"{metrics.NEAR_ZERO * 100:g} % of their mean size, or they change sign), where "
            "percentage errors explode; sMAPE is shown instead."
        )
    scores = {
        "model": model,
        "naive": {k: v for k, v in scored["last_value"].items() if k != "label"},
        "skill": metrics.skill(model["mae"], scored["last_value"]["mae"]),
        "baselines": scored,
        "strongest": strongest,
        "strongest_label": scored[strongest]["label"],
        "skill_strongest": skill,
        "verdict": verdict(model_name, scored[strongest]["label"], skill),
        "mase": model["mase"],
        "mase_scale": scale,
        "mase_season": season or 1,
        "season": season,
        "notes": notes,
    }
    if f.rolled is not None:
        horizon = rolled_horizon(f.series, f.rows, f.rolled, season)
    else:
        horizon = {
            "steps": list(range(1, steps + 1)),
            "model": metrics.horizon_mae(f.actual, f.predicted),
            "baselines": {name: metrics.horizon_mae(f.actual, b) for name, b in made.items()},
        }
    first_steps = {name: b[:, 0].tolist() for name, b in made.items()}
    return scores, {"horizon_errors": horizon, "baseline_forecasts": first_steps}


def rolled_horizon(
    series: np.ndarray, rows: np.ndarray, rolled: np.ndarray, season: int
) -> dict[str, Any]:
    """Error by step ahead of a recursive run's roll-outs (windows x horizon), and of the
    baselines at the same steps: step k is scored on the test windows whose k-th step lies
    in the data, against the actual value there, so step 1 is the one-step test MAE."""
    rows, steps = np.asarray(rows, dtype=int), rolled.shape[1]
    made = baselines.forecasts(series, rows, steps, season)

    def by_step(forecast: np.ndarray) -> list[float | None]:
        errors: list[float | None] = []
        for k in range(steps):
            inside = rows + k < len(series)
            found = series[rows[inside] + k]
            errors.append(metrics.mae(found, forecast[inside, k]) if inside.any() else None)
        return errors

    return {
        "steps": list(range(1, steps + 1)),
        "model": by_step(rolled),
        "baselines": {name: by_step(b) for name, b in made.items()},
        "rolled_out": True,
    }


def interval_report(f: Forecasts, coverage: int) -> dict[str, Any]:
    """Split-conformal half-widths per step from the validation errors, the coverage they
    achieve on the test part next to the nominal one, and the future forecast's band."""
    widths = intervals.conformal_widths(f.val_actual - f.val_predicted, coverage / 100)
    achieved, by_step = intervals.achieved_coverage(f.actual, f.predicted, widths)
    report: dict[str, Any] = {
        "coverage": coverage,
        "widths": widths,
        "achieved": achieved,
        "achieved_by_step": by_step,
        "calibration_windows": len(f.val_actual),
    }
    if achieved is None:
        report["sentence"] = (
            f"Too few validation windows ({len(f.val_actual)}) for a {coverage} % interval."
        )
    else:
        report["sentence"] = (
            f"The {coverage} % interval held the truth {achieved:.0f} % of the time on the "
            "test part."
        )
    if f.future is not None:
        pairs = list(zip(np.ravel(f.future), [*widths, *[None] * np.size(f.future)], strict=False))
        report["future_lower"] = [None if w is None else v - w for v, w in pairs]
        report["future_upper"] = [None if w is None else v + w for v, w in pairs]
    return report


def first_step_report(f: Forecasts, width: float | None, season: int) -> dict[str, Any]:
    """Residual diagnostics and the anomalies, on the one-step-ahead test forecasts."""
    residuals = f.actual[:, 0] - f.predicted[:, 0]
    found = (
        []
        if width is None
        else diagnostics.anomalies(f.rows, f.actual[:, 0], f.predicted[:, 0], width)
    )
    return {
        "residuals": diagnostics.residual_report(f.rows, residuals, season),
        "anomalies": {"points": found[:MAX_ANOMALIES], "total": len(found), "width": width},
    }


def forecast_report(f: Forecasts, config: TrainConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """The run's scores and extras (see the module's docstring), JSON-ready."""
    scores, extras = compare(f, config)
    extras["intervals"] = interval_report(f, int(config.coverage))
    extras |= first_step_report(f, extras["intervals"]["widths"][0], scores["season"])
    if len(f.backtest_rows):
        extras["backtest"] = {
            "stride": config.backtest_stride,
            **backtest(
                f.series,
                f.backtest_rows,
                f.backtest_predicted,
                config.horizon,
                scores["season"],
                refit=f.backtest_refit,
                refit_note=f.refit_note,
            ),
        }
    else:
        extras["backtest"] = None
    return plain(scores), plain(extras)
