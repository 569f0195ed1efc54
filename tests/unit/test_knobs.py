"""Every knob reaches the Keras model; multi-step forecasts, stateful mode, classification."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest

from dashboard.ml import evaluate, metrics
from dashboard.ml import train as train_module
from dashboard.ml.config import TrainConfig, check
from dashboard.ml.data import load_builtin, sine_frame
from dashboard.ml.model import build_model
from dashboard.ml.summary import cudnn_blockers, summarize
from dashboard.ml.train import (
    EpochUpdate,
    Predictor,
    WindowBatches,
    _Reporter,
    callbacks_for,
    carried_states,
    fit_model,
    prepare,
    reset_states,
    train,
)


def lstms(model: keras.Model) -> list[keras.layers.LSTM]:
    found = []
    for layer in model.layers:
        inner = getattr(layer, "forward_layer", layer)
        if isinstance(inner, keras.layers.LSTM):
            found.append(inner)
    return found


def test_regularisation_and_architecture_knobs() -> None:
    config = TrainConfig(
        units=32,
        layers=3,
        units_schedule="halving",
        activation="relu",
        recurrent_dropout=0.1,
        l1=1e-5,
        l2=1e-4,
        recurrent_l2=1e-3,
        bidirectional=True,
        dense_units=16,
        dense_activation="tanh",
    )
    model = build_model(config, n_features=2)
    layers = lstms(model)
    assert [layer.units for layer in layers] == [32, 16, 8]
    assert all(layer.activation.__name__ == "relu" for layer in layers)
    assert all(layer.recurrent_dropout == 0.1 for layer in layers)
    kernel = layers[0].kernel_regularizer.get_config()
    assert kernel["l1"] == pytest.approx(1e-5) and kernel["l2"] == pytest.approx(1e-4)
    assert layers[0].recurrent_regularizer.get_config()["l2"] == pytest.approx(1e-3)
    assert isinstance(model.layers[0], keras.layers.Bidirectional)
    head = model.get_layer("dense_head")
    assert head.units == 16 and head.activation.__name__ == "tanh"
    # the Dash-free summary counts exactly what Keras builds
    assert sum(row.parameters for row in summarize(config, 2)) == model.count_params()
    assert cudnn_blockers(config) == [
        "activation relu (cuDNN needs tanh)",
        "recurrent dropout (cuDNN needs 0)",
    ]
    assert cudnn_blockers(TrainConfig()) == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("adam", keras.optimizers.Adam),
        ("rmsprop", keras.optimizers.RMSprop),
        ("sgd", keras.optimizers.SGD),
    ],
)
def test_optimizers(name: str, kind: type) -> None:
    model = build_model(TrainConfig(optimizer=name, momentum=0.8, learning_rate=0.01), 1)
    optimizer = model.optimizer
    assert isinstance(optimizer, kind)
    if isinstance(optimizer, keras.optimizers.SGD):
        assert optimizer.momentum == pytest.approx(0.8)


def quiet_reporter(config: TrainConfig) -> _Reporter:
    """A reporter that reports nowhere and never stops the run (no steering)."""
    return _Reporter(config, lambda: np.zeros(1), lambda update: None, lambda: False)


def test_learning_rate_schedules_and_early_stopping() -> None:
    cosine = build_model(TrainConfig(lr_schedule="cosine", epochs=10), 1, steps_per_epoch=7)
    schedule = cosine.optimizer._learning_rate  # the schedule object behind the optimizer
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert schedule.decay_steps == 70
    config = TrainConfig(
        lr_schedule="plateau", early_stopping=True, patience=4, restore_best=False, stateful=True
    )
    reporter = quiet_reporter(config)
    kinds = [type(c).__name__ for c in callbacks_for(config, reporter)]
    assert kinds == ["_ResetStates", "ReduceLROnPlateau", "EarlyStopping", "_Reporter"]
    stopper = callbacks_for(config, reporter)[2]
    assert stopper.patience == 4 and stopper.restore_best_weights is False


def test_direct_head_and_recursive_roll_out_shapes() -> None:
    series = sine_frame(points=200).to_numpy()
    base: dict[str, Any] = {
        "units": 8,
        "layers": 1,
        "dense_units": 0,
        "seq_len": 10,
        "epochs": 1,
        "horizon": 4,
    }
    direct = train(TrainConfig(**base, forecast_mode="direct"), series)
    assert direct.predictions.shape[1] == direct.actual.shape[1] == 4
    assert len(direct.extras["future"]) == len(direct.extras["rollout"]) == 4
    recursive = train(TrainConfig(**base, forecast_mode="recursive"), series)
    assert recursive.predictions.shape[1] == 1  # one step out, fed back in
    assert len(recursive.extras["future"]) == 4


def test_recursive_roll_out_feeds_each_prediction_back() -> None:
    def next_is_last_plus_one(x: np.ndarray) -> np.ndarray:
        return x[:, -1, :1] + 1.0

    window = np.arange(5, dtype=np.float32)[:, None]  # 0..4
    config = TrainConfig(horizon=3, forecast_mode="recursive")
    np.testing.assert_allclose(evaluate.roll_out(next_is_last_plus_one, window, config), [5, 6, 7])

    def three_at_once(x: np.ndarray) -> np.ndarray:
        return np.tile([[10.0, 20.0, 30.0]], (len(x), 1))

    direct = TrainConfig(horizon=3, forecast_mode="direct")
    np.testing.assert_allclose(evaluate.roll_out(three_at_once, window, direct), [10, 20, 30])


def test_recursive_needs_the_target_alone_and_stateful_needs_full_batches() -> None:
    [problem] = check(TrainConfig(forecast_mode="recursive", features=("x",)), 1000, "d")
    assert "needs the target alone" in problem
    [problem] = check(TrainConfig(stateful=True, batch_size=512, seq_len=50), 300, "d")
    assert "do not fill one batch of 512" in problem


def test_stateful_model_keeps_state_until_reset() -> None:
    config = TrainConfig(
        units=4, layers=1, dropout=0.0, dense_units=0, seq_len=5, stateful=True, batch_size=8
    )
    model = build_model(config, 1)
    assert model.layers[0].stateful and model.input_shape == (8, 5, 1)
    x = np.ones((8, 5, 1), dtype=np.float32)
    with carried_states(model):  # on JAX, the state is carried only while tracked
        model.predict(x, batch_size=8, verbose=0)
    state = keras.ops.convert_to_numpy(lstms(model)[0].states[0])
    assert np.abs(state).sum() > 0
    reset_states(model)
    assert np.abs(keras.ops.convert_to_numpy(lstms(model)[0].states[0])).sum() == 0
    # any number of windows can be predicted: padded to full batches, then cut back
    assert Predictor(model, config)(np.ones((11, 5, 1), dtype=np.float32)).shape == (11, 1)


def test_stateful_training_carries_state_across_batches_and_resets_it() -> None:
    series = sine_frame(points=200).to_numpy()
    config = TrainConfig(
        units=4, layers=1, seq_len=10, epochs=2, stateful=True, batch_size=16, dense_units=0
    )
    models: list[keras.Model] = []
    result = train(config, series, on_model=models.append)
    assert result.status == "finished" and np.isfinite(result.predictions).all()
    [model] = models
    assert lstms(model)[0].stateful and model.input_shape[0] == 16  # fixed batches
    windows = np.stack([series[i : i + 10] for i in range(32)]).astype(np.float32)
    first, second = windows[:16], windows[16:]
    # the state left by one batch is where the next batch starts
    reset_states(model)
    with carried_states(model):
        model.predict_on_batch(first)
        after_first = model.predict_on_batch(second)
        reset_states(model)
        from_zero = model.predict_on_batch(second)
    assert not np.allclose(after_first, from_zero)
    # every epoch (and every prediction of the page) starts from a zero state
    resetter = callbacks_for(config, quiet_reporter(config))[0]  # runs before the others
    resetter.set_model(model)
    with carried_states(model):
        model.predict_on_batch(first)
    assert np.abs(keras.ops.convert_to_numpy(lstms(model)[0].states[0])).sum() > 0
    resetter.on_epoch_begin(1)
    assert np.abs(keras.ops.convert_to_numpy(lstms(model)[0].states[0])).sum() == 0
    predict = Predictor(model, config)
    np.testing.assert_array_equal(predict(second), predict(second))
    np.testing.assert_allclose(predict(second), from_zero, rtol=1e-5, atol=1e-6)


def test_window_batches_keep_their_order_unless_shuffled() -> None:
    """Stateful mode's batches (shuffle=False) come in row order every epoch; shuffled ones
    cover the same windows in a new order each epoch."""
    x = np.arange(50, dtype=np.float32).reshape(50, 1, 1)
    y = np.arange(50, dtype=np.float32).reshape(50, 1)

    def epoch_of(batches: WindowBatches) -> list[float]:
        served = [batches[i] for i in range(len(batches))]
        assert all(np.array_equal(bx.ravel(), by.ravel()) for bx, by in served)  # pairs kept
        batches.on_epoch_end()
        return [float(v) for bx, _ in served for v in bx.ravel()]

    in_order = WindowBatches(x, y, batch_size=8, shuffle=False, seed=0)
    assert len(in_order) == 7
    assert epoch_of(in_order) == epoch_of(in_order) == list(range(50))
    shuffled = WindowBatches(x, y, batch_size=8, shuffle=True, seed=0)
    first, second = epoch_of(shuffled), epoch_of(shuffled)
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != list(range(50)) and second != first


class _BatchRecorder(_Reporter):
    """The real reporter, also keeping each training step's weights and the stateful
    layer's state before and after the step."""

    def __init__(self, config: TrainConfig) -> None:
        def ignore(update: EpochUpdate) -> None:
            pass

        super().__init__(config, lambda: np.zeros(0), ignore, lambda: False)
        self.steps: list[tuple[int, list[np.ndarray], list[np.ndarray], list[np.ndarray]]] = []
        self._before: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])

    def _state(self) -> list[np.ndarray]:
        if keras.backend.backend() == "jax":  # JAX's fit holds the values outside the model
            self.model.jax_state_sync()
        return [keras.ops.convert_to_numpy(v) for v in lstms(self.model)[0].states]

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        state = self._state()
        weights = [keras.ops.convert_to_numpy(v) for v in self.model.trainable_variables]
        self._before = (weights, state)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        super().on_train_batch_end(batch, logs)
        self.steps.append((batch, *self._before, self._state()))


