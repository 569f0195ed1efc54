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


def test_mape_skips_zero_actuals() -> None:
    assert metrics.mape(np.array([0.0, 10.0]), np.array([5.0, 11.0])) == pytest.approx(10.0)
    assert metrics.mape(np.zeros(3), np.ones(3)) is None


def test_skill_against_naive() -> None:
    assert metrics.skill(5.0, 10.0) == pytest.approx(50.0)
    assert metrics.skill(15.0, 10.0) == pytest.approx(-50.0)
    assert metrics.skill(1.0, 0.0) is None
