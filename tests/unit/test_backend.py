"""The Keras backend of job processes (LSTM_LAB_KERAS_BACKEND): TensorFlow or JAX, set in
the environment before Keras is imported; JAX with its compilation cache in the data folder.
A real training job runs on JAX in a fresh process (Keras picks its backend once, at import,
and this test process already imported it on TensorFlow)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from dashboard.ml import backend, export
from dashboard.settings import Settings
from dashboard.store import Store

ROOT = Path(__file__).resolve().parents[2]
JOB = """
import json, sys
from pathlib import Path
import numpy as np
from dashboard import jobs
from dashboard.ml import runtime
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import Dataset, sine_frame
from dashboard.settings import Settings
from dashboard.store import Store

settings = Settings.from_env()
store = Store.from_settings(settings)
store.save_dataset("s", Dataset("upload:tiny", "Tiny", sine_frame(points=200), "value"))
out = {"badge": runtime.badge()}
for name, stateful in (("plain", False), ("stateful", True)):
    config = TrainConfig(
        dataset="upload:tiny", units=4, layers=1, dense_units=0, seq_len=10, epochs=2,
        batch_size=16, stateful=stateful,
    )
    out[name] = jobs.run_training(settings, config, "s", lambda state: None)
again = jobs.run_training(settings, config, "s", lambda state: None)  # same seed, same curve
out["same_curve"] = again["history"] == out["stateful"]["history"]
model = runtime.keras.models.load_model(store.artifact_path(out["plain"]["run_id"], "model.keras"))
out["prediction"] = np.asarray(model.predict_on_batch(np.ones((1, 10, 1)))).tolist()
out["imports_tensorflow"] = "tensorflow" in sys.modules
print(json.dumps(out))
"""


def test_the_settings_name_a_backend_and_what_its_jobs_need(tmp_path: Path) -> None:
    assert Settings().keras_backend == backend.resolve("auto")  # the default: measured
    assert backend.resolve("auto") == ("tensorflow" if backend.NVIDIA_DRIVER.exists() else "jax")
    assert backend.resolve("tensorflow") == "tensorflow" and backend.resolve("jax") == "jax"
    settings = Settings.from_env({"LSTM_LAB_KERAS_BACKEND": "jax"}, data_dir=tmp_path)
    assert settings.job_environment == {
        "KERAS_BACKEND": "jax",
        "JAX_COMPILATION_CACHE_DIR": str(tmp_path / "jax-cache"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }
    tf = Settings(data_dir=tmp_path, keras_backend="tensorflow")
    assert tf.job_environment == {"KERAS_BACKEND": "tensorflow"}
    with pytest.raises(ValueError, match="must be one of auto, tensorflow, jax"):
        Settings(keras_backend="torch")
    assert backend.check_backend("jax") is None  # installed with the project


def test_the_environment_is_set_for_a_block_and_restored() -> None:
    os.environ["LSTM_LAB_TEST_KEPT"] = "before"
    try:
        with backend.environment({"LSTM_LAB_TEST_KEPT": "during", "LSTM_LAB_TEST_NEW": "x"}):
            assert os.environ["LSTM_LAB_TEST_KEPT"] == "during"
            assert os.environ["LSTM_LAB_TEST_NEW"] == "x"
        assert os.environ["LSTM_LAB_TEST_KEPT"] == "before"
        assert "LSTM_LAB_TEST_NEW" not in os.environ
    finally:
        os.environ.pop("LSTM_LAB_TEST_KEPT", None)


def test_a_job_trains_on_jax_with_its_compilation_cache(tmp_path: Path) -> None:
    """A job process on JAX trains plain and stateful runs, says so in the badge, keeps
    its compiled steps in the data folder, and never imports TensorFlow."""
    settings = Settings(data_dir=tmp_path / "data", keras_backend="jax")
    env = {**os.environ, **settings.as_env(), **settings.job_environment}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", JOB],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["badge"] == "CPU · JAX"
    assert out["plain"]["status"] == "finished", out["plain"]["message"]
    assert len(out["plain"]["history"]["loss"]) == 2
    assert out["stateful"]["status"] == "finished", out["stateful"]["message"]
    assert len(out["stateful"]["history"]["loss"]) == 2
    assert out["imports_tensorflow"] is False  # 2-3 s and hundreds of MB saved per job
    assert any((tmp_path / "data" / "jax-cache").iterdir())  # compiled steps kept
    assert out["same_curve"]  # a seed reproduces within a backend
    # the .keras file a JAX job saved loads on TensorFlow (this process) and predicts alike
    store = Store.from_settings(settings)
    run_id = out["plain"]["run_id"]
    model = keras.models.load_model(store.artifact_path(run_id, "model.keras"))
    np.testing.assert_allclose(
        model.predict_on_batch(np.ones((1, 10, 1))), out["prediction"], rtol=1e-5, atol=1e-6
    )
    # the exported script trains on the backend the run did, whatever the environment says
    record = store.get_run(run_id)
    assert record["backend"] == "jax"
    folder = tmp_path / "export"
    with zipfile.ZipFile(
        io.BytesIO(export.bundle(record, store.load_dataset("upload:tiny", "s")))
    ) as z:
        z.extractall(folder)
    [script] = folder.glob("*/train.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LSTM_LAB_"))}
    env |= {"PYTHONPATH": str(script.parent), "KERAS_BACKEND": "tensorflow"}
    printed = subprocess.run(
        [sys.executable, str(script), "--epochs", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert "Keras backend: jax" in printed and "Finished 1 epochs." in printed
