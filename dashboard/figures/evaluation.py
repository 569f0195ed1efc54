"""The Evaluation tab's small charts, from a forecast run's extras (ml/honest.py): error by
step ahead, the backtest's mean errors and one origin's forecasts, and the residuals over
time, as a histogram and as an autocorrelation with its noise band. Plain data in,
go.Figure out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.common import COLORS, base_figure, empty_figure

# one colour per forecaster, the same in every chart of the tab
MODEL_COLORS = {
    "model": COLORS["predicted"],
    "last_value": COLORS["naive"],
    "seasonal_naive": "#1f77b4",
    "drift": "#6f42c1",
    "refit": "#2ca02c",
}
SMALL_HEIGHT = 290  # px: three across at 1366x768, two rows on screen


def small_figure(title: str, x_title: str, y_title: str) -> go.Figure:
    """A compact chart in the page's style: a short title, tight margins, legend below."""
    figure = base_figure(title, x_title, y_title)
    figure.update_layout(
        title_font_size=15,
        margin={"l": 56, "r": 12, "t": 36, "b": 8},
        legend={"y": -0.22, "font": {"size": 13}},
    )
    return figure


def _name(key: str, labels: Mapping[str, str], model: str) -> str:
    if key == "refit":
        return f"{model} refit"
    return model if key == "model" else labels.get(key, key)


def refit_label(backtest: Mapping[str, Any] | None) -> str:
    """How the backtest's model forecasts were made: 'no refit: ...', 'refit at each
    origin', or 'refit at k of n origins'."""
    refit = (backtest or {}).get("refit")
    if not refit:
        return "no refit: one trained model forecasts from every origin"
    if refit.get("origins") == refit.get("of"):
        return "refit at each origin (and the one trained model beside it)"
    return f"refit at {refit.get('origins')} of {refit.get('of')} origins"


def horizon_figure(
    horizon: Mapping[str, Any] | None, labels: Mapping[str, str], model: str = "LSTM"
) -> go.Figure:
    """Test MAE at each step ahead: the model and every baseline, one line each."""
    if not horizon or not horizon.get("steps"):
        return empty_figure("Train a forecasting run to see its error by step ahead.")
    steps = list(horizon["steps"])
    figure = small_figure("Error by step ahead (test MAE)", "steps ahead", "MAE")
    lines = {"model": horizon.get("model") or [], **(horizon.get("baselines") or {})}
    for key, values in lines.items():
        figure.add_scatter(
            x=steps,
            y=list(values),
            name=_name(key, labels, model),
            mode="lines+markers",
            line={"color": MODEL_COLORS.get(key), "width": 3 if key == "model" else 2},
            marker={"size": 7},
        )
    figure.update_xaxes(dtick=1 if len(steps) <= 12 else None, rangemode="tozero")
    figure.update_yaxes(rangemode="tozero")
    return figure


def backtest_figure(
    backtest: Mapping[str, Any] | None, labels: Mapping[str, str], model: str = "LSTM"
) -> go.Figure:
    """Mean MAE over the backtest origins, one bar per forecaster (lowest is best)."""
    mean = (backtest or {}).get("mean_mae") or {}
    if not mean:
        return empty_figure("No backtest: set Backtest origins above 0 under More settings.")
    mean = dict(mean)
    refit = (backtest or {}).get("refit") or {}
    names = {k: _name(k, labels, model) for k in mean}
    if refit.get("mean_mae") is not None:  # beside the model: its mean on the refit origins
        mean = {"model": mean.get("model"), "refit": refit["mean_mae"], **mean}
        names["refit"] = _name("refit", labels, model)
        if refit.get("origins") != refit.get("of"):
            names["refit"] += f" ({refit.get('origins')} origins)"
    keys = list(mean)
    count = len(backtest.get("origins") or []) if backtest else 0
    figure = small_figure(
        f"Backtest: mean MAE over {count} origins<br><sup>{refit_label(backtest)}</sup>",
        "mean MAE",
        "",
    )
    figure.update_layout(margin_t=56)
    figure.add_bar(  # horizontal: the forecasters' names stay level and readable
        y=[names[k] for k in keys],
        x=[mean[k] for k in keys],
        orientation="h",
        marker_color=[MODEL_COLORS.get(k, COLORS["naive"]) for k in keys],
        text=[f"{mean[k]:.3g}" if mean[k] is not None else "" for k in keys],
        textposition="auto",
        hovertemplate="%{y}: %{x:.4g}<extra></extra>",
    )
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure


