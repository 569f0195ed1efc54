"""Settings: one frozen dataclass; explicit arguments > environment (LSTM_LAB_*) > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from dashboard.ml import backend
from dashboard.ml.config import Limits

ENV_PREFIX = "LSTM_LAB_"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "lstm-lab"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its default. Nothing is read at import time."""

    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    data_dir: Path = Path()  # resolved in __post_init__: $XDG_DATA_HOME/lstm-lab
    redis_url: str = ""  # set: jobs go to Celery workers through Redis
    secret_key: str = ""  # set it when several web processes serve one site
    class_code: str = ""  # set: a class; its board is at /class/<code> (dashboard.classroom)
    max_upload_mb: int = 50
    max_rows: int = 2_000_000
    max_epochs: int = 500
    max_units_x_layers: int = 1024
    max_concurrent_jobs: int = 1  # trainings at once on this machine; the rest queue
    max_queued_jobs: int = 30
    job_max_seconds: int = 3600
    poll_interval_ms: int = 250
    # What job processes train on: "jax", "tensorflow", or "auto" (resolved here: JAX on
    # CPU, TensorFlow with an NVIDIA GPU; see ml.backend.resolve).
    keras_backend: str = backend.AUTO
    tf_intra_threads: int = 1
    tf_inter_threads: int = 2
    max_runs_per_session: int = 50  # beyond either bound the oldest runs go first
    max_store_mb_per_session: int = 200
    max_trials_per_study: int = 50  # a search's budget (ml.search.check_search)
    max_studies_per_session: int = 10
    # Trials of one search at once. 0: as many as job slots on one machine
    # (max_concurrent_jobs); with Celery, set it to the workers' summed concurrency.
    parallel_trials: int = 0

    def __post_init__(self) -> None:
        if self.data_dir == Path():
            object.__setattr__(self, "data_dir", _default_data_dir())
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser())
        object.__setattr__(self, "keras_backend", backend.resolve(self.keras_backend))
        if self.keras_backend not in backend.BACKENDS:
            raise ValueError(backend.check_backend(self.keras_backend))

    @property
    def limits(self) -> Limits:
        """The bounds every run on this server is checked against (ml.config.check)."""
        return Limits(self.max_epochs, self.max_units_x_layers, self.max_rows)

    @property
    def job_environment(self) -> dict[str, str]:
        """What a job process must have in its environment before it imports Keras (the
        backend, JAX's compilation cache in the data folder)."""
        return backend.job_environment(self.keras_backend, self.data_dir)

    @property
    def trials_at_once(self) -> int:
        """How many trials of one search may train at the same time (at least 1)."""
        return max(1, self.parallel_trials or self.max_concurrent_jobs)

    def as_env(self) -> dict[str, str]:
        """These settings as LSTM_LAB_* variables: `from_env` of them gives them back (a
        process started with them, such as a search's helper, has the same settings)."""
        return {ENV_PREFIX + f.name.upper(): _unparse(getattr(self, f.name)) for f in fields(self)}

    @property
    def cache_dir(self) -> Path:
        """Dash's background-job cache (shared by every web process of this site)."""
        return self.data_dir / "jobs"

    @property
    def store_dir(self) -> Path:
        """Datasets and runs."""
        return self.data_dir / "store"

    @property
    def artifacts_dir(self) -> Path:
        """Files of runs (the trained .keras model), one folder per run id."""
        return self.data_dir / "artifacts"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, overridden by LSTM_LAB_<NAME> variables (and REDIS_URL), then `overrides`."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(raw, f.type)
        if "redis_url" not in values and environ.get("REDIS_URL"):
            values["redis_url"] = environ["REDIS_URL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _unparse(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse(raw: str, kind: Any) -> Any:
    kind = str(kind)
    if kind == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind == "int":
        return int(raw)
    if kind == "Path":
        return Path(raw)
    return raw
