"""Train one run: data in, a Keras fit with per-epoch reports, scored predictions out."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import keras
import numpy as np

from dashboard.ml import evaluate, metrics
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import BUILTIN_PREFIX, load_builtin
from dashboard.ml.model import build_model
from dashboard.ml.params import MAX_REFITS
from dashboard.ml.runtime import device_name
from dashboard.ml.season import resolve_season
from dashboard.ml.sequences import Sequences, make_sequences
from dashboard.ml.steering import Steer, Steering
from dashboard.ml.windows import Windows, make_windows

# The live prediction plot is redrawn after the first epoch, the last, and in between once
# the training since the last redraw is long enough that the redraws take at most
# PREDICTION_SHARE of the time (and at most one a PREDICTION_MIN_S: the page polls about
# that often). Predicting the test part costs as much as a few training batches.
log = logging.getLogger(__name__)
PREDICTION_SHARE = 0.05
PREDICTION_MIN_S = 1.0
BATCH_REPORT_S = 1.0  # a long epoch says how far it has got, at most this often
# Training windows beyond this many bytes (as float32 arrays) are gathered batch by batch
# (WindowBatches) instead of handed to fit whole, which would copy them all into one tensor.
FIT_WHOLE_BYTES = 256 * 2**20
PREDICT_CHUNK = 4096  # windows per model call when predicting many
Data = Windows | Sequences


@dataclass
class EpochUpdate:
    """What the page needs after each epoch: the whole history so far (not a delta)."""

    epoch: int
    epochs: int
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    predictions: np.ndarray | None = None  # test part (original units, or class codes)
    # Within a long epoch: (batches done, batches per epoch, seconds into the epoch). Such
    # an update repeats the history so far; only the batch has moved.
    batch: tuple[int, int, float] | None = None


@dataclass
class RunResult:
    """The outcome of a run: status, curves, scored predictions."""

    status: str  # "finished" | "stopped" | "failed"
    message: str
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    predictions: np.ndarray
    actual: np.ndarray
    naive: np.ndarray | None = None
    test_rows: np.ndarray | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    device: str = "CPU"
    backend: str = "tensorflow"  # the Keras backend it trained on
    parameters: int = 0
    best_epoch: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # roll-out, future, confusion...
    lr_changes: list[dict[str, Any]] = field(default_factory=list)  # steering.Steering's


class Predictor:
    """Predictions of a (possibly stateful) model on arrays of any length."""

    def __init__(self, model: keras.Model, config: TrainConfig) -> None:
        self.model, self.config = model, config

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Model outputs for the windows `x` (in chunks of PREDICT_CHUNK when many)."""
        if not self.config.stateful:
            if len(x) <= PREDICT_CHUNK:
                return np.asarray(self.model.predict_on_batch(x))
            return np.concatenate(
                [
                    np.asarray(self.model.predict_on_batch(x[start : start + PREDICT_CHUNK]))
                    for start in range(0, len(x), PREDICT_CHUNK)
                ]
            )
        batch = self.config.batch_size  # stateful models take full batches only
        padded = np.concatenate([x, np.repeat(x[-1:], -len(x) % batch, axis=0)])
        reset_states(self.model)
        with carried_states(self.model):
            out = self.model.predict(padded, batch_size=batch, verbose=0)
        reset_states(self.model)
        return np.asarray(out[: len(x)])


class WindowBatches(keras.utils.PyDataset):
    """Batches of windows gathered as fit asks for them (shuffled anew each epoch, seeded):
    the windows stay views into the rows, so a million rows never become one giant array."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool, seed: int
    ) -> None:
        super().__init__()
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        self.rng = np.random.default_rng(seed)
        self.order = np.arange(len(x))
        if shuffle:
            self.rng.shuffle(self.order)

    def __len__(self) -> int:
        """Batches per epoch."""
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """One batch: (windows, targets), copied out of the views."""
        chosen = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
        return np.asarray(self.x[chosen]), np.asarray(self.y[chosen])

    def on_epoch_end(self) -> None:
        """A new order for the next epoch."""
        if self.shuffle:
            self.rng.shuffle(self.order)


def stateful_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The recurrent layers of `model` that carry their state (inside Bidirectional too)."""
    found = []
    for layer in model.layers:
        inner = getattr(layer, "forward_layer", None)
        for target in (layer, inner, getattr(layer, "backward_layer", None)):
            if target is not None and getattr(target, "stateful", False):
                found.append(target)
    return found


def reset_states(model: keras.Model) -> None:
    """Forget the carried LSTM state (stateful mode)."""
    for layer in stateful_layers(model):
        layer.reset_states()


