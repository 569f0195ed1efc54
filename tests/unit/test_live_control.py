"""Steering a run while it trains (ml.steering): a learning rate asked for after batch k is
the optimizer's from batch k+1 on, on TensorFlow and on JAX; Pause holds every batch until
Resume and leaves the paused time out of the epoch times; a stop while paused ends the run;
the job records the changes in the run record and its states."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from dashboard import jobs
from dashboard.ml import steering
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import sine_frame
from dashboard.ml.steering import Control, Steer, Steering
from dashboard.ml.train import Predictor, _Reporter, fit_model, prepare, train
from dashboard.settings import Settings
from dashboard.store import Store

ROOT = Path(__file__).resolve().parents[2]
TINY = TrainConfig(units=4, layers=1, dense_units=0, seq_len=10, epochs=2, batch_size=16)


def _rate(model: keras.Model) -> float:
    rate = model.optimizer.learning_rate  # a variable, or a schedule's tensor
    return float(keras.ops.convert_to_numpy(getattr(rate, "value", rate)))


class Probe(Steering):
    """Steering that also notes when each batch begins (and the rate, where asked)."""

    def __init__(self, steer: Steer, read_at: tuple[int, ...] = (), **kwargs: Any) -> None:
        super().__init__(steer, **kwargs)
        self.read_at = read_at
        self.begun: list[float] = []
        self.rates: dict[int, float] = {}

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Note the time; read the optimizer's rate at the batches asked (on JAX the
        variables hold values only after a sync: at an epoch's start and after a change)."""
        self.begun.append(time.perf_counter())
        if self.epoch == 0 and batch in self.read_at:
            self.rates[batch] = _rate(self.model)


def _fit(config: TrainConfig, probe: Probe) -> tuple[keras.Model, _Reporter]:
    data = prepare(config, sine_frame(points=200).to_numpy())

    def reporter(predict: Predictor) -> _Reporter:
        return _Reporter(config, lambda: np.empty(0), lambda update: None, probe.should_stop, probe)

    model, _, made = fit_model(config, data, reporter)
    return model, made


def rates_seen(k: int, new: float, schedule: str = "none") -> dict[str, Any]:
    """Fit TINY with a poll that asks for `new` once batch k has run: the rates read at
    batch 0 and batch k+1 begin, after the fit, and the changes recorded. (Also run on
    JAX in a fresh process, below.)"""
    steering.POLL_S = 0.0  # every batch end asks: the request is seen right after batch k
    probe: Probe

    def poll() -> Control:
        return Control(lr=new, seq=1) if len(probe.begun) > k else Control()

    config = TrainConfig.from_dict({**TINY.to_dict(), "lr_schedule": schedule})
    probe = Probe(Steer(poll), read_at=(0, k + 1), fixed_rate=schedule == "cosine")
    model, _ = _fit(config, probe)
    return {
        "backend": keras.backend.backend(),
        "first": probe.rates.get(0),
        "next": probe.rates.get(k + 1),
        "after": _rate(model),
        "changes": probe.changes,
    }


def _check_rates(seen: dict[str, Any], k: int, new: float) -> None:
    assert seen["first"] == pytest.approx(TINY.learning_rate)
    assert seen["next"] == pytest.approx(new)  # the batch after k trains with the new rate
    # after the fit the variables hold the trainer's state: on JAX that proves the state
    # carried the new rate (an unsynced change would be overwritten by the old one)
    assert seen["after"] == pytest.approx(new)
    [change] = seen["changes"]
    assert change["batch"] == k + 1 and change["lr"] == pytest.approx(new)
    assert change["previous"] == pytest.approx(TINY.learning_rate)
    assert 0 < change["epoch"] < 1  # within the first epoch: (k + 1) / batches per epoch


def test_a_rate_asked_after_batch_k_is_the_optimizers_from_batch_k_plus_1_on_tensorflow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(steering, "POLL_S", 0.0)
    assert keras.backend.backend() == "tensorflow"
    _check_rates(rates_seen(3, 0.02), 3, 0.02)
    cosine = rates_seen(3, 0.02, "cosine")  # a schedule sets the rate: the request is ignored
    assert cosine["changes"] == [] and cosine["after"] < TINY.learning_rate


def test_a_rate_asked_after_batch_k_is_the_optimizers_from_batch_k_plus_1_on_jax(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(ROOT)}
    script = (
        "import json; from tests.unit.test_live_control import rates_seen; "
        "print(json.dumps(rates_seen(3, 0.02)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["backend"] == "jax"
    _check_rates(seen, 3, 0.02)


def test_pause_holds_every_batch_until_resume_and_leaves_the_time_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(steering, "POLL_S", 0.0)
    paused = threading.Event()
    events: list[tuple[bool, float, float]] = []  # (paused?, epoch, when)
    probe: Probe

    def poll() -> Control:
        if len(probe.begun) == 3 and not events:  # after batch 2: Pause, Resume in 0.3 s
            paused.set()
            threading.Timer(0.3, paused.clear).start()
        return Control(paused=paused.is_set())

    def on_pause(now_paused: bool, epoch: float) -> None:
        events.append((now_paused, epoch, time.perf_counter()))

    probe = Probe(Steer(poll, on_pause=on_pause))
    began = time.perf_counter()
    _, reporter = _fit(TINY, probe)
    wall = time.perf_counter() - began
    [(pausing, at, paused_from), (still, at_again, resumed)] = events
    assert pausing and not still and at == at_again and 0 < at < 1
    assert resumed - paused_from >= 0.3
    assert not [t for t in probe.begun if paused_from < t < resumed]  # nothing trained
    assert len(probe.begun) == 2 * reporter.params["steps"]  # then every batch ran
    assert probe.paused_s >= 0.3
    assert sum(reporter.seconds) < wall - 0.3  # the epoch times leave the pause out
    assert len(reporter.history["loss"]) == 2


def test_a_stop_while_paused_ends_the_run_with_its_curves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(steering, "POLL_S", 0.0)
    asked: list[float] = []

    def poll() -> Control:
        return Control(paused=True)

    def should_stop() -> bool:  # the time limit, or Cancel on a worker, 0.3 s into the pause
        asked.append(time.perf_counter())
        return asked[-1] - asked[0] > 0.3

    config = TrainConfig.from_dict({**TINY.to_dict(), "epochs": 20})
    result = train(
        config, sine_frame(points=200).to_numpy(), should_stop=should_stop, steer=Steer(poll)
    )
    assert result.status == "stopped"
    assert len(result.history["loss"]) == 1  # the epoch it paused in ends; no more
    assert result.message == "Stopped after 1 of 20 epochs."


def test_the_job_applies_a_rate_from_the_store_and_records_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = Store.from_settings(settings)
    run_id = Store.new_run_id()
    store.set_control(run_id, lr=0.005)
    time.sleep(jobs.SETTLE_S)  # the slider rested
    reports: list[Any] = []
    final = jobs.run_training(settings, TINY, "s1", reports.append, run_id=run_id)
    assert final["status"] == "finished"
    [change] = final["lr_changes"]
    assert change["lr"] == 0.005 and change["previous"] == pytest.approx(TINY.learning_rate)
    assert store.get_run(run_id)["lr_changes"] == [change]
    assert store.get_run(run_id)["config"]["learning_rate"] == TINY.learning_rate  # the start
    said = [r["message"] for r in reports if r.get("lr_changes")]
    assert said and said[0].endswith(
        f"Learning rate set to 5e-3 at epoch {round(change['epoch'], 1):g}."
    )
