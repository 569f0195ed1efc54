"""Turn a job's state into what the Training tab shows: status line, progress, scores."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Patch, html

from dashboard.figures import training as figures
from dashboard.ml import metrics
from dashboard.payloads import LiveState

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


def progress(state: LiveState) -> tuple[float, str]:
    """Percent done and 'epoch 12/50 · 0.40 s/epoch · ETA 0:15'."""
    epoch, epochs = state.get("epoch", 0), state.get("epochs", 0) or 1
    text = f"epoch {epoch}/{epochs}"
    if state.get("sec_per_epoch") is not None:
        text += f" · {state['sec_per_epoch']:.2f} s/epoch"
    if state.get("status") == "running" and state.get("eta_s") is not None:
        text += f" · ETA {duration(state['eta_s'])}"
    return 100 * epoch / epochs, text


def status_message(state: LiveState) -> str:
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
    if "per_class" in scores:
        return classification_table(scores)
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


def loss_patch(state: LiveState) -> Patch:
    """Assign the whole curves (never append: progress is last-write-wins) and the marks."""
    history = state["history"]
    arrays = figures.loss_arrays(history)
    patch = Patch()
    for trace, name in enumerate(figures.LOSS_TRACES):
        patch["data"][trace]["x"] = arrays["x"]
        patch["data"][trace]["y"] = arrays[name]
        patch["data"][trace]["visible"] = bool(arrays[name])
    patch["layout"]["yaxis2"]["visible"] = bool(arrays["accuracy"])
    config = state.get("config") or {}
    best = state.get("best_epoch") or metrics.best_epoch(history)
    shapes, notes = figures.loss_marks(
        best if config.get("early_stopping") else None,
        metrics.overfitting_since(history),
        len(arrays["x"]),
    )
    patch["layout"]["shapes"] = shapes
    patch["layout"]["annotations"] = notes
    patch["layout"]["title"]["text"] = f"Loss ({state['status']})"
    patch["layout"]["xaxis"].update(figures.epoch_axis(len(arrays["x"])))
    return patch


def signal(state: LiveState) -> tuple[str, bool]:
    """The overfitting warning, in words, while val_loss rises and loss falls."""
    since = metrics.overfitting_since(state.get("history", {}))
    if since is None:
        return "", False
    return (
        f"Overfitting since epoch {since}: val_loss keeps rising while the training loss "
        "keeps falling, so the model is memorising the training part instead of learning "
        "the pattern. More dropout, fewer units, L2, or early stopping help.",
        True,
    )


def classification_table(scores: dict[str, Any]) -> html.Div:
    """Accuracy and per-class precision, recall, F1 on the test part."""
    rows = [
        html.Tr(
            [
                html.Th(f"class {r['class']}"),
                html.Td(f"{r['precision']:.2f}"),
                html.Td(f"{r['recall']:.2f}"),
                html.Td(f"{r['f1']:.2f}"),
                html.Td(r["support"]),
            ]
        )
        for r in scores["per_class"]
    ]
    head = html.Tr(
        [
            html.Th("test part"),
            html.Th("precision"),
            html.Th("recall"),
            html.Th("F1"),
            html.Th("sequences"),
        ]
    )
    table = dbc.Table(
        [html.Thead(head), html.Tbody(rows)], size="sm", hover=True, className="metrics mb-1"
    )
    verdict = html.P(
        f"Accuracy {scores['accuracy'] * 100:.1f} % on the test sequences.",
        className="verdict mb-1",
    )
    return html.Div([table, verdict], className="metrics-row")
