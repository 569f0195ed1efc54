"""Exports: CSV neutralising, run JSON, and the train.py that mirrors dashboard.ml (run too)."""

from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dashboard.ml import export
from dashboard.ml.config import TrainConfig
from dashboard.ml.params import SETTINGS, Choice

REPO = Path(__file__).resolve().parents[2]


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


def test_the_zip_ships_the_apps_own_modules_unchanged() -> None:
    """train.py calls dashboard/ml as the app runs it: no hand-kept copy to drift."""
    record = forecast_record()
    record["config"] = TrainConfig().to_dict()
    with zipfile.ZipFile(io.BytesIO(export.bundle(record, None))) as archive:
        names = archive.namelist()
        folder = f"lstm-lab-run-{record['id']}"
        shipped = [n.removeprefix(folder + "/") for n in names if n.endswith(".py")]
        assert "train.py" in shipped
        for module in ("dashboard/ml/train.py", "dashboard/ml/network.py", "dashboard/ml/model.py"):
            assert module in shipped
            assert archive.read(f"{folder}/{module}") == (REPO / module).read_bytes()
    # nothing of the web side travels: the script needs only what training needs
    assert not any(n.startswith(("dashboard/layout", "dashboard/figures")) for n in shipped)
    assert "dashboard/jobs.py" not in shipped and "dashboard/store.py" not in shipped


