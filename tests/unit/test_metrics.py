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
    assert metrics.mape(np.array([1e-9, 1000.0]), np.array([1.0, 1000.0])) is None
    assert metrics.mape(np.zeros(3), np.ones(3)) is None
    assert metrics.mape(np.array([1.0, 10.0]), np.array([2.0, 10.0])) == pytest.approx(50.0)
    # sMAPE stays defined: |0 - 5| / 2.5 = 2 and |10 - 11| / 10.5, a (0, 0) pair is no error
    smape = metrics.smape(np.array([0.0, 10.0, 0.0]), np.array([5.0, 11.0, 0.0]))
    assert smape == pytest.approx((2 + 1 / 10.5 + 0) / 3 * 100)


def test_near_zero_is_a_share_of_the_mean_size_and_a_change_of_sign() -> None:
    # sunspots' test part: 0.2 against a mean of 79 (and a largest value of 253.8) is near
    # zero, though far above 1e-8 x max: its one point would weigh 500 times the others
    sunspots = np.array([0.2, 40.0, 80.0, 253.8, 21.0])  # mean 79.0
    assert metrics.has_near_zero(sunspots)
    assert metrics.mape(sunspots, sunspots + 1) is None
    assert metrics.smape(sunspots, sunspots + 1) is not None
    # the threshold is 1 % of the mean |actual|: 0.79 here; just above it counts as a value
    assert not metrics.has_near_zero(np.array([0.8, 40.0, 80.0, 253.8, 20.4]))
    assert metrics.has_near_zero(np.array([0.78, 40.0, 80.0, 253.8, 20.42]))
    # airline-like values, all far from zero: MAPE stays, (10 / 100 + 0 + 20 / 400) / 3
    airline = np.array([100.0, 300.0, 400.0])
    assert not metrics.has_near_zero(airline)
    assert metrics.mape(airline, np.array([110.0, 300.0, 380.0])) == pytest.approx(5.0)
    # a series that changes sign (a sine) passes through zero: no MAPE, whatever its samples
    assert metrics.has_near_zero(np.array([-0.5, 0.7, 1.0]))
    assert not metrics.has_near_zero(np.array([-0.5, -0.7, -1.0]))  # negative, far from 0
    assert not metrics.has_near_zero(np.array([]))


@pytest.mark.parametrize(
    ("key", "percent"),
    [("sunspots", "sMAPE"), ("sine", "sMAPE"), ("airline", "MAPE"), ("temperatures", "MAPE")],
)
def test_the_built_in_series_show_the_percentage_error_that_fits(key: str, percent: str) -> None:
    """Sunspots' test part reaches 0.2 (mean 79) and the sine crosses zero: sMAPE; the
    airline passengers and Melbourne's minimum temperatures stay far from zero: MAPE."""
    from dashboard.ml.data import load_builtin
    from dashboard.ml.windows import make_windows

    dataset = load_builtin(key)
    values = dataset.values(dataset.target)
    windows = make_windows(values, seq_len=12)  # the default split: 70 / 15 / 15 %
    actual = windows.to_original(windows.y_test)
    shown = "MAPE" if metrics.mape(actual, actual * 1.1) is not None else "sMAPE"
    assert shown == percent


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
