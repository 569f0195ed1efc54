"""Dataset picking: metadata into the page, the series plot, the attribution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State

from callbacks.common import data_deps
from dashboard import ids
from dashboard.figures import data as figures
from dashboard.figures.data import target_figure
from dashboard.ingest.uploads import upload_of
from dashboard.ml.config import split_rows
from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS
from dashboard.store import NotFound, Store


def dataset_meta(store: Store, dataset_id: str, session: str) -> dict[str, Any]:
    """The small JSON the page keeps about a dataset."""
    dataset = store.load_dataset(dataset_id, session)
    key = dataset_id.removeprefix(BUILTIN_PREFIX)
    return {
        "id": dataset.id,
        "name": dataset.name,
        "rows": len(dataset.frame),
        "columns": dataset.numeric_columns,
        "target": dataset.target,
        "attribution": dataset.attribution,
        "description": BUILTINS[key].description if key in BUILTINS else "",
        "task": dataset.task,
        "classes": int(dataset.frame[dataset.target].nunique())
        if dataset.task == "classify"
        else 0,
    }


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the dataset picker and the Data tab."""

    @app.callback(
        Output(ids.DATASET, "data"),
        Output(ids.TARGET_PICKER, "options"),
        Output(ids.TARGET_PICKER, "value"),
        Output(ids.ATTRIBUTION, "children"),
        Output(ids.DATASET_BADGE, "children"),
        Input(ids.DATASET_PICKER, "value"),
        State(ids.SESSION, "data"),
    )
    def pick_dataset(dataset_id: str, session: str) -> tuple[Any, ...]:
        """Load the picked dataset's metadata and offer its numeric columns as targets."""
        try:
            meta = dataset_meta(store, dataset_id, session)
        except NotFound:
            return None, [], None, "This dataset is no longer available.", "no dataset"
        return (
            meta,
            meta["columns"],
            meta["target"],
            f"Source: {meta['attribution']}",
            f"dataset: {meta['name']}",
        )

    @app.callback(
        Output(ids.SERIES_GRAPH, "figure"),
        Output(ids.DATA_SUMMARY, "children"),
        Output(ids.SPLIT_LABEL, "children"),
        *data_deps(Input),
        State(ids.SESSION, "data"),
    )
    def show_series(
        meta: dict[str, Any] | None, target: str | None, split: list[int], session: str
    ) -> tuple[Any, ...]:
        """Plot the target with the split shaded; summarise the dataset in a sentence."""
        label = f"{split[0]} / {split[1] - split[0]} / {100 - split[1]}"
        if not meta or target not in meta["columns"]:
            return figures.series_figure(None, [], "no data"), "", label
        try:
            frame = store.load_dataset(meta["id"], session).frame
        except NotFound:
            return figures.series_figure(None, [], "no data"), "", label
        bounds = split_rows(meta["rows"], split[0], split[1] - split[0])
        summary = (
            ""  # an upload has its own report beside the plot
            if upload_of(meta["id"])
            else f"{meta['name']}: {meta['rows']:,} rows; numeric columns: "
            f"{', '.join(meta['columns'])}. {meta['description']}"
        )
        values = frame[target].to_numpy()  # long series are reduced (LTTB) before plotting
        return target_figure(frame.index, values, str(target), bounds), summary, label

    return {"pick_dataset": pick_dataset, "show_series": show_series}
