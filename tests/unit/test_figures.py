"""Figure builders: data in, figures out, inputs untouched."""

from __future__ import annotations

import math

import numpy as np

from dashboard import figures


def test_loss_figure_has_loss_traces_and_hidden_accuracy() -> None:
    history = {"loss": [1.0, 0.5, math.nan], "val_loss": [1.2, 0.7, 0.6]}
    figure = figures.loss_figure(history)
    assert [t.name for t in figure.data] == ["loss", "val_loss", "accuracy", "val_accuracy"]
    assert [t.visible for t in figure.data] == [True, True, False, False]
    assert list(figure.data[0].x) == [1, 2, 3]
    assert list(figure.data[0].y) == [1.0, 0.5, None]  # NaN drawn as a gap
    assert figure.layout.yaxis.type == "log"
    assert figures.loss_figure(history, log_y=False).layout.yaxis.type == "linear"
    assert history["loss"][2] != history["loss"][2]  # input left as it was (NaN)


def test_prediction_figure_draws_test_part_and_context() -> None:
    y = np.arange(100, dtype=float)
    rows = np.arange(85, 100)
    predictions = (y[rows] + 1)[:, None]
    naive = y[rows - 1][:, None]
    figure = figures.prediction_figure(None, y, rows, predictions, naive, split=(70, 85))
    names = [t.name for t in figure.data]
    assert names == ["train + validation", "actual", "naive (last value)", "LSTM"]
    with_extras = figures.prediction_figure(
        None, y, rows, predictions, rollout=[1.0, 2.0], future=[3.0, 4.0, 5.0]
    )
    assert [t.name for t in with_extras.data][-2:] == ["2-step roll-out", "forecast past the end"]
    assert list(with_extras.data[-1].x) == [100, 101, 102]  # continues after the last row
    np.testing.assert_array_equal(figure.data[1].y, y[85:])
    np.testing.assert_array_equal(figure.data[3].y, y[85:] + 1)
    assert len(figure.data[0].y) == 85


def test_context_is_thinned_for_long_series() -> None:
    y = np.zeros(100_000)
    rows = np.arange(90_000, 100_000)
    figure = figures.prediction_figure(None, y, rows, None)
    assert len(figure.data[0].y) <= figures.MAX_CONTEXT_POINTS
    assert [t.name for t in figure.data] == ["train + validation", "actual"]


def test_series_figure_shades_the_three_parts() -> None:
    figure = figures.series_figure(["a", "b", "c", "d"], [1, 2, 3, 4], "v", split=(2, 3))
    assert len(figure.layout.shapes) == 3
    assert figure.data[0].name == "v"


def test_future_x_continues_dates_at_their_spacing() -> None:
    xs = np.array(["2020-01-01 00:00", "2020-01-02 00:00"])
    assert figures.future_x(xs, 2) == ["2020-01-03 00:00", "2020-01-04 00:00"]


def test_loss_marks_for_best_epoch_and_overfitting() -> None:
    shapes, notes = figures.loss_marks(best_epoch=4, overfit_from=6, last_epoch=9)
    assert shapes[0]["x0"] == 4 and notes[0]["text"] == "best epoch 4"
    assert shapes[1]["x0"] == 5.5 and shapes[1]["x1"] == 9.5 and notes[1]["text"] == "overfitting"
    assert figures.loss_marks(None, None, 3) == ([], [])


def test_confusion_figure_counts() -> None:
    figure = figures.confusion_figure([[5, 1], [0, 4]], ["1", "2"], "cm")
    assert figure.data[0].type == "heatmap"
    assert list(figure.data[0].x) == ["class 1", "class 2"]