@contextlib.contextmanager
def carried_states(model: keras.Model) -> Iterator[None]:
    """On JAX, let fit and predict carry a stateful layer's state from batch to batch.

    Keras 3 keeps a stateful RNN's state in variables it deliberately leaves untracked.
    TensorFlow assigns them inside its graphs, but JAX's steps are pure functions of the
    model's tracked variables, so there the state never leaves a batch (Keras 3.15). While
    the block runs, the state variables are tracked as the layer's non-trainable
    variables, so the JAX trainer threads them through its steps and writes them back;
    after it, they are untracked again and the model saves and loads like any other.
    (`_tracker` and `_untrack_variable` are private; Keras is pinned below 4.)
    """
    if keras.backend.backend() != "jax":
        yield
        return
    added = []
    for layer in stateful_layers(model):
        for variable in keras.tree.flatten(layer.states or []):
            locked = layer._tracker.locked
            layer._tracker.unlock()
            layer._tracker.add_to_store("non_trainable_variables", variable)
            if locked:
                layer._tracker.lock()
            added.append((layer, variable))
    try:
        yield
    finally:
        for layer, variable in added:
            layer._untrack_variable(variable)


class _ResetStates(keras.callbacks.Callback):
    """Stateful mode: start every epoch from a zero state."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        reset_states(self.model)


class _Reporter(keras.callbacks.Callback):
    """Forwards each epoch to `on_epoch`; stops on a non-finite loss or when asked to.
    With `steering`, its paused time is left out of the epoch times."""

    def __init__(
        self,
        config: TrainConfig,
        predict: Callable[[], np.ndarray],
        on_epoch: Callable[[EpochUpdate], None],
        should_stop: Callable[[], bool],
        steering: Steering | None = None,
        on_snapshot: Callable[[keras.Model], None] | None = None,
    ) -> None:
        super().__init__()
        self.config, self.predict = config, predict
        self.on_snapshot = on_snapshot
        self.on_epoch, self.should_stop = on_epoch, should_stop
        self.steering = steering
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        self.seconds: list[float] = []
        self.failure = ""
        self.stopped = False
        self.predict_cost: float | None = None  # seconds the last refresh took
        self.since_refresh = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.started = self.said = time.perf_counter()
        self.paused_before = self._paused()

    def _paused(self) -> float:
        return self.steering.paused_s if self.steering is not None else 0.0

    def _into_epoch(self, now: float) -> float:
        """Seconds of training in this epoch so far (not counting a pause)."""
        return now - self.started - (self._paused() - self.paused_before)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Within an epoch longer than BATCH_REPORT_S: how far it has got, about once per
        BATCH_REPORT_S (an epoch of 22,000 batches is minutes on a small server)."""
        now = time.perf_counter()
        if batch == 0:  # the first batch may carry the tracing: count from its end
            self.said = now
        if now - self.said < BATCH_REPORT_S or batch == 0:
            return
        self.said = now
        steps = int(self.params.get("steps") or 0) if self.params else 0
        history = {key: list(values) for key, values in self.history.items()}
        done = len(self.seconds)
        update = EpochUpdate(done, self.config.epochs, history, list(self.seconds))
        update.batch = (batch + 1, steps, self._into_epoch(now))
        self.on_epoch(update)
        if self.should_stop():  # the time limit, within a long epoch
            self.stopped = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.seconds.append(self._into_epoch(time.perf_counter()))
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        history = {key: list(values) for key, values in self.history.items()}  # a snapshot
        update = EpochUpdate(epoch + 1, self.config.epochs, history, list(self.seconds))
        self.on_epoch(update)  # the loss point first: predictions may take a moment
        if self._check_finite(epoch + 1, logs or {}):
            return
        now = time.perf_counter()
        last = epoch + 1 == self.config.epochs
        if last or refresh_due(now - self.since_refresh, self.predict_cost):
            update.predictions = self.predict()
            if self.on_snapshot is not None and not last:  # the end saves the model anyway
                self.on_snapshot(self.model)
            self.since_refresh = time.perf_counter()
            self.predict_cost = self.since_refresh - now
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


def refresh_due(trained_s: float, cost_s: float | None) -> bool:
    """Whether the live predictions are due after an epoch: `trained_s` seconds since the
    last refresh, which took `cost_s` (None: no refresh yet, so one is due)."""
    if cost_s is None:
        return True
    return trained_s >= max(PREDICTION_MIN_S, cost_s / PREDICTION_SHARE)


def prepare(config: TrainConfig, values: np.ndarray) -> Data:
    """Model-ready data: windows of a series, or labelled sequences (first column: label)."""
    if config.task == "classify":
        scaling = "standard" if config.scaling == "minmax" else config.scaling
        return make_sequences(values, config.train_pct, config.val_pct, config.seed, scaling)
    return make_windows(
        values, config.seq_len, config.outputs, config.train_pct, config.val_pct, config.scaling
    )


