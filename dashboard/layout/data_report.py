"""The Data tab's views of a dataset: the summary of an upload (how it was read, its time
axis, what the chosen cleaning did, missing cells per column, the reader's notes) and the
first rows. Text from files is passed as plain strings (Dash shows them as text)."""

from __future__ import annotations

import math
import re
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from dash.development.base_component import Component

from dashboard.payloads import DatasetMeta

PREVIEW_ROWS = 10
PREVIEW_COLUMNS = 30
PREVIEW_WIDTH = 200  # px: the widest preview column; a longer name is cut, whole in its tooltip
# the runs table's theme (layout/runs_grid.py), smaller: ten rows fit under the chart at 1366x768
PREVIEW_THEME = (
    "themeAlpine.withParams({fontFamily: 'inherit', fontSize: 13, spacing: 3, "
    "headerBackgroundColor: '#f1f3f5', headerFontWeight: 600, borderColor: '#dee2e6', "
    "oddRowBackgroundColor: '#f8f9fa', accentColor: '#0d6efd', wrapperBorderRadius: 4})"
)
MISSING_ROWS = 12  # columns listed in the "missing cells" table
SPARSE = 0.5  # a chosen column missing more than this share of its cells gets a warning
MISSING_WORDS = {
    "interpolate": "filled by interpolation",
    "ffill": "filled with the last value before them",
    "drop": "dropped with their rows",
}
FREQUENCY_WORDS = {
    "s": "second", "min": "minute", "h": "hour", "D": "day", "B": "business day",
    "W": "week", "MS": "month", "ME": "month", "M": "month", "QS": "quarter",
    "QE": "quarter", "Q": "quarter", "YS": "year", "YE": "year", "Y": "year", "A": "year",
}  # fmt: skip


def frequency_text(alias: str | None) -> str:
    """'every hour', 'every 10 minutes' for a pandas offset alias; '' when unknown."""
    match = re.fullmatch(r"(\d*)([A-Za-z]+)(?:-\w+)?", alias or "")
    if not match or match.group(2) not in FREQUENCY_WORDS:
        return ""
    count, word = int(match.group(1) or 1), FREQUENCY_WORDS[match.group(2)]
    return f"every {word}" if count == 1 else f"every {count} {word}s"


def report_view(
    meta: DatasetMeta, report: dict[str, Any], missing: dict[str, int], rows: int
) -> html.Div:
    """The summary of an upload: how it was read, its time axis, what the chosen cleaning
    did, missing cells per column (`missing`: every numeric column, markers counted), and
    the reader's notes."""
    recipe = meta.get("recipe", {})
    chosen = {c: missing.get(c, 0) for c in meta["columns"]}
    lines: list[Component] = [
        html.Div([html.B(meta["name"]), f": {report['rows']:,} rows, {report['columns']} columns"]),
        html.Div(_read_as(report), className="text-muted small"),
        *_series_lines(meta, report, recipe, chosen, rows),
    ]
    sparse = [c for c, n in chosen.items() if n > SPARSE * report["rows"]]
    if sparse:
        share = {c: 100 * chosen[c] / report["rows"] for c in sparse}
        named = ", ".join(f"{c} ({share[c]:.0f} %)" for c in sparse[:4])
        lines.append(
            html.Div(f"Mostly missing: {named}; consider leaving it out.", className="text-danger")
        )
    lines.append(_missing_table(missing, report["rows"], recipe.get("markers") or []))
    if report["notes"]:
        lines.append(html.Ul([html.Li(note) for note in report["notes"]], className="notes"))
    return html.Div(lines, className="report")


def _series_lines(
    meta: DatasetMeta,
    report: dict[str, Any],
    recipe: dict[str, Any],
    chosen: dict[str, int],
    rows: int,
) -> list[Component]:
    """The time axis and the cleaning of a series; or what a classifier learns from."""
    if meta.get("task") == "classify":
        steps = len(meta["columns"]) - 1
        return [
            html.Div(
                f"Classification: {rows:,} sequences of {steps} steps, one per row; "
                f"{meta['target']} holds the label ({meta.get('classes', 0)} classes)."
            )
        ]
    return [
        html.Div(_time_line(report, recipe)),
        html.Div(_cleaning_line(recipe, chosen, rows, report["rows"])),
    ]


def _read_as(report: dict[str, Any]) -> str:
    if report["separator"] == "":
        return "Read as an Excel workbook (first sheet)."
    separator = {"\t": "tab", " ": "blanks"}.get(report["separator"], f"'{report['separator']}'")
    text = f"Read as {report['encoding']}, {separator} separated, decimal '{report['decimal']}'"
    if report["thousands"]:
        text += f", thousands '{report['thousands']}'"
    return text + (", no header row." if report["header_row"] is None else ".")


def _time_line(report: dict[str, Any], recipe: dict[str, Any]) -> str:
    if not report["time_column"] or not recipe.get("use_time", True):
        order = "reverse file order (newest first in the file)" if recipe.get("reverse") else ""
        return f"Time axis: none, the rows in {order or 'file order'}."
    every = frequency_text(report["frequency"]) or "irregular steps"
    return (
        f"Time axis: {report['time_column']}, {every}, from {report['start']} to "
        f"{report['end']}; {report['duplicate_timestamps']:,} repeated timestamps, "
        f"{report['gaps']:,} gaps."
    )


