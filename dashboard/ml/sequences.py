"""Sequence classification data: each row is one sequence, the first column its label."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from dashboard.ml.windows import make_scaler


@dataclass(frozen=True)
class Sequences:
    """Model-ready sequences: x_* (rows, length, 1), y_* class codes 0..k-1."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: list[str]  # the label of each class code, as in the file

    @property
    def n_classes(self) -> int:
        """How many classes there are."""
        return len(self.classes)


def class_names(labels: np.ndarray) -> list[str]:
    """The distinct labels, sorted, as the page shows them (1.0 -> '1')."""
    return [f"{c:g}" if isinstance(c, float) else str(c) for c in np.unique(labels)]


def _split(index: np.ndarray, codes: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, ...]:
    """Stratified when every class can be split, else a plain seeded shuffle."""
    try:
        return tuple(train_test_split(index, test_size=share, random_state=seed, stratify=codes))
    except ValueError:  # a class with a single member cannot be stratified
        return tuple(train_test_split(index, test_size=share, random_state=seed))


def make_sequences(
    values: np.ndarray, train_pct: int, val_pct: int, seed: int, scaling: str = "standard"
) -> Sequences:
    """Split labelled rows into train/validation/test (seeded) and scale on training rows."""
    labels, series = values[:, 0], np.asarray(values[:, 1:], dtype=np.float64)
    _, codes = np.unique(labels, return_inverse=True)
    index = np.arange(len(values))
    rest, test = _split(index, codes, 1 - (train_pct + val_pct) / 100, seed)
    train, val = _split(rest, codes[rest], val_pct / (train_pct + val_pct), seed)
    scaler = make_scaler(scaling)
    if scaler is not None:  # one scale for every time step, fitted on training rows
        scaler.fit(series[train].reshape(-1, 1))
        series = scaler.transform(series.reshape(-1, 1)).reshape(series.shape)
    x = series[..., None].astype(np.float32)
    return Sequences(
        x[train],
        codes[train],
        x[val],
        codes[val],
        x[test],
        codes[test],
        classes=class_names(labels),
    )
