"""Figure builders: data in, figures out, inputs untouched."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.figures import data, training
from dashboard.figures import runs as figures_runs
from dashboard.figures.downsample import MAX_POINTS, downsample


def test_loss_figure_has_loss_traces_and_hidden_accuracy() -> None:
    history = {"loss": [1.0, 0.5, math.nan], "val_loss": [1.2, 0.7, 0.6]}
    figure = training.loss_figure(history)
    assert [t.name for t in figure.data] == ["loss", "val_loss", "accuracy", "val_accuracy"]
    assert [t.visible for t in figure.data] == [True, True, False, False]
    assert list(figure.data[0].x) == [1, 2, 3]
    assert list(figure.data[0].y) == [1.0, 0.5, None]  # NaN drawn as a gap
    assert figure.layout.yaxis.type == "log"
    assert training.loss_figure(history, log_y=False).layout.yaxis.type == "linear"
    assert history["loss"][2] != history["loss"][2]  # input left as it was (NaN)


def test_prediction_figure_draws_test_part_and_context() -> None:
    y = np.arange(100, dtype=float)
    rows = np.arange(85, 100)
    predictions = (y[rows] + 1)[:, None]
    naive = y[rows - 1][:, None]
    figure = training.prediction_figure(None, y, rows, predictions, naive, split=(70, 85))
    names = [t.name for t in figure.data]
    assert names == ["train + validation", "actual", "naive (last value)", "LSTM"]
    with_extras = training.prediction_figure(
        None, y, rows, predictions, rollout=[1.0, 2.0], future=[3.0, 4.0, 5.0]
    )
    assert [t.name for t in with_extras.data][-2:] == ["2-step roll-out", "forecast past the end"]
    assert list(with_extras.data[-1].x) == [100, 101, 102]  # continues after the last row
    np.testing.assert_array_equal(figure.data[1].y, y[85:])
    np.testing.assert_array_equal(figure.data[3].y, y[85:] + 1)
    assert len(figure.data[0].y) == 85


def test_context_is_reduced_for_long_series() -> None:
    y = np.zeros(100_000)
    rows = np.arange(90_000, 100_000)
    figure = training.prediction_figure(None, y, rows, None)
    assert len(figure.data[0].y) <= MAX_POINTS
    assert [t.name for t in figure.data] == ["train + validation", "actual"]


def test_series_figure_shades_the_three_parts() -> None:
    figure = data.series_figure(["a", "b", "c", "d"], [1, 2, 3, 4], "v", split=(2, 3))
    assert len(figure.layout.shapes) == 3
    assert figure.data[0].name == "v"


def test_future_x_continues_dates_at_their_spacing() -> None:
    xs = np.array(["2020-01-01 00:00", "2020-01-02 00:00"])
    assert training.future_x(xs, 2) == ["2020-01-03 00:00", "2020-01-04 00:00"]


def test_loss_marks_for_best_epoch_and_overfitting() -> None:
    shapes, notes = training.loss_marks(best_epoch=4, overfit_from=6, last_epoch=9)
    assert shapes[0]["x0"] == 4 and notes[0]["text"] == "best epoch 4"
    assert shapes[1]["x0"] == 5.5 and shapes[1]["x1"] == 9.5 and notes[1]["text"] == "overfitting"
    assert training.loss_marks(None, None, 3) == ([], [])


def test_confusion_figure_counts() -> None:
    figure = training.confusion_figure([[5, 1], [0, 4]], ["1", "2"], "cm")
    assert figure.data[0].type == "heatmap"
    assert list(figure.data[0].x) == ["class 1", "class 2"]


def test_downsample_keeps_ends_spikes_and_the_limit() -> None:
    values = np.sin(np.linspace(0, 50, 100_000))
    values[54_321] = 40.0
    kept = downsample(None, values, 1000)
    assert len(kept) == 1000 and kept[0] == 0 and kept[-1] == 99_999
    assert 54_321 in kept and np.all(np.diff(kept) > 0)
    assert list(downsample(None, np.arange(10.0), 1000)) == list(range(10))


def test_downsample_takes_dates_text_and_gaps() -> None:
    stamps = pd.date_range("2000-01-01", periods=10_000, freq="min").to_numpy()
    values = np.cos(np.arange(10_000) / 50.0)
    values[100] = np.nan
    for x in (stamps, stamps.astype(str), np.arange(10_000) * 0.5, None):
        kept = downsample(x, values, 500)
        assert len(kept) <= 500 and kept[0] == 0 and kept[-1] == 9_999
        assert 100 not in kept


def test_target_figure_reduces_long_series_and_moves_the_split() -> None:
    index = pd.date_range("2000-01-01", periods=100_000, freq="min")
    figure = data.target_figure(index, np.arange(100_000.0), "x", (70_000, 85_000))
    trace = figure.data[0]
    assert len(trace.y) == MAX_POINTS and "of 100,000 points" in figure.layout.title.text
    shapes = [(s.x0, s.x1) for s in figure.layout.shapes]
    assert shapes[1][0].startswith("2000-02-18")  # the validation part starts at row 70,000
    rows = data.target_figure(pd.RangeIndex(50), np.arange(50.0), "y", None)
    assert list(rows.data[0].x) == list(range(50)) and rows.layout.xaxis.title.text == "row"


def test_prediction_overlay_reduces_the_actual_part_and_each_run() -> None:
    y = np.sin(np.arange(50_000) / 30.0)
    line = figures_runs.Line("#1", "#000", 10_000, y[10_000:, None] + 0.1)
    figure = figures_runs.prediction_overlay(None, y, [line])
    actual, run = figure.data
    assert len(actual.y) <= MAX_POINTS and actual.x[0] == 10_000 and actual.x[-1] == 49_999
    assert len(run.y) <= MAX_POINTS and run.x[0] == 10_000
    np.testing.assert_allclose(run.y, y[np.asarray(run.x)] + 0.1)