def _full_batches(x: np.ndarray, y: np.ndarray, batch: int) -> tuple[np.ndarray, np.ndarray]:
    keep = len(x) - len(x) % batch
    return x[:keep], y[:keep]


def build_state(model: keras.Model, x: np.ndarray, y: np.ndarray) -> None:
    """Create the optimizer's and the metrics' variables before fit.

    Otherwise Keras creates them inside the first trace of the train step and traces it a
    second time: 0.4-0.9 s of the first epoch on two CPU cores (bench/README.md).
    `_symbolic_build` is private in Keras 3 (pinned below 4); without it, fit does the same
    work itself, only later.
    """
    symbolic_build = getattr(model, "_symbolic_build", None)
    if symbolic_build is not None:
        symbolic_build(data_batch=(x, y, None))


def callbacks_for(config: TrainConfig, reporter: _Reporter) -> list[keras.callbacks.Callback]:
    """The Keras callbacks a config asks for, the reporter last (it sees the final state)."""
    extra: list[keras.callbacks.Callback] = []
    if config.stateful:
        extra.append(_ResetStates())
    if config.lr_schedule == "plateau":
        extra.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.5, patience=max(2, config.patience // 2), min_lr=1e-6
            )
        )
    if reporter.steering is not None:  # before EarlyStopping, which may restore weights
        extra.append(reporter.steering)
    if config.early_stopping:
        extra.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss",
                patience=config.patience,
                restore_best_weights=config.restore_best,
            )
        )
    return [*extra, reporter]


def fit_model(
    config: TrainConfig, data: Data, make_reporter: Callable[[Predictor], _Reporter]
) -> tuple[keras.Model, Predictor, _Reporter]:
    """Build a fresh model for `data` (seeded by config.seed) and fit it: the one training
    path, of a run and of each backtest refit. `make_reporter` gets the model's predictor."""
    keras.utils.set_random_seed(config.seed)
    x_train, y_train, x_val, y_val = data.x_train, data.y_train, data.x_val, data.y_val
    if config.stateful:
        x_train, y_train = _full_batches(x_train, y_train, config.batch_size)
        x_val, y_val = _full_batches(x_val, y_val, config.batch_size)
    steps = max(1, math.ceil(len(x_train) / config.batch_size))
    n_classes = data.n_classes if isinstance(data, Sequences) else 0
    model = build_model(config, x_train.shape[2], steps, n_classes)
    first = slice(0, config.batch_size)
    build_state(model, np.asarray(x_train[first]), np.asarray(y_train[first]))
    predict = Predictor(model, config)
    reporter = make_reporter(predict)
    callbacks = callbacks_for(config, reporter)
    if x_train.size * 4 > FIT_WHOLE_BYTES:  # batch by batch, from the views
        batches = WindowBatches(
            x_train, y_train, config.batch_size, not config.stateful, config.seed
        )
        validation = WindowBatches(x_val, y_val, config.batch_size, False, config.seed)
        with carried_states(model):
            model.fit(
                batches,
                validation_data=validation,
                epochs=config.epochs,
                shuffle=False,  # WindowBatches shuffles itself (never in stateful mode)
                callbacks=callbacks,
                verbose=0,
            )
        return model, predict, reporter
    with carried_states(model):
        model.fit(
            x_train,
            y_train,
            validation_data=(x_val, y_val),
            epochs=config.epochs,
            batch_size=config.batch_size,
            shuffle=not config.stateful,
            callbacks=callbacks,
            verbose=0,
        )
    return model, predict, reporter


def train(
    config: TrainConfig,
    values: np.ndarray,
    on_epoch: Callable[[EpochUpdate], None] = lambda update: None,
    should_stop: Callable[[], bool] = lambda: False,
    on_model: Callable[[keras.Model], None] | None = None,
    steer: Steer | None = None,
    on_snapshot: Callable[[keras.Model], None] | None = None,
) -> RunResult:
    """Fit an LSTM to `values` (rows x columns, target first) and score it on the test part.

    With backtest_refit on, scoring trains a fresh model at up to MAX_REFITS backtest
    origins (refit_forecasts), until should_stop says the run's time is up. `steer` lets
    the page change the learning rate and pause while the model trains (ml.steering).
    `on_snapshot` gets the model as it trains at each refresh of the live predictions but
    the last (its cost counts in theirs: together at most PREDICTION_SHARE of the time);
    `on_model` gets it trained.
    """
    data = prepare(config, values)
    if isinstance(data, Sequences):
        config = replace(config, seq_len=data.x_train.shape[1])

    def reporter_for(predict: Predictor) -> _Reporter:
        def live_predictions() -> np.ndarray:
            return evaluate.predictions(config, data, predict(data.x_test))

        steering = None
        if steer is not None:
            steering = Steering(steer, should_stop, fixed_rate=config.lr_schedule == "cosine")
        return _Reporter(
            config, live_predictions, on_epoch, should_stop, steering, on_snapshot=on_snapshot
        )

    def refit(rows: np.ndarray) -> tuple[np.ndarray, str]:
        return refit_forecasts(config, values, rows, should_stop)

    model, predict, reporter = fit_model(config, data, reporter_for)
    if on_model is not None and not reporter.failure:
        on_model(model)
    result = _result(config, model, reporter)
    if not reporter.failure:
        evaluate.score(
            result, config, values, data, predict, refit if config.backtest_refit else None
        )
    return result


