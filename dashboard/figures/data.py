"""The Data tab's chart: the target over time, reduced for drawing, its split shaded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import COLORS, base_figure
from dashboard.figures.downsample import MAX_POINTS, downsample


def series_figure(
    x: Sequence[str] | Sequence[int] | np.ndarray | None,
    y: Sequence[float] | np.ndarray,
    name: str,
    split: tuple[int, int] | None = None,
) -> go.Figure:
    """`y` over `x` (or the step) as given, with the train/validation/test parts shaded
    (`split`: positions in `y` where validation and test begin)."""
    ys = np.asarray(y, dtype=float)
    xs = np.asarray(x) if x is not None else np.arange(len(ys))
    figure = base_figure(name, "time" if x is not None else "step", name)
    figure.add_scatter(x=xs, y=ys, name=name, mode="lines", line={"color": COLORS["actual"]})
    if split is not None:
        for start, end, label, color in _parts(xs, split):
            figure.add_vrect(
                x0=start,
                x1=end,
                fillcolor=color,
                opacity=0.12,
                line_width=0,
                annotation_text=label,
                annotation_position="top left",
            )
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure


def _parts(xs: np.ndarray, split: tuple[int, int]) -> list[tuple[object, object, str, str]]:
    train_end, val_end = split
    last = len(xs) - 1
    bounds = [
        (0, train_end, "train", "#1f77b4"),
        (train_end, val_end, "validation", "#ffc107"),
        (val_end, len(xs), "test", "#198754"),
    ]
    return [(xs[a], xs[min(b, last)], label, c) for a, b, label, c in bounds if b > a]


def target_figure(
    index: pd.Index, values: np.ndarray, name: str, split: tuple[int, int] | None
) -> go.Figure:
    """The target over time (or row number), reduced to MAX_POINTS, split shaded."""
    ys = np.asarray(values, dtype=float)
    dated = isinstance(index, pd.DatetimeIndex)
    kept = downsample(index.to_numpy() if dated else None, ys, MAX_POINTS)
    x: list[str] | list[int]
    if isinstance(index, pd.DatetimeIndex):
        x = index[kept].strftime("%Y-%m-%d %H:%M").tolist()
    else:
        x = kept.tolist()
    bounds = None
    if split is not None:  # row positions of the split, as positions among the kept points
        bounds = (int(np.searchsorted(kept, split[0])), int(np.searchsorted(kept, split[1])))
    figure = series_figure(x, ys[kept].tolist(), name, bounds)  # numbers: row positions
    if not dated:
        figure.update_xaxes(title_text="row")
    if len(kept) < len(ys):
        figure.update_layout(title_text=f"{name} ({len(kept):,} of {len(ys):,} points shown)")
    return figure
