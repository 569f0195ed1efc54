"""The Search tab's charts: every trial's objective by epoch, the best so far, parameter
importances and a parallel-coordinates plot of the trials. Plain data in (the SearchState
of dashboard/search_jobs.py), go.Figure out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.figures.common import COLORS, FONT, base_figure, empty_figure
from dashboard.ml import params
from dashboard.ml.search.summary import FIRM_IMPORTANCE

# a trial's line by its state: colour, width, dash
STATE_STYLE = {
    "complete": ("#1f77b4", 2.0, "solid"),
    "pruned": ("#fd7e14", 1.6, "dash"),
    "running": ("#198754", 3.5, "solid"),
    "failed": ("#b02a37", 1.4, "dot"),
}
LEGEND = {"complete": "complete", "pruned": "pruned (cut short)", "running": "running"}


def label(name: str) -> str:
    """A setting's label from the settings table."""
    spec = params.SETTINGS.get(name)
    return spec.label if spec is not None else name


def _small(title: str, x_title: str, y_title: str) -> go.Figure:
    figure = base_figure(title, x_title, y_title)
    figure.update_layout(
        title_font_size=16, margin={"l": 64, "r": 16, "t": 40, "b": 20}, hovermode="closest"
    )
    return figure


def curves_figure(curves: Sequence[dict[str, Any]], objective: str = "val_loss") -> go.Figure:
    """Every trial's objective by epoch on one chart: pruned trials dashed and ended with a
    cross where the pruner cut them, the running one thick."""
    drawn = [c for c in curves if c.get("values")]
    if not drawn:
        return empty_figure(f"Each trial's {objective} by epoch appears here as it trains.")
    figure = _small(f"{objective} by epoch, every trial", "epoch", objective)
    shown: set[str] = set()
    for curve in drawn:
        state = str(curve.get("state", "complete"))
        color, width, dash = STATE_STYLE.get(state, STATE_STYLE["failed"])
        number = int(curve["number"]) + 1
        figure.add_scatter(
            x=curve["epochs"],
            y=curve["values"],
            mode="lines+markers" if len(curve["values"]) < 3 else "lines",
            name=LEGEND.get(state, "failed"),
            legendgroup=state,
            showlegend=state not in shown,
            line={"color": color, "width": width, "dash": dash},
            marker={"size": 5},
            hovertemplate=f"trial {number}<br>epoch %{{x}}: %{{y:.4g}}<extra>{state}</extra>",
        )
        shown.add(state)
        if state == "pruned":
            figure.add_scatter(
                x=curve["epochs"][-1:],
                y=curve["values"][-1:],
                mode="markers",
                marker={"symbol": "x", "size": 11, "color": color},
                legendgroup=state,
                showlegend=False,
                hovertemplate=f"trial {number} pruned at epoch %{{x}}<extra></extra>",
            )
    figure.update_yaxes(type="log" if _positive(drawn) else "linear")
    figure.update_layout(legend_y=-0.3, margin_b=64)  # below the axis title
    return figure


def _positive(curves: Sequence[dict[str, Any]]) -> bool:
    return all(v > 0 for c in curves for v in c["values"])


def best_so_far_figure(points: Sequence[Sequence[float]], objective: str = "val_loss") -> go.Figure:
    """The best objective of the complete trials up to each one (a step line)."""
    if not points:
        return empty_figure("The best result so far appears once a trial completes.")
    figure = _small(f"Best {objective} so far", "trial", objective)
    figure.add_scatter(
        x=[int(n) + 1 for n, _ in points],
        y=[v for _, v in points],
        mode="lines+markers",
        line={"shape": "hv", "color": COLORS["best"], "width": 3},
        marker={"size": 8},
        name="best so far",
        showlegend=False,
        hovertemplate="after trial %{x}: %{y:.4g}<extra></extra>",
    )
    figure.update_xaxes(dtick=1 if len(points) < 12 else None)
    values = [float(v) for _, v in points]
    positive = all(v > 0 for v in values)  # as the curves chart: val_loss on a log axis
    figure.update_yaxes(type="log" if positive else "linear")
    if max(values) == min(values):  # flat: Plotly's own range would be ±1 around it
        value = values[0]
        if positive:
            figure.update_yaxes(range=[math.log10(value) - 0.3, math.log10(value) + 0.3])
        else:
            pad = abs(value) / 10 or 1e-3
            figure.update_yaxes(range=[value - pad, value + pad])
    return figure


