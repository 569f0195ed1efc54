"""The Inside tab's charts: one window of the test part with the prediction it led to, the
gates of one recurrent layer as unit x time heatmaps, and the cell and hidden state of a
few units over the window. Plain data in (ml.inside.Steps), go.Figure out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.common import COLORS, FONT, base_figure, empty_figure
from dashboard.ml.inside import Steps, unit_name

HEIGHT = 330  # px of the window and the state charts: side by side at 1366x768
GATE_ROW_HEIGHT = 230  # px per row of gate heatmaps (two heatmaps a row)
TRACE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")
GATE_TITLES = {
    "input": "input gate i (0 = keep out, 1 = write)",
    "forget": "forget gate f (0 = forget, 1 = keep)",
    "candidate": "candidate (what may be written)",
    "output": "output gate o (0 = hide, 1 = show)",
    "update": "update gate z (1 = keep the old state)",
    "reset": "reset gate r (0 = ignore the old state)",
}


def _compact(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 17}},
        margin={"l": 60, "r": 16, "t": 48, "b": 24},
        legend={"orientation": "h", "y": -0.16, "font": {"size": 14}},
    )
    return figure


def window_figure(
    inputs: Sequence[float] | np.ndarray,
    predicted: Sequence[float] | np.ndarray,
    actual: Sequence[float] | np.ndarray,
    target: str,
    title: str,
) -> go.Figure:
    """The window's target values (steps 1..n) and, after it, what the model predicted and
    what happened. With nothing predicted (classification) the title carries the verdict."""
    values = np.asarray(inputs, dtype=float)
    if not len(values):
        return empty_figure("No window to show.")
    steps = np.arange(1, len(values) + 1)
    ahead = np.arange(len(values) + 1, len(values) + 1 + len(np.atleast_1d(predicted)))
    figure = _compact(base_figure(title, "time step of the window", target), title)
    figure.update_layout(legend_y=-0.26, margin_b=48)  # below the axis title, not over it
    figure.add_scatter(
        x=steps,
        y=values,
        name="input window",
        mode="lines+markers",
        line={"color": COLORS["actual"], "width": 2},
        marker={"size": 5},
    )
    if len(np.atleast_1d(actual)):
        figure.add_scatter(
            x=ahead,
            y=np.atleast_1d(actual),
            name="actual",
            mode="markers",
            marker={
                "color": COLORS["actual"],
                "size": 12,
                "symbol": "circle-open",
                "line": {"width": 3},
            },
        )
    if len(np.atleast_1d(predicted)):
        figure.add_scatter(
            x=ahead,
            y=np.atleast_1d(predicted),
            name="predicted",
            mode="markers",
            marker={"color": COLORS["predicted"], "size": 12, "symbol": "x"},
        )
    figure.update_layout(hovermode="closest")
    return figure


def gates_figure(
    steps: Steps, kind: str, layer_label: str, only: Sequence[int] | None = None
) -> go.Figure:
    """Each gate (and the candidate) of one layer as a heatmap: units down (`only`: those
    units only), time steps across; gates on 0..1, the candidate on -1..1."""
    if not steps.gates:
        return empty_figure(f"A {kind} has no gates: see its hidden state above.")
    names = list(steps.gates)
    rows = (len(names) + 1) // 2
    figure = make_subplots(
        rows=rows,
        cols=2,
        subplot_titles=[GATE_TITLES[n] for n in names],
        horizontal_spacing=0.1,
        vertical_spacing=0.16 if rows > 1 else 0.1,
    )
    for index, name in enumerate(names):
        shown = list(range(steps.gates[name].shape[1])) if only is None else list(only)
        values = steps.gates[name][:, shown].astype(np.float32)  # half the bytes to send
        row, col = index // 2 + 1, index % 2 + 1
        candidate = name == "candidate"
        figure.add_heatmap(
            z=values.T,
            x=np.arange(1, len(values) + 1),
            y=[unit_name(u) for u in shown],
            zmin=-1 if candidate else 0,
            zmax=1,
            colorscale="RdBu_r" if candidate else "Viridis",
            showscale=index == 0 or candidate,  # one bar for the gates, one for the candidate
            colorbar={
                "len": 0.45,
                "y": 0 if candidate else 1,
                "yanchor": "bottom" if candidate else "top",
                "title": {"text": "candidate" if candidate else "gates", "side": "top"},
            },
            hovertemplate=f"{name}<br>%{{y}}, step %{{x}}: %{{z:.2f}}<extra></extra>",
            row=row,
            col=col,
        )
        figure.update_yaxes(
            autorange="reversed", showticklabels=values.shape[1] <= 24, row=row, col=col
        )
    figure.update_xaxes(title_text="time step", row=rows)
    figure.update_annotations(font_size=15)
    figure.update_layout(
        template="plotly_white",
        font=FONT,
        title={"text": f"Gates of {layer_label} over the window", "x": 0.01},
        height=GATE_ROW_HEIGHT * rows + 70,
        margin={"l": 70, "r": 70, "t": 80, "b": 40},
    )
    return figure


def states_figure(steps: Steps, units: Sequence[int], kind: str) -> go.Figure:
    """The hidden state h (and an LSTM's cell state c) of the chosen units over the window."""
    panels: Mapping[str, np.ndarray | None] = {
        "cell state c": steps.cell,
        "hidden state h": steps.hidden,
    }
    shown = {name: values for name, values in panels.items() if values is not None}
    figure = make_subplots(
        rows=1, cols=len(shown), subplot_titles=list(shown), horizontal_spacing=0.1
    )
    x = np.arange(1, len(steps.hidden) + 1)
    for col, values in enumerate(shown.values(), start=1):
        for position, unit in enumerate(units):
            figure.add_scatter(
                x=x,
                y=values[:, unit],
                name=unit_name(unit),
                legendgroup=str(unit),
                showlegend=col == 1,
                mode="lines",
                line={"color": TRACE_COLORS[position % len(TRACE_COLORS)], "width": 3},
                row=1,
                col=col,
            )
        figure.update_xaxes(title_text="time step", row=1, col=col)
    figure.update_annotations(font_size=15)
    title = f"{kind} state of {len(units)} unit(s) over the window"
    figure.update_layout(template="plotly_white", font=FONT, hovermode="x unified", height=HEIGHT)
    _compact(figure, title)
    figure.update_layout(legend_y=-0.24, margin_b=40)  # below the axes' titles
    return figure
