"""Figure builders: data in, figures out, inputs untouched."""

from __future__ import annotations

import math

import numpy as np

from dashboard import figures


def test_loss_figure_has_two_traces_and_a_log_axis() -> None:
    history = {"loss": [1.0, 0.5, math.nan], "val_loss": [1.2, 0.7, 0.6]}
    figure = figures.loss_figure(history)
    assert [t.name for t in figure.data] == ["loss", "val_loss"]
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
