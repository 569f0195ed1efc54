"""Small tables of the Runs tab: what differs between runs, their results, their settings."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboard import runs
from dashboard.ml.config import TrainConfig
from dashboard.payloads import RunRecord


def _run_head(record: RunRecord, pinned: str | None) -> html.Th:
    """A column head naming a run, with its colour as in the charts."""
    baseline = record["id"] == pinned
    color = runs.BASELINE_COLOR if baseline else runs.run_color(record)
    return html.Th(
        [
            html.Span(className="run-dot", style={"background": color}),
            f"#{record.get('number', '?')}" + (" baseline" if baseline else ""),
        ]
    )


def diff_table(records: list[RunRecord], pinned: str | None) -> Any:
    """The settings that differ between the compared runs (and only those)."""
    if len(records) < 2:
        return html.P(
            "Select two or more runs (or pin a baseline and select one) to see the settings "
            "that differ.",
            className="text-muted small mb-0",
        )
    rows = runs.diff_rows(records)
    if not rows:
        return html.P("These runs have the same settings.", className="text-muted small mb-0")
    head = html.Tr([html.Th("setting"), *[_run_head(r, pinned) for r in records]])
    body = [
        html.Tr([html.Td(row["setting"]), *[html.Td(row[r["id"]]) for r in records]])
        for row in rows
    ]
    return dbc.Table(
        [html.Thead(head), html.Tbody(body)], size="sm", hover=True, className="diff-table mb-0"
    )


def results_table(records: list[RunRecord], pinned: str | None) -> Any:
    """Each compared run's results; with a baseline pinned, the change against it."""
    if not records:
        return None
    base = next((r for r in records if r["id"] == pinned), None)
    measures = (("best_val_loss", "best val_loss"), ("mae", "test MAE"))
    rows = [runs.table_row(r, ()) for r in records]
    reference = runs.table_row(base, ()) if base else None
    body = []
    for record, row in zip(records, rows, strict=True):
        cells = [_versus(row[key], reference[key] if reference else None) for key, _ in measures]
        skill = "-" if row["skill"] is None else f"{row['skill']:+.1f} %"
        body.append(html.Tr([_run_head(record, pinned), *map(html.Td, cells), html.Td(skill)]))
    head = html.Tr([html.Th("run"), *[html.Th(t) for _, t in measures], html.Th("skill")])
    return dbc.Table(
        [html.Thead(head), html.Tbody(body)], size="sm", hover=True, className="diff-table mb-0"
    )


def _versus(value: float | None, reference: float | None) -> str:
    if value is None:
        return "-"
    if not reference or value == reference:
        return f"{value:.4g}"
    return f"{value:.4g} ({(value / reference - 1) * 100:+.0f} %)"


def settings_rows(record: RunRecord) -> list[tuple[str, str]]:
    """A run's settings worth listing: the main knobs, epochs, and every non-default one."""
    config, default = runs.config_of(record), TrainConfig().to_dict()
    names = [*runs.MAIN_SETTINGS, "epochs"]
    names += [n for n in runs.setting_names() if config[n] != default[n] and n not in names]
    return [(runs.setting_label(n), runs.format_setting(n, config[n])) for n in names]


def settings_table(rows: list[tuple[str, str]]) -> dbc.Table:
    """Two columns: setting, value."""
    body = [html.Tr([html.Th(name, className="fw-normal"), html.Td(value)]) for name, value in rows]
    return dbc.Table(html.Tbody(body), size="sm", className="settings-table mb-0")
