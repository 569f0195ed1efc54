"""Dataset picking: metadata into the page, the series plot, the attribution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, sessions
from dashboard.control_state import data_deps
from dashboard.figures import data as figures
from dashboard.figures.data import target_figure
from dashboard.ingest.uploads import upload_of
from dashboard.ml.config import split_rows
from dashboard.payloads import DatasetMeta, dataset_meta
from dashboard.store import NotFound, Store


class PickedDataset(NamedTuple):
    """pick_dataset's outputs, in Output order."""

    meta: Any = no_update
    targets: Any = no_update
    target: Any = no_update
    attribution: Any = no_update
    badge: Any = no_update


def picked(meta: DatasetMeta) -> PickedDataset:
    """The dataset's metadata into the page, its numeric columns offered as targets."""
    return PickedDataset(
        meta=meta,
        targets=meta["columns"],
        target=meta["target"],
        attribution=f"Source: {meta['attribution']}",
        badge=f"dataset: {meta['name']}",
    )


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
    def pick_dataset(dataset_id: str, session: str) -> PickedDataset:
        """Load the picked dataset's metadata and offer its numeric columns as targets."""
        try:
            owner = sessions.verify(store, session)
            return picked(dataset_meta(store.load_dataset(dataset_id, owner)))
        except NotFound:
            return PickedDataset(
                None, [], None, "This dataset is no longer available.", "no dataset"
            )

    @app.callback(
        Output(ids.SERIES_GRAPH, "figure"),
        Output(ids.DATA_SUMMARY, "children"),
        Output(ids.SPLIT_LABEL, "children"),
        *data_deps(Input),
        State(ids.SESSION, "data"),
    )
    def show_series(
        meta: DatasetMeta | None, target: str | None, split: list[int], session: str
    ) -> tuple[Any, ...]:
        """Plot the target with the split shaded; summarise the dataset in a sentence."""
        label = f"{split[0]} / {split[1] - split[0]} / {100 - split[1]}"
        if not meta or target not in meta["columns"]:
            return figures.series_figure(None, [], "no data"), "", label
        try:
            frame = store.load_dataset(meta["id"], sessions.verify(store, session)).frame
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
