"""The honest-forecast charts on hand-made extras: the interval band and the anomalies on the
prediction plot, and the Evaluation tab's small charts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dashboard.figures import evaluation, training
from dashboard.figures.runs import run_prediction_figure
from dashboard.ml.config import TrainConfig
from dashboard.ml.honest import Forecasts, forecast_report
from dashboard.payloads import RunRecord

Y = np.arange(30, dtype=float)
ROWS = np.arange(20, 30)
PREDICTED = (Y[ROWS] + 0.5)[:, None]
ANOMALIES = {
    "points": [
        {
            "row": 27,
            "actual": 27.0,
            "predicted": 30.0,
            "lower": 28.0,
            "upper": 32.0,
            "outside_by": 1.0,
        },
        {
            "row": 22,
            "actual": 22.0,
            "predicted": 24.5,
            "lower": 22.5,
            "upper": 26.5,
            "outside_by": 0.5,
        },
    ],
    "total": 2,
    "width": 2.0,
}
INTERVAL = {"coverage": 80, "widths": [2.0, 3.0], "achieved": 78.4}


def names(figure: Any) -> list[str]:
    return [t.name for t in figure.data]


def test_band_is_the_predictions_plus_and_minus_the_first_step_width() -> None:
    figure = training.prediction_figure(
        None, Y, ROWS, PREDICTED, interval=INTERVAL, anomalies=ANOMALIES
    )
    assert names(figure) == [
        "train + validation",
        "actual",
        "interval upper",
        "80 % interval",
        "LSTM",
        "anomalies (2)",
    ]
    assert "80 % interval (achieved 78 % on the test part)" in figure.layout.title.text
    upper, lower = figure.data[2], figure.data[3]
    np.testing.assert_allclose(upper.y, PREDICTED[:, 0] + 2.0)  # step 1's width, not step 2's
    np.testing.assert_allclose(lower.y, PREDICTED[:, 0] - 2.0)
    np.testing.assert_array_equal(lower.x, ROWS)
    assert lower.fill == "tonexty" and upper.showlegend is False


def test_anomalies_trace_has_exactly_the_outside_points() -> None:
    figure = training.prediction_figure(
        None, Y, ROWS, PREDICTED, interval=INTERVAL, anomalies=ANOMALIES
    )
    marks = figure.data[-1]
    assert list(marks.x) == [27, 22] and list(marks.y) == [27.0, 22.0]
    assert marks.mode == "markers" and marks.marker.symbol == "diamond-open"


def test_no_band_without_a_width_and_no_marks_without_anomalies() -> None:
    figure = training.prediction_figure(
        None,
        Y,
        ROWS,
        PREDICTED,
        interval={"coverage": 80, "widths": [None], "achieved": None},
        anomalies={"points": [], "total": 0, "width": None},
    )
    assert names(figure) == ["train + validation", "actual", "LSTM"]
    assert training.interval_label({"coverage": 95, "achieved": None}) == "95 % interval"


def test_run_prediction_figure_draws_the_band_of_the_latest_epoch_only() -> None:
    record: RunRecord = {
        "id": "r",
        "session": "s",
        "status": "finished",
        "config": {},
        "dataset_name": "d",
        "history": {},
        "series": {"x": None, "y": Y.tolist(), "target": "v"},
        "split": [14, 20],
        "test_start": 20,
        "extras": {"intervals": INTERVAL, "anomalies": ANOMALIES},
    }
    latest = names(run_prediction_figure(record, 3, PREDICTED))
    assert "anomalies (2)" in latest and "interval upper" in latest
    earlier = names(run_prediction_figure(record, 2, PREDICTED, latest=False))
    assert "interval upper" not in earlier


def test_acf_band_lines_at_plus_and_minus_the_band() -> None:
    residuals = {"acf": {"lags": [1, 2, 3], "values": [0.6, -0.1, 0.05], "band": 0.3}}
    figure = evaluation.acf_figure(residuals)
    lines = sorted(shape.y0 for shape in figure.layout.shapes)
    assert lines == pytest.approx([-0.3, 0.3])
    assert all(shape.y0 == shape.y1 for shape in figure.layout.shapes)  # horizontal
    bars = figure.data[0]
    assert list(bars.x) == [1, 2, 3] and list(bars.y) == [0.6, -0.1, 0.05]
    colors = list(bars.marker.color)
    assert colors[0] != colors[1] == colors[2]  # lag 1 lies outside the band


def test_histogram_bars_are_the_counts_between_the_edges() -> None:
    residuals = {"histogram": {"counts": [1, 4, 2], "edges": [-3.0, -1.0, 1.0, 3.0]}}
    bars = evaluation.histogram_figure(residuals).data[0]
    assert list(bars.y) == [1, 4, 2]
    assert list(bars.x) == [-2.0, 0.0, 2.0] and list(bars.width) == [2.0, 2.0, 2.0]
    assert not evaluation.histogram_figure({"histogram": {"counts": [], "edges": []}}).data


def test_horizon_backtest_and_origin_charts_name_every_forecaster() -> None:
    labels = {"last_value": "last value", "seasonal_naive": "seasonal naive (m=4)"}
    horizon = {
        "steps": [1, 2],
        "model": [1.0, 2.0],
        "baselines": {"last_value": [1.5, 2.5], "seasonal_naive": [0.5, 0.7]},
    }
    figure = evaluation.horizon_figure(horizon, labels, "GRU")
    assert names(figure) == ["GRU", "last value", "seasonal naive (m=4)"]
    assert list(figure.data[2].y) == [0.5, 0.7]
    origin = {
        "row": 24,
        "actual": [24.0, 25.0],
        "model": [24.5, 25.5],
        "baselines": {"last_value": [23.0, 23.0]},
        "mae": {"model": 0.5, "last_value": 1.5},
    }
    backtest = {"origins": [origin], "mean_mae": {"model": 0.5, "last_value": 1.5}}
    bars = evaluation.backtest_figure(backtest, labels).data[0]
    assert list(bars.y) == ["LSTM", "last value"] and list(bars.x) == [0.5, 1.5]
    drawn = evaluation.origin_figure(None, Y, origin, labels)
    assert names(drawn) == ["actual", "LSTM (MAE 0.5)", "last value (MAE 1.5)"]
    assert list(drawn.data[1].x) == [24, 25]
    assert not evaluation.backtest_figure(None, labels).data  # the empty state


def test_charts_take_what_forecast_report_makes() -> None:
    series = np.sin(np.arange(120) / 3) * 10 + 20
    rng = np.random.default_rng(0)
    rows = np.arange(90, 118)
    steps = np.arange(2)
    actual = series[rows[:, None] + steps[None, :]]
    val_rows = np.arange(60, 88)
    val_actual = series[val_rows[:, None] + steps[None, :]]
    forecasts = Forecasts(
        series=series,
        train_end=60,
        rows=rows,
        actual=actual,
        predicted=actual + rng.normal(0, 1, actual.shape),
        val_actual=val_actual,
        val_predicted=val_actual + rng.normal(0, 1, val_actual.shape),
        backtest_rows=rows[:3],
        backtest_predicted=actual[:3],
    )
    config = TrainConfig(horizon=2, season=19, backtest_origins=3)
    scores, extras = forecast_report(forecasts, config)
    residuals = extras["residuals"]
    assert evaluation.residuals_figure(residuals, None).data[0].y == tuple(residuals["values"])
    assert evaluation.acf_figure(residuals).data and evaluation.histogram_figure(residuals).data
    assert len(evaluation.horizon_figure(extras["horizon_errors"], {}).data) == 1 + len(
        scores["baselines"]
    )
    figure = training.prediction_figure(
        None, series, rows, forecasts.predicted, interval=extras["intervals"]
    )
    assert figure.data[3].name == "80 % interval"
    assert "80 % interval (achieved " in figure.layout.title.text
