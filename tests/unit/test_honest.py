"""Honest forecasts: baselines, MASE, intervals, diagnostics, anomalies, backtest, season,
and the majority-class baseline, on numbers worked out by hand; then one real short run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dashboard.ml import baselines, diagnostics, intervals, metrics
from dashboard.ml.backtest import backtest, origin_indices
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import load_builtin
from dashboard.ml.evaluate import headline_scores
from dashboard.ml.honest import Forecasts, compare, forecast_report, plain, verdict
from dashboard.ml.season import resolve_season, season_of
from dashboard.ml.windows import make_windows


# baselines -----------------------------------------------------------------------
def test_last_value_and_drift_on_a_straight_line() -> None:
    series = np.arange(1.0, 11.0)  # 1, 2, ..., 10 at rows 0..9
    rows = np.array([6, 7])  # first predicted rows: the last values seen are 6 and 7
    np.testing.assert_array_equal(baselines.last_value(series, rows, 2), [[6, 6], [7, 7]])
    # slope from the first value to the last seen: (6 - 1) / 5 = 1, so drift is exact
    np.testing.assert_allclose(baselines.drift(series, rows, 2), [[7, 8], [8, 9]])


def test_drift_slope_uses_the_first_value_and_the_last_seen() -> None:
    series = np.array([2.0, 0.0, 0.0, 8.0, 100.0])
    # last seen 8 at row 3, slope (8 - 2) / 3 = 2: 10, 12, 14 (row 4's 100 is never seen)
    np.testing.assert_allclose(baselines.drift(series, np.array([4]), 3), [[10, 12, 14]])


def test_seasonal_naive_repeats_the_value_one_season_back() -> None:
    series = np.arange(20.0) * 10
    # season 4 from row 10: steps 1-4 come from rows 6-9; steps 5-6 from rows 6-7 again
    got = baselines.seasonal_naive(series, np.array([10]), 6, 4)
    np.testing.assert_array_equal(got, [[60, 70, 80, 90, 60, 70]])
    assert baselines.seasonal_naive(series, np.array([10]), 1, 0) is None  # no season
    assert baselines.seasonal_naive(series, np.array([3, 10]), 1, 4) is None  # row 3 < 4


def test_seasonal_naive_is_exact_on_a_seasonal_series_and_its_mase_is_zero() -> None:
    series = np.tile([1.0, 5.0, 3.0], 8)
    rows = np.array([9, 10, 11])
    actual = series[rows[:, None] + np.arange(4)[None, :]]
    forecast = baselines.seasonal_naive(series, rows, 4, 3)
    assert forecast is not None
    np.testing.assert_array_equal(forecast, actual)
    # last value on the training part 1 5 3 1 5 3 1 5 3: errors 4 2 2 4 2 2 4 2 -> 22 / 8
    scale = metrics.mase_scale(series[:9], 1)
    assert scale == pytest.approx(22 / 8)
    assert metrics.mase(actual, forecast, scale) == 0.0
    assert metrics.mase_scale(series[:9], 3) is None  # the seasonal naive is exact in-sample


# metrics -------------------------------------------------------------------------
def test_mase_on_known_numbers() -> None:
    train = np.array([1.0, 3.0, 2.0, 5.0])
    assert metrics.mase_scale(train, 1) == pytest.approx((2 + 1 + 3) / 3)
    assert metrics.mase_scale(train, 0) == pytest.approx(2.0)  # no season: last value
    assert metrics.mase_scale(train, 2) == pytest.approx((1 + 2) / 2)
    assert metrics.mase_scale(train, 4) is None  # not one seasonal difference
    assert metrics.mase(np.array([10.0, 12.0]), np.array([11.0, 10.0]), 2.0) == 0.75
    assert metrics.mase(np.array([1.0]), np.array([2.0]), None) is None


def test_error_by_step_ahead() -> None:
    actual = np.array([[1.0, 2.0], [3.0, 4.0]])
    predicted = np.array([[2.0, 4.0], [3.0, 7.0]])
    assert metrics.horizon_mae(actual, predicted) == [0.5, 2.5]


def test_verdict_sentences() -> None:
    assert verdict("LSTM", "seasonal naive (m=12)", 23.4) == (
        "The LSTM beats the strongest baseline, seasonal naive (m=12), by 23 % in MAE."
    )
    assert verdict("GRU", "drift", -12.0) == (
        "The GRU does not beat the strongest baseline, drift: its MAE is 12 % higher."
    )


def hand_forecasts(series: np.ndarray, train_end: int, predicted: np.ndarray) -> Forecasts:
    """Forecasts of one step ahead for every row from train_end on, validation = test."""
    rows = np.arange(train_end, len(series))
    actual = series[rows][:, None]
    return Forecasts(
        series=series,
        train_end=train_end,
        rows=rows,
        actual=actual,
        predicted=predicted[:, None],
        val_actual=actual,
        val_predicted=predicted[:, None],
        backtest_rows=np.zeros(0, dtype=int),
        backtest_predicted=np.zeros((0, 1)),
    )


def test_compare_names_the_strongest_baseline_and_says_whether_the_model_beat_it() -> None:
    series = np.tile([10.0, 50.0, 30.0, 20.0], 10)  # season 4, exact seasonal naive
    forecasts = hand_forecasts(series, 28, series[28:] + 1.0)  # off by 1 everywhere
    scores, extras = compare(forecasts, TrainConfig(season=4))
    assert scores["strongest"] == "seasonal_naive"
    assert scores["strongest_label"] == "seasonal naive (m=4)"
    assert scores["baselines"]["seasonal_naive"]["mae"] == 0
    assert scores["skill_strongest"] is None
    assert "nothing beats it" in scores["verdict"]
    assert set(scores["baselines"]) == {"last_value", "seasonal_naive", "drift"}
    # the page's keys: naive is the last value, skill over it
    assert scores["naive"]["mae"] == scores["baselines"]["last_value"]["mae"]
    # the seasonal naive is exact on the training part too: no scale, no MASE
    assert scores["mase_scale"] is None and scores["mase"] is None
    assert any("MASE is not given" in note for note in scores["notes"])
    assert extras["horizon_errors"]["model"] == [1.0]
    # no season: no seasonal naive, and a note says why; MASE scaled by the last value:
    # in-sample errors 40 20 10 10 repeating: 27 of them over 28 training rows sum to
    # 6 * 80 + 40 + 20 + 10 = 550; the model's MAE is 1
    scores, _ = compare(forecasts, TrainConfig(season=0))
    assert scores["mase_scale"] == pytest.approx(550 / 27)
    assert scores["mase"] == pytest.approx(27 / 550)
    assert "seasonal_naive" not in scores["baselines"] and scores["season"] == 0
    assert any("No seasonal naive" in note for note in scores["notes"])
    assert scores["mase_season"] == 1


def test_the_model_beating_every_baseline_is_said_with_its_margin() -> None:
    rng = np.random.default_rng(0)
    series = rng.normal(100, 10, 60)
    truth = series[40:]
    scores, _ = compare(hand_forecasts(series, 40, truth + 0.1), TrainConfig(season=0))
    assert scores["skill_strongest"] > 90
    assert scores["verdict"].startswith("The LSTM beats the strongest baseline,")


def test_mase_scale_uses_the_training_part_only() -> None:
    """Leakage: changing every value after the training part leaves the scale alone."""
    rng = np.random.default_rng(1)
    series = rng.normal(0, 1, 50) + np.tile(np.arange(5.0), 10)
    first, _ = compare(hand_forecasts(series, 35, series[35:]), TrainConfig(season=5))
    changed = series.copy()
    changed[35:] = rng.normal(100, 50, 15)
    second, _ = compare(hand_forecasts(changed, 35, changed[35:]), TrainConfig(season=5))
    assert first["mase_scale"] == second["mase_scale"]
    assert first["mase_scale"] == pytest.approx(np.mean(np.abs(series[5:35] - series[:30])))


def test_mape_near_zero_gives_a_note_and_smape() -> None:
    series = np.array([5.0, 3.0, 1.0, 0.0, 2.0, 0.0, 4.0, 1.0, 3.0, 2.0])
    scores, _ = compare(hand_forecasts(series, 5, series[5:] + 1), TrainConfig(season=0))
    assert scores["model"]["mape"] is None and scores["model"]["smape"] is not None
    assert any("MAPE is not given" in note for note in scores["notes"])


# intervals -----------------------------------------------------------------------
def test_conformal_width_is_the_corrected_quantile() -> None:
    residuals = np.arange(1.0, 10.0)[:, None] * [1, -2]  # n = 9, two steps ahead
    # 80 %: the ceil(10 * 0.8) = 8th smallest; 95 %: rank 10 > 9, no finite interval
    assert intervals.conformal_widths(residuals, 0.8) == [8.0, 16.0]
    assert intervals.conformal_widths(residuals, 0.95) == [None, None]
    overall, by_step = intervals.achieved_coverage(
        np.array([[0.0, 0.0], [5.0, 5.0]]), np.zeros((2, 2)), [4.0, None]
    )
    assert (overall, by_step) == (50.0, [50.0, None])


@pytest.mark.parametrize("coverage", [80, 95])
def test_conformal_coverage_lands_near_nominal_on_known_noise(coverage: int) -> None:
    rng = np.random.default_rng(coverage)
    signal = np.sin(np.arange(6000) / 10)
    series = signal + rng.normal(0, 0.5, 6000)
    forecasts = replace(
        hand_forecasts(series, 1000, signal[1000:]),
        val_actual=series[1000:3000, None],
        val_predicted=signal[1000:3000, None],
        actual=series[3000:, None],
        predicted=signal[3000:, None],
        rows=np.arange(3000, 6000),
    )
    _, extras = forecast_report(forecasts, TrainConfig(coverage=coverage))
    report = extras["intervals"]
    assert report["coverage"] == coverage
    assert abs(report["achieved"] - coverage) < 5
    z = {80: 1.2816, 95: 1.96}[coverage]
    assert report["widths"][0] == pytest.approx(0.5 * z, rel=0.1)


# residual diagnostics and anomalies ----------------------------------------------
def test_acf_on_known_numbers() -> None:
    # mean 0, sum of squares 4; lag 1: -3 / 4; lag 2: 2 / 4
    np.testing.assert_allclose(diagnostics.acf(np.array([1.0, -1, 1, -1]), 2), [-0.75, 0.5])
    assert diagnostics.band(400) == pytest.approx(1.96 / 20)
    assert diagnostics.lags_for(1000) == 40 and diagnostics.lags_for(30) == 15


def test_white_noise_stays_in_the_band() -> None:
    residuals = np.random.default_rng(0).normal(size=1000)
    report = diagnostics.residual_report(np.arange(1000), residuals, season=7)
    values, band = np.array(report["acf"]["values"]), report["acf"]["band"]
    assert report["acf"]["lags"] == list(range(1, 41))
    assert np.all(np.abs(values) < band)
    assert report["reading"] == "No autocorrelation beyond the band: the errors look like noise."
    assert sum(report["histogram"]["counts"]) == 1000
    assert len(report["histogram"]["edges"]) == len(report["histogram"]["counts"]) + 1


def test_a_seasonal_residual_peaks_at_the_season() -> None:
    t = np.arange(700)
    residuals = np.sin(2 * np.pi * t / 7) + np.random.default_rng(0).normal(0, 0.3, 700)
    report = diagnostics.residual_report(t, residuals, season=7)
    assert int(np.argmax(report["acf"]["values"])) + 1 == 7
    assert report["reading"] == (
        "The residuals still correlate at lag 7: a weekly pattern is left unexplained."
    )


def test_anomalies_are_exactly_the_points_outside_the_band() -> None:
    rows = np.array([10, 11, 12, 13, 14])
    actual = np.array([1.0, 5.0, 0.0, 3.0, 2.5])
    predicted = np.ones(5)
    found = diagnostics.anomalies(rows, actual, predicted, 1.5)
    # |4| - 1.5 = 2.5 (row 11), |2| - 1.5 = 0.5 (row 13); rows 12 and 14 are inside
    assert [p["row"] for p in found] == [11, 13]
    assert [p["outside_by"] for p in found] == [2.5, 0.5]
    assert found[0] | {"outside_by": 0} == {
        "row": 11,
        "actual": 5.0,
        "predicted": 1.0,
        "lower": -0.5,
        "upper": 2.5,
        "outside_by": 0,
    }


# backtest ------------------------------------------------------------------------
def test_backtest_origins_stride_and_end() -> None:
    rows = origin_indices(np.arange(85, 100), 100, 3, count=5, stride=4)
    # usable first rows 85..97 (97 + 3 = 100); every 4th: 85, 89, 93, 97
    np.testing.assert_array_equal(np.arange(85, 100)[rows], [85, 89, 93, 97])
    assert len(origin_indices(np.arange(85, 100), 100, 3, count=0, stride=1)) == 0


@pytest.mark.parametrize("horizon", [1, 4])
@pytest.mark.parametrize("stride", [1, 3, 100])
def test_backtest_origins_never_reach_into_training_or_validation(
    horizon: int, stride: int
) -> None:
    values = np.sin(np.arange(200) / 5)[:, None]
    data = make_windows(values, seq_len=10, horizon=horizon)
    for count in (1, 5, 20):
        chosen = origin_indices(data.test_rows, 200, horizon, count, stride)
        rows = data.test_rows[chosen]
        assert len(rows) >= 1 and np.all(rows >= data.val_end)
        assert np.all(rows + horizon <= 200)


def test_backtest_scores_each_origin_and_the_mean() -> None:
    series = np.arange(30.0)
    model = np.array([[20.0, 21.0], [25.0, 27.0]])  # origins at rows 20 and 24
    report = backtest(series, np.array([20, 24]), model, horizon=2)
    first, second = report["origins"]
    assert first["actual"] == [20.0, 21.0] and first["mae"]["model"] == 0
    assert second["mae"]["model"] == pytest.approx((1 + 2) / 2)
    assert first["baselines"]["last_value"] == [19.0, 19.0]
    assert first["mae"]["last_value"] == pytest.approx(1.5)
    assert first["mae"]["drift"] == pytest.approx(0)  # a straight line: drift is exact
    assert report["mean_mae"]["model"] == pytest.approx(0.75)
    assert "seasonal_naive" not in report["mean_mae"]


# season --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("freq", "season"),
    [("h", 24), ("D", 7), ("W", 52), ("MS", 12), ("ME", 12), ("QS", 4), ("min", 0), ("2D", 0)],
)
def test_season_of_a_time_index(freq: str, season: int) -> None:
    index = pd.date_range("2020-01-01", periods=40, freq=freq)
    assert season_of(index) == season
    assert season_of(pd.DatetimeIndex(list(index))) == season  # no freq: inferred


def test_season_of_row_order_and_of_daily_data_with_gaps() -> None:
    assert season_of(pd.RangeIndex(100)) == 0
    days = pd.date_range("2020-01-01", periods=60, freq="D").delete([10, 40])
    assert season_of(days) == 7  # a missing day or two: still daily
    assert season_of(load_builtin("airline").frame.index) == 12
    assert resolve_season(TrainConfig(), pd.RangeIndex(5)).season == 0
    assert resolve_season(TrainConfig(season=5), days).season == 5  # set by hand: kept
    assert resolve_season(TrainConfig(), days).season == 7


# classification ------------------------------------------------------------------
def test_majority_class_baseline_on_known_labels() -> None:
    train_labels = np.array([0, 0, 0, 1, 2])  # 0 is the most common class
    labels = np.array([0, 1, 1, 2])
    predicted = np.array([0, 1, 2, 2])
    got = metrics.majority_baseline(train_labels, labels, predicted, ["a", "b", "c"])
    assert got["class"] == "a"
    assert got["baseline"] == {"accuracy": 0.25, "balanced_accuracy": pytest.approx(1 / 3)}
    # recalls: a 1/1, b 1/2, c 1/1
    assert got["model"] == {"accuracy": 0.75, "balanced_accuracy": pytest.approx(2.5 / 3)}
    assert got["verdict"].startswith("The model beats always guessing the most common class")


def test_plain_turns_nan_into_none() -> None:
    got = plain({"a": np.float32(1.5), "b": [np.nan, np.inf], "c": (np.int64(2),)})
    assert got == {"a": 1.5, "b": [None, None], "c": [2]}


# one real run --------------------------------------------------------------------
def test_a_short_real_run_carries_the_honest_scores(tmp_path: Path) -> None:
    from dashboard.ml.train import train

    dataset = load_builtin("airline")
    config = TrainConfig(
        dataset="builtin:airline",
        target="Passengers",
        units=4,
        layers=1,
        epochs=2,
        seq_len=12,
        horizon=3,
        batch_size=16,
        backtest_stride=2,
    )
    config = resolve_season(config, dataset.frame.index)
    assert config.season == 12
    result = train(config, dataset.values("Passengers"))
    assert result.status == "finished"
    scores: dict[str, Any] = json.loads(json.dumps(result.scores, allow_nan=False))
    extras: dict[str, Any] = json.loads(json.dumps(result.extras, allow_nan=False))
    assert {"model", "naive", "skill", "baselines", "strongest", "verdict", "mase"} <= set(scores)
    assert set(scores["baselines"]) == {"last_value", "seasonal_naive", "drift"}
    assert scores["strongest"] in scores["baselines"] and scores["season"] == 12
    assert scores["verdict"].startswith("The LSTM ")
    assert {"rollout", "future", "horizon_errors", "intervals", "backtest"} <= set(extras)
    assert {"residuals", "anomalies", "baseline_forecasts"} <= set(extras)
    assert extras["horizon_errors"]["steps"] == [1, 2, 3]
    assert len(extras["intervals"]["widths"]) == 3 and extras["intervals"]["coverage"] == 80
    assert len(extras["intervals"]["future_lower"]) == 3
    origins = extras["backtest"]["origins"]
    assert 1 <= len(origins) <= 5
    val_end = int(144 * 0.85)
    assert all(o["row"] >= val_end and len(o["model"]) == 3 for o in origins)
    assert [o["row"] for o in origins] == list(range(origins[0]["row"], val_end + 10, 2))[
        : len(origins)
    ]
    assert extras["anomalies"]["total"] == len(extras["anomalies"]["points"])
    headline = headline_scores(scores)
    assert {"MASE", "strongest baseline MAE", "skill over strongest %"} <= set(headline)
    # the model's predictions on the test windows equal the backtest's at the same rows
    first = origins[0]
    row = list(result.test_rows).index(first["row"]) if result.test_rows is not None else -1
    np.testing.assert_allclose(result.predictions[row], first["model"], rtol=1e-5)


def test_the_job_records_the_season_it_read_from_the_data(tmp_path: Path) -> None:
    from dashboard import jobs
    from dashboard.settings import Settings
    from dashboard.store import Store

    settings = Settings(data_dir=tmp_path / "data")
    config = TrainConfig(
        dataset="builtin:airline", target="Passengers", units=4, layers=1, epochs=1, seq_len=12
    )
    final = jobs.run_training(settings, config, "s1", lambda state: None)
    assert final["status"] == "finished", final["message"]
    record = Store.from_settings(settings).get_run(final["run_id"])
    assert record["config"]["season"] == 12
    assert record["scores"]["strongest_label"] in {
        "last value",
        "seasonal naive (m=12)",
        "drift",
    }
    assert "seasonal_naive" in record["scores"]["baselines"]
    json.dumps(record, allow_nan=False)


def test_a_recursive_run_backtests_the_whole_horizon_and_a_classifier_meets_the_majority() -> None:
    from dashboard.ml.data import sine_frame
    from dashboard.ml.train import train

    tiny = {"units": 4, "layers": 1, "epochs": 1, "seq_len": 10}
    config = TrainConfig.from_dict({**tiny, "forecast_mode": "recursive", "horizon": 3})
    result = train(config, sine_frame(points=300).to_numpy())
    json.dumps([result.scores, result.extras], allow_nan=False)
    assert all(len(o["model"]) == 3 for o in result.extras["backtest"]["origins"])
    assert len(result.extras["intervals"]["widths"]) == 1  # one step is scored
    assert result.extras["intervals"]["future_lower"][1:] == [None, None]

    ecg = load_builtin("ecg")
    config = TrainConfig.from_dict({**tiny, "dataset": "builtin:ecg", "task": "classify"})
    result = train(replace(config, target=ecg.target), ecg.values(ecg.target))
    majority = result.scores["majority"]
    assert majority["model"]["accuracy"] == pytest.approx(result.scores["accuracy"])
    assert set(majority) == {"class", "baseline", "model", "verdict"}
    json.dumps(result.scores, allow_nan=False)
