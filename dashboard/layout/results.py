"""Turn a job's state into what the Training tab shows: status line, progress, scores."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

STATUS_COLORS = {
    "queued": "info",
    "running": "primary",
    "finished": "success",
    "stopped": "warning",
    "cancelled": "warning",
    "failed": "danger",
}


def duration(seconds: float | None) -> str:
    """'0:15' style minutes:seconds (or h:mm:ss)."""
    if seconds is None:
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def progress(state: dict[str, Any]) -> tuple[float, str]:
    """Percent done and 'epoch 12/50 · 0.40 s/epoch · ETA 0:15'."""
    epoch, epochs = state.get("epoch", 0), state.get("epochs", 0) or 1
    text = f"epoch {epoch}/{epochs}"
    if state.get("sec_per_epoch") is not None:
        text += f" · {state['sec_per_epoch']:.2f} s/epoch"
    if state.get("status") == "running" and state.get("eta_s") is not None:
        text += f" · ETA {duration(state['eta_s'])}"
    return 100 * epoch / epochs, text


def status_message(state: dict[str, Any]) -> str:
    """One sentence about the run."""
    status = state.get("status", "")
    if state.get("message"):
        return str(state["message"])
    if status == "running":
        return f"Training: epoch {state.get('epoch', 0)} of {state.get('epochs', 0)}."
    return status.capitalize()


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:.4g}{unit}"


def metrics_table(scores: dict[str, Any], device: str = "", parameters: int = 0) -> html.Div:
    """MAE/RMSE/MAPE of the LSTM next to the naive baseline, and the verdict in words."""
    if not scores:
        return html.Div()
    model, naive = scores["model"], scores["naive"]
    measures = (("mae", "MAE", ""), ("rmse", "RMSE", ""), ("mape", "MAPE", " %"))
    rows = [
        html.Tr([html.Th(name), *[html.Td(_fmt(scores_[key], unit)) for key, _, unit in measures]])
        for name, scores_ in (("LSTM", model), ("naive (last value)", naive))
    ]
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th("test part"), *[html.Th(m[1]) for m in measures]])),
            html.Tbody(rows),
        ],
        bordered=False,
        hover=True,
        size="sm",
        className="metrics mb-1",
    )
    skill = scores.get("skill")
    if skill is None:
        verdict = "The naive baseline is exact on this data; there is nothing to beat."
    elif skill > 0:
        verdict = f"The LSTM beats the naive baseline: {skill:.1f} % lower MAE."
    else:
        verdict = f"The LSTM does not beat the naive baseline yet: {-skill:.1f} % higher MAE."
    footer = f"{parameters:,} parameters · trained on {device}" if parameters else ""
    notes = html.Div(
        [html.P(verdict, className="verdict mb-1"), html.Small(footer, className="text-muted")]
    )
    return html.Div([table, notes], className="metrics-row")
