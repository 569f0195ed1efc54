"""Uploads in the page: the drop box, the input-feature picker, and the Data tab with its
reading choices (the summary and preview views are in data_report). Column names from files
are plain text children (Dash escapes them); nothing renders HTML or Markdown from a file."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.ingest.kept import source_of
from dashboard.ingest.uploads import ROW_ORDER, ROW_ORDER_REVERSED, UPLOAD_URL
from dashboard.layout.components import labelled
from dashboard.payloads import UploadMeta

ACCEPT = ".csv,.tsv,.txt,.dat,.xlsx,.xlsm"
HIDDEN = {"display": "none"}
MISSING_CHOICES = [
    {"label": "interpolate", "value": "interpolate"},
    {"label": "forward fill", "value": "ffill"},
    {"label": "drop rows", "value": "drop"},
]


# -- left column ---------------------------------------------------------------------------


def upload_box() -> html.Div:
    """The drop box (dcc.Upload; assets/upload.js posts its file to /upload) and its message."""
    zone = dcc.Upload(
        id=ids.UPLOAD,
        children=html.Div(  # static: dcc.Upload does not redraw children changed later
            [
                html.Span("Drop a file here or "),
                html.Button("browse", type="button", className="upload-browse"),
            ]
        ),
        accept=ACCEPT,
        multiple=False,
        className="upload-zone",
    )
    config: dict[str, Any] = {
        "data-url": UPLOAD_URL,
        "data-result": ids.UPLOAD_RESULT,
        "data-message": ids.UPLOAD_MESSAGE,
        "data-session": ids.SESSION,
        "data-limit": ids.UPLOAD_LIMIT,
    }
    return html.Div(
        [
            html.Div(zone, className="lab-upload", **config),
            html.Div("CSV, TSV, TXT or XLSX", id=ids.UPLOAD_HINT, className="upload-hint"),
            dcc.Store(id=ids.UPLOAD_RESULT),
            dcc.Store(id=ids.UPLOAD_LIMIT),
            dbc.Alert(
                id=ids.UPLOAD_MESSAGE,
                is_open=False,
                color="info",
                className="py-1 px-2 mt-1 mb-0 upload-message",
            ),
            dbc.Alert(
                id=ids.DATA_PROBLEM,
                is_open=False,
                color="warning",
                className="py-1 px-2 mt-1 mb-0 upload-message",
            ),
        ],
        className="control",
    )


def feature_picker() -> html.Div:
    """The input features: other numeric columns fed to the model beside the target."""
    return labelled(
        "Inputs",
        ids.FEATURE_PICKER,
        "Extra columns the model reads beside the target's own past (multivariate input). "
        "Leave empty to learn from the target alone. Type to search long column lists.",
        dcc.Dropdown(
            id=ids.FEATURE_PICKER,
            multi=True,
            searchable=True,
            placeholder="the target only",
            className="feature-picker",
            maxHeight=260,
        ),
    )


# -- Data tab ------------------------------------------------------------------------------


def reading_choices() -> dbc.Card:
    """Shape (long and wide files), time axis, missing values, marker values, repeated
    timestamps (uploads only)."""
    return dbc.Card(
        dbc.CardBody(
            [
                _shape_choice(),
                dbc.Row(
                    [
                        dbc.Col(_time_choice(), md=3),
                        dbc.Col(_missing_choice(), md="auto"),
                        dbc.Col(_marker_choice(), md="auto", id=ids.MARKER_BOX),
                        dbc.Col(_duplicate_choice(), md="auto", id=ids.DUPLICATE_BOX),
                    ],
                    className="g-3 align-items-start",
                    id=ids.CLEANING_BOX,
                ),
            ],
            className="py-2",
        ),
        id=ids.UPLOAD_OPTIONS,
        className="mb-2 reading-choices",
        style=HIDDEN,
    )


def _shape_choice() -> html.Div:
    """A long file's series (one of them, or each id as a column) or a wide file transposed;
    Apply makes the choice the dataset in use (shown for long and wide uploads only)."""
    picker = dcc.Dropdown(id=ids.SHAPE_PICKER, clearable=False, className="flex-grow-1")
    apply = dbc.Button("Apply", id=ids.SHAPE_APPLY, n_clicks=0, size="sm", color="primary")
    return html.Div(
        [
            labelled(
                "Shape",
                ids.SHAPE_PICKER,
                "Several series stacked in one file (an id column beside the dates) can be "
                "read as one series or with each id as a column; a file with one row per item "
                "and one column per period can be transposed so each item is a column.",
                html.Div([picker, apply], className="d-flex gap-2 align-items-center"),
            ),
            html.Div(id=ids.SHAPE_NOTE, className="small text-muted"),
        ],
        id=ids.SHAPE_BOX,
        className="mb-2 shape-choice",
        style=HIDDEN,
    )


def _time_choice() -> html.Div:
    return labelled(
        "Time axis",
        ids.TIME_PICKER,
        "The column that orders the rows in time, or none: the rows in the order of the file.",
        dcc.Dropdown(id=ids.TIME_PICKER, clearable=False, searchable=False),
    )


def _missing_choice() -> html.Div:
    return labelled(
        "Missing values",
        ids.MISSING_PICKER,
        "How empty cells in the chosen columns are filled before windowing: a straight line "
        "between neighbours, the last value before the gap, or leaving out the whole row.",
        dbc.RadioItems(
            id=ids.MISSING_PICKER, options=MISSING_CHOICES, value="interpolate", inline=True
        ),
    )


def _marker_choice() -> html.Div:
    return labelled(
        "Treat as missing",
        ids.MARKER_PICKER,
        "Values that stand apart from the rest of a column, like -200 in sensor logs, often "
        "mean 'no reading'. Tick them to treat them as missing values.",
        dbc.Checklist(id=ids.MARKER_PICKER, options=[], value=[], inline=True),
    )


def _duplicate_choice() -> html.Div:
    return labelled(
        "Repeated timestamps",
        ids.DUPLICATE_PICKER,
        "Rows that share a timestamp: keep every row, or average them into one.",
        dbc.RadioItems(
            id=ids.DUPLICATE_PICKER,
            options=[
                {"label": "keep all", "value": "keep"},
                {"label": "average", "value": "mean"},
            ],
            value="keep",
            inline=True,
        ),
    )


def size_choice() -> html.Div:
    """Before Train: what an epoch will cost, said when it is over a minute (or the data in
    use was made smaller), with the ways out: resample, or keep the most recent rows."""
    picker = dcc.Dropdown(
        id=ids.REDUCE_PICKER, clearable=False, searchable=False, style={"minWidth": "16rem"}
    )
    rows = dbc.Input(
        id=ids.REDUCE_ROWS, type="number", min=10, step=1, size="sm", style={"width": "8rem"}
    )
    apply = dbc.Button("Apply", id=ids.REDUCE_APPLY, n_clicks=0, size="sm", color="primary")
    controls = html.Div(
        [
            html.Label("Make it smaller", htmlFor=ids.REDUCE_PICKER, className="me-1"),
            picker,
            html.Label("most recent rows", htmlFor=ids.REDUCE_ROWS, className="ms-2 me-1"),
            rows,
            apply,
        ],
        id=ids.REDUCE_BOX,
        className="d-flex flex-wrap gap-2 align-items-center mt-1",
    )
    return html.Div(
        [html.Div(id=ids.ESTIMATE_TEXT), controls],
        id=ids.ESTIMATE_BOX,
        className="alert alert-warning py-2 px-3 mb-2 estimate-box",
        style=HIDDEN,
    )


def data_tab(graph: Component) -> html.Div:
    """The epoch's cost (large data), reading choices, then the summary beside the target
    plot, then the first rows."""
    return html.Div(
        [
            size_choice(),
            reading_choices(),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Div(id=ids.DATA_SUMMARY, className="mb-2"),
                            html.Div(id=ids.DATA_REPORT),
                        ],
                        lg=4,
                        className="data-report",
                    ),
                    dbc.Col(graph, lg=8),
                ],
                className="g-2 mb-2",
            ),
            html.Div(id=ids.PREVIEW, className="preview"),
        ]
    )


# -- views filled by callbacks -----------------------------------------------------------


def time_options(
    time_column: str | None, candidates: list[str] | None = None
) -> list[dict[str, str]]:
    """The time-axis choices: the detected column (if any), other date columns, row order
    (and, without a detected column, row order reversed)."""
    options = [{"label": f"{time_column} (detected)", "value": time_column}] if time_column else []
    options += [{"label": name, "value": name} for name in candidates or []]
    options.append({"label": "none: row order", "value": ROW_ORDER})
    if not time_column:  # only rows in file order: they may run newest first
        options.append({"label": "none: row order reversed", "value": ROW_ORDER_REVERSED})
    return options


def shape_options(choices: dict[str, str]) -> list[dict[str, str]]:
    """The shape choices of a long or wide upload (value -> label) as dropdown options."""
    return [{"label": label, "value": value} for value, label in choices.items()]


def marker_options(markers: list[float]) -> list[dict[str, Any]]:
    """One tick box per value offered as a missing-value marker."""
    return [{"label": f"{value:g}", "value": value} for value in markers]


def upload_entry(meta: UploadMeta) -> dict[str, str]:
    """The dataset picker's entry for an upload."""
    return {"label": f"Upload: {meta['name']}", "value": meta["upload"]}


def with_upload_entry(meta: UploadMeta, options: list[Any] | None) -> list[Any]:
    """The dataset picker's options with `meta`'s entry last; an upload made of the same
    file in another shape is replaced, so each file is offered once."""
    source = source_of(meta)
    others = [o for o in options or [] if not str(o.get("value", "")).startswith(source)]
    return [*others, upload_entry(meta)]


def reduce_options(choices: dict[str, str]) -> list[dict[str, str]]:
    """The ways to make an upload smaller (value -> label) as dropdown options."""
    return [{"label": label, "value": value} for value, label in choices.items()]