def _marked(markers: list[float]) -> str:
    return f" (counting {', '.join(f'{m:g}' for m in markers)} as missing)" if markers else ""


def _cleaning_line(recipe: dict[str, Any], missing: dict[str, int], rows: int, total: int) -> str:
    how = recipe.get("missing", "interpolate")
    found = sum(missing.values())
    marked = _marked(recipe.get("markers") or [])
    if not found:
        return f"Training data: {rows:,} rows, no missing cells in the chosen columns{marked}."
    kept = f", {rows:,} of {total:,} rows left" if how == "drop" else ""
    return (
        f"Training data: {found:,} missing cells in the chosen columns{marked}, "
        f"{MISSING_WORDS[how]}{kept}."
    )


def _missing_table(per_column: dict[str, int], rows: int, markers: list[float]) -> Component:
    holes = sorted(((n, c) for c, n in per_column.items() if n), reverse=True)
    if not holes:
        return html.Div(f"No missing cells in the numeric columns{_marked(markers)}.")
    body = [
        html.Tr([html.Td(name), html.Td(f"{n:,}"), html.Td(f"{100 * n / max(rows, 1):.1f} %")])
        for n, name in holes[:MISSING_ROWS]
    ]
    if len(holes) > MISSING_ROWS:
        extra = len(holes) - MISSING_ROWS
        more = f"and {extra} more column{'s' if extra > 1 else ''} with missing cells"
        body.append(html.Tr(html.Td(more, colSpan=3, className="text-muted")))
    head = html.Thead(html.Tr([html.Th("column"), html.Th("missing"), html.Th("")]))
    return html.Div(
        [
            html.Div(f"Missing cells per column{_marked(markers)}:", className="small"),
            dbc.Table([head, html.Tbody(body)], size="sm", className="missing-table mb-1"),
        ]
    )


def preview_table(frame: pd.DataFrame, total_rows: int) -> html.Div:
    """The first rows of a frame in a small AG Grid (wide frames: the first columns).

    Names and values from a file reach the grid as plain strings: AG Grid writes headers and
    cells as text, and the fields are made-up keys (a '.' in a name would be a path to AG
    Grid), never the names themselves."""
    shown = frame.iloc[:PREVIEW_ROWS, :PREVIEW_COLUMNS]
    stamped = isinstance(shown.index, pd.DatetimeIndex)
    columns: list[tuple[str, str, list[str], bool]] = []  # field, title, cells, numeric
    if stamped:
        stamps = [_cell(stamp) for stamp in shown.index]
        columns.append(("t", str(shown.index.name or "time"), stamps, False))
    for number, (name, values) in enumerate(shown.items()):
        numeric = pd.api.types.is_numeric_dtype(values.dtype)
        columns.append((f"c{number}", str(name), [_cell(v) for v in values], numeric))
    defs = [_preview_column(*column) for column in columns]
    if stamped or (len(shown.columns) and pd.api.types.is_datetime64_any_dtype(shown.iloc[:, 0])):
        defs[0]["pinned"] = "left"  # the time stays in view when the grid scrolls sideways
    rows = [{field: cells[row] for field, _, cells, _ in columns} for row in range(len(shown))]
    caption = f"First {len(shown)} of {total_rows:,} rows"
    if frame.shape[1] > PREVIEW_COLUMNS:
        caption += f"; the first {PREVIEW_COLUMNS} of {frame.shape[1]} columns"
    width = sum(column["width"] for column in defs) + 2  # the grid's borders
    return html.Div(
        [
            html.Div(caption, className="small text-muted mb-1"),
            dag.AgGrid(
                rowData=rows,
                columnDefs=defs,
                defaultColDef={"resizable": True, "sortable": False, "suppressMovable": True},
                columnSize=None,
                dashGridOptions={
                    "theme": {"function": PREVIEW_THEME},
                    "domLayout": "autoHeight",
                    "suppressColumnVirtualisation": True,  # at most 31 columns
                    "enableCellTextSelection": True,
                    "ensureDomOrder": True,
                    "tooltipShowDelay": 200,
                    "animateRows": False,
                },
                style={"height": None, "width": f"{width}px", "maxWidth": "100%"},
                className="preview-grid",
            ),
        ]
    )


def _preview_column(field: str, title: str, cells: list[str], numeric: bool) -> dict[str, Any]:
    """One preview column, as wide as its longest text (the grid may first be drawn hidden,
    where AG Grid cannot measure): numbers right-aligned, a long name whole in a tooltip."""
    longest = max([len(text) for text in cells], default=0)
    width = min(PREVIEW_WIDTH, max(64, round(7.6 * max(longest, 1.05 * len(title))) + 26))
    column: dict[str, Any] = {
        "field": field,
        "headerName": title,
        "headerTooltip": title,
        "width": width,
        "cellDataType": "text",
    }
    if numeric:
        column |= {"type": "rightAligned"}
    return column


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "NA"
    if isinstance(value, pd.Timestamp):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
