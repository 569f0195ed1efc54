"""The Search tab: what to search and how, Search / Cancel / Use best, and the study as it
runs (trials table, every trial's curve, best so far, importances, parallel coordinates)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.figures import search as figures
from dashboard.figures.common import empty_figure
from dashboard.layout.components import help_icon
from dashboard.layout.runs_grid import THEME, number_format
from dashboard.ml import params
from dashboard.ml.search import SearchSettings, SearchSpace
from dashboard.payloads import SearchState
from dashboard.search_jobs import SEARCH_OPTIONS, SEARCH_RANGES

GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True, "displayModeBar": "hover"}
GRAPH_STYLE = {"height": "300px"}
DEFAULTS = SearchSettings(SearchSpace())  # the budget's defaults
SAMPLERS = [
    {"label": "TPE (Bayesian)", "value": "tpe"},
    {"label": "random", "value": "random"},
    {"label": "grid", "value": "grid"},
]
STATE_COLORS = {
    "complete": "#0a58ca",
    "pruned": "#997404",
    "failed": "#b02a37",
    "running": "#146c43",
}
STATUS_COLORS = {
    "running": "info",
    "finished": "success",
    "cancelled": "warning",
    "failed": "danger",
    "refused": "warning",
    "kept": "light",
}
NEW = "new"  # the study picker's value for a new study


def _box(box_id: str, value: float, step: Any) -> dbc.Input:
    return dbc.Input(
        id=box_id,
        type="number",
        size="sm",
        value=value,
        step=step,
        debounce=True,
        className="search-box",
    )


def _ranged(box_id: str, value: float, step: Any, label: str) -> list[Any]:
    """A range's box with its label for screen readers (the table's header says it too)."""
    return [
        html.Label(label, htmlFor=box_id, className="visually-hidden"),
        _box(box_id, value, step),
    ]


def range_row(name: str) -> html.Tr:
    """A numeric setting: its "search this" switch and the range's lowest and highest."""
    spec = params.PARAMS[name]
    step = "any" if spec.log or not spec.integer else spec.step
    return html.Tr(
        [
            html.Td(dbc.Switch(id=ids.search_on(name), label=spec.label, value=False)),
            html.Td(_ranged(ids.search_low(name), spec.low, step, f"{spec.label} from")),
            html.Td(_ranged(ids.search_high(name), spec.high, step, f"{spec.label} to")),
            html.Td("log" if spec.log else "", className="text-muted small"),
        ]
    )


def options_row(name: str) -> html.Div:
    """A picked setting: the options to try (two or more ticked: searched)."""
    spec = params.CHOICES[name]
    return html.Div(
        [
            html.Span(spec.label, className="control-label me-2 search-pick-label"),
            dbc.Checklist(
                id=ids.search_pick(name),
                options=[{"label": text, "value": value} for value, text in spec.options],
                value=[],
                inline=True,
                className="mb-0",
            ),
        ],
        className="d-flex align-items-center flex-wrap",
    )


def space_card() -> dbc.Card:
    """What to search: ranges and options (the rest keeps the sliders' values)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.H3("What to search", className="section-title mb-0"),
                        help_icon(
                            "search-space",
                            "Switch a setting on to search it between the two values (learning "
                            "rate on a log scale); tick two or more options of a pick. Every "
                            "other setting keeps the sliders' value, epochs included: each "
                            "trial trains that many epochs unless it is pruned.",
                        ),
                    ],
                    className="d-flex align-items-center gap-1 mb-1",
                ),
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [html.Th("setting"), html.Th("from"), html.Th("to"), html.Th("")]
                            )
                        ),
                        html.Tbody([range_row(name) for name in SEARCH_RANGES]),
                    ],
                    className="table table-sm mb-1 search-space",
                ),
                *[options_row(name) for name in SEARCH_OPTIONS],
            ],
            className="py-2",
        ),
        className="h-100",
    )


def _field(label: str, control: Any, target: str) -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=target, className="control-label search-label"), control],
        className="d-flex align-items-center gap-2 mb-1",
    )


def budget_card() -> dbc.Card:
    """How to search: study, budget, sampler, pruning, objective, seed; the buttons."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3("How", className="section-title mb-1"),
                _field(
                    "Study",
                    dcc.Dropdown(
                        id=ids.SEARCH_STUDY,
                        options=[{"label": "a new study", "value": NEW}],
                        value=NEW,
                        clearable=False,
                        searchable=False,
                        className="flex-grow-1",
                    ),
                    ids.SEARCH_STUDY,
                ),
                html.Div(
                    [
                        _field(
                            "Trials",
                            _box(ids.SEARCH_TRIALS_N, DEFAULTS.n_trials, 1),
                            ids.SEARCH_TRIALS_N,
                        ),
                        _field(
                            "Time limit s",
                            dbc.Input(
                                id=ids.SEARCH_TIMEOUT,
                                type="number",
                                size="sm",
                                min=1,
                                placeholder="none",
                                debounce=True,
                                className="search-box",
                            ),
                            ids.SEARCH_TIMEOUT,
                        ),
                    ],
                    className="d-flex gap-3",
                ),
                _field(
                    "Sampler",
                    dbc.RadioItems(
                        id=ids.SEARCH_SAMPLER, options=SAMPLERS, value="tpe", inline=True
                    ),
                    ids.SEARCH_SAMPLER,
                ),
                html.Div(
                    [
                        dbc.Switch(
                            id=ids.SEARCH_PRUNING, label="pruning", value=True, className="mb-0"
                        ),
                        _field(
                            "warm-up epochs",
                            _box(ids.SEARCH_WARMUP, DEFAULTS.warmup_epochs, 1),
                            ids.SEARCH_WARMUP,
                        ),
                    ],
                    className="d-flex align-items-center gap-3",
                ),
                html.Div(
                    [
                        _field(
                            "Objective",
                            dbc.Select(
                                id=ids.SEARCH_OBJECTIVE,
                                options=[
                                    {"label": "val_loss", "value": "val_loss"},
                                    {"label": "val accuracy", "value": "val_accuracy"},
                                ],
                                value="val_loss",
                                size="sm",
                            ),
                            ids.SEARCH_OBJECTIVE,
                        ),
                        _field("Seed", _box(ids.SEARCH_SEED, 0, 1), ids.SEARCH_SEED),
                    ],
                    className="d-flex gap-3",
                ),
                html.Div(
                    [
                        dbc.Button("Search", id=ids.SEARCH_START, color="primary"),
                        dbc.Button(
                            "Cancel", id=ids.SEARCH_CANCEL, color="outline-danger", disabled=True
                        ),
                        dbc.Button(
                            "Use best",
                            id=ids.SEARCH_USE_BEST,
                            color="outline-success",
                            disabled=True,
                            title="Set the sliders to the best trial's settings",
                        ),
                        dbc.Button(
                            "Trials CSV",
                            id=ids.SEARCH_CSV,
                            color="outline-secondary",
                            disabled=True,
                        ),
                        dbc.Button(
                            "Best run (zip)",
                            id=ids.SEARCH_BEST_RUN,
                            color="outline-secondary",
                            disabled=True,
                            external_link=True,
                            href="",
                            title="The best trial's run: train.py, its data and settings",
                        ),
                    ],
                    className="d-flex gap-2 flex-wrap mt-2",
                ),
                html.Small(id=ids.SEARCH_USE_NOTE, className="text-muted d-block"),
            ],
            className="py-2",
        ),
        className="h-100",
    )


def trials_grid() -> dag.AgGrid:
    """The live trials table: number, state, settings, best objective, epochs, seconds."""
    return dag.AgGrid(
        id=ids.SEARCH_TRIALS,
        rowData=[],
        columnDefs=trial_columns([], "val_loss"),
        getRowId="params.data.id",  # a string: AG Grid keys rows by it
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 60},
        columnSize=None,
        dashGridOptions={
            "theme": {"function": THEME},
            "domLayout": "autoHeight",
            "pagination": True,
            "paginationPageSize": 10,
            "paginationPageSizeSelector": False,
            "tooltipShowDelay": 200,
            "animateRows": False,
            "localeText": {"noRowsToShow": "Trials appear here as the search runs."},
        },
        style={"height": None, "width": "100%"},
        className="search-grid",
    )


def trial_columns(searched: Sequence[str], objective: str) -> list[dict[str, Any]]:
    """The trials table's columns for a study that searches `searched`."""
    state_style = {
        "styleConditions": [
            {"condition": f"params.value === '{state}'", "style": {"color": color}}
            for state, color in STATE_COLORS.items()
        ]
    }
    numeric = {"type": "rightAligned", "cellDataType": "number"}
    columns: list[dict[str, Any]] = [
        {"field": "trial", "headerName": "#", "width": 64, **numeric},
        {
            "field": "state",
            "width": 104,
            "cellStyle": state_style,
            "tooltipValueGetter": {"function": "params.data.message || params.value"},
        },
    ]
    for name in searched:
        title = figures.label(name)
        column: dict[str, Any] = {"field": f"p_{name}", "headerName": title}
        column["width"] = max(84, 8 * len(title) + 36)
        if name == "learning_rate":
            column |= {**numeric, "valueFormatter": number_format(".2~e")}
        elif isinstance(params.SETTINGS.get(name), params.Param):
            column |= {**numeric, "valueFormatter": number_format(".3~g")}
        columns.append(column)
    columns += [
        {
            "field": "best",
            "headerName": f"best {objective}",
            "width": 130,
            **numeric,
            "valueFormatter": number_format(".4~g"),
        },
        {"field": "epochs", "width": 86, **numeric},
        {
            "field": "seconds",
            "headerName": "s",
            "width": 76,
            **numeric,
            "valueFormatter": number_format(".1f"),
        },
    ]
    return columns


def trial_rows(state: SearchState) -> list[dict[str, Any]]:
    """The trials table's rows: one per trial, numbered from 1, its settings flattened."""
    rows = []
    for trial in state["trials"]:
        row = {
            "id": str(int(trial["number"]) + 1),
            "trial": int(trial["number"]) + 1,
            "state": trial["state"],
            "best": trial["best"],
            "epochs": trial["epochs"],
            "seconds": trial["seconds"],
            "message": trial.get("message", ""),
        }
        for name, value in trial["params"].items():
            spec = params.SETTINGS.get(name)
            shown = spec.label_of(value) if isinstance(spec, params.Choice) else value
            row[f"p_{name}"] = shown
        rows.append(row)
    return rows


def _graph(graph_id: str, message: str) -> dcc.Graph:
    return dcc.Graph(
        id=graph_id,
        figure=empty_figure(message),
        config=GRAPH_CONFIG,
        className="graph",
        style=GRAPH_STYLE,
    )


def search_tab() -> html.Div:
    """The whole Search tab."""
    return html.Div(
        [
            dcc.Store(id=ids.SEARCH_LIVE),
            dcc.Store(id=ids.SEARCH_RESULT),
            dcc.Download(id=ids.SEARCH_DOWNLOAD),
            dbc.Row(
                [dbc.Col(space_card(), lg=7), dbc.Col(budget_card(), lg=5)],
                className="g-2 mb-2",
            ),
            dbc.Alert(
                "Choose what to search, then press Search: each trial is a training run, "
                "listed in the Runs tab too.",
                id=ids.SEARCH_STATUS,
                color="light",
                className="py-2 mb-2",
            ),
            html.Div(
                [
                    dbc.Progress(id=ids.SEARCH_PROGRESS, value=0, className="flex-grow-1"),
                    html.Span("trial 0/0", id=ids.SEARCH_PROGRESS_TEXT, className="progress-text"),
                ],
                className="d-flex align-items-center gap-2 mb-2",
            ),
            trials_grid(),
            dbc.Row(
                [
                    dbc.Col(
                        _graph(ids.SEARCH_CURVES, "Each trial's val_loss by epoch appears here."),
                        lg=7,
                    ),
                    dbc.Col(_graph(ids.SEARCH_BEST, "The best result so far appears here."), lg=5),
                ],
                className="g-2 mt-1",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _graph(ids.SEARCH_IMPORTANCE, "Importances appear after a few trials."),
                        lg=5,
                    ),
                    dbc.Col(
                        _graph(ids.SEARCH_PARALLEL, "Trials line up here as they finish."), lg=7
                    ),
                ],
                className="g-2 mt-1",
            ),
        ]
    )