def origin_figure(
    x: Sequence[Any] | np.ndarray | None,
    y: Sequence[float] | np.ndarray,
    origin: Mapping[str, Any] | None,
    labels: Mapping[str, str],
    model: str = "LSTM",
) -> go.Figure:
    """One backtest origin: the series just before it, the actual horizon, and each
    forecaster's horizon-long forecast from there, with its MAE in the legend."""
    if not origin:
        return empty_figure("No backtest origin to show.")
    ys = np.asarray(y, dtype=float)
    xs = np.asarray(x) if x is not None else np.arange(len(ys))
    row, actual = int(origin["row"]), list(origin["actual"])
    ahead = xs[row : row + len(actual)]
    before = max(0, row - 3 * len(actual))
    figure = small_figure(f"Backtest from {xs[row]}", "", "value")
    figure.add_scatter(
        x=xs[before : row + len(actual)],
        y=ys[before : row + len(actual)],
        name="actual",
        mode="lines+markers",
        line={"color": COLORS["actual"], "width": 2},
        marker={"size": 5},
    )
    forecasts = {"model": origin.get("model") or [], **(origin.get("baselines") or {})}
    if origin.get("refit"):  # backtest refit on: the model refit on the rows before it
        forecasts = {"model": forecasts["model"], "refit": origin["refit"], **forecasts}
    mae = origin.get("mae") or {}
    for key, values in forecasts.items():
        error = mae.get(key)
        suffix = "" if error is None else f" (MAE {error:.3g})"
        figure.add_scatter(
            x=ahead,
            y=list(values)[: len(ahead)],
            name=_name(key, labels, model) + suffix,
            mode="lines+markers",
            line={
                "color": MODEL_COLORS.get(key),
                "width": 3 if key in ("model", "refit") else 2,
                "dash": "solid" if key == "model" else "dash" if key == "refit" else "dot",
            },
            marker={"size": 6},
        )
    return figure


def _times(x: Sequence[Any] | None, rows: Sequence[int]) -> list[Any]:
    return [x[r] for r in rows] if x is not None else list(rows)


def residuals_figure(residuals: Mapping[str, Any] | None, x: Sequence[Any] | None) -> go.Figure:
    """The one-step-ahead test errors (actual - predicted) over time, around a zero line."""
    if not residuals or not residuals.get("values"):
        return empty_figure("Train a forecasting run to see its residuals.")
    figure = small_figure("Residuals over time (actual - predicted)", "", "residual")
    figure.add_scatter(
        x=_times(x, residuals["rows"]),
        y=list(residuals["values"]),
        name="residual",
        mode="lines+markers",
        line={"color": COLORS["predicted"], "width": 1.5},
        marker={"size": 4},
    )
    figure.add_hline(y=0, line={"color": COLORS["actual"], "width": 1})
    figure.update_layout(showlegend=False)
    return figure


def histogram_figure(residuals: Mapping[str, Any] | None) -> go.Figure:
    """The residuals' histogram from its counts and bin edges (bars between the edges)."""
    histogram = (residuals or {}).get("histogram") or {}
    counts, edges = list(histogram.get("counts") or []), list(histogram.get("edges") or [])
    if not counts or len(edges) != len(counts) + 1:
        return empty_figure("Train a forecasting run to see how its errors spread.")
    figure = small_figure("Residuals: how they spread", "residual", "count")
    figure.add_bar(
        x=[(a + b) / 2 for a, b in pairwise(edges)],
        y=counts,
        width=[b - a for a, b in pairwise(edges)],
        marker={"color": COLORS["predicted"], "line": {"color": "white", "width": 1}},
        name="residuals",
        hovertemplate="%{x:.3g}: %{y}<extra></extra>",
    )
    figure.add_vline(x=0, line={"color": COLORS["actual"], "width": 1})
    figure.update_layout(showlegend=False, hovermode="closest", bargap=0)
    return figure


def acf_figure(residuals: Mapping[str, Any] | None) -> go.Figure:
    """The residuals' autocorrelation by lag as stems, the white-noise band +-1.96/sqrt(n)
    as two dashed lines; bars beyond the band in red."""
    acf = (residuals or {}).get("acf") or {}
    lags, values, band = list(acf.get("lags") or []), list(acf.get("values") or []), acf.get("band")
    if not lags or band is None:
        return empty_figure("Too few residuals for an autocorrelation.")
    figure = small_figure("Autocorrelation of the residuals", "lag", "correlation")
    outside = [abs(v) > band for v in values]
    figure.add_bar(
        x=lags,
        y=values,
        width=0.35,
        marker_color=[COLORS["val_loss"] if o else COLORS["loss"] for o in outside],
        name="autocorrelation",
        hovertemplate="lag %{x}: %{y:.2f}<extra></extra>",
    )
    for edge in (band, -band):
        figure.add_hline(y=edge, line={"color": COLORS["naive"], "dash": "dash", "width": 1.5})
    top = max([band, *map(abs, values)]) * 1.15
    figure.update_yaxes(range=[-top, top])
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure
