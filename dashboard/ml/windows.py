"""Leakage-safe preprocessing: chronological split, scaling fitted on training rows, windows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from dashboard.ml.config import split_rows

Scaler: TypeAlias = MinMaxScaler | StandardScaler | None


@dataclass(frozen=True)
class Windows:
    """Model-ready arrays of one series, plus what is needed to map predictions back.

    x_* have shape (windows, seq_len, features) and y_* (windows, horizon), both scaled,
    float32, read-only views into one copy of the scaled rows (np.asarray a slice of them
    to get a copy of its own).
    `*_rows` give the row position of the first predicted step of each window.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_rows: np.ndarray
    val_rows: np.ndarray
    test_rows: np.ndarray
    target_scaler: Scaler
    train_end: int
    val_end: int
    last_window: np.ndarray  # the final seq_len rows, scaled: the input of a forecast past the end

    def to_original(self, scaled: np.ndarray) -> np.ndarray:
        """Map scaled target values (any shape) back to the series' own units."""
        if self.target_scaler is None:
            return np.asarray(scaled, dtype=np.float64)
        flat = np.asarray(scaled, dtype=np.float64).reshape(-1, 1)
        return self.target_scaler.inverse_transform(flat).reshape(np.shape(scaled))


def make_scaler(kind: str) -> Scaler:
    """A fresh, unfitted scaler for 'minmax', 'standard' or 'none'."""
    if kind == "minmax":
        return MinMaxScaler()
    if kind == "standard":
        return StandardScaler()
    if kind == "none":
        return None
    raise ValueError(f"unknown scaling {kind!r}")


def fit_scale(values: np.ndarray, train_end: int, kind: str) -> tuple[np.ndarray, Scaler]:
    """Scale every row with a scaler fitted on rows [0, train_end) only."""
    scaler = make_scaler(kind)
    if scaler is None:
        return values.astype(np.float64), None
    scaler.fit(values[:train_end])
    return scaler.transform(values), scaler


def make_windows(
    values: np.ndarray,
    seq_len: int,
    horizon: int = 1,
    train_pct: int = 70,
    val_pct: int = 15,
    scaling: str = "minmax",
) -> Windows:
    """Cut `values` (rows x columns, column 0 the target) into scaled windows.

    A window belongs to the part that holds all of its target steps; windows whose
    targets straddle a boundary are dropped, so no target is seen by two parts.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    train_end, val_end = split_rows(len(values), train_pct, val_pct)
    scaled, _ = fit_scale(values, train_end, scaling)
    _, target_scaler = fit_scale(values[:, :1], train_end, scaling)

    # Windows are read-only views into one float32 copy of the scaled rows, never copied
    # out: 1M rows x 5 columns are 20 MB as rows, 1 GB as windows of 50 (bench/README.md).
    scaled32 = np.ascontiguousarray(scaled, dtype=np.float32)
    n_windows = len(values) - seq_len - horizon + 1
    inputs = sliding_window_view(scaled32[: n_windows + seq_len - 1], seq_len, axis=0)
    inputs = inputs.transpose(0, 2, 1)  # (windows, seq_len, features)
    targets = sliding_window_view(scaled32[seq_len:, 0], horizon)[:n_windows]
    first = np.arange(n_windows) + seq_len
    last = first + horizon - 1

    # Each part is a run of consecutive windows (so a slice, so still a view).
    parts = {
        "train": last < train_end,
        "val": (first >= train_end) & (last < val_end),
        "test": first >= val_end,
    }
    arrays: dict[str, np.ndarray] = {}
    for name, mask in parts.items():
        chosen = np.flatnonzero(mask)
        part = slice(chosen[0], chosen[-1] + 1) if len(chosen) else slice(0, 0)
        arrays[f"x_{name}"] = inputs[part]
        arrays[f"y_{name}"] = targets[part]
        arrays[f"{name}_rows"] = first[part]
    last_window = np.ascontiguousarray(scaled[-seq_len:], dtype=np.float32)
    return Windows(
        **arrays,
        target_scaler=target_scaler,
        train_end=train_end,
        val_end=val_end,
        last_window=last_window,
    )


def naive_forecast(series: np.ndarray, rows: np.ndarray, horizon: int = 1) -> np.ndarray:
    """The naive baseline: every step ahead repeats the last value seen before `rows`."""
    last_seen = np.asarray(series, dtype=np.float64)[rows - 1]
    return np.repeat(last_seen[:, None], horizon, axis=1)
