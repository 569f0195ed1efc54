"""The model summary beside the charts: what the settings build, before anything trains."""

from __future__ import annotations

from dataclasses import replace

from dash import html

from dashboard.ml.config import TrainConfig
from dashboard.ml.summary import cell_note, cudnn_blockers, summarize
from dashboard.payloads import DatasetMeta


def model_summary(config: TrainConfig, meta: DatasetMeta) -> html.Details:
    """One line (layers, parameters, cuDNN) that unfolds into the layer table."""
    n_classes = int(meta.get("classes", 0))
    if config.task == "classify":
        config = replace(config, seq_len=max(1, len(meta.get("columns", [])) - 1))
        n_features = 1
    else:
        n_features = 1 + len([f for f in config.features if f != config.target])
    rows = summarize(config, n_features, n_classes)
    total = sum(row.parameters for row in rows)
    blockers = cudnn_blockers(config)
    cudnn = (
        "fast cuDNN kernel on a GPU: yes"
        if not blockers
        else ("no cuDNN kernel on a GPU: " + ", ".join(blockers))
    )
    layers = " → ".join(row.name for row in rows if not row.name.startswith("Dropout"))
    table = html.Table(
        [html.Thead(html.Tr([html.Th("layer"), html.Th("output shape"), html.Th("parameters")]))]
        + [
            html.Tr([html.Td(r.name), html.Td(r.output_shape), html.Td(f"{r.parameters:,}")])
            for r in rows
        ],
        className="table table-sm summary-table mb-0",
    )
    return html.Details(
        [
            html.Summary(f"Model: {layers} · {total:,} parameters · {cudnn}"),
            table,
            html.Small(cell_note(config), className="text-muted"),
        ],
        className="model-summary",
    )