@pytest.mark.parametrize("whole", [True, False], ids=["arrays", "window-batches"])
def test_stateful_training_feeds_the_batches_in_order(
    whole: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stateful mode trains without shuffling, on both of fit's paths (whole arrays, and
    batches gathered past FIT_WHOLE_BYTES): at every step, the state the layer reached is
    the one its state before the step and the step's weights give on the next batch of
    windows in row order, and on no other batch."""
    if not whole:
        monkeypatch.setattr(train_module, "FIT_WHOLE_BYTES", 0)
    config = TrainConfig(
        units=4, layers=1, seq_len=10, epochs=2, stateful=True, batch_size=16, dense_units=0,
        dropout=0.0,
    )  # fmt: skip
    data = prepare(config, sine_frame(points=200).to_numpy())
    recorders: list[_BatchRecorder] = []

    def make(predict: Predictor) -> _Reporter:
        recorders.append(_BatchRecorder(config))
        return recorders[0]

    model, _, _ = fit_model(config, data, make)
    [recorder] = recorders
    size, count = config.batch_size, len(data.x_train) // config.batch_size
    assert count >= 4 and [s[0] for s in recorder.steps] == list(range(count)) * 2
    layer = lstms(model)[0]

    def state_after(batch: int, weights: list[np.ndarray], before: list[np.ndarray]) -> Any:
        for variable, value in zip(model.trainable_variables, weights, strict=True):
            variable.assign(value)
        for variable, value in zip(layer.states, before, strict=True):
            variable.assign(value)
        with carried_states(model):
            model.predict_on_batch(np.asarray(data.x_train[batch * size : (batch + 1) * size]))
        return [keras.ops.convert_to_numpy(v) for v in layer.states]

    for batch, weights, before, after in recorder.steps:
        expected = state_after(batch, weights, before)
        for got, want in zip(after, expected, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        other = state_after((batch + 1) % count, weights, before)
        assert not np.allclose(after[0], other[0], rtol=1e-4, atol=1e-5)
    assert not np.abs(recorder.steps[count][2][0]).any()  # each epoch starts from zero


def test_classification_metrics_on_known_labels() -> None:
    labels = np.array([0, 0, 1, 1, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0])
    scores = metrics.classification_scores(labels, predicted, ["a", "b", "c"])
    assert scores["accuracy"] == pytest.approx(4 / 6)
    assert scores["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    b = scores["per_class"][1]
    assert (b["precision"], b["recall"], b["support"]) == (pytest.approx(2 / 3), 1.0, 2)


def test_classifying_ecg_sequences_end_to_end() -> None:
    dataset = load_builtin("ecg")
    config = TrainConfig(
        task="classify", target="label", units=8, layers=1, epochs=2, batch_size=64, dense_units=0
    )
    result = train(config, dataset.values("label"))
    assert result.status == "finished"
    assert set(result.history) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert result.scores["classes"] == ["1", "2", "3", "4", "5"]
    confusion = np.asarray(result.scores["confusion"])
    assert confusion.shape == (5, 5) and confusion.sum() == len(result.actual) == 76  # 15 %


def test_overfitting_signal() -> None:
    falling = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]
    assert (
        metrics.overfitting_since({"loss": falling, "val_loss": [1.0, 0.7, 0.6, 0.65, 0.7, 0.8]})
        == 3
    )
    assert metrics.overfitting_since({"loss": falling, "val_loss": falling}) is None
    assert metrics.best_epoch({"val_loss": [3.0, 1.0, 2.0, float("nan")]}) == 2


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="counts TensorFlow's traces of tf.function"
)
def test_the_train_step_is_traced_once() -> None:
    """Optimizer and metric state exist before fit, so the step is not traced twice."""
    import gc

    from tensorflow.python.eager.polymorphic_function.polymorphic_function import Function

    def step_functions() -> dict[int, Function]:
        return {
            id(f): f
            for f in gc.get_objects()
            if isinstance(f, Function) and f.__name__ == "one_step_on_data"
        }

    before = set(step_functions())
    train(
        TrainConfig(units=8, layers=1, seq_len=10, epochs=2, dense_units=0),
        sine_frame(points=200).to_numpy(),
    )
    new = [f for key, f in step_functions().items() if key not in before]
    # one trace of the train step and one of the test (validation) step
    assert sum(f.experimental_get_tracing_count() for f in new) == 2
