"""Uploads: the POST /upload route, and turning a parsed upload into a trainable Dataset.

Dash-free. The page posts the chosen file as multipart form data (assets/upload.js), so a
50 MB file never becomes a base64 string inside a callback body: Werkzeug spools the part to
a temporary file on disk, the route checks the size limit before reading anything, and
`dashboard.ingest.reader` parses the bytes (never executed, evaluated or unpickled). The parsed
table lives in the store under (session, content hash); the page keeps only ids and column
names. The user's choices (target, inputs, time axis, missing values, markers) make a
`Recipe`, and each recipe is cleaned into its own dataset that a job process can load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from pathlib import PurePosixPath
from typing import Any

import numpy as np
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard import sessions
from dashboard.ingest import kept, labelled, reduce, shapes, sniff
from dashboard.ingest.kept import UPLOAD_PREFIX
from dashboard.ingest.reader import (
    MIN_ROWS,
    ROW_ORDER_NOTE,
    DataError,
    ParsedTable,
    ReadOptions,
    clean,
    read_table,
    reframe,
)
from dashboard.ml.data import Dataset
from dashboard.payloads import DatasetMeta, ShapeMeta, UploadMeta
from dashboard.payloads import dataset_meta as meta_of
from dashboard.settings import Settings
from dashboard.store import NotFound, Store

log = logging.getLogger(__name__)

UPLOAD_URL = "/upload"
ROW_ORDER = " row order"  # the time choice "none": column names never start with a blank
ROW_ORDER_REVERSED = " row order reversed"  # "none", the file's rows newest first
MAX_PRESELECTED = 8  # input features ticked for a fresh upload; the rest stay offered
MULTIPART_SLACK = 64 * 1024  # form fields and part headers around the file itself
MAX_NAME = 120
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class UploadRefused(Exception):
    """The request cannot be taken; the message is for the page, `status` for HTTP."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Recipe:
    """How a parsed upload becomes a series: the choices the user made in the page."""

    target: str
    features: tuple[str, ...] = ()
    use_time: bool = True  # False: ignore the time column, rows in file order
    missing: str = "interpolate"  # "interpolate" | "ffill" | "drop"
    markers: tuple[float, ...] = ()  # values that mean "missing", e.g. (-200.0,)
    duplicates: str = "keep"  # "keep" | "mean" (repeated timestamps)
    time_column: str | None = None  # another date column than the detected one
    reverse: bool = False  # without a time axis: the file's rows run newest first

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        """The recipe kept in the page's dataset metadata (lists back to tuples)."""
        values = dict(data)
        values["features"] = tuple(values.get("features", ()))
        values["markers"] = tuple(float(m) for m in values.get("markers", ()))
        return cls(**values)

    @property
    def columns(self) -> list[str]:
        """The target first, then the input features."""
        return [self.target, *[f for f in self.features if f != self.target]]

    @property
    def is_default(self) -> bool:
        """True when cleaning the chosen columns equals picking them from the default dataset
        (every step of the default cleaning works column by column)."""
        chosen = (self.use_time, self.time_column, self.missing, self.markers, self.duplicates)
        return chosen == (True, None, "interpolate", (), "keep") and not self.reverse

    def options(self, settings: Settings) -> ReadOptions:
        """The reader's options for this recipe."""
        return ReadOptions(
            missing_sentinels=self.markers,
            missing=self.missing,
            duplicates=self.duplicates,
            max_rows=settings.max_rows,
            reverse_rows=self.reverse,
        )

    def digest(self) -> str:
        """A short stable hash of the recipe (part of the cleaned dataset's id)."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# -- limits and names ------------------------------------------------------------------------


def limit_bytes(settings: Settings) -> int:
    """The largest file accepted, in bytes."""
    return settings.max_upload_mb * 2**20


def too_large_message(settings: Settings) -> str:
    """What the page says when a file is over the limit."""
    return (
        f"The file is larger than the {settings.max_upload_mb} MB upload limit; "
        "upload a smaller file, for example with fewer rows or columns."
    )


def display_name(filename: str) -> str:
    """The file's own name without any folder part, shortened; shown as plain text only."""
    return _shorten(PurePosixPath(filename.replace("\\", "/")).name.strip() or "upload")


