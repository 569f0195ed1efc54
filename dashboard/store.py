"""Server-side store on disk (diskcache): datasets and runs, keyed by unguessable ids.

The browser only ever holds ids and small metadata; frames, histories and predictions live
here, so a job process, another web worker or a restarted server all see the same data.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import diskcache
import numpy as np

from dashboard.ml.data import BUILTIN_PREFIX, Dataset, load_builtin


class NotFound(KeyError):
    """No such dataset or run (or not visible to this session)."""


class Store:
    """Datasets and runs on disk. Safe to share between processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._cache: diskcache.Cache | None = None

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

    # runs ----------------------------------------------------------------------
    @staticmethod
    def new_run_id() -> str:
        """A fresh unguessable run id (also the secret of its share link)."""
        return secrets.token_urlsafe(12)

    def save_run(self, record: dict[str, Any]) -> None:
        """Create or replace a run record (it must carry 'id' and 'session')."""
        record.setdefault("created", time.time())
        self.cache.set(("run", record["id"]), record)

    def update_run(self, run_id: str, **changes: Any) -> dict[str, Any]:
        """Merge `changes` into a run record and return it."""
        with self.cache.transact():
            record = self.get_run(run_id)
            record.update(changes)
            self.cache.set(("run", run_id), record)
        return record

    def get_run(self, run_id: str) -> dict[str, Any]:
        """The run record; raises NotFound."""
        record = self.cache.get(("run", run_id))
        if record is None:
            raise NotFound(run_id)
        return record

    def save_predictions(self, run_id: str, epoch: int, predictions: np.ndarray) -> None:
        """Keep the latest test-part predictions of a run (original units)."""
        self.cache.set(("pred", run_id), (epoch, np.asarray(predictions, dtype=np.float64)))

    def get_predictions(self, run_id: str) -> tuple[int, np.ndarray] | None:
        """(epoch, predictions) last saved for a run, or None."""
        return self.cache.get(("pred", run_id))
