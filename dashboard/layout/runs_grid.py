"""The runs table of the Runs tab, an AG Grid: sortable, filterable, rows picked by checkbox.

Its JavaScript comes from the dash-ag-grid package (served by Dash, no CDN) and its theme from
the Theming API in that JavaScript: no stylesheet to fetch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag

from dashboard import ids, runs

PAGE_SIZE = 8
# Alpine, in the page's font and Bootstrap's greys, a little denser than its default
THEME = (
    "themeAlpine.withParams({fontFamily: 'inherit', fontSize: 14, spacing: 5, "
    "headerBackgroundColor: '#f1f3f5', headerFontWeight: 600, borderColor: '#dee2e6', "
    "accentColor: '#0d6efd', wrapperBorderRadius: 4})"
)
STATUS_COLORS = {
    "failed": "#b02a37",
    "cancelled": "#997404",
    "stopped": "#997404",
    "running": "#0a58ca",
}
# widths in px: fixed, since the grid is first drawn hidden (the Runs tab, an empty session)
# where AG Grid cannot measure its cells; the grid scrolls sideways past its width
WIDTHS = {"number": 72, "when": 116, "dataset": 210, "status": 100, "search": 150, "device": 92}


def number_format(specifier: str) -> dict[str, str]:
    """A d3 format for a numeric column; an empty cell for a missing value."""
    return {"function": f"params.value == null ? '' : d3.format('{specifier}')(params.value)"}


def status_style() -> dict[str, Any]:
    """The status cell coloured by what became of the run."""
    return {
        "styleConditions": [
            {"condition": f"params.value === '{status}'", "style": {"color": color}}
            for status, color in STATUS_COLORS.items()
        ]
    }


def column_defs(names: Sequence[str], searched: bool = False) -> list[dict[str, Any]]:
    """AG Grid columns from the runs table's column specs (see runs.table_columns): numbers
    right-aligned with their d3 format and a number filter, text left with a text filter."""
    defs = []
    for spec in runs.table_columns(names, searched):
        title = spec["name"]
        width = WIDTHS.get(spec["id"], max(90, 9 * len(title) + 44))  # room for the sort arrow
        column: dict[str, Any] = {"field": spec["id"], "headerName": title, "width": width}
        if spec["type"] == "numeric":
            column |= {
                "type": "rightAligned",
                "cellDataType": "number",
                "filter": "agNumberColumnFilter",
                "valueFormatter": number_format(spec["format"]["specifier"]),
            }
        else:
            column |= {"cellDataType": "text", "filter": "agTextColumnFilter"}
        defs.append(column)
    for column in defs:
        field = column["field"]
        if field == "number":
            column |= {"initialSort": "desc"}
        elif field == "dataset":
            column |= {"tooltipField": "dataset"}
        elif field == "status":
            column |= {
                "cellStyle": status_style(),
                "tooltipValueGetter": {"function": "params.data.message || params.value"},
            }
    return defs


def baseline_rule(baseline: str | None) -> dict[str, str]:
    """The row class that marks the pinned baseline's row."""
    return {"run-baseline": f"params.data.id === {json.dumps(baseline or '')}"}


def selected_ids(rows: Sequence[dict[str, Any]] | None) -> list[str]:
    """The ids of the rows picked in the grid (AG Grid hands over whole rows)."""
    return [row["id"] for row in rows or [] if isinstance(row, dict) and "id" in row]


def runs_grid() -> dag.AgGrid:
    """The session's runs: sortable, filterable, rows selectable for comparison."""
    return dag.AgGrid(
        id=ids.RUNS_TABLE,
        rowData=[],
        columnDefs=[],
        getRowId="params.data.id",  # selections and sorting survive a refreshed list
        selectedRows=[],
        rowClassRules=baseline_rule(None),
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "floatingFilter": True,
            "suppressHeaderMenuButton": True,
            "filterParams": {"buttons": ["reset"], "maxNumConditions": 1},
            "minWidth": 64,
        },
        columnSize=None,
        dashGridOptions={
            "theme": {"function": THEME},
            "rowSelection": {
                "mode": "multiRow",
                "checkboxes": True,
                "headerCheckbox": False,
                "enableClickSelection": False,
            },
            "selectionColumnDef": {"pinned": "left", "width": 44, "maxWidth": 44},
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "domLayout": "autoHeight",
            "tooltipShowDelay": 200,
            "animateRows": False,
            "suppressColumnVirtualisation": True,  # few columns; all of them in the page
            "localeText": {"noMatchingRows": "No runs match the filters."},
        },
        style={"height": None, "width": "100%"},
        className="runs-grid",
    )
