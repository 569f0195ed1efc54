"""The Search tab's figures from plain data: pruned trials drawn cut short and marked,
importances ranked, picked settings as ticks on the parallel coordinates."""

from __future__ import annotations

from typing import Any

from dashboard.figures.search import (
    best_so_far_figure,
    curves_figure,
    importance_figure,
    parallel_figure,
)

CURVES = [
    {"number": 0, "state": "complete", "epochs": [1, 2, 3], "values": [0.5, 0.3, 0.2]},
    {"number": 1, "state": "pruned", "epochs": [1], "values": [0.9]},
    {"number": 2, "state": "running", "epochs": [1, 2], "values": [0.4, 0.35]},
    {"number": 3, "state": "running", "epochs": [], "values": []},
]


def test_every_trial_on_one_chart_pruned_ones_cut_short_and_marked() -> None:
    figure = curves_figure(CURVES)
    lines = [t for t in figure.data if t.mode != "markers"]
    assert [len(t.y) for t in lines] == [3, 1, 2]  # the empty running trial is not drawn
    assert lines[1].line.dash == "dash" and lines[1].name == "pruned (cut short)"
    cross = [t for t in figure.data if t.mode == "markers"]
    assert len(cross) == 1 and cross[0].marker.symbol == "x" and list(cross[0].x) == [1]
    assert lines[2].line.width > lines[0].line.width  # the running one stands out
    assert figure.layout.yaxis.type == "log"
    assert "appears here" in curves_figure([]).layout.annotations[0].text


def test_best_so_far_and_importances() -> None:
    best = best_so_far_figure([[0, 0.5], [2, 0.2]])
    assert list(best.data[0].x) == [1, 3] and best.data[0].line.shape == "hv"
    assert best.layout.yaxis.type == "log"
    flat = best_so_far_figure([[0, 0.002], [1, 0.002]])  # not drawn on Plotly's ±1 around it
    low, high = flat.layout.yaxis.range
    assert 10**low < 0.002 < 10**high and 10**high < 0.01
    bars = importance_figure({"units": 0.7, "learning_rate": 0.3}, 5, 5)
    assert list(bars.data[0].y) == ["Learning rate", "Units"]  # the largest on top
    assert "5 trials, a first look" in bars.layout.title.text
    assert "a first look" not in importance_figure({"units": 1.0}, 12, 5).layout.title.text
    waiting = importance_figure(None, 2, 5)
    assert "after 5 complete trials (2)" in waiting.layout.annotations[0].text


def test_parallel_coordinates_of_finished_trials() -> None:
    trials: list[dict[str, Any]] = [
        {"state": "complete", "best": 0.2, "params": {"learning_rate": 1e-3, "cell": "gru"}},
        {"state": "pruned", "best": 0.5, "params": {"learning_rate": 1e-2, "cell": "lstm"}},
        {"state": "running", "best": None, "params": {"learning_rate": 1e-2, "cell": "lstm"}},
    ]
    figure = parallel_figure(trials, ["learning_rate", "cell"])
    rate, cell, score = figure.data[0].dimensions
    assert rate.label == "log10 Learning rate" and list(rate.values) == [-3.0, -2.0]
    assert list(cell.ticktext) == ["GRU", "LSTM"] and list(cell.values) == [0, 1]
    assert list(score.values) == [0.2, 0.5]
    assert "two finished trials" in parallel_figure(trials[:1], ["cell"]).layout.annotations[0].text
