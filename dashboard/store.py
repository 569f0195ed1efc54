"""Server-side store on disk (diskcache): datasets and runs, keyed by unguessable ids.

The browser only ever holds ids and small metadata; frames, histories and predictions live
here, so a job process, another web worker or a restarted server all see the same data.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Unpack

import diskcache
import numpy as np

from dashboard.ml.data import BUILTIN_PREFIX, Dataset, load_builtin
from dashboard.payloads import RunChanges, RunControl, RunRecord, UploadMeta
from dashboard.runs import RunSize, evictions

if TYPE_CHECKING:
    from dashboard.settings import Settings

log = logging.getLogger(__name__)
RUN_ID = re.compile(r"^[A-Za-z0-9_-]{16}$")  # secrets.token_urlsafe(12)
# The model as it trains (the Inside tab during a run), and the file it is written to first.
SNAPSHOT, SNAPSHOT_PART = "live.keras", "live-next.keras"
ARTIFACTS = frozenset({"model.keras", SNAPSHOT, SNAPSHOT_PART})  # all a run folder may hold


def valid_run_id(run_id: object) -> bool:
    """True for a well-formed run id (so it is safe in a path: no '/', '..' or the like)."""
    return isinstance(run_id, str) and RUN_ID.fullmatch(run_id) is not None


class NotFound(KeyError):
    """No such dataset or run (or not visible to this session)."""


BEAT_TTL_S = 24 * 3600  # a heartbeat is forgotten a day after the job's last one


class Beat(NamedTuple):
    """A job's sign of life: when, and whether it was its last (the job ended)."""

    at: float
    ended: bool


