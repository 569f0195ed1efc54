"""Which Keras backend the job processes train on: TensorFlow or JAX.

Keras reads KERAS_BACKEND once, when it is first imported, so the choice is made in the
environment of the processes that import it: the job manager's forkserver (its jobs
inherit it), each Celery pool child, and a search's helpers. The web process imports
neither framework. JAX compiles each model's steps with XLA; its persistent compilation
cache in the data folder lets a second run with the same shapes skip that.

Nothing here imports Keras, TensorFlow or JAX.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

BACKENDS = ("tensorflow", "jax")
NAMES = {"tensorflow": "TensorFlow", "jax": "JAX"}
AUTO = "auto"  # the default: chosen by measurement (bench/README.md, "Backends")
NVIDIA_DRIVER = Path("/proc/driver/nvidia/version")


def badge_text(device: str, name: str) -> str:
    """What the page's device badge says: 'CPU · JAX', 'GPU: NVIDIA H200 · TensorFlow'."""
    return f"{device} · {NAMES.get(name, name)}"


def resolve(name: str) -> str:
    """The backend `name` stands for: "auto" is JAX on a machine without an NVIDIA GPU
    (measured: half the time to the final plot of the reference run on CPU) and TensorFlow
    where the NVIDIA driver is loaded (its cuDNN kernels; JAX on a GPU is not measured)."""
    if name != AUTO:
        return name
    return "tensorflow" if NVIDIA_DRIVER.exists() else "jax"


def check_backend(name: str) -> str | None:
    """A sentence when `name` cannot be used here (unknown, or its package missing)."""
    if name not in BACKENDS:
        choices = ", ".join((AUTO, *BACKENDS))
        return f"LSTM_LAB_KERAS_BACKEND is {name!r}; it must be one of {choices}."
    if importlib.util.find_spec(name) is None:
        return f"The Keras backend {name!r} is not installed here (pip install {name})."
    return None


def job_environment(name: str, data_dir: Path) -> dict[str, str]:
    """The variables a job process needs before it imports Keras: the backend, and for JAX
    its persistent compilation cache (every compiled step kept, however quick to compile)."""
    env = {"KERAS_BACKEND": name}
    if name == "jax":
        env |= {
            "JAX_COMPILATION_CACHE_DIR": str(Path(data_dir) / "jax-cache"),
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
        }
    return env


@contextlib.contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Set `variables` in os.environ while the block runs (a process started meanwhile,
    such as the forkserver, inherits them); restore what was there after."""
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


__all__ = [
    "AUTO",
    "BACKENDS",
    "NAMES",
    "badge_text",
    "check_backend",
    "environment",
    "job_environment",
    "resolve",
]
