"""The Training tab's charts: loss per epoch, predictions against the actual test part,
the confusion matrix. Plain data in, go.Figure out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.common import COLORS, base_figure
from dashboard.figures.downsample import MAX_POINTS, downsample
from dashboard.ml.lr_finder import short as rate_text
from dashboard.payloads import LrChange

BAND_COLOR = "rgba(253, 126, 20, 0.2)"  # the LSTM's orange, faint
LR_COLOR = "#6c757d"  # a live learning-rate change: grey, dashed


def loss_arrays(history: dict[str, list[float]]) -> dict[str, list[float | None]]:
    """x and y arrays of the loss chart's traces (non-finite values become gaps)."""
    arrays: dict[str, list[float | None]] = {}
    for name in LOSS_TRACES:
        arrays[name] = [v if np.isfinite(v) else None for v in history.get(name, [])]
    arrays["x"] = list(range(1, len(arrays["loss"]) + 1))
    return arrays


LOSS_TRACES = ("loss", "val_loss", "accuracy", "val_accuracy")


def loss_figure(
    history: dict[str, list[float]] | None = None, log_y: bool = True, title: str = "Loss"
) -> go.Figure:
    """loss and val_loss per epoch (traces 0, 1); accuracy and val_accuracy on a right-hand
    axis (traces 2, 3), shown only for classification."""
    arrays = loss_arrays(history or {})
    figure = base_figure(title, "", "loss (scaled MSE or cross-entropy)")
    colors = {**COLORS, "accuracy": "#6f42c1", "val_accuracy": "#20c997"}
    for name in LOSS_TRACES:
        accuracy = name.endswith("accuracy")
        figure.add_scatter(
            x=arrays["x"],
            y=arrays[name],
            name=name,
            mode="lines+markers",
            line={"color": colors[name], "width": 2.5, "dash": "dot" if accuracy else "solid"},
            marker={"size": 6},
            yaxis="y2" if accuracy else "y",
            visible=bool(arrays[name]),
        )
    figure.update_yaxes(type="log" if log_y else "linear", exponentformat="power")
    figure.update_layout(
        yaxis_title_text="loss",
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [0, 1],
            "title": "accuracy",
            "showgrid": False,
            "visible": bool(arrays["accuracy"]),
        },
        legend={"y": -0.2, "entrywidth": 0.5, "entrywidthmode": "fraction"},
    )
    figure.update_xaxes(title_text="epoch", title_standoff=2, **epoch_axis(len(arrays["x"])))
    return figure


def epoch_axis(epochs: int) -> dict[str, object]:
    """Whole-epoch ticks over the epochs run so far (at least 5, so one point is not lost)."""
    last = max(epochs, 5)
    return {"range": [0.5, last + 0.5], "tick0": 1, "dtick": max(1, math.ceil(last / 10))}