def compile_default_run() -> None:
    """On JAX, one epoch of the page's default run, so that its compiled steps are in the
    persistent compilation cache before the first Train press (XLA takes about 3 s a model
    shape on two cores; a run with the default settings then starts warm). The epoch count
    is not part of any compiled step. Nothing to do on TensorFlow, which traces per process.
    """
    if keras.backend.backend() != "jax":
        return
    config = replace(TrainConfig(), epochs=1)
    dataset = load_builtin(config.dataset.removeprefix(BUILTIN_PREFIX))
    config = resolve_season(config, dataset.frame.index)
    started = time.perf_counter()
    train(config, dataset.values(config.target, config.features))
    log.info("compiled the default run's steps in %.1f s", time.perf_counter() - started)


def refit_forecasts(
    config: TrainConfig,
    values: np.ndarray,
    rows: np.ndarray,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[np.ndarray, str]:
    """Forecasts (original units, refit origins x horizon) of a fresh model trained, with
    the run's settings and seed, on the rows before each origin in `rows` (the first row
    each forecast predicts), for at most MAX_REFITS origins; and why fewer were refit ("" if
    none were left out).

    At each origin the rows before it are split as the run splits its training and
    validation parts: the run's validation share of those two parts (rounded to a whole
    percent) is the last part of the rows, the scaler is fitted on the first part, and
    windows whose targets straddle the cut are dropped (make_windows). The model then
    forecasts the horizon from the last window before the origin. Refitting stops when
    should_stop says so (before a refit, or inside one: that refit is dropped).
    """
    share = round(100 * config.train_pct / max(config.train_pct + config.val_pct, 1))
    split = replace(config, train_pct=share, val_pct=100 - share)
    rows = np.asarray(rows, dtype=int)
    made: list[np.ndarray] = []
    note = f"at most {MAX_REFITS} origins are refit" if len(rows) > MAX_REFITS else ""
    for row in rows[:MAX_REFITS]:
        if should_stop():
            note = "the run's time limit stopped the rest"
            break
        data = prepare(split, values[:row])
        if not isinstance(data, Windows) or len(data.x_train) < _smallest_fit(split):
            note = "too few rows before the later origins to train on"
            break

        def quiet(predict: Predictor) -> _Reporter:
            return _Reporter(split, lambda: np.empty(0), lambda update: None, should_stop)

        _, predict, reporter = fit_model(split, data, quiet)
        if reporter.failure or reporter.stopped:
            note = (
                "a refit's loss became NaN"
                if reporter.failure
                else "the run's time limit stopped the rest"
            )
            break
        made.append(data.to_original(evaluate.roll_out(predict, data.last_window, split)))
    return np.reshape(np.asarray(made, dtype=np.float64), (len(made), config.horizon)), note


def _smallest_fit(config: TrainConfig) -> int:
    return config.batch_size if config.stateful else 1


def _result(config: TrainConfig, model: keras.Model, reporter: _Reporter) -> RunResult:
    """The run's status, curves and message (evaluate.score adds the scored predictions)."""
    epochs_run = len(reporter.seconds)
    result = RunResult(
        status="finished",
        message=f"Finished {epochs_run} epochs.",
        history=reporter.history,
        epoch_seconds=reporter.seconds,
        predictions=np.empty(0),
        actual=np.empty(0),
        device=device_name(),
        backend=keras.backend.backend(),
        parameters=model.count_params(),
        best_epoch=metrics.best_epoch(reporter.history),
        lr_changes=list(reporter.steering.changes) if reporter.steering is not None else [],
    )
    if reporter.failure:
        result.status, result.message = "failed", reporter.failure
        return result
    if reporter.stopped:
        result.status = "stopped"
        result.message = f"Stopped after {epochs_run} of {config.epochs} epochs."
    elif config.early_stopping and epochs_run < config.epochs:
        result.message = (
            f"Early stopping after {epochs_run} epochs: val_loss last improved at epoch "
            f"{result.best_epoch}"
            + (", whose weights were restored." if config.restore_best else ".")
        )
    return result
