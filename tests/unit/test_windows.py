"""Windowing, chronological split and leakage-safe scaling."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.ml.windows import make_windows, naive_forecast


def test_window_shapes_and_values_follow_the_series() -> None:
    values = np.arange(100, dtype=float)
    w = make_windows(values, seq_len=5, horizon=1, train_pct=70, val_pct=15, scaling="none")
    assert w.x_train.shape[1:] == (5, 1)
    assert w.y_train.shape[1:] == (1,)
    # first window: rows 0..4 in, row 5 out
    np.testing.assert_array_equal(w.x_train[0, :, 0], [0, 1, 2, 3, 4])
    assert w.y_train[0, 0] == 5
    # every window's target is the row right after its inputs
    for x, y, row in zip(w.x_test, w.y_test, w.test_rows, strict=True):
        assert x[-1, 0] + 1 == y[0] == row


def test_split_is_chronological_and_disjoint() -> None:
    values = np.arange(200, dtype=float)
    w = make_windows(values, seq_len=10, horizon=3, train_pct=60, val_pct=20, scaling="none")
    assert (w.train_end, w.val_end) == (120, 160)
    assert w.train_rows.max() + 2 < 120  # all 3 target steps inside the training part
    assert w.val_rows.min() >= 120 and w.val_rows.max() + 2 < 160
    assert w.test_rows.min() >= 160
    assert w.y_test.shape[1] == 3
    np.testing.assert_array_equal(w.y_test[0], [160, 161, 162])


@pytest.mark.parametrize("scaling", ["minmax", "standard"])
def test_scaler_is_fitted_on_training_rows_only(scaling: str) -> None:
    values = np.arange(100, dtype=float)  # rising: later parts exceed the training range
    w = make_windows(values, seq_len=5, train_pct=50, val_pct=25, scaling=scaling)
    train_targets = w.to_original(w.y_train)
    assert w.target_scaler is not None
    if scaling == "minmax":
        assert w.target_scaler.data_max_[0] == 49  # fitted on rows 0..49 only
        assert w.y_test.max() > 1.0  # test values lie beyond the training range
    else:
        assert w.target_scaler.mean_[0] == pytest.approx(24.5)
    np.testing.assert_allclose(train_targets[:, 0], np.arange(5, 50), rtol=1e-6)


def test_multivariate_windows_keep_the_target_first() -> None:
    target = np.arange(50, dtype=float)
    feature = target * 10
    w = make_windows(np.column_stack([target, feature]), seq_len=4, scaling="none")
    assert w.x_train.shape[1:] == (4, 2)
    np.testing.assert_array_equal(w.x_train[0, :, 1], [0, 10, 20, 30])
    assert w.y_train[0, 0] == 4


def test_naive_forecast_repeats_the_last_value() -> None:
    series = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    np.testing.assert_array_equal(naive_forecast(series, np.array([2, 4])), [[2.0], [8.0]])
    np.testing.assert_array_equal(naive_forecast(series, np.array([3]), horizon=2), [[4.0, 4.0]])
