"""README claims that no other test covered: every built-in dataset and preset trains, early
stopping restores the best weights, each learning-rate schedule does what it says, the
prediction refreshes on a time budget, the same seed gives the same curve in separate
processes, and the test server does not inherit a stray LSTM_LAB_* or REDIS_URL."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from dashboard.ml.config import TrainConfig, check
from dashboard.ml.data import BUILTINS, load_builtin, sine_frame
from dashboard.ml.presets import PRESETS
from dashboard.ml.train import EpochUpdate, prepare, refresh_due, train
from tests.server import clean_env, issued_session, running_server

TINY = {"units": 4, "layers": 1, "dense_units": 0, "seq_len": 10, "batch_size": 64, "epochs": 1}


def tiny_run(**values: Any) -> TrainConfig:
    return TrainConfig.from_dict({**TINY, **values})


# -- datasets and presets ----------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(BUILTINS))
def test_every_builtin_dataset_loads_and_trains_briefly(key: str) -> None:
    dataset = load_builtin(key)
    spec = BUILTINS[key]
    assert dataset.id == f"builtin:{key}" and dataset.task == spec.task
    assert spec.target in dataset.numeric_columns and len(dataset.frame) >= 100
    features = tuple(c for c in dataset.numeric_columns if c != spec.target)
    if spec.task == "classify":
        config = tiny_run(task="classify", target=spec.target, epochs=2)
        values = dataset.values(spec.target)
    else:
        features = features[:2]  # multivariate series: the target and two inputs
        config = tiny_run(target=spec.target, features=features, epochs=2)
        values = dataset.values(spec.target, features)
    assert check(config, len(values), dataset.name) == []
    result = train(config, values)
    assert result.status == "finished", result.message
    assert len(result.history["loss"]) == 2 and np.isfinite(result.history["val_loss"]).all()
    if spec.task == "classify":
        assert 0 <= result.scores["accuracy"] <= 1 and len(result.scores["per_class"]) >= 2
    else:
        assert result.predictions.shape == result.actual.shape and result.scores["model"]["mae"] > 0


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_is_a_valid_config_that_differs_as_it_says_and_trains(key: str) -> None:
    preset = PRESETS[key]
    config = TrainConfig.from_dict(preset.settings)
    default = TrainConfig()
    for name, value in preset.settings.items():
        assert getattr(config, name) == value, name  # nothing clamped or coerced away
    differing = {
        f.name for f in fields(TrainConfig) if getattr(config, f.name) != getattr(default, f.name)
    }
    said = {name for name, value in preset.settings.items() if getattr(default, name) != value}
    assert differing == said and said, (differing, said)
    dataset = load_builtin(config.dataset.removeprefix("builtin:"))
    values = dataset.values(config.target, config.features)
    assert check(config, len(values), dataset.name) == []
    short = replace(config, epochs=2, units=8, dense_units=min(config.dense_units, 4))
    result = train(short, values)
    assert result.status == "finished", result.message
    assert len(result.history["loss"]) == 2


# -- early stopping and learning-rate schedules ---------------------------------------------


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_restores_the_weights_of_the_best_epoch(restore: bool) -> None:
    series = np.random.default_rng(0).normal(size=(300, 1))  # noise: val_loss soon turns up
    config = tiny_run(
        units=8,
        dropout=0.0,
        learning_rate=0.1,
        epochs=12,
        batch_size=16,
        early_stopping=True,
        patience=3,
        restore_best=restore,
    )
    models: list[keras.Model] = []
    result = train(config, series, on_model=models.append)
    val_loss = result.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert best < len(val_loss) - 1  # a later epoch was worse: restoring matters here
    data = prepare(config, series)
    final = models[0].evaluate(data.x_val, data.y_val, batch_size=config.batch_size, verbose=0)
    final = final[0] if isinstance(final, list) else final
    expected = val_loss[best] if restore else val_loss[-1]
    assert final == pytest.approx(expected, rel=1e-4)
    assert final != pytest.approx(val_loss[best if not restore else -1], rel=1e-3)


def final_learning_rate(config: TrainConfig) -> tuple[float, dict[str, list[float]]]:
    models: list[keras.Model] = []
    result = train(config, sine_frame(points=200).to_numpy(), on_model=models.append)
    assert result.status == "finished", result.message
    rate = models[0].optimizer.learning_rate
    return float(keras.ops.convert_to_numpy(rate)), result.history


def test_constant_learning_rate_stays() -> None:
    rate, _ = final_learning_rate(tiny_run(learning_rate=0.01, epochs=3))
    assert rate == pytest.approx(0.01)


def test_cosine_decay_glides_the_learning_rate_to_zero_by_the_end() -> None:
    rate, _ = final_learning_rate(tiny_run(learning_rate=0.01, epochs=3, lr_schedule="cosine"))
    assert rate == pytest.approx(0.0, abs=1e-6)


def test_reduce_on_plateau_lowers_the_learning_rate_after_a_stall() -> None:
    # SGD with the smallest step: val_loss cannot improve by ReduceLROnPlateau's min_delta
    config = tiny_run(
        optimizer="sgd",
        momentum=0.0,
        learning_rate=1e-4,
        epochs=6,
        batch_size=512,
        lr_schedule="plateau",
        patience=4,
    )
    rate, _history = final_learning_rate(config)
    assert rate < 1e-4 and rate == pytest.approx(1e-4 * 0.5 ** round(np.log2(1e-4 / rate)))


# -- live predictions ----------------------------------------------------------------------


def test_the_prediction_refreshes_on_a_time_budget() -> None:
    """After the first epoch and the last; in between, once the training since the last
    refresh is at least a second and twenty times what that refresh took."""
    assert refresh_due(0.0, None)  # the first epoch's
    assert not refresh_due(0.9, 0.01) and refresh_due(1.0, 0.01)  # at most once a second
    assert not refresh_due(3.9, 0.2) and refresh_due(4.0, 0.2)  # at most 5 % of the time
    with_predictions: list[int] = []

    def record(update: EpochUpdate) -> None:
        if update.predictions is not None:
            assert np.isfinite(update.predictions).all()
            with_predictions.append(update.epoch)

    result = train(tiny_run(epochs=30, batch_size=128), sine_frame(points=200).to_numpy(), record)
    assert result.status == "finished"
    assert with_predictions[0] == 1 and with_predictions[-1] == 30
    assert with_predictions == sorted(set(with_predictions))
    assert len(with_predictions) <= 20  # not every epoch: these take some hundredths


# -- reproducibility across processes ------------------------------------------------------

CURVE = """
import json, sys
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import sine_frame
from dashboard.ml.train import train
config = TrainConfig.from_dict(json.loads(sys.argv[1]))
print(json.dumps(train(config, sine_frame(points=200).to_numpy()).history["loss"]))
"""


def test_the_same_seed_gives_the_same_curve_in_two_processes() -> None:
    config = json.dumps({**TINY, "epochs": 3, "units": 8, "seed": 7})
    curves = []
    for hash_seed in ("1", "2"):  # unrelated process state differs between the two
        env = clean_env(PYTHONHASHSEED=hash_seed, TF_CPP_MIN_LOG_LEVEL="3")
        done = subprocess.run(
            [sys.executable, "-c", CURVE, config],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=True,
        )
        curves.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert len(curves[0]) == 3 and curves[0] == curves[1]  # exactly, float for float


# -- the test server's environment ---------------------------------------------------------


def test_clean_env_drops_stray_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSTM_LAB_MAX_EPOCHS", "1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    env = clean_env(LSTM_LAB_PORT="1234")
    assert "LSTM_LAB_MAX_EPOCHS" not in env and "REDIS_URL" not in env
    assert env["LSTM_LAB_PORT"] == "1234" and env["PATH"]


def upload(url: str, text: str, name: str) -> tuple[int, dict[str, Any]]:
    """POST a file to the server's /upload route as the page does."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="session"\r\n\r\n'
        f"{issued_session(url)}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: text/csv\r\n\r\n{text}\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        url + "/upload",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_test_server_ignores_stray_lab_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LSTM_LAB_MAX_UPLOAD_MB", "0")  # would refuse every file
    monkeypatch.setenv("LSTM_LAB_MAX_EPOCHS", "1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # would send jobs to Celery
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    rows = "".join(f"2021-01-{d:02d},{d}\n" for d in range(1, 29))
    with running_server(data_dir) as url:
        status, answer = upload(url, "day,level\n" + rows, "fine.csv")
        assert status == 200 and answer["upload"]["rows"] == 28, answer
        with urllib.request.urlopen(url + "/_dash-layout", timeout=30) as response:
            layout = response.read().decode()
        assert "Celery" not in layout
    with running_server(data_dir, env={"LSTM_LAB_MAX_UPLOAD_MB": "0"}) as url:  # asked for
        status, answer = upload(url, "day,level\n" + rows, "fine.csv")
        assert status == 413 and "0 MB upload limit" in answer["error"]
