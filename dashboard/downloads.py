"""The per-run download routes: GET /runs/<id>/<file> for a run's model, predictions,
record and train.zip. Anything malformed or unknown answers 404 with a short plain
sentence, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, send_file

from dashboard.ml import export
from dashboard.payloads import RunRecord
from dashboard.store import NotFound, Store, valid_run_id
from dashboard.urls import DOWNLOADS

log = logging.getLogger(__name__)


def register_routes(server: Flask, store: Store) -> None:
    """Add GET /runs/<id>/<file> for model.keras, predictions.csv, run.json, train.zip;
    anything else under /runs/ is a plain 404."""

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


def plain(text: str, status: int) -> Response:
    """A short plain-text answer."""
    return Response(text + "\n", status=status, mimetype="text/plain")


def _file(store: Store, record: RunRecord, name: str) -> Response:
    run_id = record["id"]
    filename = f"lstm-lab-run-{record.get('number', '')}-{run_id}-{name}".replace("--", "-")
    if name == "model.keras":
        path = store.artifact_path(run_id, name)
        if not path.is_file():
            raise NotFound("This run has no saved model (it did not finish training).")
        response = send_file(path, DOWNLOADS[name], as_attachment=True, download_name=filename)
    else:
        body = BUILDERS[name](store, record)
        response = Response(body, mimetype=DOWNLOADS[name])
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _predictions(store: Store, record: RunRecord) -> str:
    saved = store.get_predictions(record["id"])
    if saved is None:
        raise NotFound("This run has no predictions yet.")
    return export.predictions_csv(record, saved[1])


def _bundle(store: Store, record: RunRecord) -> bytes:
    try:
        dataset = store.load_dataset(record["config"]["dataset"], record["session"])
    except NotFound:  # an upload that is gone: the script alone, naming the file
        dataset = None
    return export.bundle(record, dataset)


BUILDERS: dict[str, Callable[[Store, RunRecord], str | bytes]] = {
    "predictions.csv": _predictions,
    "run.json": lambda store, record: export.run_json(record, store.get_predictions(record["id"])),
    "train.zip": _bundle,
}
