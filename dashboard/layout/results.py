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
    """Percent done and 'epoch 12/50 · 0.40 s/epoch · ETA 0:15' (within a long epoch,
    'epoch 0/2 · batch 3,200/22,000 · ETA 9:40', the bar moving with the batches)."""
    epoch, epochs = state.get("epoch", 0), state.get("epochs", 0) or 1
    text = f"epoch {epoch}/{epochs}"
    running = state.get("status") == "running"
    batch = state.get("batch") if running else None
    if batch:
        done, steps = batch
        text += f" · batch {done:,}/{steps:,}"
        epoch_part = done / steps if steps else 0.0
        percent = 100 * min(epoch + epoch_part, epochs) / epochs
    else:
        percent = 100 * epoch / epochs
    if state.get("sec_per_epoch") is not None:
        text += f" · {state['sec_per_epoch']:.2f} s/epoch"
    if running and state.get("eta_s") is not None:
        text += f" · ETA {duration(state['eta_s'])}"
    return percent, text


def status_message(state: LiveState) -> str:
    """One sentence about the run."""
    status = state.get("status", "")
    if state.get("message"):
        return str(state["message"])
    if status == "running" and state.get("batch"):
        done, steps = state["batch"]
        return (
            f"Training: epoch {state.get('epoch', 0) + 1} of {state.get('epochs', 0)}, "
            f"batch {done:,} of {steps:,}."
        )
    if status == "running":
        return f"Training: epoch {state.get('epoch', 0)} of {state.get('epochs', 0)}."
    return status.capitalize()


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:.4g}{unit}"


def _skill(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f} %"


def baseline_name(name: str, label: str) -> str:
    """How the tables name a baseline: 'naive (last value)', 'seasonal naive (m=12)'."""
    return "naive (last value)" if name == "last_value" else label


def forecast_rows(scores: dict[str, Any], model_name: str = "LSTM") -> list[dict[str, Any]]:
    """The rows of the scores table: the model, then every baseline with the model's skill
    over it; the strongest baseline (lowest MAE) flagged. Older runs: the naive one only."""
    model = scores["model"]
    baselines = scores.get("baselines") or {
        "last_value": {"label": "last value", **scores["naive"]}
    }
    rows = [{"name": model_name, "strongest": False, "skill": None, **model}]
    for name, numbers in baselines.items():
        rows.append(
            {
                **numbers,
                "name": baseline_name(name, numbers.get("label", name)),
                "strongest": name == scores.get("strongest"),
                "skill": metrics.skill(model["mae"], numbers["mae"]) if numbers["mae"] else None,
            }
        )
    return rows


def forecast_verdict(scores: dict[str, Any]) -> str:
    """The sentence: which baseline is the one to beat, and whether the model beat it."""
    if scores.get("verdict"):
        return str(scores["verdict"])
    skill = scores.get("skill")
    if skill is None:
        return "The naive baseline is exact on this data; there is nothing to beat."
    if skill > 0:
        return f"The LSTM beats the naive baseline: {skill:.1f} % lower MAE."
    return f"The LSTM does not beat the naive baseline yet: {-skill:.1f} % higher MAE."


def forecast_table(scores: dict[str, Any], model_name: str = "LSTM") -> dbc.Table:
    """MAE, RMSE, MAPE (sMAPE when MAPE is withheld), MASE of the model and each baseline,
    and the model's skill over each; the one to beat in bold."""
    percent = "mape" if scores["model"].get("mape") is not None else "smape"
    measures = (
        ("mae", "MAE", ""),
        ("rmse", "RMSE", ""),
        (percent, percent.upper().replace("SM", "sM"), " %"),
        ("mase", "MASE", ""),
    )
    body = []
    for row in forecast_rows(scores, model_name):
        name: list[Any] = [row["name"]]
        if row["strongest"]:
            name.append(dbc.Badge("to beat", color="dark", className="ms-2"))
        cells = [html.Td(_fmt(row.get(key), unit)) for key, _, unit in measures]
        body.append(
            html.Tr(
                [html.Th(name), *cells, html.Td(_skill(row["skill"]))],
                className="fw-bold" if row["strongest"] else "",
            )
        )
    head = html.Tr(
        [html.Th("test part"), *[html.Th(m[1]) for m in measures], html.Th("LSTM's skill")]
    )
    return dbc.Table(
        [html.Thead(head), html.Tbody(body)],
        bordered=False,
        hover=True,
        size="sm",
        className="metrics mb-1",
        style={"maxWidth": "46rem"},
    )


def metrics_table(scores: dict[str, Any], device: str = "", parameters: int = 0) -> html.Div:
    """The verdict in words (which baseline is the one to beat, and whether the LSTM beat
    it), then the errors of the LSTM and every baseline, and the notes."""
    if not scores:
        return html.Div()
    if "per_class" in scores:
        return classification_table(scores)
    footer = f"{parameters:,} parameters · trained on {device}" if parameters else ""
    strongest = scores.get("skill_strongest")
    headline = (
        ""
        if strongest is None or not scores.get("strongest_label")
        else f"Skill over the strongest baseline ({scores['strongest_label']}): "
        f"{strongest:+.1f} %"
        + ("" if scores.get("mase") is None else f" · MASE {scores['mase']:.3g}")
    )
    notes = html.Div(
        [
            html.P(headline, className="mb-1") if headline else None,
            *[html.P(note, className="small text-muted mb-1") for note in scores.get("notes", [])],
            html.Small(footer, className="text-muted"),
        ],
        style={"maxWidth": "30rem"},
    )
    return html.Div(
        [
            html.P(forecast_verdict(scores), className="verdict mb-1"),
            html.Div([forecast_table(scores), notes], className="metrics-row"),
        ]
    )


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
        state.get("lr_changes"),
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
    majority = scores.get("majority")
    if not majority:
        return html.Div([table, verdict], className="metrics-row")
    return html.Div(
        [
            table,
            html.Div([verdict, majority_table(majority), html.P(majority["verdict"])]),
        ],
        className="metrics-row",
    )


def majority_table(majority: dict[str, Any]) -> dbc.Table:
    """Accuracy and balanced accuracy of the model next to always guessing the training
    part's most common class."""
    rows = [
        html.Tr(
            [
                html.Th(name),
                html.Td(f"{numbers['accuracy']:.2f}"),
                html.Td(f"{numbers['balanced_accuracy']:.2f}"),
            ]
        )
        for name, numbers in (
            ("model", majority["model"]),
            (f"always {majority['class']!r}", majority["baseline"]),
        )
    ]
    head = html.Tr([html.Th("test part"), html.Th("accuracy"), html.Th("balanced accuracy")])
    return dbc.Table(
        [html.Thead(head), html.Tbody(rows)], size="sm", hover=True, className="metrics mb-1"
    )
