"""Uploads: the route's answer into the page, the reading choices, the cleaned dataset, and
the Data tab's summary and preview. Thin wiring around dashboard.uploads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, ctx, no_update

from dashboard import ids, sessions
from dashboard.ingest import uploads
from dashboard.ingest.kept import GONE, picked_upload
from dashboard.ingest.labelled import CLASSIFY
from dashboard.ingest.reader import DataError
from dashboard.ingest.shapes import AS_READ, SEQUENCES
from dashboard.ingest.uploads import ROW_ORDER, ROW_ORDER_REVERSED, UPLOAD_PREFIX, Recipe
from dashboard.layout import data_panel, data_report
from dashboard.payloads import DatasetMeta, ShapeMeta, UploadMeta, dataset_meta
from dashboard.settings import Settings
from dashboard.store import NotFound, Store

SHAPE_HINTS = {
    "long": "It holds several series: choose one, or each as a column, under Shape.",
    "wide": "It has one row per item: it can be transposed under Shape.",
    "sequences": "It may hold labelled sequences: choose 'classify' under Shape to train a "
    "classifier.",
}


def recipe_from_controls(
    target: str,
    features: list[str] | None,
    time_choice: str | None,
    missing: str | None,
    markers: list[float] | None,
    duplicates: str | None,
    detected: str | None = None,
) -> Recipe:
    """The Recipe that the Data controls describe (`detected`: the reader's time column)."""
    row_order = time_choice in (ROW_ORDER, ROW_ORDER_REVERSED)
    return Recipe(
        target=target,
        features=tuple(f for f in features or [] if f != target),
        use_time=not row_order,
        time_column=None if row_order or time_choice in (None, detected) else time_choice,
        missing=missing or "interpolate",
        markers=tuple(sorted(float(m) for m in markers or [])),
        duplicates=duplicates or "keep",
        reverse=time_choice == ROW_ORDER_REVERSED,
    )


def feature_choice(
    columns: list[str], target: str | None, chosen: list[str] | None, fresh: bool, upload: bool
) -> tuple[list[str], list[str]]:
    """(options, ticked) of the input-feature picker: the numeric columns but the target;
    a fresh upload ticks some (uploads.preselected), a fresh built-in none; a new target
    only leaves the list of ticked ones."""
    others = [c for c in columns if c != target]
    if not fresh:
        return others, [c for c in chosen or [] if c in others]
    return others, uploads.preselected(columns, target or "") if upload else []


class ReadingChoices(NamedTuple):
    """offer_choices' outputs, in Output order: the upload's reading choices."""

    card_style: Any = no_update
    time_options: Any = no_update
    time_column: Any = no_update
    marker_options: Any = no_update
    markers: Any = no_update
    marker_style: Any = no_update
    duplicate_style: Any = no_update
    duplicates: Any = no_update
    cleaning_style: Any = no_update


def choices_for(meta: UploadMeta | None) -> ReadingChoices:
    """Reading-choice outputs for an upload's metadata (None: a built-in, choices hidden)."""
    if meta is None:
        return uploads_hidden()
    markers = data_panel.marker_options(meta["markers"])
    shown: dict[str, str] = {}
    whole_rows = uploads.is_classify(meta)  # sequences: no time axis or cleaning to choose
    return ReadingChoices(
        card_style=shown,
        time_options=data_panel.time_options(meta["time_column"], meta.get("time_candidates", [])),
        time_column=meta["time_column"] or ROW_ORDER,
        marker_options=markers,
        markers=[],
        marker_style=shown if markers else data_panel.HIDDEN,
        duplicate_style=shown if meta["duplicates"] else data_panel.HIDDEN,
        duplicates="keep",
        cleaning_style=data_panel.HIDDEN if whole_rows else shown,
    )


def uploads_hidden() -> ReadingChoices:
    """Reading-choice outputs for a built-in dataset: the card hidden."""
    hidden = data_panel.HIDDEN
    return ReadingChoices(hidden, [], None, [], [], hidden, hidden, "keep", hidden)


class ReceivedUpload(NamedTuple):
    """receive_upload's outputs, in Output order."""

    message: Any = no_update
    color: Any = no_update
    message_open: Any = no_update
    dataset_options: Any = no_update
    dataset: Any = no_update
    tab: Any = no_update


def shape_hint(shape: ShapeMeta) -> str:
    """What the upload message says of a long, wide or labelled file's choices."""
    hints = [SHAPE_HINTS[shape["kind"]]]
    if shape["kind"] != SEQUENCES and any(c.startswith(CLASSIFY) for c in shape["choices"]):
        hints.append(SHAPE_HINTS[SEQUENCES])
    return " " + " ".join(hints)


def received(result: dict[str, Any], options: list[Any] | None) -> ReceivedUpload:
    """The upload route's answer ({"upload": meta} or {"error": sentence}) in the page: the
    upload offered and picked, or what went wrong (the dataset in use stays as it was)."""
    meta: UploadMeta | None = result.get("upload")
    if not meta:
        message = result.get("error") or "The upload failed; try again."
        return ReceivedUpload(message=message, color="danger", message_open=True)
    time = f", time column '{meta['time_column']}'" if meta["time_column"] else ", no time column"
    shape = meta.get("shape")
    hint = shape_hint(shape) if shape and shape["choice"] == AS_READ else ""
    return ReceivedUpload(
        message=f"Read {meta['name']}: {meta['rows']:,} rows, "
        f"{len(meta['columns'])} numeric columns{time}.{hint}",
        color="success",
        message_open=True,
        dataset_options=data_panel.with_upload_entry(meta, options),
        dataset=meta["upload"],
        tab="data",
    )


def prepared(
    store: Store,
    settings: Settings,
    session: str,
    picked: str,
    target: str,
    features: list[str] | None,
    reading: list[Any],
) -> tuple[Any, str, bool]:
    """(dataset metadata, problem, problem shown) for the picked dataset and choices."""
    try:
        session = sessions.verify(store, session)
        upload = store.upload_meta(session, picked) if picked.startswith(UPLOAD_PREFIX) else None
        if upload is None or uploads.is_classify(upload):  # built-in, or sequences: as they are
            dataset = store.load_dataset(picked, session)
            inputs = [f for f in features or [] if f != target]
            return dataset_meta(dataset, features=inputs), "", False
        if target not in upload["columns"]:
            return no_update, "", False  # the target of the dataset picked before
        time_choice, missing, markers, duplicates = reading
        recipe = recipe_from_controls(
            target, features, time_choice, missing, markers, duplicates, upload["time_column"]
        )
        dataset = uploads.build_dataset(store, settings, session, picked, recipe)
    except sessions.InvalidSession as refused:
        return no_update, refused.message, True
    except NotFound:
        return no_update, GONE, True
    except DataError as problem:
        return no_update, str(problem), True
    return uploads.dataset_meta(dataset, picked, recipe), "", False


def upload_views(store: Store, meta: DatasetMeta, session: str) -> tuple[Any, Any]:
    """(the upload's report or None, a preview of the first rows) of the dataset in use."""
    upload = meta.get("upload") or uploads.upload_of(meta["id"])
    try:
        session = sessions.verify(store, session)
        if not upload:
            frame = store.load_dataset(meta["id"], session).frame
            return None, data_report.preview_table(frame, len(frame))
        table = store.load_upload(session, upload)
    except NotFound:
        return GONE, None
    recipe = Recipe.from_dict(meta.get("recipe") or {"target": meta["target"]})
    missing = uploads.missing_in(table, recipe, table.numeric_columns)
    report = data_report.report_view(meta, table.report.to_dict(), missing, meta["rows"])
    return report, data_report.preview_table(table.frame, table.report.rows)


def register(app: Dash, settings: Settings, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the upload box, the reading choices and the Data tab's views."""

    @app.callback(
        Output(ids.UPLOAD_LIMIT, "data"),
        Output(ids.UPLOAD_HINT, "children"),
        Input(ids.SESSION, "data"),
    )
    def show_limit(_session: str) -> tuple[dict[str, int], str]:
        """Tell the page (and assets/upload.js) the size limit."""
        limit = {"max_bytes": uploads.limit_bytes(settings), "max_mb": settings.max_upload_mb}
        return limit, f"CSV, TSV, TXT or XLSX, up to {settings.max_upload_mb} MB"

    @app.callback(
        Output(ids.UPLOAD_MESSAGE, "children"),
        Output(ids.UPLOAD_MESSAGE, "color"),
        Output(ids.UPLOAD_MESSAGE, "is_open"),
        Output(ids.DATASET_PICKER, "options"),
        Output(ids.DATASET_PICKER, "value"),
        Output(ids.TABS, "active_tab", allow_duplicate=True),
        Input(ids.UPLOAD_RESULT, "data"),
        State(ids.DATASET_PICKER, "options"),
        prevent_initial_call=True,
    )
    def receive_upload(result: dict[str, Any] | None, options: list[Any]) -> ReceivedUpload:
        """Offer a parsed upload in the dataset picker and pick it; or say what went wrong
        (the dataset in use stays as it was)."""
        return received(result, options) if result else ReceivedUpload()

    @app.callback(
        Output(ids.UPLOAD_OPTIONS, "style"),
        Output(ids.TIME_PICKER, "options"),
        Output(ids.TIME_PICKER, "value"),
        Output(ids.MARKER_PICKER, "options"),
        Output(ids.MARKER_PICKER, "value"),
        Output(ids.MARKER_BOX, "style"),
        Output(ids.DUPLICATE_BOX, "style"),
        Output(ids.DUPLICATE_PICKER, "value"),
        Output(ids.CLEANING_BOX, "style"),
        Input(ids.DATASET_PICKER, "value"),
        State(ids.SESSION, "data"),
    )
    def offer_choices(picked: str | None, session: str) -> ReadingChoices:
        """Show the reading choices of an upload (time axis, markers, repeats), reset."""
        return choices_for(picked_upload(store, session, picked))

    @app.callback(
        Output(ids.FEATURE_PICKER, "options"),
        Output(ids.FEATURE_PICKER, "value"),
        Input(ids.TARGET_PICKER, "options"),
        Input(ids.TARGET_PICKER, "value"),
        State(ids.FEATURE_PICKER, "value"),
        State(ids.DATASET_PICKER, "value"),
        State(ids.DATASET, "data"),
    )
    def offer_features(
        columns: list[Any] | None,
        target: str | None,
        chosen: list[str] | None,
        picked: str | None,
        meta: DatasetMeta | None = None,
    ) -> tuple[list[str], list[str]]:
        """Offer the other numeric columns as inputs; tick some for a fresh upload (none for
        labelled sequences: a classifier reads every step, as for the built-in ECG5000)."""
        names = [c["value"] if isinstance(c, dict) else c for c in columns or []]
        fresh = any(p.endswith(".options") for p in ctx.triggered_prop_ids)
        series = not meta or meta.get("task") != "classify"
        is_upload = bool(picked and picked.startswith(UPLOAD_PREFIX)) and series
        return feature_choice(names, target, chosen, fresh, is_upload)

    @app.callback(
        Output(ids.DATASET, "data", allow_duplicate=True),
        Output(ids.DATA_PROBLEM, "children"),
        Output(ids.DATA_PROBLEM, "is_open"),
        Input(ids.DATASET_PICKER, "value"),
        Input(ids.TARGET_PICKER, "value"),
        Input(ids.FEATURE_PICKER, "value"),
        Input(ids.TIME_PICKER, "value"),
        Input(ids.MISSING_PICKER, "value"),
        Input(ids.MARKER_PICKER, "value"),
        Input(ids.DUPLICATE_PICKER, "value"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def prepare_dataset(
        picked: str | None, target: str | None, features: list[str] | None, *choices: Any
    ) -> tuple[Any, str, bool]:
        """Make the dataset that training uses from the chosen columns and cleaning."""
        *reading, session = choices
        if not picked or not target:
            return no_update, "", False
        return prepared(store, settings, session, picked, target, features, reading)

    @app.callback(
        Output(ids.DATA_REPORT, "children"),
        Output(ids.PREVIEW, "children"),
        Input(ids.DATASET, "data"),
        State(ids.SESSION, "data"),
    )
    def show_upload(meta: DatasetMeta | None, session: str) -> tuple[Any, Any]:
        """The summary of an upload and the first rows of the data in use."""
        return upload_views(store, meta, session) if meta else (None, None)

    return {
        "show_limit": show_limit,
        "receive_upload": receive_upload,
        "offer_choices": offer_choices,
        "offer_features": offer_features,
        "prepare_dataset": prepare_dataset,
        "show_upload": show_upload,
    }
