"""The Data tab's target plot: a long series reduced with LTTB so the page stays fast."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import figures

MAX_PLOT_POINTS = 2500  # about two points per pixel of a wide chart


def lttb(values: np.ndarray, limit: int) -> np.ndarray:
    """Row positions of at most `limit` points that keep the look of `values`.

    Largest-Triangle-Three-Buckets (Steinarsson, 2013) with the row position as x: the first
    and last points stay; from each of `limit - 2` buckets between them the point that makes
    the largest triangle with the point kept before and the next bucket's mean.
    """
    n = len(values)
    if n <= limit or limit < 3:
        return np.arange(n)
    y = np.nan_to_num(np.asarray(values, dtype=np.float64))
    edges = np.linspace(1, n - 1, limit - 1).astype(np.int64)
    edges = np.append(edges, n)  # the last bucket's "next bucket" is the last point
    kept = np.empty(limit, dtype=np.int64)
    kept[0], kept[-1] = 0, n - 1
    previous = 0
    for i in range(limit - 2):
        start, end, after = edges[i], edges[i + 1], edges[i + 2]
        mean_x, mean_y = (end + after - 1) / 2, y[end:after].mean()
        xs = np.arange(start, end)
        area = np.abs(
            (previous - mean_x) * (y[start:end] - y[previous])
            - (previous - xs) * (mean_y - y[previous])
        )
        previous = start + int(np.argmax(area))
        kept[i + 1] = previous
    return kept


def target_figure(
    index: pd.Index, values: np.ndarray, name: str, split: tuple[int, int] | None
) -> go.Figure:
    """The target over time (or row number), reduced to MAX_PLOT_POINTS, split shaded."""
    kept = lttb(values, MAX_PLOT_POINTS)
    if isinstance(index, pd.DatetimeIndex):
        x: list[str] | list[int] = index[kept].strftime("%Y-%m-%d %H:%M").tolist()
    else:
        x = kept.tolist()
    bounds = None
    if split is not None:  # row positions of the split, as positions among the kept points
        bounds = (int(np.searchsorted(kept, split[0])), int(np.searchsorted(kept, split[1])))
    y = np.asarray(values)[kept].tolist()
    figure = figures.series_figure(cast(Any, x), y, name, bounds)  # numbers: row positions
    if not isinstance(index, pd.DatetimeIndex):
        figure.update_xaxes(title_text="row")
    if len(kept) < len(values):
        figure.update_layout(title_text=f"{name} ({len(kept):,} of {len(values):,} points shown)")
    return figure
