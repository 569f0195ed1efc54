"""Figure builders: plain data in, go.Figure out. No Dash imports, no side effects."""

from __future__ import annotations

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


def _base(title: str, x_title: str, y_title: str) -> go.Figure:
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
    figure = _base("", "", "")
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
    """x and y arrays of the loss chart's two traces (non-finite values become gaps)."""
    loss = [v if np.isfinite(v) else None for v in history.get("loss", [])]
    val = [v if np.isfinite(v) else None for v in history.get("val_loss", [])]
    epochs = list(range(1, len(loss) + 1))
    return {"x": epochs, "loss": loss, "val_loss": val}  # type: ignore[dict-item]


def loss_figure(
    history: dict[str, list[float]] | None = None, log_y: bool = True, title: str = "Loss"
) -> go.Figure:
    """loss and val_loss per epoch on one chart (trace 0: loss, trace 1: val_loss)."""
    arrays = loss_arrays(history or {})
    figure = _base(title, "", "MSE (scaled)")
    for name in ("loss", "val_loss"):
        figure.add_scatter(
            x=arrays["x"],
            y=arrays[name],
            name=name,
            mode="lines+markers",
            line={"color": COLORS[name], "width": 2.5},
            marker={"size": 6},
        )
    figure.update_yaxes(type="log" if log_y else "linear", exponentformat="power")
    figure.update_xaxes(rangemode="tozero", tick0=1, title_text="epoch", title_standoff=4)
    figure.update_layout(
        legend={"y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"}, margin={"b": 40}
    )
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
    figure = _base(name, "time" if x is not None else "step", name)
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
) -> go.Figure:
    """Test-part actual vs predicted in original units; train/validation faint for context."""
    xs = np.asarray(x) if x is not None else np.arange(len(y))
    ys = np.asarray(y, dtype=float)
    first = int(test_rows[0]) if len(test_rows) else len(ys)
    figure = _base(title, "", "value")
    cx, cy = thin(xs[:first], ys[:first], MAX_CONTEXT_POINTS)
    figure.add_scatter(
        x=cx,
        y=cy,
        name="train + validation",
        mode="lines",
        line={"color": COLORS["context"], "width": 1.5},
    )
    figure.add_scatter(
        x=xs[test_rows],
        y=ys[test_rows],
        name="actual",
        mode="lines",
        line={"color": COLORS["actual"], "width": 2},
    )
    if naive is not None:
        figure.add_scatter(
            x=xs[test_rows],
            y=np.asarray(naive)[:, 0],
            name="naive (last value)",
            mode="lines",
            line={"color": COLORS["naive"], "dash": "dot", "width": 1.5},
            visible="legendonly",
        )
    if predictions is not None:
        figure.add_scatter(
            x=xs[test_rows],
            y=np.asarray(predictions)[:, 0],
            name="LSTM",
            mode="lines",
            line={"color": COLORS["predicted"], "width": 2.5},
        )
    if split is not None and 0 < split[1] < len(xs):
        figure.add_vline(x=xs[split[1]], line={"color": COLORS["context"], "dash": "dash"})
    if len(test_rows):  # open on the test part; the context is a zoom-out away
        span = max(1, int(test_rows[-1]) - first)
        start = max(0, first - span // 2)
        figure.update_xaxes(range=[xs[start], xs[int(test_rows[-1])]])
    return figure
