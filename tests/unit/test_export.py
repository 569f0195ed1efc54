"""Exports: CSV neutralising, run JSON, and the train.py that mirrors dashboard.ml (run too)."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dashboard.ml import export
from dashboard.ml import script_template as script
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import load_builtin, sine_frame
from dashboard.ml.sequences import make_sequences
from dashboard.ml.windows import make_windows


def forecast_record(**changes: Any) -> dict[str, Any]:
    """A small forecasting run record with the keys the job writes."""
    y = [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]
    return {
        "id": "AbCdEfGhIjKlMnOp",
        "session": "secret-session",
        "number": 4,
        "config": TrainConfig(horizon=2).to_dict(),
        "dataset_name": "Sine",
        "series": {"x": ["=cmd()", "t1", "t2", "t3", "t4", "t5"], "y": y, "target": "value"},
        "split": [2, 3],
        "test_start": 3,
        "history": {"loss": [0.5, float("nan")], "val_loss": [0.6, float("inf")]},
        **changes,
    }


def test_formula_cells_and_headers_are_neutralised_numbers_are_not() -> None:
    text = export.csv_text(["=SUM(A1)", "+x", "plain"], [["@cmd", "-1+2", -3.5], ["\tx", "ok", 2]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["'=SUM(A1)", "'+x", "plain"]
    assert rows[1] == ["'@cmd", "'-1+2", "-3.5"]  # text '-1+2' is inert; the number stays
    assert rows[2] == ["'\tx", "ok", "2"]


def test_predictions_csv_has_every_step_ahead_and_the_naive_forecast() -> None:
    predictions = np.array([[3.5, 4.5], [4.5, 5.5]])
    rows = list(csv.reader(io.StringIO(export.predictions_csv(forecast_record(), predictions))))
    assert rows[0] == [
        "time",
        "actual t+1",
        "predicted t+1",
        "actual t+2",
        "predicted t+2",
        "naive (last value)",
    ]
    assert rows[1] == ["t3", "4.0", "3.5", "5.0", "4.5", "3.0"]
    classify = {"id": "x", "classes": ["=bad", "ok"], "config": {"task": "classify"}}
    rows = list(csv.reader(io.StringIO(export.predictions_csv(classify, np.array([[0, 1]])))))
    assert rows == [["sequence", "predicted class", "true class"], ["1", "'=bad", "ok"]]


def test_run_json_leaves_the_session_out_and_is_strict_json() -> None:
    text = export.run_json(forecast_record(), (2, np.array([[1.0, np.nan]])))
    data = json.loads(text)
    assert "session" not in data and data["id"] == "AbCdEfGhIjKlMnOp"
    assert data["history"]["loss"] == [0.5, None] and data["history"]["val_loss"][1] is None
    assert data["predictions"] == {"epoch": 2, "values": [[1.0, None]]}


def test_the_script_handles_every_setting_of_trainconfig() -> None:
    missing = {f.name for f in fields(TrainConfig)} - script.HANDLED
    assert not missing, (
        f"TrainConfig has new field(s) {sorted(missing)}: teach dashboard/ml/script_template.py "
        "to reproduce them (mirror ml/windows.py, model.py, train.py), then add them to HANDLED."
    )
    assert set(script.CONFIG) == {f.name for f in fields(TrainConfig)}


@pytest.mark.parametrize(
    "changes",
    [{}, {"horizon": 3}, {"horizon": 4, "forecast_mode": "recursive"}, {"scaling": "standard"}],
)
def test_the_script_cuts_the_same_windows_as_the_app(changes: dict[str, Any]) -> None:
    values = np.column_stack([sine_frame(300)["value"], np.arange(300.0)])
    config = replace(TrainConfig(seq_len=12), **changes)
    app = make_windows(
        values, config.seq_len, config.outputs, config.train_pct, config.val_pct, config.scaling
    )
    ours = script.make_windows(values, config.to_dict())
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test", "test_rows"):
        np.testing.assert_array_equal(ours[name], getattr(app, name), err_msg=name)
    np.testing.assert_array_equal(ours["last_window"], app.last_window)
    np.testing.assert_allclose(
        script.to_original(ours["scaler"], ours["y_test"]), app.to_original(app.y_test)
    )


def test_the_script_splits_labelled_sequences_as_the_app_does() -> None:
    values = load_builtin("ecg").frame.to_numpy(dtype=np.float64)[:200]
    config = TrainConfig(task="classify", seed=3)
    app = make_sequences(values, config.train_pct, config.val_pct, config.seed, "standard")
    ours = script.make_sequences(values, config.to_dict())
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(ours[name], getattr(app, name), err_msg=name)
    assert ours["classes"] == app.classes


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"bidirectional": True, "units_schedule": "halving", "layers": 3, "dense_units": 0},
        {"stateful": True, "activation": "relu", "l2": 1e-4, "recurrent_l1": 1e-5},
        {"optimizer": "sgd", "lr_schedule": "cosine", "dense_activation": "tanh", "dropout": 0},
        {"task": "classify"},
        {"horizon": 5, "forecast_mode": "recursive", "optimizer": "rmsprop"},
    ],
)
def test_the_script_builds_the_same_model_as_the_app(changes: dict[str, Any]) -> None:
    from dashboard.ml.model import build_model

    config = replace(TrainConfig(units=16, seq_len=8, batch_size=16), **changes)
    classes = 3 if config.task == "classify" else 0
    app = build_model(config, 2, 10, classes)
    ours = script.build_model(config.to_dict(), 2, 10, classes)
    assert [type(layer).__name__ for layer in ours.layers] == [
        type(layer).__name__ for layer in app.layers
    ]
    assert ours.count_params() == app.count_params()
    assert ours.loss == app.loss
    assert type(ours.optimizer).__name__ == type(app.optimizer).__name__


def test_user_text_cannot_break_out_of_the_generated_script() -> None:
    hostile = 'x"""\nimport os; os.system("echo pwned")\n"""\\'
    record = forecast_record(dataset_name=hostile, device=hostile)
    record["config"] = {**record["config"], "target": hostile}
    text = export.train_script(record, [hostile, "=f"], "data.csv")
    tree = ast.parse(text)  # still valid Python
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert not any(getattr(call.func, "attr", "") == "system" for call in calls)
    assigned = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert ast.literal_eval(assigned["COLUMNS"]) == [hostile, "'=f"]
    assert "import os" not in (ast.get_docstring(tree) or "").splitlines()


def test_names_of_data_files() -> None:
    assert export.data_file_name({"config": {"dataset": "builtin:airline"}}) == "airline.csv"
    assert export.data_file_name({"config": {"dataset": "builtin:sine"}}) == "sine.csv"
    upload = {"config": {"dataset": "up:1"}, "dataset_name": "../../My sales (2024).xlsx"}
    assert export.data_file_name(upload) == "My_sales_2024.csv"


@pytest.mark.slow
def test_the_exported_script_trains_and_reaches_a_comparable_error(tmp_path: Path) -> None:
    """Train a tiny run through the job, export it, run train.py in a fresh Python."""
    from dashboard import jobs
    from dashboard.settings import Settings
    from dashboard.store import Store

    settings = Settings(data_dir=tmp_path / "data")
    config = TrainConfig(epochs=2, units=8, seq_len=20, batch_size=32)
    final = jobs.run_training(settings, config, "s1", lambda state: None)
    assert final["status"] == "finished", final["message"]
    store = Store.from_settings(settings)
    record = store.get_run(final["run_id"])
    assert store.artifact_path(record["id"], "model.keras").is_file()
    assert sorted(store.prediction_history(record["id"]))[-1] == 2

    dataset = store.load_dataset(config.dataset, "s1")
    with zipfile.ZipFile(io.BytesIO(export.bundle(record, dataset))) as archive:
        archive.extractall(tmp_path / "out")
    folder = tmp_path / "out" / f"lstm-lab-run-{record['id']}"
    assert sorted(p.name for p in folder.iterdir()) == ["sine.csv", "train.py"]
    done = subprocess.run(
        [sys.executable, "train.py", "--save", "again.keras"],
        cwd=folder,
        capture_output=True,
        check=False,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Epoch 2/2" in done.stdout
    mae = float(re.search(r"test MAE (\S+)", done.stdout).group(1))  # type: ignore[union-attr]
    app_mae = record["scores"]["model"]["mae"]
    assert app_mae / 2 < mae < app_mae * 2, (mae, app_mae)
    assert (folder / "again.keras").is_file()
