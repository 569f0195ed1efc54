"""The cost of an epoch said before Train (issue 13): the model of a batch's time, paced by
a real tiny fit measured here, and the warning past a minute. Real Keras fits, no mocks."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from dashboard.ml import estimate
from dashboard.ml.config import TrainConfig, split_rows
from dashboard.ml.data import sine_frame
from dashboard.ml.train import train

TINY = TrainConfig(units=8, layers=1, dense_units=0, seq_len=10, epochs=3, batch_size=16)
ROWS = 3000  # 130 batches an epoch: enough to pace (estimate.MIN_BATCHES)


@pytest.fixture(scope="module")
def measured() -> dict[str, object]:
    """A finished run's record as the store keeps it, from a real tiny fit."""
    result = train(TINY, sine_frame(points=ROWS).to_numpy())
    assert result.status == "finished"
    return {
        "status": "finished",
        "config": TINY.to_dict(),
        "split": list(split_rows(ROWS, TINY.train_pct, TINY.val_pct)),
        "epoch_seconds": result.epoch_seconds,
    }


def test_windows_and_batches_of_an_epoch() -> None:
    config = TrainConfig(seq_len=50, batch_size=32)
    assert estimate.training_windows(config, 1_000_000) == 700_000 - 50 - 1 + 1
    found = estimate.estimate(config, 1_000_000)
    assert found.batches == math.ceil(699_950 / 32) == 21_874
    classify = TrainConfig(task="classify", batch_size=64)
    assert estimate.training_windows(classify, 500) == 350


def test_a_measured_run_paces_the_estimate(measured: dict[str, object]) -> None:
    seconds = measured["epoch_seconds"]
    assert isinstance(seconds, list) and len(seconds) == 3
    same = estimate.estimate(TINY, ROWS, [measured])
    assert same.basis == "measured on your finished runs here"
    # the same settings on the same rows: the run's own median epoch (the first, tracing, out)
    assert same.seconds_per_epoch == pytest.approx(statistics.median(seconds[1:]))
    bigger = estimate.estimate(TINY, ROWS * 100, [measured])
    assert bigger.seconds_per_epoch == pytest.approx(
        same.seconds_per_epoch * bigger.batches / same.batches
    )
    wider = estimate.estimate(
        TrainConfig.from_dict({**TINY.to_dict(), "units": 64}), ROWS, [measured]
    )
    assert wider.seconds_per_batch > same.seconds_per_batch  # more weights, more work
    # the reference model is the right order of magnitude on this machine
    ratio = estimate.modelled_seconds(TINY) / same.seconds_per_batch
    assert 0.1 < ratio < 10, ratio
    few = {**measured, "split": [60, 70]}  # 3 batches an epoch: too few to pace anything
    assert estimate.estimate(TINY, ROWS, [few]).basis == estimate.REFERENCE


def test_a_large_upload_is_warned_about_and_a_small_one_is_not() -> None:
    config = TrainConfig(features=("a", "b", "c", "d"))  # 1M rows, 5 columns: the file
    large = estimate.estimate(config, 1_000_000)
    assert large.basis == estimate.REFERENCE and large.too_long
    assert 5 * 60 < large.seconds_per_epoch < 20 * 60
    sentence = large.sentence()
    assert sentence.startswith("About ") and " minutes per epoch here: 21,874 batches" in sentence
    assert not estimate.estimate(TrainConfig(), 144).too_long  # the airline passengers
    unfinished = {"status": "failed", "split": [100, 120], "epoch_seconds": [1.0]}
    assert estimate.estimate(config, 1000, [unfinished]).basis == estimate.REFERENCE


def test_durations_read_as_people_say_them() -> None:
    assert [estimate.duration(s) for s in (0.2, 40, 89, 720, 9000)] == [
        "1 second",
        "40 seconds",
        "89 seconds",
        "12 minutes",
        "2.5 hours",
    ]
    assert np.isfinite(estimate.modelled_seconds(TrainConfig(task="classify"), steps=140))
