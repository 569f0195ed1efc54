"""Error measures and the skill over the naive baseline, on numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.ml import metrics


def test_scores_on_known_numbers() -> None:
    actual = np.array([100.0, 200.0, 300.0, 400.0])
    predicted = np.array([110.0, 190.0, 330.0, 400.0])
    scores = metrics.scores(actual, predicted)
    assert scores["mae"] == pytest.approx(12.5)  # (10 + 10 + 30 + 0) / 4
    assert scores["rmse"] == pytest.approx(np.sqrt((100 + 100 + 900) / 4))
    assert scores["mape"] == pytest.approx((10 + 5 + 10 + 0) / 4)
    smape = (10 / 105 + 10 / 195 + 30 / 315 + 0) / 4 * 100
    assert scores["smape"] == pytest.approx(smape)


def test_mape_is_withheld_when_an_actual_is_at_or_near_zero() -> None:
    assert metrics.mape(np.array([0.0, 10.0]), np.array([5.0, 11.0])) is None
    assert metrics.mape(np.array([1e-9, 1000.0]), np.array([1.0, 1000.0])) is None  # < 1e-8 max
    assert metrics.mape(np.zeros(3), np.ones(3)) is None
    assert metrics.mape(np.array([1e-3, 10.0]), np.array([2e-3, 10.0])) == pytest.approx(50.0)
    # sMAPE stays defined: |0 - 5| / 2.5 = 2 and |10 - 11| / 10.5, a (0, 0) pair is no error
    smape = metrics.smape(np.array([0.0, 10.0, 0.0]), np.array([5.0, 11.0, 0.0]))
    assert smape == pytest.approx((2 + 1 / 10.5 + 0) / 3 * 100)


def test_skill_against_naive() -> None:
    assert metrics.skill(5.0, 10.0) == pytest.approx(50.0)
    assert metrics.skill(15.0, 10.0) == pytest.approx(-50.0)
    assert metrics.skill(1.0, 0.0) is None


def test_per_class_precision_recall_f1_on_known_labels() -> None:
    # true:      a a a b b c c c c
    # predicted: a a b b c c c c a
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    predicted = np.array([0, 0, 1, 1, 2, 2, 2, 2, 0])
    scores = metrics.classification_scores(labels, predicted, ["a", "b", "c"])
    assert scores["accuracy"] == pytest.approx(6 / 9)
    assert scores["confusion"] == [[2, 1, 0], [0, 1, 1], [1, 0, 3]]
    got = {
        row["class"]: (row["precision"], row["recall"], row["f1"], row["support"])
        for row in scores["per_class"]
    }
    # a: 2 of 3 predicted a are a, 2 of 3 a found; b: 1 of 2, 1 of 2; c: 3 of 4, 3 of 4
    expected = {"a": (2 / 3, 2 / 3, 2 / 3, 3), "b": (0.5, 0.5, 0.5, 2), "c": (0.75, 0.75, 0.75, 4)}
    assert got.keys() == expected.keys()
    for name, values in expected.items():
        assert got[name] == pytest.approx(values), name


def test_a_class_never_predicted_scores_zero_not_an_error() -> None:
    scores = metrics.classification_scores(np.array([0, 1, 1]), np.array([0, 0, 0]), ["x", "y"])
    y = scores["per_class"][1]
    assert (y["precision"], y["recall"], y["f1"], y["support"]) == (0.0, 0.0, 0.0, 2)
    x = scores["per_class"][0]
    assert x["precision"] == pytest.approx(1 / 3) and x["recall"] == 1.0
    assert x["f1"] == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))
