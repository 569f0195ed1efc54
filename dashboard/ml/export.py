"""What a run exports, free of Dash and TensorFlow: a train.py that reproduces it (zipped
with its data and the app's own training code), its predictions as CSV, and the run as JSON.

The zip holds the Dash-free modules of dashboard/ml that a run needs (windows, network,
model, training loop, scoring: `shipped_modules()`), byte for byte as the app runs them, and
a short train.py (ml/script_template.py with its settings block and docstring filled in)
that calls them. A knob the app trains is therefore a knob the script trains.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import re
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.ml.backend import BACKENDS, NAMES
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS, Dataset
from dashboard.ml.evaluate import headline_scores

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets run as a formula
SETTINGS_BLOCK = re.compile(
    r"# --- settings \(written by LSTM Lab\) ---\n.*?# --- end of settings ---\n", re.S
)
PRIVATE_KEYS = ("session",)  # never leaves the server: it would open the owner's other runs
SCRIPT_ENTRY = "dashboard.ml.train"  # what train.py calls; its imports decide what ships


def neutralise(cell: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert with a leading
    quote. Numbers stay numbers (a negative number is not a formula)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with every text cell, the header included, neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(str(name)) for name in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


# predictions ---------------------------------------------------------------------
def predictions_csv(record: Mapping[str, Any], predictions: np.ndarray) -> str:
    """Predictions vs actual on the test part: one row per window (forecasts: time,
    actual, predicted and naive for each step ahead; classification: the classes)."""
    predictions = np.asarray(predictions, dtype=np.float64)
    if predictions.ndim == 1:
        predictions = predictions[:, None]
    if "series" not in record:  # classification: (predicted, true) class codes
        classes = [str(c) for c in record.get("classes") or []]

        def name(code: float) -> Any:
            return classes[int(code)] if 0 <= code < len(classes) else code

        rows = [[i + 1, name(p), name(t)] for i, (p, t) in enumerate(predictions[:, :2])]
        return csv_text(["sequence", "predicted class", "true class"], rows)
    series = record["series"]
    y = np.asarray(series["y"], dtype=np.float64)
    x = series.get("x") or list(range(len(y)))
    start, steps = int(record["test_start"]), predictions.shape[1]
    header = ["time" if series.get("x") else "step"]
    for h in range(1, steps + 1):
        suffix = f" t+{h}" if steps > 1 else ""
        header += [f"actual{suffix}", f"predicted{suffix}"]
    header.append("naive (last value)")
    rows = []
    for i, predicted in enumerate(predictions):
        row_at = start + i
        cells: list[Any] = [x[row_at]]
        for h, value in enumerate(predicted):
            cells += [_number(y[row_at + h]) if row_at + h < len(y) else "", _number(value)]
        rows.append([*cells, _number(y[row_at - 1])])
    return csv_text(header, rows)


def _number(value: float) -> Any:
    return float(value) if math.isfinite(value) else ""


# run JSON --------------------------------------------------------------------------
def run_json(record: Mapping[str, Any], latest: tuple[int, np.ndarray] | None = None) -> str:
    """The run record (without the owner's session) and its latest predictions, as JSON."""
    data = {k: v for k, v in record.items() if k not in PRIVATE_KEYS}
    if latest is not None:
        epoch, values = latest
        data["predictions"] = {"epoch": int(epoch), "values": np.asarray(values).tolist()}
    return json.dumps(_finite(data), indent=1, allow_nan=False)


def _finite(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, tuples and arrays lists."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_finite(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


# the train.py bundle -----------------------------------------------------------------
def used_columns(config: TrainConfig, dataset: Dataset | None) -> list[str]:
    """The columns a run trained on, target (or label) first, as Dataset.values picks them."""
    features = list(config.features)
    if dataset is not None and dataset.task == "classify" and not features:
        features = [c for c in dataset.numeric_columns if c != config.target]
    return [config.target, *[f for f in features if f != config.target]]


def data_file_name(record: Mapping[str, Any]) -> str:
    """The name of the data file beside train.py: the built-in example's key, or the
    upload's name (the file is plain CSV either way, as the app read it)."""
    dataset_id = str(record.get("config", {}).get("dataset", ""))
    key = dataset_id.removeprefix(BUILTIN_PREFIX)
    if dataset_id.startswith(BUILTIN_PREFIX) and key in BUILTINS:
        return f"{key}.csv"
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", str(record.get("dataset_name", "data")))
    return (re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "data")[:60] + ".csv"


def data_csv(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    """The columns a run used (and the time index, if any) as plain CSV, text neutralised."""
    out = frame[list(columns)].copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    keep_index = not isinstance(out.index, pd.RangeIndex)
    if keep_index:
        out.index = out.index.map(lambda v: neutralise(str(v)))
        out.index.name = neutralise(str(out.index.name or "index"))
    return str(out.to_csv(index=keep_index, lineterminator="\n"))


def train_script(record: Mapping[str, Any], columns: Sequence[str], data_file: str) -> str:
    """A self-contained train.py that trains the run's model with plain Keras."""
    template = resources.files("dashboard.ml").joinpath("script_template.py").read_text("utf-8")
    config = TrainConfig.from_dict(record.get("config", {})).to_dict()
    app_scores = headline_scores(record.get("scores") or {})
    block = "\n".join(
        [
            "# --- settings (written by LSTM Lab) ---",
            f"CONFIG: dict[str, Any] = {_literal(config)}",
            f"DATA_FILE = {data_file!r}",
            f"COLUMNS = {[neutralise(str(c)) for c in columns]!r}  # target (or label) first",
            f"BACKEND = {backend_of(record)!r}  # the Keras backend the run trained on",
            f"APP_SCORES: dict[str, float | str] = {_literal(app_scores)}",
            "# --- end of settings ---\n",
        ]
    )
    body = SETTINGS_BLOCK.sub(lambda _: block, template, count=1)
    _, _, rest = body.partition("\n")  # the template's own docstring line
    return _docstring(record, data_file) + rest


def backend_of(record: Mapping[str, Any]) -> str:
    """The Keras backend a run trained on (records older than the setting: TensorFlow)."""
    name = str(record.get("backend") or "tensorflow")
    return name if name in BACKENDS else "tensorflow"


PIP = {
    "tensorflow": '"tensorflow>=2.16" numpy pandas scikit-learn',
    "jax": '"keras>=3.5" "jax[cpu]" numpy pandas scikit-learn  (on a GPU: "jax[cuda12]")',
}


def _literal(mapping: dict[str, Any]) -> str:
    """A dict as Python source, one key per line (every key and value through repr)."""
    lines = [f"    {key!r}: {value!r}," for key, value in mapping.items()]
    return "{\n" + "\n".join(lines) + "\n}" if lines else "{}"


def _plain(text: Any, limit: int = 80) -> str:
    """User text made safe inside a docstring: no quotes, backslashes or line breaks."""
    return re.sub(r"[^\w .,:;()+#/=-]", "?", str(text))[:limit]


def _docstring(record: Mapping[str, Any], data_file: str) -> str:
    config = record.get("config", {})
    created = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.get("created", 0)))
    builtin = str(config.get("dataset", "")).startswith(BUILTIN_PREFIX)
    origin = "the built-in example" if builtin else "your upload, as LSTM Lab read it"
    return (
        f'"""Reproduce LSTM Lab run #{record.get("number", "?")} ({record["id"]}) with plain '
        "Keras.\n\n"
        f"Data: {_plain(record.get('dataset_name', ''))}, target {_plain(config.get('target'))}"
        f"; trained {created} on {_plain(record.get('device', 'CPU'))}.\n"
        f"The data file {data_file} ({origin}) must lie beside this script.\n\n"
        "It trains with LSTM Lab's own code, shipped beside it in dashboard/ml, on Keras'\n"
        f"{NAMES[backend_of(record)]} backend, as the run did (--backend picks another).\n\n"
        f"    pip install {PIP[backend_of(record)]}\n"
        "    python train.py            # --epochs N, --save model.keras, --data FILE\n\n"
        "The same settings and seed on a CPU with the same library versions give the app's\n"
        "numbers; a GPU or other versions give close ones.\n"
        '"""\n'
    )


def shipped_modules(entry: str = SCRIPT_ENTRY) -> list[str]:
    """The dashboard modules `entry` imports, directly or not, as paths relative to the
    package's parent folder (package __init__ files included): what train.py needs."""
    root = Path(str(resources.files("dashboard"))).parent
    found: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        path = root.joinpath(*name.split(".")).with_suffix(".py")
        relative = path.relative_to(root).as_posix()
        if relative in found:
            continue
        found.add(relative)
        todo += _dashboard_imports(ast.parse(path.read_text("utf-8")))
    packages = {"dashboard/__init__.py", "dashboard/ml/__init__.py"}
    return sorted(found | packages)


def _dashboard_imports(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "dashboard.ml":  # from dashboard.ml import metrics
                names += [f"dashboard.ml.{alias.name}" for alias in node.names]
            elif node.module.startswith("dashboard."):
                names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.startswith("dashboard.")]
    return names


def bundle(record: Mapping[str, Any], dataset: Dataset | None) -> bytes:
    """A zip of train.py, the modules it calls and, when the dataset is still on the
    server, its data file."""
    config = TrainConfig.from_dict(record.get("config", {}))
    columns = used_columns(config, dataset)
    data_file = data_file_name(record)
    folder = f"lstm-lab-run-{record['id']}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/train.py", train_script(record, columns, data_file))
        root = Path(str(resources.files("dashboard"))).parent
        for module in shipped_modules():
            archive.writestr(f"{folder}/{module}", (root / module).read_bytes())
        if dataset is not None:
            archive.writestr(f"{folder}/{data_file}", data_csv(dataset.frame, columns))
    return buffer.getvalue()
