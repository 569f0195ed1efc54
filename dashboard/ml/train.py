"""Train one run: windows in, a Keras fit with per-epoch reports, scored predictions out."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from dashboard.ml import metrics
from dashboard.ml.config import TrainConfig
from dashboard.ml.model import build_model
from dashboard.ml.runtime import device_name
from dashboard.ml.windows import Windows, make_windows, naive_forecast

PREDICTION_UPDATES = 10  # redraws of the prediction plot per run


@dataclass
class EpochUpdate:
    """What the page needs after each epoch: the whole history so far (not a delta)."""

    epoch: int
    epochs: int
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    predictions: np.ndarray | None = None  # test part, original units, when refreshed


@dataclass
class RunResult:
    """The outcome of a run: status, curves, scored predictions."""

    status: str  # "finished" | "stopped" | "failed"
    message: str
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    predictions: np.ndarray
    actual: np.ndarray
    naive: np.ndarray
    test_rows: np.ndarray
    scores: dict[str, Any] = field(default_factory=dict)
    device: str = "CPU"
    parameters: int = 0


class _Reporter(keras.callbacks.Callback):
    """Forwards each epoch to `on_epoch`; stops on a non-finite loss or when asked to."""

    def __init__(
        self,
        config: TrainConfig,
        predict: Callable[[], np.ndarray],
        on_epoch: Callable[[EpochUpdate], None],
        should_stop: Callable[[], bool],
    ) -> None:
        super().__init__()
        self.config, self.predict = config, predict
        self.on_epoch, self.should_stop = on_epoch, should_stop
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        self.seconds: list[float] = []
        self.failure = ""
        self.stopped = False
        self.every = max(1, config.epochs // PREDICTION_UPDATES)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.seconds.append(time.perf_counter() - self.started)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        history = {key: list(values) for key, values in self.history.items()}  # a snapshot
        update = EpochUpdate(epoch + 1, self.config.epochs, history, list(self.seconds))
        self.on_epoch(update)  # the loss point first: predictions may take a moment
        if self._check_finite(epoch + 1, logs or {}):
            return
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.config.epochs:
            update.predictions = self.predict()
            self.on_epoch(update)
        if self.should_stop():
            self.stopped = True
            self.model.stop_training = True

    def _check_finite(self, epoch: int, logs: dict[str, float]) -> bool:
        bad = [k for k in ("loss", "val_loss") if k in logs and not math.isfinite(logs[k])]
        if not bad:
            return False
        kind = "NaN (not a number)" if math.isnan(logs[bad[0]]) else "infinite"
        lr = self.config.learning_rate
        self.failure = (
            f"Training stopped at epoch {epoch}: the {bad[0]} became {kind}, so the weights "
            f"blew up. The learning rate ({lr:g}) is probably too high for this data: try "
            f"{min(lr / 10, 1e-3):g}, or scale the data."
        )
        self.model.stop_training = True
        return True


def prepare(config: TrainConfig, values: np.ndarray) -> Windows:
    """Windows of `values` (target first) for `config`."""
    return make_windows(
        values, config.seq_len, config.horizon, config.train_pct, config.val_pct, config.scaling
    )


def train(
    config: TrainConfig,
    values: np.ndarray,
    on_epoch: Callable[[EpochUpdate], None] = lambda update: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunResult:
    """Fit an LSTM to `values` (rows x columns, target first) and score it on the test part."""
    keras.utils.set_random_seed(config.seed)
    windows = prepare(config, values)
    model = build_model(config, windows.x_train.shape[2])

    def predict() -> np.ndarray:
        return windows.to_original(model.predict_on_batch(windows.x_test))

    reporter = _Reporter(config, predict, on_epoch, should_stop)
    model.fit(
        windows.x_train,
        windows.y_train,
        validation_data=(windows.x_val, windows.y_val),
        epochs=config.epochs,
        batch_size=config.batch_size,
        callbacks=[reporter],
        verbose=0,
    )
    return _score(config, values, windows, model, reporter, predict)


def _score(
    config: TrainConfig,
    values: np.ndarray,
    windows: Windows,
    model: keras.Model,
    reporter: _Reporter,
    predict: Callable[[], np.ndarray],
) -> RunResult:
    actual = windows.to_original(windows.y_test)
    naive = naive_forecast(values[:, 0], windows.test_rows, config.horizon)
    result = RunResult(
        status="finished",
        message=f"Finished {len(reporter.seconds)} epochs.",
        history=reporter.history,
        epoch_seconds=reporter.seconds,
        predictions=np.full_like(actual, np.nan),
        actual=actual,
        naive=naive,
        test_rows=windows.test_rows,
        device=device_name(),
        parameters=model.count_params(),
    )
    if reporter.failure:
        result.status, result.message = "failed", reporter.failure
        return result
    if reporter.stopped:
        result.status = "stopped"
        result.message = f"Stopped after {len(reporter.seconds)} of {config.epochs} epochs."
    result.predictions = predict()
    model_scores = metrics.scores(actual, result.predictions)
    naive_scores = metrics.scores(actual, naive)
    result.scores = {
        "model": model_scores,
        "naive": naive_scores,
        "skill": metrics.skill(model_scores["mae"] or 0.0, naive_scores["mae"] or 0.0),
    }
    return result