class Store:
    """Datasets and runs on disk. Safe to share between processes."""

    def __init__(
        self,
        directory: Path,
        artifacts: Path | None = None,
        max_runs: int = 0,
        max_mb: float = 0,
        stale_after_s: float = 6 * 3600,
        secret_key: str = "",
    ) -> None:
        self.directory = Path(directory)
        self.secret_key = secret_key  # signs session ids (dashboard.sessions); "": kept here
        self.artifacts = Path(artifacts) if artifacts else self.directory.parent / "artifacts"
        self.max_runs, self.max_mb = max_runs, max_mb  # per session; 0: unbounded
        self.stale_after_s = stale_after_s  # a 'running' run older than this is dead
        self._cache: diskcache.Cache | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store of a site, bounded per session as `settings` says."""
        return cls(
            settings.store_dir,
            settings.artifacts_dir,
            settings.max_runs_per_session,
            settings.max_store_mb_per_session,
            settings.job_max_seconds + 600,
            settings.secret_key,
        )

    @property
    def cache(self) -> diskcache.Cache:
        """The underlying diskcache, opened on first use."""
        if self._cache is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._cache = diskcache.Cache(str(self.directory), size_limit=2**33)
        return self._cache

    # datasets ------------------------------------------------------------------
    def load_dataset(self, dataset_id: str, session: str) -> Dataset:
        """A built-in dataset, or one this session uploaded."""
        if dataset_id.startswith(BUILTIN_PREFIX):
            try:
                return load_builtin(dataset_id.removeprefix(BUILTIN_PREFIX))
            except KeyError:
                raise NotFound(dataset_id) from None
        dataset = self.cache.get(("dataset", session, dataset_id))
        if dataset is None:
            raise NotFound(dataset_id)
        return dataset

    def save_dataset(self, session: str, dataset: Dataset) -> str:
        """Keep a dataset for one session (other sessions cannot load it); return its id."""
        self.cache.set(("dataset", session, dataset.id), dataset)
        return dataset.id

    def save_upload(self, session: str, upload_id: str, table: Any, meta: UploadMeta) -> None:
        """Keep a parsed upload (a ParsedTable) and its small metadata for one session."""
        self.cache.set(("upload", session, upload_id), table)
        self.cache.set(("upload-meta", session, upload_id), meta)

    def load_upload(self, session: str, upload_id: str) -> Any:
        """The parsed upload (an ingest.reader.ParsedTable) of this session; raises NotFound."""
        try:
            table = self.cache.get(("upload", session, upload_id))
        except (ModuleNotFoundError, AttributeError):  # pickled by code since moved
            log.warning("upload %s was stored by older code; it must be uploaded again", upload_id)
            table = None
        if table is None:
            raise NotFound(upload_id)
        return table

    def upload_meta(self, session: str, upload_id: str) -> UploadMeta:
        """The small metadata of this session's upload; raises NotFound."""
        meta = self.cache.get(("upload-meta", session, upload_id))
        if meta is None:
            raise NotFound(upload_id)
        return meta

    # runs ----------------------------------------------------------------------
    @staticmethod
    def new_run_id() -> str:
        """A fresh unguessable run id (the owner's: a share link has its own id)."""
        return secrets.token_urlsafe(12)

    def save_run(self, record: RunRecord) -> None:
        """Create or replace a run record (it must carry 'id' and 'session').

        A new run is numbered within its session (#1, #2, ...) and may push the session's
        oldest runs out, as the store's bounds say.
        """
        run_id, session = record["id"], record["session"]
        if not valid_run_id(run_id):
            raise ValueError(f"malformed run id {run_id!r}")
        record.setdefault("created", time.time())
        with self.cache.transact():
            runs = self.cache.get(("runs", session), [])
            new = run_id not in runs
            if new:
                record.setdefault("number", self.cache.incr(("run-count", session)))
                self.cache.set(("runs", session), [*runs, run_id])
            kept: dict[str, Any] = dict(record)
            series = kept.pop("series", None)
            if series is not None:  # written once: epochs rewrite the record, not the data
                self.cache.set(("series", run_id), series)
            self.cache.set(("run", run_id), kept)
        if new:
            self.enforce_bounds(session, keep=run_id)

    def update_run(self, run_id: str, **changes: Unpack[RunChanges]) -> RunRecord:
        """Merge `changes` into a run record and return it, without its series: a run's
        target series is kept apart and never read or rewritten here (every epoch calls
        this; the series of a large upload is millions of values)."""
        with self.cache.transact():
            record = self.get_run(run_id, series=False)
            record.update(changes)
            self.cache.set(("run", run_id), record)
        return record

    def get_run(self, run_id: str, series: bool = True) -> RunRecord:
        """The run record, for whoever holds its id (the owner's page); raises NotFound.
        With `series` off, a forecast run's target series is left out (cheaper)."""
        record = self.cache.get(("run", run_id)) if valid_run_id(run_id) else None
        if record is None:
            raise NotFound(run_id)
        if series and "series" not in record:
            kept = self.cache.get(("series", run_id))
            if kept is not None:
                record["series"] = kept
        return record

    def owned_run(self, run_id: str, session: str) -> RunRecord:
        """The run record if `session` made it; raises NotFound otherwise."""
        record = self.get_run(run_id)
        if record["session"] != session:
            raise NotFound(run_id)
        return record

    def owned_runs(self, session: str, run_ids: Iterable[str | None]) -> list[RunRecord]:
        """The session's own runs among `run_ids`, once each, in order (others skipped)."""
        records: list[RunRecord] = []
        for run_id in dict.fromkeys(r for r in run_ids if r):
            try:
                records.append(self.owned_run(run_id, session))
            except NotFound:
                continue
        return records

    def list_runs(self, session: str) -> list[RunRecord]:
        """Every run record of a session, oldest first."""
        records = []
        for run_id in self._run_ids(session):
            with contextlib.suppress(NotFound):
                records.append(self.get_run(run_id))
        return records

    def delete_run(self, run_id: str, session: str) -> bool:
        """Delete one of the session's runs with its predictions and files; False if none."""
        try:
            self.owned_run(run_id, session)
        except NotFound:
            return False
        with self.cache.transact():
            runs = self.cache.get(("runs", session), [])
            self.cache.set(("runs", session), [r for r in runs if r != run_id])
            for kind in ("run", "series", "pred", "pred-history", "run-bytes", "control"):
                self.cache.delete((kind, run_id))
            for data in (False, True):  # its share links lead nowhere from now on
                self.cache.delete(("share", self.cache.pop(("share-of", run_id, data), "")))
        shutil.rmtree(self.artifacts / run_id, ignore_errors=True)
        return True

    def clear_session(self, session: str) -> int:
        """Delete every run of a session; return how many."""
        return sum(self.delete_run(run_id, session) for run_id in self._run_ids(session))

    def _run_ids(self, session: str) -> list[str]:
        return list(self.cache.get(("runs", session), []))

    # heartbeats of running jobs (dashboard.lifecycle) -----------------------------
    def beat(self, run_id: str, ended: bool = False) -> None:
        """Note that the job of `run_id` is alive now (or has ended, cleanly or not)."""
        self.cache.set(("beat", run_id), Beat(time.time(), ended), expire=BEAT_TTL_S)

    def last_beat(self, run_id: str) -> Beat | None:
        """The newest heartbeat of a run's job, or None if it never beat."""
        beat = self.cache.get(("beat", run_id))
        return beat if isinstance(beat, Beat) else None

    # steering a running job (dashboard.ml.steering): the page writes, the job polls ----
    def set_control(
        self, run_id: str, *, lr: float | None = None, paused: bool | None = None
    ) -> RunControl:
        """Ask the job of `run_id` for a new learning rate and/or to pause or go on; return
        what is asked now. (Callers check that the run is the session's: Store.owned_run.)"""
        with self.cache.transact():
            control = self.control(run_id)
            if lr is not None:
                control["lr"], control["lr_at"] = float(lr), time.time()
                control["seq"] += 1
            if paused is not None:
                control["paused"] = paused
            self.cache.set(("control", run_id), control, expire=BEAT_TTL_S)
        return control

    def control(self, run_id: str) -> RunControl:
        """What the page asks of the job of `run_id` now (nothing asked: no rate, not paused)."""
        control: RunControl | None = self.cache.get(("control", run_id))
        return control or {"lr": None, "seq": 0, "lr_at": 0.0, "paused": False}

    # share links ----------------------------------------------------------------
    def share_run(self, run_id: str, session: str, data: bool) -> str:
        """The share id of one of the session's runs, made on first request: a link with
        the data (predictions, model, the data file in train.zip) or without (curves and
        scores only). The same run and choice give the same link; raises NotFound."""
        self.owned_run(run_id, session)
        with self.cache.transact():
            share_id = self.cache.get(("share-of", run_id, data))
            if share_id is None:
                share_id = secrets.token_urlsafe(12)
                self.cache.set(("share", share_id), {"run": run_id, "data": data})
                self.cache.set(("share-of", run_id, data), share_id)
        return str(share_id)

    def shared_run(self, share_id: str) -> tuple[RunRecord, bool]:
        """(the run record, whether its data is shared) behind a share id; raises NotFound."""
        share = self.cache.get(("share", share_id)) if valid_run_id(share_id) else None
        if share is None:
            raise NotFound(share_id)
        return self.get_run(share["run"]), bool(share["data"])

    # predictions ---------------------------------------------------------------
    def save_predictions(self, run_id: str, epoch: int, predictions: np.ndarray) -> None:
        """Keep a run's test-part predictions at `epoch` (original units): the latest, and
        every snapshot for the epoch replay."""
        values = np.asarray(predictions, dtype=np.float64)
        with self.cache.transact():
            history = self.cache.get(("pred-history", run_id), {})
            history[int(epoch)] = values
            self.cache.set(("pred-history", run_id), history)
            self.cache.set(("pred", run_id), (int(epoch), values))

    def get_predictions(self, run_id: str) -> tuple[int, np.ndarray] | None:
        """(epoch, predictions) last saved for a run, or None."""
        return self.cache.get(("pred", run_id))

    def prediction_history(self, run_id: str) -> dict[int, np.ndarray]:
        """Every saved snapshot of a run's predictions, by epoch (empty if none)."""
        return dict(self.cache.get(("pred-history", run_id), {}))

    # artifacts and bounds ------------------------------------------------------
    def artifact_path(self, run_id: str, name: str, create: bool = False) -> Path:
        """Where a run's file `name` lives (ids and names are checked; raises NotFound).

        `create` makes the run's folder, for writing."""
        if not valid_run_id(run_id) or name not in ARTIFACTS:
            raise NotFound(f"{run_id}/{name}")
        folder = self.artifacts / run_id
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def available_files(self, run_id: str) -> set[str]:
        """Which downloads a run offers now."""
        available = {"run.json", "train.zip"}
        if self.get_predictions(run_id) is not None:
            available.add("predictions.csv")
        if self.artifact_path(run_id, "model.keras").is_file():
            available.add("model.keras")
        return available

    def usage(self, session: str) -> tuple[int, int]:
        """(runs, bytes) that a session holds in the store."""
        sizes = [self._size(record) for record in self.list_runs(session)]
        return len(sizes), sum(size.bytes for size in sizes)

    def enforce_bounds(self, session: str, keep: str = "") -> list[str]:
        """Delete the session's oldest runs beyond the bounds (never `keep`); return them."""
        if not self.max_runs and not self.max_mb:
            return []
        sizes = [self._size(record) for record in self.list_runs(session)]
        doomed = evictions(
            sizes, self.max_runs, int(self.max_mb * 2**20), keep, time.time(), self.stale_after_s
        )
        for run_id in doomed:
            log.info("run %s of a session leaves the store (bounds)", run_id)
            self.delete_run(run_id, session)
        return doomed

    def _size(self, record: RunRecord) -> RunSize:
        """A run's footprint: record, prediction snapshots and files (cached once it ended)."""
        run_id = record["id"]
        ended = record.get("status") not in ("running", "queued")
        cached = self.cache.get(("run-bytes", run_id)) if ended else None
        if cached is None:
            cached = len(pickle.dumps(record)) + sum(
                a.nbytes for a in self.prediction_history(run_id).values()
            )
            folder = self.artifacts / run_id
            if folder.is_dir():
                cached += sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
            if ended:
                self.cache.set(("run-bytes", run_id), cached)
        return RunSize(run_id, float(record.get("created", 0)), str(record.get("status")), cached)
