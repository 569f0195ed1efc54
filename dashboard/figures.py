"""Figure builders: plain data in, go.Figure out. No Dash imports, no side effects."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

FONT = {"size": 15, "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"}
COLORS = {
    "loss": "#1f77b4",
    "val_loss": "#d62728",
    "actual": "#212529",
    "context": "#adb5bd",
    "predicted": "#fd7e14",
    "naive": "#6c757d",
    "best": "#198754",
}
MAX_CONTEXT_POINTS = 3000  # train/validation context is thinned to this many points


def base_figure(title: str, x_title: str, y_title: str) -> go.Figure:
    """An empty chart in the page's style: white, readable fonts, legend below."""
    figure = go.Figure()
    figure.update_layout(
        template="plotly_white",
        font=FONT,
        title={"text": title, "x": 0.01, "font": {"size": 17}},
        margin={"l": 60, "r": 16, "t": 44, "b": 20},
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
        hovermode="x unified",
        uirevision="keep",  # zoom and legend clicks survive live updates
    )
    return figure


def empty_figure(message: str) -> go.Figure:
    """A blank chart that says what will appear in it."""
    figure = base_figure("", "", "")
    figure.add_annotation(
        text=message,
        showarrow=False,
        font={"size": 16, "color": "#6c757d"},
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


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
    best_epoch: int | None, overfit_from: int | None, last_epoch: int
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Shapes and annotations for the loss chart: the best epoch, and where overfitting began."""
    shapes: list[dict[str, object]] = []
    notes: list[dict[str, object]] = []
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


def thin(x: np.ndarray, y: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Every k-th point of (x, y) so that at most `limit` remain (plots stay fast)."""
    step = max(1, int(np.ceil(len(y) / limit)))
    return x[::step], y[::step]


def series_figure(
    x: Sequence[str] | None,
    y: Sequence[float],
    name: str,
    split: tuple[int, int] | None = None,
) -> go.Figure:
    """The chosen target over time, with the train/validation/test parts shaded."""
    xs = np.asarray(x) if x is not None else np.arange(len(y))
    ys = np.asarray(y, dtype=float)
    figure = base_figure(name, "time" if x is not None else "step", name)
    tx, ty = thin(xs, ys, 4 * MAX_CONTEXT_POINTS)
    figure.add_scatter(x=tx, y=ty, name=name, mode="lines", line={"color": COLORS["actual"]})
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


def prediction_figure(
    x: Sequence[str] | None,
    y: Sequence[float],
    test_rows: np.ndarray,
    predictions: np.ndarray | None,
    naive: np.ndarray | None = None,
    title: str = "Prediction vs actual (test part)",
    split: tuple[int, int] | None = None,
    rollout: Sequence[float] | None = None,
    future: Sequence[float] | None = None,
) -> go.Figure:
    """Test-part actual vs predicted in original units; train/validation faint for context;
    a multi-step roll-out from the test start and the forecast past the end, if given."""
    xs = np.asarray(x) if x is not None else np.arange(len(y))
    ys = np.asarray(y, dtype=float)
    rows = np.asarray(test_rows, dtype=int)
    first = int(rows[0]) if len(rows) else len(ys)
    figure = base_figure(title, "", "value")
    cx, cy = thin(xs[:first], ys[:first], MAX_CONTEXT_POINTS)
    figure.add_scatter(
        x=cx,
        y=cy,
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
        figure.add_scatter(
            x=xs[rows],
            y=np.asarray(predictions)[:, 0],
            name="LSTM",
            mode="lines",
            line={"color": COLORS["predicted"], "width": 2.5},
        )
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
    if split is not None and 0 < split[1] < len(xs):
        figure.add_vline(x=xs[split[1]], line={"color": COLORS["context"], "dash": "dash"})
    if len(rows):  # open on the test part; the context is a zoom-out away
        span = max(1, int(rows[-1]) - first)
        last = future_x(xs, len(future) + 1)[-1] if future else xs[int(rows[-1])]
        figure.update_xaxes(range=[xs[max(0, first - span // 2)], last])
    return figure


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
