"""The one way a long series is reduced before it is drawn: MinMaxLTTB from tsdownsample.

MinMaxLTTB (Van Der Donckt et al., 2023) preselects each bin's minimum and maximum and runs
Largest-Triangle-Three-Buckets on them: the first and last points stay, and spikes survive
the reduction, unlike taking every k-th point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tsdownsample import MinMaxLTTBDownsampler

MAX_POINTS = 2500  # about two points per pixel of a wide chart

_DOWNSAMPLER = MinMaxLTTBDownsampler()


def downsample(x: Any, y: Any, max_points: int = MAX_POINTS) -> np.ndarray:
    """Positions (sorted, int64) of at most `max_points` points of (x, y) that keep its look.

    `x` may be None or non-numeric (e.g. formatted dates): the row positions stand in for
    it; datetimes count by their int64 view. Non-finite y values are never picked but leave
    no hole in the x spacing. A series of at most `max_points` points keeps every one.
    """
    values = np.asarray(y, dtype=np.float64)
    n = len(values)
    if n <= max(max_points, 2):
        return np.arange(n, dtype=np.int64)
    max_points = max(max_points, 3)  # LTTB keeps the two ends and at least one between
    positions = _numeric_x(x, n)
    picked = _DOWNSAMPLER.downsample(positions, np.ascontiguousarray(values), n_out=max_points)
    return np.asarray(picked, dtype=np.int64)


def _numeric_x(x: Any, n: int) -> np.ndarray:
    """x as ordered numbers for tsdownsample: int64 for datetimes, else float64; the row
    positions for text, gaps or an x out of order."""
    if x is None:
        return np.arange(n, dtype=np.int64)
    xs = np.asarray(x)
    if len(xs) != n:
        raise ValueError(f"x has {len(xs)} values, y has {n}")
    numbers: np.ndarray | None = None
    if np.issubdtype(xs.dtype, np.datetime64) and not np.isnat(xs).any():
        numbers = xs.astype("datetime64[ns]").view(np.int64)
    elif np.issubdtype(xs.dtype, np.number) and np.isfinite(xs).all():
        numbers = xs.astype(np.float64)
    if numbers is None or (np.diff(numbers) < 0).any():  # LTTB needs x in order
        return np.arange(n, dtype=np.int64)
    return np.ascontiguousarray(numbers)