def _shorten(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def check_session(session: str) -> str:
    """The session id if it is well formed (the route took it from a token that
    dashboard.sessions verified); raises UploadRefused."""
    if not isinstance(session, str) or not _SESSION.match(session):
        raise UploadRefused("This page has no session; reload the page and upload again.", 403)
    return session


# -- ingesting -------------------------------------------------------------------------------


def ingest(
    store: Store, settings: Settings, session: str, data: bytes, filename: str
) -> UploadMeta:
    """Parse an uploaded file, keep it for `session` (listed for the page's reloads:
    `dashboard.ingest.kept`), and return its metadata for the page.

    Raises DataError (the file) or UploadRefused (the request) with a sentence for the page.
    """
    return kept.remember(store, session, _ingest(store, settings, session, data, filename))


def _ingest(
    store: Store, settings: Settings, session: str, data: bytes, filename: str
) -> UploadMeta:
    check_session(session)
    if len(data) > limit_bytes(settings):
        raise UploadRefused(too_large_message(settings), 413)
    name = display_name(filename)
    upload_id = UPLOAD_PREFIX + hashlib.sha256(data).hexdigest()[:24]
    try:
        known = store.upload_meta(session, upload_id)
        if known["name"] == name:  # the same file again: already parsed
            return _usable(store, settings, session, known)
    except NotFound:
        pass
    table = read_table(data, name, ReadOptions(max_rows=settings.max_rows))
    meta = upload_meta(upload_id, name, table)
    shape = shape_meta(upload_id, table)
    if shape is not None:
        meta["shape"] = shape
    if table.report.rows < MIN_ROWS:  # a wide file with few rows: a series once transposed
        store.save_upload(session, upload_id, table, meta)
        return _usable(store, settings, session, meta)
    return _keep(store, settings, session, table, meta)


def _usable(store: Store, settings: Settings, session: str, meta: UploadMeta) -> UploadMeta:
    """The upload itself, or for a wide file with too few rows to be a series, its
    transposed form (the only one with a dataset)."""
    if meta["rows"] >= MIN_ROWS or "shape" not in meta:
        return meta
    return reshape(store, settings, session, meta["upload"], shapes.TRANSPOSE)


def _keep(
    store: Store, settings: Settings, session: str, table: ParsedTable, meta: UploadMeta
) -> UploadMeta:
    """Keep a parsed table and its default dataset (every numeric column, the first the
    target) for `session`; return its metadata."""
    upload_id, name = meta["upload"], meta["name"]
    default = Recipe(target=table.numeric_columns[0], features=tuple(table.numeric_columns[1:]))
    frame = clean(table, default.columns, default.options(settings))
    task = "classify" if is_classify(meta) else "forecast"
    store.save_dataset(
        session, Dataset(upload_id, name, frame, default.target, _source(name), task)
    )
    store.save_upload(session, upload_id, table, meta)
    log.info("upload %s: %s, %d rows", upload_id, name, table.report.rows)
    return meta


AS_READ_LABELS = {
    shapes.LONG: "all series in one table",
    shapes.WIDE: "one row per item",
    shapes.SEQUENCES: "a table of series to forecast",
}


def is_classify(meta: UploadMeta) -> bool:
    """True for an upload made by a `classify` shape choice (labelled sequences)."""
    shape = meta.get("shape")
    return shape is not None and shape["choice"].startswith(labelled.CLASSIFY)


def shape_meta(upload_id: str, table: ParsedTable) -> ShapeMeta | None:
    """The reshaping choices of a long or wide file (None for a plain one); 'as read' is
    offered when the file as read is a usable series."""
    shape = table.report.shape
    if shape.kind == shapes.PLAIN:
        return None
    as_read = AS_READ_LABELS[shape.kind]
    usable = table.report.rows >= MIN_ROWS
    offered = {shapes.AS_READ: f"as read: {as_read}"} if usable else {}
    return {
        "kind": shape.kind,
        "sentence": shape.sentence,
        "choices": offered | shape.choices(),
        "choice": shapes.AS_READ,
        "source": upload_id,
    }


def reshape(
    store: Store, settings: Settings, session: str, upload_id: str, choice: str
) -> UploadMeta:
    """The upload that a shape choice makes of `upload_id`'s file (one series, each id as a
    column, transposed; shapes.AS_READ: the file as read), kept for `session` like an upload
    with its default dataset, and listed as its file's entry (`dashboard.ingest.kept`).
    Raises NotFound or DataError (with a sentence for the page)."""
    return kept.remember(store, session, _reshape(store, settings, session, upload_id, choice))


def _reshape(
    store: Store, settings: Settings, session: str, upload_id: str, choice: str
) -> UploadMeta:
    shape = store.upload_meta(session, upload_id).get("shape")
    if shape is None or choice not in shape["choices"]:
        raise DataError("This upload cannot be reshaped that way; choose one of the offered.")
    source = shape["source"]
    if choice == shapes.AS_READ:
        return store.upload_meta(session, source)
    derived = f"{source}-{hashlib.sha256(choice.encode()).hexdigest()[:10]}"
    try:
        return store.upload_meta(session, derived)
    except NotFound:
        pass
    table: ParsedTable = store.load_upload(session, source)
    found = table.report.shape
    frame, notes = shapes.reshaped(table.frame, table.time_column, found, choice)
    made = reframe(table, frame, notes, ReadOptions(max_rows=settings.max_rows))
    if choice.startswith(labelled.CLASSIFY):  # sequences, one per row: no time axis to ask for
        found_again = (ROW_ORDER_NOTE, made.report.shape.sentence)  # said of the file as read
        kept_notes = [n for n in made.report.notes if n not in found_again]
        made = replace(made, report=replace(made.report, notes=kept_notes))
    name = _shorten(f"{store.upload_meta(session, source)['name']}, {_suffix(found, choice)}")
    meta = upload_meta(derived, name, made)
    meta["shape"] = {**shape, "choice": choice}
    return _keep(store, settings, session, made, meta)


def _suffix(shape: shapes.Shape, choice: str) -> str:
    if choice.startswith(labelled.CLASSIFY) and shape.labelled:
        return labelled.describe(shape.labelled, choice)
    if choice == shapes.PIVOT:
        return f"by {shape.column}"
    if choice.startswith(shapes.PICK):
        return choice.removeprefix(shapes.PICK)
    return "transposed"


def make_smaller(
    store: Store, settings: Settings, session: str, upload_id: str, choice: str
) -> UploadMeta:
    """The upload that a reduction (`dashboard.ingest.reduce`: resampled, or the most recent
    rows) makes of `upload_id`, kept for `session` like an upload, its file's entry in the
    list; reductions do not stack (a reduced upload is reduced from the one it came from;
    reduce.NONE gives that one back). Raises NotFound or DataError."""
    meta = store.upload_meta(session, upload_id)
    parent = meta["reduced"]["parent"] if meta.get("reduced") else upload_id
    if choice == reduce.NONE:
        return kept.remember(store, session, store.upload_meta(session, parent))
    derived = f"{parent}-{hashlib.sha256(choice.encode()).hexdigest()[:10]}"
    try:
        return kept.remember(store, session, store.upload_meta(session, derived))
    except NotFound:
        pass
    table: ParsedTable = store.load_upload(session, parent)
    frame, note = reduce.reduce_frame(table.frame, table.time_column, choice)
    made = reframe(table, frame, [note], ReadOptions(max_rows=settings.max_rows))
    base = store.upload_meta(session, parent)
    made_meta = upload_meta(derived, _shorten(f"{base['name']}, {reduce.describe(choice)}"), made)
    if "shape" in base:
        made_meta["shape"] = base["shape"]
    made_meta["reduced"] = {"choice": choice, "parent": parent, "source": kept.source_of(base)}
    return kept.remember(store, session, _keep(store, settings, session, made, made_meta))


def upload_meta(upload_id: str, name: str, table: ParsedTable) -> UploadMeta:
    """The small JSON the page keeps about an upload (column names, counts; never data)."""
    report = table.report
    markers = sorted({v for values in report.sentinel_candidates.values() for v in values})
    return {
        "upload": upload_id,
        "name": name,
        "rows": report.rows,
        "columns": list(table.numeric_columns),
        "time_column": table.time_column,
        "time_candidates": time_candidates(table),
        "markers": markers,
        "duplicates": report.duplicate_timestamps,
    }


MAX_TIME_CANDIDATES = 20


def time_candidates(table: ParsedTable) -> list[str]:
    """Text columns besides the detected time column that read as dates (a time axis the
    user may choose instead)."""
    found = []
    for column in table.frame.columns:
        if column == table.time_column or column in table.numeric_columns:
            continue
        sample = [str(v) for v in table.frame[column].dropna().head(50)]
        if sniff.datetime_formats(sample):
            found.append(str(column))
        if len(found) == MAX_TIME_CANDIDATES:
            break
    return found


def retime(table: ParsedTable, column: str) -> ParsedTable:
    """`table` with `column`, parsed as dates, as its time axis (rows sorted by it)."""
    values = table.frame[column].astype("string")
    formats = sniff.datetime_formats([str(v) for v in values.dropna().head(200)])
    if not formats:
        raise DataError(f"Column '{column}' does not hold dates: choose another time axis.")
    parsed, _, _ = sniff.parse_dates(values, formats)
    if parsed.isna().mean() > 0.1:
        raise DataError(
            f"Most values of '{column}' are not dates in one format: choose another time axis."
        )
    frame = table.frame.assign(**{column: parsed}).dropna(subset=[column])
    frame = frame.sort_values(column, kind="stable").reset_index(drop=True)
    return replace(table, frame=frame, time_column=column)


def upload_of(dataset_id: str) -> str | None:
    """The upload id that a dataset id comes from ('upload:<hash>[:<recipe>]'), or None."""
    if not dataset_id.startswith(UPLOAD_PREFIX):
        return None
    return ":".join(dataset_id.split(":")[:2])


def preselected(columns: list[str], target: str) -> list[str]:
    """The input features ticked for a fresh upload: the other numeric columns, at most
    MAX_PRESELECTED of them."""
    return [c for c in columns if c != target][:MAX_PRESELECTED]


def build_dataset(
    store: Store, settings: Settings, session: str, upload_id: str, recipe: Recipe
) -> Dataset:
    """The dataset that `recipe` makes of an upload, saved for this session.

    Raises NotFound (not this session's upload) or DataError (nothing usable remains).
    """
    meta = store.upload_meta(session, upload_id)
    if recipe.is_default:  # the default dataset already holds every column, cleaned alike
        return store.load_dataset(upload_id, session)
    table: ParsedTable = store.load_upload(session, upload_id)
    if not recipe.use_time:
        table = replace(table, time_column=None)
    elif recipe.time_column and recipe.time_column != table.time_column:
        table = retime(table, recipe.time_column)
    frame = clean(table, recipe.columns, recipe.options(settings))
    dataset = Dataset(
        f"{upload_id}:{recipe.digest()}",
        meta["name"],
        frame,
        recipe.target,
        _source(meta["name"]),
        "classify" if is_classify(meta) else "forecast",
    )
    store.save_dataset(session, dataset)
    return dataset


def dataset_meta(dataset: Dataset, upload_id: str, recipe: Recipe) -> DatasetMeta:
    """What the page keeps about a cleaned upload: id, counts, the chosen columns."""
    return meta_of(
        dataset,
        recipe.columns,
        recipe.target,
        features=recipe.columns[1:],
        upload=upload_id,
        recipe=asdict(recipe),
    )


def missing_in(
    table: ParsedTable, recipe: Recipe, columns: list[str] | None = None
) -> dict[str, int]:
    """Missing cells per column (the chosen ones unless `columns` says), counting the
    recipe's markers as missing."""
    counts = {}
    for name in recipe.columns if columns is None else columns:
        values = table.frame[name].to_numpy(dtype=np.float64)
        missing = np.isnan(values) | np.isin(values, np.asarray(recipe.markers, dtype=float))
        counts[name] = int(missing.sum())
    return counts


def _source(name: str) -> str:
    return f"your upload, {name}"


# -- the route -------------------------------------------------------------------------------


def register_upload_route(server: Flask, settings: Settings, store: Store) -> None:
    """Add POST /upload (multipart: `file`, `session`: the page's signed token) answering
    {"upload": meta} or {"error": sentence}. A file that cannot be used is still a good
    request (200); a request without a session the server issued (dashboard.sessions) or
    without a file is not (403, 400); oversize bodies get 413 before being read."""
    limit = limit_bytes(settings)

    @server.post(UPLOAD_URL)
    def upload() -> tuple[Response, int]:
        if (request.content_length or 0) > limit + MULTIPART_SLACK:
            return jsonify(error=too_large_message(settings)), 413
        try:
            session = sessions.verify(store, request.form.get("session", ""))
            file = request.files.get("file")
            if file is None:
                raise UploadRefused("No file arrived; choose a file and try again.")
            meta = ingest(
                store, settings, session, file.stream.read(limit + 1), file.filename or ""
            )
        except RequestEntityTooLarge:
            return jsonify(error=too_large_message(settings)), 413
        except UploadRefused as refused:
            return jsonify(error=str(refused)), refused.status
        except sessions.InvalidSession as refused:  # a session this server never issued
            log.warning("upload refused: a session token the server did not issue")
            return jsonify(error=refused.message), 403
        except DataError as problem:  # the request worked; the file cannot be used
            return jsonify(error=str(problem)), 200
        except Exception:  # the page gets a sentence; the log gets the traceback
            log.exception("upload failed")
            message = "The file could not be read because of a problem on the server; try again."
            return jsonify(error=message), 500
        return jsonify(upload=meta), 200