def every_knob_value(base: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One config change per value of every choice, and the low, default and high end of
    every number (each alone, the rest at `base` or their defaults); a change that gives
    the same config as an earlier one (a default value, say) is left out."""
    changes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, spec in SETTINGS.items():
        if isinstance(spec, Choice):
            values = [value for value, _ in spec.options]
        else:
            values = sorted({spec.low, spec.default, spec.high})
        for value in values:
            change = {name: value}
            if name == "stateful" and value:
                change["batch_size"] = 8
            config = json.dumps(TrainConfig.from_dict({**(base or {}), **change}).to_dict())
            if config not in seen:
                seen.add(config)
                changes.append(change)
    return changes


def model_description(config: TrainConfig, n_classes: int) -> dict[str, Any]:
    """Everything about a built model that a knob may change (layers, optimizer, loss)."""
    import keras

    from dashboard.ml.model import build_model

    # auto-named objects (the optimizer) numbered afresh; no gc.collect() (0.25 s a model)
    keras.backend.clear_session(free_memory=False)
    model = build_model(config, 2, 10, n_classes)
    return json.loads(
        json.dumps(
            {
                "layers": [layer.get_config() for layer in model.layers],
                "parameters": model.count_params(),
                "optimizer": model.optimizer.get_config(),
                "loss": str(model.loss),
            },
            default=str,
        )
    )


EXPORTED_MODELS = """
import json, sys
import dashboard
assert dashboard.__file__.startswith(sys.path[1]), dashboard.__file__  # the zip's, not ours
import keras
from dashboard.ml.config import TrainConfig
from dashboard.ml.model import build_model
out = []
for change in json.loads(sys.stdin.read()):
    config = TrainConfig.from_dict({**BASE, **change})
    classes = 3 if config.task == "classify" else 0
    keras.backend.clear_session(free_memory=False)
    model = build_model(config, 2, 10, classes)
    out.append({
        "layers": [layer.get_config() for layer in model.layers],
        "parameters": model.count_params(),
        "optimizer": model.optimizer.get_config(),
        "loss": str(model.loss),
    })
print(json.dumps(out, default=str))
"""


@pytest.mark.slow
def test_every_value_of_every_knob_builds_the_same_model_in_the_export(tmp_path: Path) -> None:
    """The exported bundle, run in a fresh Python that sees only the zip's modules, builds
    layer for layer the model the app builds, for every value of every knob."""
    base = {"units": 8, "seq_len": 6, "batch_size": 16, "dense_units": 8}
    changes = every_knob_value(base)
    record = forecast_record()
    record["config"] = TrainConfig.from_dict(base).to_dict()
    with zipfile.ZipFile(io.BytesIO(export.bundle(record, None))) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / f"lstm-lab-run-{record['id']}"
    code = f"BASE = {base!r}\n" + EXPORTED_MODELS
    with started_in(folder, ["-c", code], stdin=json.dumps(changes)) as theirs_done:
        ours = [  # built here while the exported bundle builds its own (two cores)
            model_description(config, 3 if config.task == "classify" else 0)
            for config in (TrainConfig.from_dict({**base, **change}) for change in changes)
        ]
    exported = json.loads(theirs_done().strip().splitlines()[-1])
    assert len(exported) == len(changes)
    for change, theirs, mine in zip(changes, exported, ours, strict=True):
        assert theirs == mine, change


def _exported_env(folder: Path) -> dict[str, str]:
    """An environment in which `dashboard` can only come from the exported folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LSTM_LAB_"))}
    return env | {"PYTHONPATH": str(folder), "TF_CPP_MIN_LOG_LEVEL": "3"}


@contextlib.contextmanager
def started_in(folder: Path, args: list[str], stdin: str = "") -> Iterator[Callable[[], str]]:
    """Start a fresh Python in an exported folder and let the block run meanwhile; the
    block gets a function that waits for it and returns its stdout (failing the test with
    its stderr if it failed). Its output goes to files, so that it never waits on a full
    pipe; the process is stopped by its handle if the block raises."""
    out_path, err_path = folder.parent / "exported.out", folder.parent / "exported.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            text=True,
            env=_exported_env(folder),
        )
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()

    def finished() -> str:
        process.wait(timeout=600)
        assert process.returncode == 0, err_path.read_text()[-3000:]
        return out_path.read_text()

    try:
        yield finished
        finished()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def run_in(folder: Path, args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run a fresh Python in an exported folder, in an environment in which `dashboard` can
    only come from that folder; fail the test with its stderr if it fails."""
    env = _exported_env(folder)
    done = subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


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


def test_the_headline_carries_every_baseline_and_the_majority_class() -> None:
    """What train.py prints and carries as APP_SCORES: each baseline's MAE and the
    percentage error the app shows, the strongest baseline by name; for a classifier the
    majority class's accuracy and balanced accuracy next to the model's."""
    from dashboard.ml import script_template
    from dashboard.ml.evaluate import headline_scores
    from dashboard.ml.honest import Forecasts, compare

    series = np.tile([10.0, 20.0, 30.0, 40.0], 10) + np.arange(40.0) / 10
    rows = np.arange(30, 40)
    actual = series[rows][:, None]
    forecasts = Forecasts(
        series=series,
        train_end=25,
        rows=rows,
        actual=actual,
        predicted=actual + 1,
        val_actual=actual,
        val_predicted=actual,
        backtest_rows=rows[:0],
        backtest_predicted=np.zeros((0, 1)),
    )
    scores, _ = compare(forecasts, TrainConfig(season=4))
    headline = headline_scores(scores)
    assert headline["test MAE"] == pytest.approx(1.0)
    assert headline["seasonal naive MAE"] == pytest.approx(0.4)  # exact but for the trend
    assert headline["last value MAE"] == pytest.approx(scores["baselines"]["last_value"]["mae"])
    assert headline["drift MAE"] == pytest.approx(scores["baselines"]["drift"]["mae"])
    assert headline["strongest baseline"] == "seasonal naive (m=4)"
    assert headline["strongest baseline MAE"] == pytest.approx(0.4)
    assert headline["skill over strongest %"] == pytest.approx(-150.0)
    assert "test MAPE %" in headline and "drift MAPE %" in headline  # values far from zero
    near_zero = {**scores, "model": {**scores["model"], "mape": None}}
    assert "test sMAPE %" in headline_scores(near_zero)
    record = forecast_record(scores=scores)
    tree = ast.parse(export.train_script(record, ["value"], "data.csv"))
    carried = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "APP_SCORES"
    )
    assert carried is not None and ast.literal_eval(carried) == headline
    table = script_template.score_table(headline, headline)
    printed = printed_scores("\n".join(table))
    assert printed["strongest baseline"] == ("seasonal naive (m=4)", "seasonal naive (m=4)")
    assert printed["seasonal naive MAE"] == ("0.4", "0.4")

    classified = {
        "accuracy": 0.75,
        "majority": {
            "class": "normal",
            "baseline": {"accuracy": 0.6, "balanced_accuracy": 0.5},
            "model": {"accuracy": 0.75, "balanced_accuracy": 0.7},
        },
    }
    assert headline_scores(classified) == {
        "accuracy": 0.75,
        "balanced accuracy": 0.7,
        "majority class": "normal",
        "majority accuracy": 0.6,
        "majority balanced accuracy": 0.5,
    }


def printed_scores(stdout: str) -> dict[str, tuple[str, str]]:
    """The score table train.py prints: name -> (this run, LSTM Lab), as printed."""
    found = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.split(" | ")]
        if len(cells) == 3 and cells[0] != "test part":
            found[cells[0]] = (cells[1], cells[2])
    return found


def assert_prints_the_apps_scores(stdout: str, ours: dict[str, float | str]) -> None:
    """Every headline score of the app is printed twice (retrained, and as the app measured
    it), and both equal the app's."""
    printed = printed_scores(stdout)
    assert set(printed) == set(ours), stdout
    for name, value in ours.items():
        for cell in printed[name]:
            if isinstance(value, str):
                assert cell == value, (name, stdout)
            else:
                assert float(cell) == pytest.approx(value, rel=1e-5, abs=1e-6), (name, stdout)


def export_run(store: Any, record: Mapping[str, Any], folder: Path) -> Path:
    """Unzip the run's train.zip (its data included) into `folder`; its run's own folder."""
    dataset = store.load_dataset(record["config"]["dataset"], "s1")
    with zipfile.ZipFile(io.BytesIO(export.bundle(record, dataset))) as archive:
        archive.extractall(folder)
    return folder / f"lstm-lab-run-{record['id']}"


@pytest.mark.slow
def test_the_exported_script_trains_to_the_apps_test_scores(tmp_path: Path) -> None:
    """Train tiny runs through the job, export them, run train.py in a fresh Python: same
    seed, same code, so the same test scores, every baseline's included: a forecast with a
    season (so the seasonal naive is scored) and a classifier next to the majority class."""
    from dashboard import jobs
    from dashboard.ml.evaluate import headline_scores
    from dashboard.settings import Settings
    from dashboard.store import Store

    settings = Settings(data_dir=tmp_path / "data")
    store = Store.from_settings(settings)
    config = TrainConfig(epochs=2, units=8, seq_len=20, batch_size=32, cell="gru", season=10)
    final = jobs.run_training(settings, config, "s1", lambda state: None)
    assert final["status"] == "finished", final["message"]
    record = store.get_run(final["run_id"])
    assert record["scores"]["season"] == 10
    assert set(record["scores"]["baselines"]) == {"last_value", "seasonal_naive", "drift"}
    folder = export_run(store, record, tmp_path / "out")
    assert {"sine.csv", "train.py", "dashboard"} == {p.name for p in folder.iterdir()}

    with started_in(folder, ["train.py", "--save", "again.keras"]) as forecast_done:
        # the classifier trains in the app meanwhile (two cores)
        classify = TrainConfig(
            dataset="builtin:ecg", target="label", task="classify", epochs=1, units=4
        )
        final = jobs.run_training(settings, classify, "s1", lambda state: None)
        assert final["status"] == "finished", final["message"]
        classified = store.get_run(final["run_id"])
        stdout = forecast_done()

    assert "Epoch 2/2" in stdout
    ours = headline_scores(record["scores"])
    percent = "MAPE" if record["scores"]["model"]["mape"] is not None else "sMAPE"
    baselines = ("last value", "seasonal naive", "drift")
    assert set(ours) == {
        *("test MAE", "test RMSE", f"test {percent} %", "MASE"),
        *[f"{name} MAE" for name in baselines],
        *[f"{name} {percent} %" for name in baselines],
        *("strongest baseline", "strongest baseline MAE"),
        *("skill over last value %", "skill over strongest %"),
    }
    assert ours["strongest baseline"] == record["scores"]["strongest_label"]
    assert ours["seasonal naive MAE"] == pytest.approx(
        record["scores"]["baselines"]["seasonal_naive"]["mae"], abs=1e-6
    )
    assert_prints_the_apps_scores(stdout, ours)
    assert (folder / "again.keras").is_file()

    folder = export_run(store, classified, tmp_path / "classified")
    stdout = run_in(folder, ["train.py"]).stdout
    ours = headline_scores(classified["scores"])
    majority = classified["scores"]["majority"]
    assert ours == {
        "accuracy": round(classified["scores"]["accuracy"], 6),
        "balanced accuracy": round(majority["model"]["balanced_accuracy"], 6),
        "majority class": majority["class"],
        "majority accuracy": round(majority["baseline"]["accuracy"], 6),
        "majority balanced accuracy": round(majority["baseline"]["balanced_accuracy"], 6),
    }
    assert_prints_the_apps_scores(stdout, ours)
