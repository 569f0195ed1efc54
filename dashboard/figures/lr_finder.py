"""The learning-rate finder's chart: loss against learning rate (log axis), the suggestion
marked."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from dashboard.figures.common import COLORS, base_figure, empty_figure
from dashboard.ml.lr_finder import short


def lr_finder_figure(
    lrs: Sequence[float],
    losses: Sequence[float | None],
    smoothed: Sequence[float | None],
    suggestion: float | None = None,
) -> go.Figure:
    """The batch losses (faint), the smoothed loss (bold) and a vertical line at the
    suggested rate, over the learning rate on a log axis."""
    if not lrs:
        return empty_figure("The loss appears here as the learning rate rises.")
    figure = base_figure("Loss as the learning rate rises", "learning rate (log scale)", "loss")
    figure.add_scatter(
        x=list(lrs),
        y=list(losses),
        name="batch loss",
        mode="lines",
        line={"color": COLORS["context"], "width": 1.5},
    )
    figure.add_scatter(
        x=list(lrs),
        y=list(smoothed),
        name="smoothed loss",
        mode="lines",
        line={"color": COLORS["loss"], "width": 3},
    )
    if suggestion is not None:
        mark = COLORS["best"]
        figure.add_vline(x=suggestion, line={"color": mark, "width": 2.5, "dash": "dash"})
        figure.add_annotation(  # on a log axis an annotation's x is the log10 of the value
            x=math.log10(suggestion),
            y=1,
            yref="paper",
            text=f"suggested {short(suggestion)}",
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=6,
            font={"size": 16, "color": mark},
            bgcolor="rgba(255,255,255,0.85)",
        )
    figure.update_xaxes(type="log", exponentformat="power", range=[-6.1, 0.1])
    figure.update_yaxes(rangemode="tozero", range=_y_range(smoothed, losses))
    figure.update_layout(hovermode="closest", legend={"y": -0.22})
    return figure


def _y_range(smoothed: Sequence[float | None], losses: Sequence[float | None]) -> list[float]:
    """From 0 to a third above the smoothed loss before its lowest point: the blow-up then
    leaves the chart at the top instead of flattening the part that matters."""
    finite = [v if v is not None and math.isfinite(v) else math.inf for v in smoothed]
    lowest = min(range(len(finite)), key=finite.__getitem__, default=0)
    before = [v for v in finite[: lowest + 1] if math.isfinite(v)]
    top = max(before) if before else max((v for v in losses if v is not None), default=1.0)
    return [0.0, 1.3 * top]
