"""Backtest refit (a fresh model at each origin, bounded) and a recursive run's error by
step ahead over the whole horizon: hand-made numbers, then tiny real runs."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from dashboard.figures import evaluation
from dashboard.ml.backtest import backtest
from dashboard.ml.config import Limits, TrainConfig, check
from dashboard.ml.data import sine_frame
from dashboard.ml.honest import rolled_horizon
from dashboard.ml.params import MAX_REFITS

TINY = {"units": 4, "layers": 1, "epochs": 1, "seq_len": 10, "horizon": 3}


def values() -> np.ndarray:
    return sine_frame(points=300).to_numpy()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the models built (the main fit and each refit build one)."""
    from dashboard.ml import train as train_module

    made: list[int] = []
    real = train_module.build_model

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "build_model", counted)
    return made


# hand-made numbers ---------------------------------------------------------------------
def test_check_refuses_a_refit_beyond_the_servers_epochs() -> None:
    limits = Limits(max_epochs=50)
    config = TrainConfig(epochs=10, backtest_origins=5, backtest_refit=True)
    assert check(config, 500, "Sine", limits) == [
        "Backtest refit trains 5 more models of 10 epochs (60 epochs in all); this server "
        "trains at most 50 epochs per run: turn Backtest refit off, or lower Epochs or "
        "Backtest origins."
    ]
    assert (
        check(TrainConfig(epochs=10, backtest_origins=4, backtest_refit=True), 500, "S", limits)
        == []
    )
    assert check(TrainConfig(epochs=10, backtest_origins=5), 500, "Sine", limits) == []
    assert check(config, 500, "Sine", Limits()) == []  # no bound on this server
    # at most MAX_REFITS origins are refit, however many the backtest has
    many = TrainConfig(epochs=10, backtest_origins=20, backtest_refit=True)
    assert f"{MAX_REFITS} more models" in check(many, 500, "Sine", Limits(max_epochs=59))[0]


def test_backtest_scores_refit_and_no_refit_on_the_same_origins() -> None:
    series = np.arange(30.0)
    model = np.array([[20.0, 21.0], [25.0, 27.0]])  # origins at rows 20 and 24
    refit = np.array([[21.0, 22.0]])  # only the first origin was refit
    report = backtest(series, np.array([20, 24]), model, 2, refit=refit, refit_note="why")
    first, second = report["origins"]
    assert first["refit"] == [21.0, 22.0] and first["mae"]["refit"] == 1.0
    assert "refit" not in second and "refit" not in second["mae"]
    summary = report["refit"]
    assert (summary["origins"], summary["of"]) == (1, 2)
    assert summary["mean_mae"] == 1.0 and summary["model_mean_mae"] == 0.0
    assert summary["sentence"].startswith("Refit at 1 of 2 origins: why.")
    assert backtest(series, np.array([20, 24]), model, 2)["refit"] is None  # refit off


def test_backtest_chart_says_whether_the_model_was_refit() -> None:
    series = np.arange(30.0)
    model = np.array([[20.0, 21.0], [25.0, 27.0]])
    plain = backtest(series, np.array([20, 24]), model, 2)
    assert "no refit" in evaluation.backtest_figure(plain, {}).layout.title.text
    refit = backtest(series, np.array([20, 24]), model, 2, refit=model + 1)
    figure = evaluation.backtest_figure(refit, {})
    assert "refit at each origin" in figure.layout.title.text
    assert list(figure.data[0].y)[:2] == ["LSTM", "LSTM refit"]
    drawn = evaluation.origin_figure(None, series, refit["origins"][0], {})
    assert "LSTM refit (MAE 1)" in [trace.name for trace in drawn.data]


def test_rolled_horizon_scores_each_step_on_the_windows_that_reach_it() -> None:
    series = np.arange(10.0)
    rows = np.array([7, 8, 9])  # step 2 exists for rows 7 and 8, step 3 for row 7 only
    rolled = np.array([[7.0, 9.0, 9.0], [9.0, 9.0, 9.0], [8.0, 8.0, 8.0]])
    got = rolled_horizon(series, rows, rolled, season=0)
    assert got["steps"] == [1, 2, 3]
    assert got["model"] == [pytest.approx(2 / 3), pytest.approx(0.5), pytest.approx(0.0)]
    assert got["baselines"]["last_value"] == [pytest.approx(1.0), 2.0, 3.0]


# tiny real runs ------------------------------------------------------------------------
def test_refit_trains_one_model_per_origin_and_forecasts_differently(builds: list[int]) -> None:
    from dashboard.ml.train import train

    config = TrainConfig.from_dict({**TINY, "backtest_origins": 2, "backtest_refit": True})
    result = train(config, values())
    assert result.status == "finished"
    assert len(builds) == 1 + 2  # the run's model and one per origin
    report = result.extras["backtest"]
    json.dumps(report, allow_nan=False)
    assert [len(o["refit"]) for o in report["origins"]] == [3, 3]
    for origin in report["origins"]:
        assert not np.allclose(origin["refit"], origin["model"])
        assert origin["mae"]["refit"] >= 0
    assert report["refit"]["origins"] == 2 and report["refit"]["of"] == 2
    assert report["refit"]["sentence"].startswith("Refit at each origin")

    builds.clear()
    plain = train(TrainConfig.from_dict({**TINY, "backtest_origins": 2}), values())
    assert len(builds) == 1 and plain.extras["backtest"]["refit"] is None
    # the same seed and settings: the run's own model is the same with refit on or off
    np.testing.assert_allclose(
        [o["model"] for o in plain.extras["backtest"]["origins"]],
        [o["model"] for o in report["origins"]],
        rtol=1e-5,
    )


def test_refitting_stops_when_the_run_is_out_of_time(builds: list[int]) -> None:
    from dashboard.ml.train import refit_forecasts

    config = TrainConfig.from_dict({**TINY, "backtest_origins": 2, "backtest_refit": True})
    asked: list[int] = []

    def should_stop() -> bool:  # before refit 1, after its one epoch, before refit 2: stop
        asked.append(1)
        return len(asked) >= 3

    made, note = refit_forecasts(config, values(), np.array([260, 265]), should_stop)
    assert made.shape == (1, 3) and len(builds) == 1
    assert note == "the run's time limit stopped the rest"


def test_a_run_out_of_time_during_a_refit_keeps_no_refit_forecast(builds: list[int]) -> None:
    from dashboard.ml.train import train

    config = TrainConfig.from_dict({**TINY, "backtest_origins": 2, "backtest_refit": True})
    result = train(config, values(), should_stop=lambda: len(builds) >= 2)
    assert result.status == "finished" and len(builds) == 2  # the first refit was cut short
    summary = result.extras["backtest"]["refit"]
    assert summary["origins"] == 0 and summary["of"] == 2
    assert summary["sentence"] == "Refit at 0 of 2 origins: the run's time limit stopped the rest."


def test_a_recursive_run_is_scored_at_every_step_ahead() -> None:
    from dashboard.ml.train import train

    config = TrainConfig.from_dict({**TINY, "forecast_mode": "recursive"})
    result = train(config, values())
    horizon = result.extras["horizon_errors"]
    assert horizon["steps"] == [1, 2, 3] and len(horizon["model"]) == 3
    assert all(v is not None for v in horizon["model"])
    assert horizon["model"][0] == pytest.approx(result.scores["model"]["mae"], rel=1e-5)
    for name, errors in horizon["baselines"].items():
        assert len(errors) == 3
        assert errors[0] == pytest.approx(result.scores["baselines"][name]["mae"], rel=1e-5)
    assert result.predictions.shape[1] == 1  # the one-step scores stay as they were
