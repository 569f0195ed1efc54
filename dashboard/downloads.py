"""The per-run download routes: GET /runs/<run id>/<file> for the owner (the run id is
theirs alone) and GET /shared/<share id>/<file> for a share link's holder (what the owner
chose to share: dashboard.sharing). Files: the model, predictions, record and train.zip.
Anything malformed or unknown answers 404 with a short plain sentence, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, send_file

from dashboard import sharing
from dashboard.ml import export
from dashboard.payloads import RunRecord
from dashboard.store import NotFound, Store, valid_run_id
from dashboard.urls import DOWNLOADS

log = logging.getLogger(__name__)


def register_routes(server: Flask, store: Store) -> None:
    """Add GET /runs/<id>/<file> for model.keras, predictions.csv, run.json, train.zip, and
    the same for share links under /shared/; anything else there is a plain 404."""

    @server.get("/runs/<run_id>/<name>")
    def download(run_id: str, name: str) -> Response:
        if name not in DOWNLOADS or not valid_run_id(run_id):
            return plain("No such file.", 404)
        try:
            record = store.get_run(run_id)
            return _file(store, record, name)
        except NotFound as missing:
            return plain(missing.args[0] if missing.args[0] != run_id else "No such run.", 404)
        except Exception:  # the log gets the traceback, the visitor a sentence
            log.exception("download %s of run %s failed", name, run_id)
            return plain("Sorry, this file could not be prepared.", 500)

    @server.get("/runs/<path:rest>")
    def elsewhere(rest: str) -> Response:
        return plain("No such file.", 404)

    _register_shared(server, store)


def _register_shared(server: Flask, store: Store) -> None:
    """GET /shared/<share id>/<file>: what the owner shared of a run (dashboard.sharing)."""

    @server.get("/shared/<share_id>/<name>")
    def shared_download(share_id: str, name: str) -> Response:
        if name not in DOWNLOADS or not valid_run_id(share_id):
            return plain("No such file.", 404)
        try:
            record, data = store.shared_run(share_id)
            if name not in sharing.shared_files(store.available_files(record["id"]), data):
                if name in sharing.WITH_DATA and not data:
                    return plain(sharing.NO_DATA_NOTE, 404)
                raise NotFound(name)
            return _shared_file(store, record, share_id, data, name)
        except NotFound:
            return plain("No such file.", 404)
        except Exception:  # the log gets the traceback, the visitor a sentence
            log.exception("shared download %s of %s failed", name, share_id)
            return plain("Sorry, this file could not be prepared.", 500)

    @server.get("/shared/<path:rest>")
    def elsewhere_shared(rest: str) -> Response:
        return plain("No such file.", 404)


def plain(text: str, status: int) -> Response:
    """A short plain-text answer."""
    return Response(text + "\n", status=status, mimetype="text/plain")


def _file(store: Store, record: RunRecord, name: str) -> Response:
    run_id = record["id"]
    filename = f"lstm-lab-run-{record.get('number', '')}-{run_id}-{name}".replace("--", "-")
    if name == "model.keras":
        return _model(store, run_id, filename)
    return _attachment(BUILDERS[name](store, record), name, filename)


def _shared_file(store: Store, record: RunRecord, share_id: str, data: bool, name: str) -> Response:
    """A file of a shared run, as the link holder may have it (dashboard.sharing)."""
    public = sharing.public_record(record, share_id, data)
    filename = f"lstm-lab-shared-run-{share_id}-{name}"
    saved = store.get_predictions(record["id"]) if data else None
    if name == "model.keras":
        return _model(store, record["id"], filename)
    if name == "predictions.csv":
        body: str | bytes = _predictions(store, record)
    elif name == "run.json":
        body = export.run_json(public, saved)
    else:
        body = export.bundle(public, _dataset(store, record) if data else None)
    return _attachment(body, name, filename)


def _model(store: Store, run_id: str, filename: str) -> Response:
    path = store.artifact_path(run_id, "model.keras")
    if not path.is_file():
        raise NotFound("This run has no saved model (it did not finish training).")
    response = send_file(path, DOWNLOADS["model.keras"], as_attachment=True, download_name=filename)
    return _private(response)


def _attachment(body: str | bytes, name: str, filename: str) -> Response:
    response = Response(body, mimetype=DOWNLOADS[name])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _predictions(store: Store, record: RunRecord) -> str:
    saved = store.get_predictions(record["id"])
    if saved is None:
        raise NotFound("This run has no predictions yet.")
    return export.predictions_csv(record, saved[1])


def _dataset(store: Store, record: RunRecord) -> Any:
    try:
        return store.load_dataset(record["config"]["dataset"], record["session"])
    except NotFound:  # an upload that is gone: the script alone, naming the file
        return None


def _bundle(store: Store, record: RunRecord) -> bytes:
    return export.bundle(record, _dataset(store, record))


BUILDERS: dict[str, Callable[[Store, RunRecord], str | bytes]] = {
    "predictions.csv": _predictions,
    "run.json": lambda store, record: export.run_json(record, store.get_predictions(record["id"])),
    "train.zip": _bundle,
}