def loss_marks(
    best_epoch: int | None,
    overfit_from: int | None,
    last_epoch: int,
    lr_changes: Sequence[LrChange] | None = None,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Shapes and annotations for the loss chart: the best epoch, where overfitting began,
    and each learning rate set while the run trained."""
    shapes, notes = lr_marks(lr_changes or [])
    if best_epoch:
        shapes.append(
            {
                "type": "line",
                "x0": best_epoch,
                "x1": best_epoch,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": COLORS["best"], "dash": "dash"},
            }
        )
        notes.append(
            {
                "x": best_epoch,
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "text": f"best epoch {best_epoch}",
                "showarrow": False,
                "font": {"color": COLORS["best"], "size": 13},
            }
        )
    if overfit_from:
        shapes.append(
            {
                "type": "rect",
                "x0": overfit_from - 0.5,
                "x1": last_epoch + 0.5,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "fillcolor": "#dc3545",
                "opacity": 0.08,
                "line": {"width": 0},
            }
        )
        notes.append(
            {
                "x": overfit_from,
                "xanchor": "left",
                "yref": "paper",
                "y": 0.02,
                "text": "overfitting",
                "showarrow": False,
                "font": {"color": "#dc3545", "size": 13},
            }
        )
    return shapes, notes


def lr_marks(
    changes: Sequence[LrChange],
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A dashed vertical line where each live learning-rate change applied (at its
    fractional epoch: 6.4 is 40 % into epoch 7), labelled 'lr 3e-3' near the top."""
    shapes: list[dict[str, object]] = []
    notes: list[dict[str, object]] = []
    for change in changes:
        x = change["epoch"]
        shapes.append(
            {
                "type": "line",
                "x0": x,
                "x1": x,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": LR_COLOR, "dash": "dash", "width": 1.5},
            }
        )
        notes.append(
            {
                "x": x,
                "xanchor": "left",
                "yref": "paper",
                "y": 0.97,
                "yanchor": "top",
                "text": f"lr {rate_text(change['lr'])}",
                "showarrow": False,
                "font": {"color": LR_COLOR, "size": 13},
                "bgcolor": "rgba(255, 255, 255, 0.7)",
            }
        )
    return shapes, notes


def confusion_figure(confusion: list[list[int]], classes: list[str], title: str) -> go.Figure:
    """Counts of true (rows) against predicted (columns) classes."""
    figure = base_figure(title, "predicted class", "true class")
    labels = [f"class {c}" for c in classes]
    figure.add_heatmap(
        z=confusion,
        x=labels,
        y=labels,
        colorscale="Blues",
        showscale=False,
        text=confusion,
        texttemplate="%{text}",
        textfont={"size": 16},
        hovertemplate="true %{y}<br>predicted %{x}: %{z}<extra></extra>",
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(hovermode="closest")
    return figure


def prediction_figure(
    x: Sequence[str] | np.ndarray | None,
    y: Sequence[float] | np.ndarray,
    test_rows: np.ndarray,
    predictions: np.ndarray | None,
    naive: np.ndarray | None = None,
    title: str = "Prediction vs actual (test part)",
    split: tuple[int, int] | None = None,
    rollout: Sequence[float] | None = None,
    future: Sequence[float] | None = None,
    interval: dict[str, Any] | None = None,
    anomalies: dict[str, Any] | None = None,
) -> go.Figure:
    """Test-part actual vs predicted in original units; train/validation faint for context;
    a multi-step roll-out from the test start and the forecast past the end, if given; the
    conformal interval (ml.honest's `intervals`) as a band around the predictions, and the
    points outside it (its `anomalies`) marked."""
    ys = np.asarray(y, dtype=float)
    xs = np.asarray(x) if x is not None else np.arange(len(ys))
    rows = np.asarray(test_rows, dtype=int)
    first = int(rows[0]) if len(rows) else len(ys)
    figure = base_figure(title, "", "value")
    context = downsample(xs[:first] if x is not None else None, ys[:first], MAX_POINTS)
    figure.add_scatter(
        x=xs[context],
        y=ys[context],
        name="train + validation",
        mode="lines",
        line={"color": COLORS["context"], "width": 1.5},
    )
    figure.add_scatter(
        x=xs[first:],
        y=ys[first:],
        name="actual",
        mode="lines",
        line={"color": COLORS["actual"], "width": 2},
    )
    if naive is not None:
        figure.add_scatter(
            x=xs[rows],
            y=np.asarray(naive)[:, 0],
            name="naive (last value)",
            mode="lines",
            line={"color": COLORS["naive"], "dash": "dot", "width": 1.5},
            visible="legendonly",
        )
    if predictions is not None:
        first_step = np.asarray(predictions, dtype=float)[:, 0]
        for trace in interval_traces(xs[rows], first_step, interval):
            figure.add_trace(trace)
        figure.add_scatter(
            x=xs[rows],
            y=first_step,
            name="LSTM",
            mode="lines",
            line={"color": COLORS["predicted"], "width": 2.5},
        )
        if anomalies and anomalies.get("points"):
            figure.add_trace(anomaly_trace(xs, anomalies))
    if rollout and len(rollout) > 1 and len(rows):
        steps = xs[first : first + len(rollout)]
        figure.add_scatter(
            x=steps,
            y=list(rollout)[: len(steps)],
            name=f"{len(rollout)}-step roll-out",
            mode="lines+markers",
            line={"color": "#6f42c1", "width": 2, "dash": "dash"},
            marker={"size": 5},
        )
    if future:
        figure.add_scatter(
            x=future_x(xs, len(future)),
            y=list(future),
            name="forecast past the end",
            mode="lines+markers",
            line={"color": "#d63384", "width": 2.5},
            marker={"size": 6},
        )
    figure.update_layout(legend_traceorder="normal")  # a filled band would reverse it
    if interval and predictions is not None and (interval.get("widths") or [None])[0] is not None:
        figure.update_layout(  # the long words under the title: the legend stays compact
            title_text=f"{title}<br><sup>{interval_label(interval)}</sup>", margin_t=64
        )
    if split is not None and 0 < split[1] < len(xs):
        figure.add_vline(x=xs[split[1]], line={"color": COLORS["context"], "dash": "dash"})
    if len(rows):  # open on the test part; the context is a zoom-out away
        span = max(1, int(rows[-1]) - first)
        last = future_x(xs, len(future) + 1)[-1] if future else xs[int(rows[-1])]
        figure.update_xaxes(range=[xs[max(0, first - span // 2)], last])
    return figure


def interval_label(interval: dict[str, Any]) -> str:
    """'80 % interval (achieved 78 % on the test part)'."""
    label = f"{interval.get('coverage', 80)} % interval"
    achieved = interval.get("achieved")
    return label if achieved is None else f"{label} (achieved {achieved:.0f} % on the test part)"


def interval_traces(
    x: np.ndarray, predicted: np.ndarray, interval: dict[str, Any] | None
) -> list[go.Scatter]:
    """The band predicted +- the first step's conformal width: an invisible upper edge and
    the lower edge filled up to it (one legend entry); none without a width."""
    widths = (interval or {}).get("widths") or [None]
    width = widths[0]
    if interval is None or width is None or not len(predicted):
        return []
    edge = {"x": x, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    return [
        go.Scatter(y=predicted + width, name="interval upper", showlegend=False, **edge),
        go.Scatter(
            y=predicted - width,
            name=f"{interval.get('coverage', 80)} % interval",
            fill="tonexty",
            fillcolor=BAND_COLOR,
            **edge,
        ),
    ]


def anomaly_trace(xs: np.ndarray, anomalies: dict[str, Any]) -> go.Scatter:
    """The actual values that fell outside their interval, as red open diamonds."""
    points = anomalies.get("points") or []
    total = anomalies.get("total", len(points))
    return go.Scatter(
        x=[xs[p["row"]] for p in points],
        y=[p["actual"] for p in points],
        name=f"anomalies ({total})",
        mode="markers",
        marker={
            "symbol": "diamond-open",
            "size": 11,
            "color": COLORS["anomaly"],
            "line": {"width": 2.5},
        },
        customdata=[p["outside_by"] for p in points],
        hovertemplate="%{y:.4g}, outside by %{customdata:.3g}<extra>outside</extra>",
    )


def future_x(xs: np.ndarray, steps: int) -> list[object]:
    """x positions of `steps` steps after the last one: row numbers, or timestamps at the
    series' own spacing."""
    if steps <= 0:
        return []
    if np.issubdtype(xs.dtype, np.number):
        return [int(xs[-1]) + i for i in range(1, steps + 1)]
    import pandas as pd

    stamps = pd.to_datetime(pd.Series(xs[-2:]))
    step = stamps.iloc[1] - stamps.iloc[0]
    return [(stamps.iloc[1] + step * i).strftime("%Y-%m-%d %H:%M") for i in range(1, steps + 1)]
