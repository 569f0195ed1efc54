"""The Runs tab's charts: loss and prediction overlays of several runs, settings against
val_loss, one run replayed. Plain data in, go.Figure out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard import runs
from dashboard.figures.common import COLORS, FONT, base_figure, empty_figure
from dashboard.figures.downsample import MAX_POINTS, downsample
from dashboard.figures.training import confusion_figure, loss_arrays, prediction_figure
from dashboard.ml.metrics import classification_scores
from dashboard.ml.windows import naive_forecast
from dashboard.payloads import History, LiveState, LiveTraces, RunRecord
from dashboard.runs import Axis

FAINT = 0.3  # opacity of earlier runs behind the one that trains


@dataclass(frozen=True)
class Curve:
    """One run in the loss overlay."""

    label: str
    color: str
    history: History
    faint: bool = False
    baseline: bool = False


@dataclass(frozen=True)
class Line:
    """One run in the predictions overlay: its first step ahead from row `start` on."""

    label: str
    color: str
    start: int
    values: np.ndarray
    baseline: bool = False


def _base(title: str, y_title: str) -> go.Figure:
    figure = base_figure(title, "", y_title)
    figure.update_layout(title_font_size=16, legend_y=-0.2, margin_b=24)
    return figure


def loss_overlay(curves: Sequence[Curve], log_y: bool = True) -> go.Figure:
    """val_loss (solid) and loss (dotted) of several runs, one colour each; two traces per
    run, val_loss first, grouped so that one legend click hides both."""
    if not curves:
        return empty_figure("Select runs in the table to overlay their loss curves.")
    if not any(curve.history.get("loss") for curve in curves):
        return empty_figure("No epoch has ended yet.")
    figure = _base("Loss per epoch: val_loss solid, loss dotted", "MSE (scaled)")
    for curve in curves:
        arrays = loss_arrays(curve.history)
        width = 3.5 if curve.baseline else 2.5
        common = {
            "x": arrays["x"],
            "legendgroup": curve.label,
            "opacity": FAINT if curve.faint else 1.0,
            "mode": "lines",
        }
        figure.add_scatter(
            y=arrays["val_loss"],
            name=curve.label,
            line={"color": curve.color, "width": width},
            **common,
        )
        figure.add_scatter(
            y=arrays["loss"],
            name=f"{curve.label} (loss)",
            showlegend=False,
            line={"color": curve.color, "width": width - 1, "dash": "dot"},
            **common,
        )
    figure.update_yaxes(type="log" if log_y else "linear", exponentformat="power")
    figure.update_xaxes(rangemode="tozero", tick0=1)
    figure.update_layout(showlegend=len(curves) > 1)
    return figure


def prediction_overlay(
    x: Sequence[str] | np.ndarray | None,
    y: Sequence[float] | np.ndarray,
    lines: Sequence[Line],
    note: str = "",
) -> go.Figure:
    """The actual test part and every run's predictions (first step ahead) over it."""
    if not lines:
        return empty_figure("Select runs to overlay their predictions.")
    ys = np.asarray(y, dtype=float)
    xs = np.asarray(x) if x is not None else np.arange(len(ys))
    start = min(line.start for line in lines)
    end = min(len(ys), max(line.start + len(line.values) for line in lines))
    title = "Predictions on the test part" + (f" ({note})" if note else "")
    figure = _base(title, "value")
    shown = start + downsample(None, ys[start:end], MAX_POINTS)
    figure.add_scatter(
        x=xs[shown],
        y=ys[shown],
        name="actual",
        mode="lines",
        line={"color": COLORS["actual"], "width": 2},
    )
    for line in lines:
        values = np.asarray(line.values, dtype=float)
        values = values[:, 0] if values.ndim == 2 else values
        stop = min(len(ys), line.start + len(values))
        kept = downsample(None, values[: stop - line.start], MAX_POINTS)
        figure.add_scatter(
            x=xs[line.start + kept],
            y=values[kept],
            name=line.label,
            mode="lines",
            line={"color": line.color, "width": 3 if line.baseline else 2},
        )
    return figure


def parallel_figure(axes: Sequence[Axis]) -> go.Figure:
    """Settings against the best val_loss, one line per run, coloured by val_loss."""
    if not axes:
        return empty_figure("With two finished runs, their settings line up here.")
    dimensions = []
    for axis in axes:
        dimension: dict[str, object] = {"label": axis.label, "values": axis.values}
        if axis.ticks is not None:
            dimension["tickvals"], dimension["ticktext"] = axis.ticks
        dimensions.append(dimension)
    figure = go.Figure(
        go.Parcoords(
            dimensions=dimensions,
            line={
                "color": axes[-1].values,
                "colorscale": [[0, "#08519c"], [0.5, "#9e9ac8"], [1, "#e6550d"]],  # low: blue
                "showscale": True,
                "colorbar": {"title": {"text": "val_loss"}, "thickness": 14},
            },
            labelfont={"size": 14},
            tickfont={"size": 12},
        )
    )
    figure.update_layout(
        template="plotly_white",
        font=FONT,
        title={"text": "Settings against best val_loss, all runs", "x": 0.01, "font": {"size": 16}},
        margin={"l": 60, "r": 40, "t": 96, "b": 24},
    )
    return figure


