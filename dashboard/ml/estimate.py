"""How long an epoch will take, said before Train is pressed.

An epoch is its training batches: ceil(training windows / batch size). A batch's time is
modelled the way a recurrent layer spends it on a CPU: the layers step through the window
one time step at a time, each step a fixed cost per layer plus work that grows with the
batch and the model's weights:

    seconds per batch = seq_len * (layers * STEP_S + batch_size * weights * WEIGHT_S)

STEP_S and WEIGHT_S were fitted on a 2-core CPU server (the project's reference machine)
from real fits of the default model (64 units, 2 layers, window 50, batch 32: 0.024 s per
batch) and a larger one (128 units: 0.042 s); the model then predicted a 16-unit, 1-layer
fit within 10 %. The seconds include the validation pass and the progress reports of an
epoch, as the runs' own epoch times do. Where this server has finished runs of this session
(of MIN_BATCHES batches an epoch or more), their measured epoch times scale the model (the
median of measured / modelled over the latest of them), so a faster machine or a GPU
estimates itself; the sentence says which.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.ml.config import TrainConfig, split_rows
from dashboard.ml.summary import summarize

STEP_S = 1.83e-4  # seconds per time step per recurrent layer (a batch's fixed loop cost)
WEIGHT_S = 7.4e-11  # seconds per time step per (window in the batch x weight)
WARN_AFTER_S = 60.0  # an epoch longer than this is said before Train
MAX_RUNS = 5  # the latest finished runs that scale the model
MIN_BATCHES = 50  # an epoch of fewer batches is mostly its fixed work (validation, reports)
REFERENCE = "the pace of a 2-core reference server; no run of yours has finished here yet"


@dataclass(frozen=True)
class Estimate:
    """The cost of one epoch of a config on a dataset."""

    windows: int  # training windows (classification: training sequences)
    batches: int  # per epoch
    seconds_per_batch: float
    basis: str  # where the pace comes from, for the sentence

    @property
    def seconds_per_epoch(self) -> float:
        """The estimated seconds of one epoch (after the first, which also traces)."""
        return self.batches * self.seconds_per_batch

    @property
    def too_long(self) -> bool:
        """True when an epoch would take longer than about a minute."""
        return self.seconds_per_epoch > WARN_AFTER_S

    def sentence(self) -> str:
        """'About 12 minutes per epoch here: 21,875 batches of 32 windows, 0.032 s each
        (measured on your runs on this server).'"""
        return (
            f"About {duration(self.seconds_per_epoch)} per epoch here: {self.batches:,} "
            f"batches from {self.windows:,} training windows, {self.seconds_per_batch:.3g} s "
            f"each ({self.basis})."
        )


def duration(seconds: float) -> str:
    """'40 seconds', '12 minutes', '2.5 hours'."""
    if seconds < 90:
        whole = max(1, round(seconds))
        return f"{whole} second{'' if whole == 1 else 's'}"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"


def training_windows(config: TrainConfig, rows: int) -> int:
    """The windows (classification: sequences) that one epoch trains on."""
    train_end, _ = split_rows(rows, config.train_pct, config.val_pct)
    if config.task == "classify":
        return train_end
    return max(0, train_end - config.seq_len - config.outputs + 1)


def modelled_seconds(config: TrainConfig, steps: int | None = None) -> float:
    """The reference server's seconds per batch for `config` (`steps`: the time steps of a
    window when not config.seq_len, e.g. a classified sequence's length)."""
    inputs = 1 if config.task == "classify" else 1 + len(config.features)
    classes = 2 if config.task == "classify" else 0
    weights = sum(row.parameters for row in summarize(config, inputs, classes))
    per_step = config.layers * STEP_S + config.batch_size * weights * WEIGHT_S
    return (steps or config.seq_len) * per_step


def _median_epoch(seconds: list[float]) -> float | None:
    """Median seconds per epoch, leaving out the first (tracing) epoch when there are more."""
    return statistics.median(seconds[1:] or seconds) if seconds else None


def measured_scale(records: Iterable[Mapping[str, Any]]) -> float | None:
    """Measured / modelled seconds per batch over the latest finished forecast runs (their
    epoch times, the training rows in their split) of at least MIN_BATCHES batches an
    epoch; None when there are none."""
    ratios = []
    for record in records:
        split, epoch = record.get("split"), _median_epoch(record.get("epoch_seconds") or [])
        if record.get("status") != "finished" or not split or not epoch:
            continue
        config = TrainConfig.from_dict(record.get("config", {}))
        windows = max(0, int(split[0]) - config.seq_len - config.outputs + 1)
        batches = math.ceil(windows / config.batch_size)
        if batches >= MIN_BATCHES:
            ratios.append(epoch / batches / modelled_seconds(config))
    return statistics.median(ratios[-MAX_RUNS:]) if ratios else None


def estimate(
    config: TrainConfig,
    rows: int,
    records: Iterable[Mapping[str, Any]] = (),
    steps: int | None = None,
) -> Estimate:
    """The cost of an epoch of `config` on `rows` rows, paced by the finished `records` of
    this server when there are any (oldest first), else by the reference server."""
    windows = training_windows(config, rows)
    batches = math.ceil(windows / config.batch_size) if windows else 0
    scale = measured_scale(records)
    basis = "measured on your finished runs here" if scale else REFERENCE
    per_batch = modelled_seconds(config, steps) * (scale or 1.0)
    return Estimate(windows, batches, per_batch, basis)
