"""A finished run's honest evaluation, drawn by the callbacks called directly: the verdict
and the scores table on the Training tab, and the Evaluation tab's charts and lists."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from dash import no_update

from dashboard.app import create_app
from dashboard.jobs import live_state
from dashboard.ml.config import TrainConfig
from dashboard.ml.honest import Forecasts, forecast_report
from dashboard.payloads import LiveState, RunRecord
from dashboard.settings import Settings
from dashboard.store import Store
from tests.callbacks.tokens import T1, T2

MONTHS = [f"{1950 + i // 12}-{i % 12 + 1:02d}" for i in range(144)]


@pytest.fixture
def app_and_store(settings: Settings) -> tuple[Any, Store]:
    return create_app(settings, warm_up=False), Store.from_settings(settings)


def honest_run(store: Store) -> tuple[RunRecord, LiveState]:
    """A finished monthly forecast run, scored by ml.honest on made-up forecasts, stored as
    the job leaves it; and its final live state."""
    rng = np.random.default_rng(1)
    t = np.arange(144)
    series = 100 + t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, 144)
    steps = np.arange(3)
    rows, val_rows = np.arange(110, 142), np.arange(80, 108)
    actual = series[rows[:, None] + steps[None, :]]
    val_actual = series[val_rows[:, None] + steps[None, :]]
    predicted = actual + rng.normal(0, 3, actual.shape)
    predicted[5, 0] += 40  # one far miss: an anomaly
    forecasts = Forecasts(
        series=series,
        train_end=80,
        rows=rows,
        actual=actual,
        predicted=predicted,
        val_actual=val_actual,
        val_predicted=val_actual + rng.normal(0, 3, val_actual.shape),
        backtest_rows=rows[[0, 5, 10]],
        backtest_predicted=predicted[[0, 5, 10]],
    )
    config = TrainConfig(horizon=3, season=12, backtest_origins=3, epochs=3, units=8)
    scores, extras = forecast_report(forecasts, config)
    run_id = store.new_run_id()
    record: RunRecord = {
        "id": run_id,
        "session": "s1",
        "status": "finished",
        "config": config.to_dict(),
        "dataset_name": "Airline passengers",
        "history": {"loss": [0.3, 0.2, 0.1], "val_loss": [0.4, 0.3, 0.2]},
        "series": {"x": MONTHS, "y": series.tolist(), "target": "Passengers"},
        "split": [80, 108],
        "test_start": 110,
        "scores": scores,
        "extras": extras,
        "device": "CPU",
        "parameters": 321,
    }
    store.save_run(record)
    state = live_state(
        run_id,
        "finished",
        "Finished 3 epochs.",
        epochs=3,
        history=record["history"],
        epoch_seconds=[0.1, 0.1, 0.1],
        scores=scores,
        extras=extras,
        device="CPU",
        parameters=321,
    )
    return record, state


def test_training_tab_says_which_baseline_to_beat_and_lists_them_all(
    app_and_store: tuple[Any, Store],
) -> None:
    app, store = app_and_store
    record, state = honest_run(store)
    shown = app.callback_functions["show_state"](state)
    text = str(shown.metrics)
    scores = record["scores"]
    assert scores["verdict"] in text and "strongest baseline" in scores["verdict"]
    for label in ("naive (last value)", "seasonal naive (m=12)", "drift", "MASE", "MAPE"):
        assert label in text
    assert "to beat" in text and f"{scores['mase']:.4g}" in text
    assert f"{scores['skill_strongest']:+.1f} %" in text  # the skill over the strongest


def test_evaluation_tab_draws_the_newest_finished_run(app_and_store: tuple[Any, Store]) -> None:
    app, store = app_and_store
    record, state = honest_run(store)
    view = app.callback_functions["show_evaluation"](state, None, T1)
    extras, scores = record["extras"], record["scores"]
    assert view.empty_open is False and view.body_style == {"display": "block"}
    assert view.run_id == record["id"]
    assert scores["verdict"] in str(view.summary)
    assert extras["intervals"]["sentence"] in str(view.summary)
    assert view.acf_reading == extras["residuals"]["reading"] != ""
    assert {t.name for t in view.horizon.data} == {
        "LSTM",
        "last value",
        "seasonal naive (m=12)",
        "drift",
    }
    assert len(view.backtest.data[0].x) == 4 and len(view.origin_options) == 3
    assert view.origin_options[1]["label"] == f"origin 2 · from {MONTHS[115]}"
    assert list(view.residuals.data[0].x) == [MONTHS[r] for r in extras["residuals"]["rows"]]
    anomalies = str(view.anomalies)
    assert MONTHS[115] in anomalies  # the far miss, by its month
    assert "outside by" in anomalies
    # a backtest origin picked in the dropdown
    drawn = app.callback_functions["show_origin"]("2", record["id"], T1)
    assert drawn.layout.title.text == f"Backtest from {MONTHS[120]}"
    assert app.callback_functions["show_origin"]("2", record["id"], T2) is no_update


def test_evaluation_waits_for_scores_and_keeps_the_run_shown(
    app_and_store: tuple[Any, Store],
) -> None:
    app, store = app_and_store
    record, state = honest_run(store)
    show = app.callback_functions["show_evaluation"]
    running = live_state(record["id"], "running", epochs=3)
    assert all(v is no_update for v in show(running, None, T1))
    assert all(v is no_update for v in show(state, record["id"], T1))  # drawn already
    # another session's page gets the live state's numbers but not the stored series
    view = show(state, None, T2)
    assert "row 115" in str(view.anomalies)


def test_classification_shows_the_majority_class_baseline(
    app_and_store: tuple[Any, Store],
) -> None:
    app, _ = app_and_store
    verdict = "The model beats always guessing the most common class, '1'."
    majority: dict[str, Any] = {
        "class": "1",
        "baseline": {"accuracy": 0.58, "balanced_accuracy": 0.25},
        "model": {"accuracy": 0.9, "balanced_accuracy": 0.8},
        "verdict": verdict,
    }
    scores = {"accuracy": 0.9, "per_class": [], "confusion": [], "majority": majority}
    state = live_state("r", "finished", epochs=1, scores=scores, extras={})
    view = app.callback_functions["show_evaluation"](state, None, T1)
    text = str(view.summary)
    assert verdict in text and "balanced accuracy" in text and "0.25" in text
    assert view.forecast_style == {"display": "none"}
    assert "always '1'" in str(app.callback_functions["show_state"](state).metrics)
