"""The learning-rate finder: its rates, its blow-up stop, and suggestions near a known good
rate (measured: analytically on a linear problem, by training at fixed rates on an LSTM)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import diskcache
import keras
import numpy as np
import pytest

from dashboard.lr_jobs import run_finder
from dashboard.ml import lr_finder
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import load_builtin
from dashboard.ml.model import build_model
from dashboard.ml.train import prepare
from dashboard.settings import Settings

SMALL = TrainConfig(units=32, layers=1, dense_units=16, seq_len=20, batch_size=32, dropout=0.0)


def linear_problem(seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """y = x.w + noise, x with variance 50: the mean squared error's Hessian is known, so
    plain SGD's best rate is 1/lambda_max and it diverges beyond 2/lambda_max."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, np.sqrt(50), (2000, 4)).astype("float32")
    y = (x @ np.array([0.5, -1.0, 0.25, 2.0]) + rng.normal(0, 0.1, 2000)).astype("float32")
    with_bias = np.c_[x, np.ones(len(x))]
    hessian = 2 * with_bias.T @ with_bias / len(x)
    return x, y[:, None], float(np.linalg.eigvalsh(hessian).max())


def sgd_sweep(x: np.ndarray, y: np.ndarray, seed: int) -> lr_finder.Sweep:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    return lr_finder.sweep_model(model, x, y, 32, lr_finder.rates(), shuffle_seed=seed)


def test_the_rates_rise_exponentially_from_1e_6_to_1() -> None:
    rates = lr_finder.rates(100)
    assert rates[0] == pytest.approx(1e-6) and rates[-1] == pytest.approx(1.0)
    assert np.allclose(rates[1:] / rates[:-1], 10 ** (6 / 99))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_sgd_on_a_linear_problem_stops_past_its_stability_limit_near_a_known_good_rate(
    seed: int,
) -> None:
    """The optimizer really trains with the swept rates: the rates it held are the
    schedule's, and the loss blows up only once they pass 2/lambda_max, where SGD must
    diverge; the sweep stops there. The suggestion is within 10x of 1/lambda_max."""
    x, y, lam = linear_problem(seed)
    sweep = sgd_sweep(x, y, seed)
    held = np.asarray(sweep.lrs)
    assert np.allclose(held, lr_finder.rates()[: len(held)], rtol=1e-5)
    assert sweep.blew_up and len(held) < 100
    assert 2 / lam < held[-1] < 20 / lam  # diverged only beyond the limit, and soon after
    assert sweep.suggestion is not None
    assert 0.1 < sweep.suggestion * lam < 10, (sweep.suggestion, 1 / lam)
    assert "blew up" in sweep.message and lr_finder.short(sweep.suggestion) in sweep.message


def test_an_lstms_suggestion_lands_within_10x_of_the_best_fixed_rate() -> None:
    """Known good rate: the best of 1e-4..1e-1 after 3 epochs at a fixed rate (val_loss)."""
    values = load_builtin("sine").values("value", ())
    sweep = lr_finder.find_lr(SMALL, values)
    assert sweep.suggestion is not None and len(sweep.lrs) >= 90
    data = prepare(SMALL, values)
    scores = {}
    for rate in (1e-4, 1e-3, 1e-2, 1e-1):
        keras.utils.set_random_seed(0)
        model = build_model(replace(SMALL, learning_rate=rate), data.x_train.shape[2])
        history = model.fit(
            data.x_train,
            data.y_train,
            batch_size=SMALL.batch_size,
            epochs=3,
            validation_data=(data.x_val, data.y_val),
            verbose=0,
        )
        scores[rate] = history.history["val_loss"][-1]
    best = min(scores, key=scores.__getitem__)
    assert 0.1 < sweep.suggestion / best < 10, (sweep.suggestion, scores)


def test_no_suggestion_when_the_loss_never_falls() -> None:
    lrs = list(lr_finder.rates(60))
    rising = [1.0 + i / 60 for i in range(60)]
    assert lr_finder.suggest(lrs, lr_finder.smooth(rising)) is None
    falling = [2.0 - np.tanh((np.log10(r) + 3) * 2) for r in lrs]  # steepest at 1e-3
    assert lr_finder.suggest(lrs, falling) == pytest.approx(1e-3, rel=0.3)


def test_rates_are_written_short() -> None:
    assert [lr_finder.short(r) for r in (1.4e-3, 1e-6, 1.0, 0.1, 0.032)] == [
        "1.4e-3",
        "1e-6",
        "1",
        "1e-1",
        "3.2e-2",
    ]


def test_the_smoothing_is_bias_corrected() -> None:
    assert lr_finder.smooth([2.0, 2.0, 2.0]) == pytest.approx([2.0, 2.0, 2.0])


def test_a_cosine_schedule_sweeps_with_a_constant_rate() -> None:
    cosine = replace(SMALL, lr_schedule="cosine")
    assert lr_finder.finder_config(cosine).lr_schedule == "none"
    assert lr_finder.finder_config(SMALL) is SMALL


def test_the_job_sweeps_in_a_training_slot_and_reports_plain_json(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_concurrent_jobs=1)
    reports: list[dict[str, object]] = []
    slots = diskcache.Cache(str(tmp_path / "slots"))
    final = run_finder(settings, SMALL, "s1", reports.append, slots, batches=40)
    assert final["status"] == "finished", final
    assert final["batch"] == final["batches"] == 40 and len(final["lrs"]) == 40
    assert [r["status"] for r in reports][:2] == ["queued", "running"]
    for state in [*reports, final]:
        assert json.loads(json.dumps(state, allow_nan=False)) == state
    assert list(slots.iterkeys()) == ["train-waiting"]  # the slot was given back


def test_the_job_refuses_what_a_training_would_refuse_in_a_sentence(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_units_x_layers=16)
    final = run_finder(settings, SMALL, "s1", lambda state: None)
    assert final["status"] == "failed"
    assert "Units x layers is 32; this server allows at most 16" in final["message"]
    gone = run_finder(settings, replace(SMALL, units=4, dataset="nope"), "s1", lambda s: None)
    assert gone["status"] == "failed" and "no longer on the server" in gone["message"]
