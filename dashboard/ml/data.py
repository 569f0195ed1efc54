"""Datasets: the built-in examples, and the frame every dataset becomes before training."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

BUILTIN_PREFIX = "builtin:"


@dataclass(frozen=True)
class Builtin:
    """A shipped example series and where it comes from."""

    key: str
    title: str
    filename: str | None  # None: generated
    time_column: str | None
    target: str
    description: str
    attribution: str
    task: str = "forecast"


BUILTINS: dict[str, Builtin] = {
    b.key: b
    for b in (
        Builtin(
            "sine",
            "Sine + noise (synthetic)",
            None,
            None,
            "value",
            "sin(linspace(0, 100, 1000)) + N(0, 0.1): the tutorial's example, 1000 steps.",
            "Generated on the fly (numpy, seed 0).",
        ),
        Builtin(
            "airline",
            "Airline passengers",
            "airline-passengers.csv",
            "Month",
            "Passengers",
            "Monthly international airline passengers (thousands), 1949-1960, 144 months.",
            "Box & Jenkins (1976), via Hyndman's Time Series Data Library.",
        ),
        Builtin(
            "temperatures",
            "Daily minimum temperatures",
            "daily-min-temperatures.csv",
            "Date",
            "Temp",
            "Daily minimum temperature in Melbourne (deg C), 1981-1990, 3650 days.",
            "Australian Bureau of Meteorology, via Hyndman's Time Series Data Library.",
        ),
        Builtin(
            "sunspots",
            "Monthly sunspots",
            "monthly-sunspots.csv",
            "Month",
            "Sunspots",
            "Monthly mean sunspot number, 1749-1983, 2820 months.",
            "Andrews & Herzberg (1985), via Hyndman's Time Series Data Library.",
        ),
        Builtin(
            "ecg",
            "ECG5000 heartbeats (classification)",
            "ECG5000_TRAIN_ucr_whitespace.csv",
            None,
            "label",
            "500 heartbeats of 140 samples each, labelled with one of 5 classes (1 = normal).",
            "UCR Time Series Classification Archive (Dau et al. 2018), data from PhysioNet.",
            task="classify",
        ),
        Builtin(
            "seattle",
            "Seattle weather (multivariate)",
            "vega_seattle-weather.csv",
            "date",
            "temp_max",
            "Daily Seattle weather 2012-2015: precipitation, max/min temperature, wind.",
            "NOAA (US Government work, public domain), via the vega-datasets collection.",
        ),
    )
}


@dataclass(frozen=True)
class Dataset:
    """A series ready for windowing: numeric columns, optionally indexed by time."""

    id: str
    name: str
    frame: pd.DataFrame
    target: str
    attribution: str = ""
    task: str = "forecast"

    @property
    def numeric_columns(self) -> list[str]:
        """Columns that can be a target or an input feature."""
        return [str(c) for c in self.frame.select_dtypes("number").columns]

    def values(self, target: str, features: tuple[str, ...] = ()) -> np.ndarray:
        """Rows x columns array with the target first, then the extra features.

        For classification the features are the sequence's time steps (all other numeric
        columns when none are named).
        """
        if self.task == "classify" and not features:
            features = tuple(c for c in self.numeric_columns if c != target)
        columns = [target, *[f for f in features if f != target]]
        return self.frame[columns].to_numpy(dtype=np.float64)


def sine_frame(points: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The tutorial's sine wave with Gaussian noise."""
    rng = np.random.default_rng(seed)
    values = np.sin(np.linspace(0, 100, points)) + rng.normal(0, 0.1, points)
    return pd.DataFrame({"value": values})


def load_builtin(key: str) -> Dataset:
    """Load a shipped example by key (see BUILTINS); raises KeyError for unknown keys."""
    spec = BUILTINS[key]
    if spec.filename is None:
        frame = sine_frame()
    elif spec.task == "classify":
        frame = _labelled_sequences(spec.filename)
    else:
        path = resources.files("dashboard") / "datasets" / spec.filename
        with path.open("rb") as handle:
            frame = pd.read_csv(handle)
        frame[spec.time_column] = pd.to_datetime(frame[spec.time_column])
        frame = frame.set_index(spec.time_column)
    return Dataset(
        BUILTIN_PREFIX + key, spec.title, frame, spec.target, spec.attribution, spec.task
    )


def _labelled_sequences(filename: str) -> pd.DataFrame:
    """A UCR-style file: whitespace separated, no header, the class first, then the samples."""
    path = resources.files("dashboard") / "datasets" / filename
    with path.open("rb") as handle:
        frame = pd.read_csv(handle, sep=r"\s+", header=None)
    steps = frame.shape[1] - 1
    frame.columns = ["label", *[f"t{i:03d}" for i in range(1, steps + 1)]]
    return frame
