"""Real (tiny) Keras training: per-epoch reports, scores, reproducibility, NaN, stop."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from dashboard.jobs import live_state
from dashboard.layout.results import progress, status_message
from dashboard.ml import train as train_module
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import sine_frame
from dashboard.ml.train import EpochUpdate, Predictor, prepare, train
from dashboard.ml.windows import Windows

TINY = TrainConfig(units=8, layers=1, dense_units=0, seq_len=10, epochs=2, batch_size=16)


@pytest.fixture(scope="module")
def series() -> np.ndarray:
    return sine_frame(points=200).to_numpy()


def test_two_epochs_on_200_points(series: np.ndarray) -> None:
    updates: list[tuple[int, int, bool]] = []

    def record(update: EpochUpdate) -> None:
        if update.batch is None:  # batch reports come from epochs longer than a second
            updates.append(
                (update.epoch, len(update.history["loss"]), update.predictions is not None)
            )

    result = train(TINY, series, on_epoch=record)
    assert result.status == "finished"
    assert len(result.history["loss"]) == len(result.history["val_loss"]) == 2
    # each report carries the whole history so far, and predictions come after the point
    assert updates[0][:2] == (1, 1) and updates[-1] == (2, 2, True)
    n_test = 200 - 170  # test rows 170..199
    assert result.naive is not None
    assert result.predictions.shape == result.actual.shape == result.naive.shape == (n_test, 1)
    np.testing.assert_allclose(result.actual[:, 0], series[170:, 0], rtol=1e-5, atol=1e-6)
    assert {"model", "naive", "skill", "baselines", "strongest", "verdict"} <= set(result.scores)
    assert result.scores["model"]["mae"] > 0
    assert result.device.startswith(("CPU", "GPU"))
    assert result.parameters == 4 * (8 * 9 + 8) + 9


def test_a_long_epoch_says_how_far_it_has_got(
    series: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within an epoch, batch updates (here every batch past the first: no waiting for a
    second) carry the batches done of the epoch's, and the history of the epochs before."""
    monkeypatch.setattr(train_module, "BATCH_REPORT_S", 0.0)
    seen: list[EpochUpdate] = []
    result = train(TINY, series, on_epoch=seen.append)
    assert result.status == "finished"
    batches = [u for u in seen if u.batch is not None]
    steps = math.ceil(len(range(10, 140)) / TINY.batch_size)  # training windows / batch
    assert {u.batch[1] for u in batches if u.batch} == {steps}
    first_epoch = [u.batch[0] for u in batches if u.batch and u.epoch == 0]
    assert first_epoch == list(range(2, steps + 1))  # from the second batch on
    assert all(len(u.history["loss"]) == u.epoch for u in batches)
    assert all(u.batch[2] > 0 for u in batches if u.batch)
    # what the page shows of one: the bar between the epochs, the batch, an ETA
    state = live_state("r", "running", epochs=2, batch=(4, 8, 2.0))
    assert state["batch"] == [4, 8] and state["eta_s"] == pytest.approx(2.0 + 4.0)
    percent, text = progress(state)
    assert percent == pytest.approx(25.0) and "batch 4/8" in text and "ETA 0:06" in text
    assert status_message(state) == "Training: epoch 1 of 2, batch 4 of 8."


def test_large_windows_are_views_fed_batch_by_batch(
    series: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows are read-only views of the rows; past FIT_WHOLE_BYTES fit gathers them batch
    by batch (seeded: the same curve twice), and many windows are predicted in chunks."""
    data = prepare(TINY, series)
    assert isinstance(data, Windows)
    assert not data.x_train.flags.owndata and not data.x_train.flags.writeable
    monkeypatch.setattr(train_module, "FIT_WHOLE_BYTES", 0)
    steps: list[int] = []

    def record(update: EpochUpdate) -> None:
        if update.batch is not None:
            steps.append(update.batch[1])

    monkeypatch.setattr(train_module, "BATCH_REPORT_S", 0.0)
    first = train(TINY, series, on_epoch=record)
    assert first.status == "finished" and np.isfinite(first.predictions).all()
    assert set(steps) == {math.ceil(130 / TINY.batch_size)}
    assert train(TINY, series).history["loss"] == first.history["loss"]
    models: list[Any] = []
    train(TINY, series, on_model=models.append)
    whole = Predictor(models[0], TINY)(data.x_test)
    monkeypatch.setattr(train_module, "PREDICT_CHUNK", 7)
    np.testing.assert_allclose(Predictor(models[0], TINY)(data.x_test), whole, rtol=1e-5)


def test_same_seed_gives_the_same_curve(series: np.ndarray) -> None:
    first = train(TINY, series).history["loss"]
    second = train(TINY, series).history["loss"]
    other = train(TrainConfig.from_dict({**TINY.to_dict(), "seed": 1}), series).history["loss"]
    assert first == second
    assert first != other


def test_exploding_loss_stops_with_a_plain_explanation() -> None:
    huge = np.linspace(0, 1e30, 200)[:, None]
    config = TrainConfig.from_dict(
        {**TINY.to_dict(), "scaling": "none", "learning_rate": 0.1, "epochs": 5}
    )
    result = train(config, huge)
    assert result.status == "failed"
    assert len(result.history["loss"]) < 5
    assert "became" in result.message and "learning rate (0.1)" in result.message


def test_should_stop_ends_after_the_current_epoch(series: np.ndarray) -> None:
    config = TrainConfig.from_dict({**TINY.to_dict(), "epochs": 50})
    result = train(config, series, should_stop=lambda: True)
    assert result.status == "stopped"
    assert len(result.history["loss"]) == 1
    assert np.isfinite(result.predictions).all()
