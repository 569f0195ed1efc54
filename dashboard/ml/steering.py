"""Steering a run while it trains: a new learning rate from the next batch, Pause, Resume.

Dash-free and store-free: the run gets a `poll()` that says what is wanted now (the job
reads it from the store, where the page writes it), and hooks that hear what was done.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras

log = logging.getLogger(__name__)
POLL_S = 0.15  # how often a batch end asks what is wanted (every batch would be too often)
PAUSE_POLL_S = 0.2  # how often a paused run asks whether to go on


@dataclass(frozen=True)
class Control:
    """What the page wants of a running job now."""

    lr: float | None = None  # a learning rate asked for (None: none)
    seq: int = 0  # which request: each new rate asked for has a new number
    paused: bool = False


@dataclass
class Steer:
    """A run's steering: `poll` says what is wanted; `on_change` hears each rate applied
    (a payloads.LrChange: epoch, batch, seconds, previous, lr); `on_pause` hears (paused?,
    epochs done)."""

    poll: Callable[[], Control]
    on_change: Callable[[dict[str, Any]], None] = lambda change: None
    on_pause: Callable[[bool, float], None] = lambda paused, epoch: None


class Steering(keras.callbacks.Callback):
    """Applies what `steer.poll()` asks, checked at a batch end at most every POLL_S: a new
    learning rate is assigned so that the next batch trains with it; while paused, the
    batch end waits (nothing trains) until resumed or `should_stop` says stop.

    `fixed_rate`: a schedule sets the rate (cosine), so rate requests are ignored (the page
    refuses them first). `changes` lists the rates applied; `paused_s` the seconds spent
    paused, which the reporter leaves out of the epoch times."""

    def __init__(
        self,
        steer: Steer,
        should_stop: Callable[[], bool] = lambda: False,
        fixed_rate: bool = False,
    ) -> None:
        super().__init__()
        self.steer, self.should_stop, self.fixed_rate = steer, should_stop, fixed_rate
        self.changes: list[dict[str, Any]] = []
        self.paused_s = 0.0
        self.applied_seq = 0
        self.checked = 0.0
        self.epoch = 0
        self.started = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Note the epoch, for where a change or a pause happened."""
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """At most every POLL_S: apply a new rate, or wait while paused (then apply the
        rate asked for meanwhile)."""
        now = time.perf_counter()
        if now - self.checked < POLL_S:
            return
        self.checked = now
        steps = max(int((self.params or {}).get("steps") or 1), 1)
        at = round(self.epoch + (batch + 1) / steps, 2)  # epochs done, e.g. 6.4
        wanted = self._apply(self.steer.poll(), batch, at)
        if wanted.paused:
            self._wait(batch, at)

    def _apply(self, wanted: Control, batch: int, at: float) -> Control:
        if wanted.lr is not None and wanted.seq != self.applied_seq:
            self.applied_seq = wanted.seq
            if self.fixed_rate:
                log.info("a live learning rate was asked for a run on a schedule; ignored")
            else:
                self._set_rate(wanted.lr, batch, at)
        return wanted

    def _set_rate(self, rate: float, batch: int, at: float) -> None:
        optimizer = self.model.optimizer
        if keras.backend.backend() == "jax":
            # During a JAX fit the variables' values live in the trainer's state; this
            # writes them back and makes the next batch read its state from the variables
            # again, the new rate included (keras/src/backend/jax/trainer.py, Keras 3).
            # (Callback.model does the same on JAX; said here, as the assignment needs it.)
            self.model.jax_state_sync()
        old = float(keras.ops.convert_to_numpy(optimizer.learning_rate.value))
        optimizer.learning_rate = float(rate)
        change = {
            "epoch": at,
            "batch": batch + 1,
            "seconds": round(time.perf_counter() - self.started - self.paused_s, 2),
            "previous": old,
            "lr": float(rate),
        }
        self.changes.append(change)
        self.steer.on_change(change)

    def _wait(self, batch: int, at: float) -> None:
        """Hold the batch end until resumed (or stopped); the time is kept apart."""
        began = time.perf_counter()
        self.steer.on_pause(True, at)
        while True:
            time.sleep(PAUSE_POLL_S)
            if self.should_stop():
                self.model.stop_training = True
                break
            wanted = self.steer.poll()
            if not wanted.paused:
                self._apply(wanted, batch, at)
                break
        self.paused_s += time.perf_counter() - began
        self.checked = time.perf_counter()
        self.steer.on_pause(False, at)