def importance_figure(
    importances: dict[str, float] | None, complete: int, needed: int
) -> go.Figure:
    """Optuna's parameter importances as horizontal bars (largest on top)."""
    if not importances:
        if complete < needed:
            return empty_figure(f"Importances appear after {needed} complete trials ({complete}).")
        return empty_figure("No searched setting varied enough to rank yet.")
    ranked = sorted(importances.items(), key=lambda item: item[1])
    first_look = ", a first look" if complete < FIRM_IMPORTANCE else ""
    title = f"Which settings mattered (Optuna's PED-ANOVA, {complete} trials{first_look})"
    figure = _small(title, "importance", "")
    figure.add_bar(
        x=[value for _, value in ranked],
        y=[label(name) for name, _ in ranked],
        orientation="h",
        marker_color=COLORS["loss"],
        text=[f"{value:.0%}" for _, value in ranked],
        textposition="auto",
        hovertemplate="%{y}: %{x:.2f}<extra></extra>",
    )
    figure.update_layout(showlegend=False, margin_l=130)
    figure.update_xaxes(range=[0, 1], tickformat=".0%")
    return figure


def parallel_figure(
    trials: Sequence[dict[str, Any]], searched: Sequence[str], objective: str = "val_loss"
) -> go.Figure:
    """Searched settings against the objective, one line per finished trial (complete or
    pruned), coloured by the objective; picked settings get ticks with their options."""
    rows = [t for t in trials if t.get("state") in ("complete", "pruned") and _finite(t)]
    if len(rows) < 2 or not searched:
        return empty_figure("With two finished trials, their settings line up here.")
    dimensions: list[dict[str, Any]] = []
    for name in searched:
        values = [row["params"].get(name) for row in rows]
        dimensions.append(_dimension(name, values))
    scores = [float(row["best"]) for row in rows]
    dimensions.append({"label": objective, "values": scores})
    figure = go.Figure(
        go.Parcoords(
            dimensions=dimensions,
            line={
                "color": scores,
                "colorscale": [[0, "#08519c"], [0.5, "#9e9ac8"], [1, "#e6550d"]],
                "reversescale": objective == "val_accuracy",
                "showscale": True,
                "colorbar": {"title": {"text": objective}, "thickness": 14},
            },
            labelfont={"size": 14},
            tickfont={"size": 12},
        )
    )
    figure.update_layout(
        template="plotly_white",
        font=FONT,
        title={
            "text": f"Settings against best {objective}",
            "x": 0.01,
            "y": 0.98,
            "yanchor": "top",
            "font": {"size": 16},
        },
        margin={"l": 96, "r": 40, "t": 104, "b": 24},  # room for the first axis' label
    )
    return figure


def _finite(row: dict[str, Any]) -> bool:
    best = row.get("best")
    return isinstance(best, int | float) and math.isfinite(best)


def _dimension(name: str, values: list[Any]) -> dict[str, Any]:
    """A parcoords axis: numbers as they are (log10 for a log setting), else ticks."""
    spec = params.SETTINGS.get(name)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        if isinstance(spec, params.Param) and spec.log and all(v > 0 for v in values):
            return {"label": f"log10 {label(name)}", "values": [math.log10(v) for v in values]}
        return {"label": label(name), "values": values}
    options = list(dict.fromkeys(str(v) for v in values))
    texts = [spec.label_of(o) if isinstance(spec, params.Choice) else o for o in options]
    return {
        "label": label(name),
        "values": [options.index(str(v)) for v in values],
        "tickvals": list(range(len(options))),
        "ticktext": texts,
    }