def run_prediction_figure(
    record: RunRecord, epoch: int, predictions: np.ndarray, latest: bool = True
) -> go.Figure:
    """A run's test predictions at `epoch`, drawn as the Training tab draws them (with the
    roll-out and the forecast past the end for its latest epoch); a confusion matrix for
    classification runs."""
    predictions = np.asarray(predictions, dtype=float)
    if "series" not in record:
        classes = [str(c) for c in record.get("classes") or []]
        scores = classification_scores(
            predictions[:, 1].astype(int), predictions[:, 0].astype(int), classes
        )
        title = f"Confusion matrix, test part · epoch {epoch}"
        return confusion_figure(scores["confusion"], classes, title)
    series = record["series"]
    rows = np.arange(record["test_start"], record["test_start"] + len(predictions))
    extras = (record.get("extras") or {}) if latest else {}
    train_end, val_end = record["split"]
    return prediction_figure(
        series["x"],
        series["y"],
        rows,
        predictions,
        naive_forecast(np.asarray(series["y"]), rows),
        f"Prediction vs actual, test part · epoch {epoch}",
        (train_end, val_end),
        extras.get("rollout"),
        extras.get("future"),
        extras.get("intervals"),
        extras.get("anomalies"),
    )


def runs_loss_overlay(
    records: Sequence[RunRecord], pinned: str | None, live: LiveState | None
) -> tuple[go.Figure, LiveTraces | None]:
    """The loss overlay of run records, each in its colour (the pinned one as the baseline),
    faint behind a run that trains now; and which two traces are that run's."""
    names = runs.differing(records)
    training = live if live is not None and live.get("status") in runs.ACTIVE else None
    curves = [
        Curve(
            runs.run_label(record, names) + (" (baseline)" if record["id"] == pinned else ""),
            runs.BASELINE_COLOR if record["id"] == pinned else runs.run_color(record),
            record.get("history", {}),
            faint=training is not None and record["id"] != training.get("run_id"),
            baseline=record["id"] == pinned,
        )
        for record in records
    ]
    shown: LiveTraces | None = None
    if training is not None and training.get("run_id") not in {r["id"] for r in records}:
        shown = {"run_id": training["run_id"], "traces": [2 * len(curves), 2 * len(curves) + 1]}
        curves.append(Curve("training now", COLORS["val_loss"], training.get("history", {})))
    return loss_overlay(curves), shown


def runs_prediction_overlay(
    records: Sequence[RunRecord], predictions: dict[str, np.ndarray], pinned: str | None
) -> go.Figure:
    """Latest predictions of the forecasting runs made on the same series as the first."""
    forecasts = [r for r in records if "series" in r]
    if not forecasts:
        return empty_figure("Select forecasting runs to overlay their predictions.")
    same = [r for r in forecasts if _series_key(r) == _series_key(forecasts[0])]
    names = runs.differing(same)
    lines = [
        Line(
            runs.run_label(record, names),
            runs.BASELINE_COLOR if record["id"] == pinned else runs.run_color(record),
            int(record["test_start"]),
            predictions[record["id"]],
            record["id"] == pinned,
        )
        for record in same
        if record["id"] in predictions
    ]
    left_out = len(records) - len(same)
    note = f"{left_out} run(s) on other data left out" if left_out else ""
    series = forecasts[0]["series"]
    return prediction_overlay(series.get("x"), series["y"], lines, note)


def _series_key(record: RunRecord) -> tuple[Any, ...]:
    config = record.get("config", {})
    return config.get("dataset"), config.get("target"), len(record["series"]["y"])


def faint_traces(records: Sequence[RunRecord]) -> list[dict[str, Any]]:
    """Earlier runs' val_loss as faint lines, to lie behind the curves of a run that trains
    (one legend entry for them all)."""
    names = runs.differing(records)
    traces = []
    for index, record in enumerate(records):
        arrays = loss_arrays(record.get("history", {}))
        trace = go.Scatter(
            x=arrays["x"],
            y=arrays["val_loss"],
            name="earlier runs",
            legendgroup="earlier",
            showlegend=index == 0,
            hovertext=runs.run_label(record, names),
            hoverinfo="y+text",
            mode="lines",
            opacity=FAINT,
            line={"color": runs.run_color(record), "width": 2},
        )
        traces.append(trace.to_plotly_json())
    return traces
