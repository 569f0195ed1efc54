"""A session's runs, free of Dash: table rows, the settings that differ, bounds, plot data."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from dashboard.ml.config import TrainConfig
from dashboard.ml.params import CHOICES, PARAMS, runs_table_settings
from dashboard.payloads import History, RunRecord

DATA_LABELS = {
    "dataset": "Dataset",
    "target": "Target",
    "features": "Input features",
    "train_pct": "Train %",
    "val_pct": "Validation %",
}
MAIN_SETTINGS = tuple(runs_table_settings())  # the settings the Runs table always shows
# Okabe-Ito: told apart by colour-blind viewers too; a run keeps its colour everywhere.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C564B", "#F0E442")
BASELINE_COLOR = "#5e3c99"  # purple: apart from the black of the actual series
ACTIVE = ("running", "queued")


@dataclass(frozen=True)
class RunSize:
    """What the bounds need to know about one stored run."""

    id: str
    created: float
    status: str
    bytes: int


def evictions(
    runs: Sequence[RunSize],
    max_runs: int,
    max_bytes: int,
    keep: str = "",
    now: float | None = None,
    stale_after_s: float = 6 * 3600,
) -> list[str]:
    """Ids of the oldest runs to delete so that at most `max_runs` runs and `max_bytes`
    remain (0: no bound). `keep` and runs still training stay, unless they are stale."""
    now = time.time() if now is None else now
    count, total = len(runs), sum(run.bytes for run in runs)
    doomed: list[str] = []
    for run in sorted(runs, key=lambda r: r.created):
        if (not max_runs or count <= max_runs) and (not max_bytes or total <= max_bytes):
            break
        busy = run.status in ACTIVE and now - run.created < stale_after_s
        if run.id == keep or busy:
            continue
        doomed.append(run.id)
        count, total = count - 1, total - run.bytes
    return doomed


def storage_note(count: int, size: int, max_runs: int, max_mb: float) -> str:
    """What the session holds, and the bounds, in a sentence."""
    held = f"{count} run{'s' if count != 1 else ''} ({size / 2**20:.1f} MB)"
    if not max_runs and not max_mb:
        return f"This session keeps {held}."
    bounds = " or ".join(
        b for b in (f"{max_runs} runs" if max_runs else "", f"{max_mb:g} MB" if max_mb else "") if b
    )
    return f"This session keeps {held}; beyond {bounds} the oldest runs are deleted first."


# settings ----------------------------------------------------------------------
def config_of(record: RunRecord) -> dict[str, Any]:
    """A run's settings as a full TrainConfig dict (fields added since have their default)."""
    return TrainConfig.from_dict(record.get("config", {})).to_dict()


def setting_names() -> list[str]:
    """Every setting of a run, in TrainConfig order."""
    return [f.name for f in fields(TrainConfig)]


def setting_label(name: str) -> str:
    """How the page names a setting."""
    if name in PARAMS:
        return PARAMS[name].label
    if name in CHOICES:
        return CHOICES[name].label
    return DATA_LABELS.get(name, name)


def format_setting(name: str, value: Any) -> str:
    """A setting's value as text: choices by their label, log-scale numbers in short form."""
    if name in CHOICES:
        return CHOICES[name].label_of(value)
    if name in PARAMS and isinstance(value, int | float):
        return f"{value:.2g}" if PARAMS[name].log else f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def differing(records: Sequence[RunRecord]) -> list[str]:
    """The settings whose values are not the same in all `records` (TrainConfig order)."""
    configs = [config_of(record) for record in records]
    if len(configs) < 2:
        return []
    return [n for n in setting_names() if any(c[n] != configs[0][n] for c in configs[1:])]


def run_label(record: RunRecord, names: Sequence[str] = ()) -> str:
    """'#2 · Dropout 0.3': the run's number and (a few of) the settings that set it apart."""
    config = config_of(record)
    shown = [f"{setting_label(n)} {format_setting(n, config[n])}" for n in names[:3]]
    return " · ".join([f"#{record.get('number', '?')}", *shown])


def run_color(record: RunRecord) -> str:
    """The run's colour in every chart (by its number in the session)."""
    number = int(record.get("number") or 1)
    return PALETTE[(number - 1) % len(PALETTE)]


def diff_rows(records: Sequence[RunRecord]) -> list[dict[str, str]]:
    """One row per differing setting: {'setting': label, <run id>: value, ...}."""
    configs = {record["id"]: config_of(record) for record in records}
    return [
        {"setting": setting_label(name)}
        | {run_id: format_setting(name, config[name]) for run_id, config in configs.items()}
        for name in differing(records)
    ]


# results -----------------------------------------------------------------------
def best_val_loss(history: History) -> float | None:
    """The lowest finite val_loss of a run, or None."""
    finite = [v for v in history.get("val_loss", []) if v is not None and math.isfinite(v)]
    return min(finite) if finite else None


def seconds_per_epoch(seconds: Sequence[float]) -> float | None:
    """Median seconds per epoch, leaving out the first (tracing) epoch when there are more."""
    return statistics.median(seconds[1:] or seconds) if seconds else None


def _score(record: RunRecord, key: str) -> float | None:
    value = record.get("scores", {}).get("model", {}).get(key)
    return float(value) if value is not None else None


def table_row(record: RunRecord, names: Sequence[str]) -> dict[str, Any]:
    """One run as a row of the runs table (numbers stay numbers, for sorting and filters)."""
    config = config_of(record)
    history = record.get("history", {})
    scores = record.get("scores", {})
    skill, strongest = scores.get("skill"), scores.get("skill_strongest")
    row: dict[str, Any] = {
        "id": record["id"],
        "number": record.get("number"),
        "when": time.strftime("%d %b %H:%M", time.localtime(record.get("created", 0))),
        "dataset": f"{record.get('dataset_name', config['dataset'])} · {config['target']}",
        "best_val_loss": best_val_loss(history),
        "mae": _score(record, "mae"),
        "rmse": _score(record, "rmse"),
        "skill": None if skill is None else round(float(skill), 1),
        "mase": None if scores.get("mase") is None else float(scores["mase"]),
        "skill_strongest": None if strongest is None else round(float(strongest), 1),
        "epochs_run": len(history.get("loss", [])),
        "sec_per_epoch": seconds_per_epoch(record.get("epoch_seconds", [])),
        "device": record.get("device", ""),
        "status": record.get("status", ""),
        "message": record.get("message", ""),
        "search": str(record.get("tag", {}).get("label", "")),
    }
    for name in names:
        value = config[name]
        row[name] = value if isinstance(value, int | float) else format_setting(name, value)
    return row


def table_settings(records: Sequence[RunRecord]) -> list[str]:
    """The setting columns of the runs table: the main knobs, then any other that varies."""
    varying = [n for n in differing(records) if n not in MAIN_SETTINGS and n not in DATA_LABELS]
    return [*MAIN_SETTINGS, *varying]


# parallel coordinates ----------------------------------------------------------
@dataclass(frozen=True)
class Axis:
    """One axis of the parallel-coordinates plot."""

    label: str
    values: list[float]
    ticks: tuple[list[float], list[str]] | None = None  # for choices and log scales


def parallel_axes(records: Sequence[RunRecord]) -> list[Axis]:
    """Settings that vary over the runs (or the main ones), then the best val_loss.

    Only runs with a val_loss count, and at least two of them. Choices become codes with
    their labels as ticks; the learning rate is drawn on a log10 axis.
    """
    scored = [r for r in records if best_val_loss(r.get("history", {})) is not None]
    if len(scored) < 2:  # one line shows nothing yet
        return []
    names = [n for n in differing(scored) if n not in DATA_LABELS] or list(MAIN_SETTINGS)
    configs = [config_of(r) for r in scored]
    axes = [_axis(name, [c[name] for c in configs]) for name in names]
    losses = [float(best_val_loss(r.get("history", {})) or 0.0) for r in scored]
    return [*axes, Axis("val_loss", losses)]


SHORT_LABELS = {"learning_rate": "lr", "seq_len": "seq", "batch_size": "batch"}


def _axis(name: str, values: list[Any]) -> Axis:
    label = SHORT_LABELS.get(name, name.replace("_", " "))
    if name in PARAMS and PARAMS[name].log:
        logs = [math.log10(v) for v in values]
        ticks = sorted(set(logs))
        return Axis(label, logs, (ticks, [f"{10**t:.2g}" for t in ticks]))
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return Axis(label, [float(v) for v in values])
    order = sorted({str(v) for v in values})
    codes = [float(order.index(str(v))) for v in values]
    texts = [format_setting(name, v) for v in order]
    return Axis(label, codes, ([float(i) for i in range(len(order))], texts))


# the runs table ----------------------------------------------------------------------
TABLE_LABELS = {"learning_rate": "LR", "seq_len": "Seq len", "batch_size": "Batch"}
RESULT_COLUMNS = (
    ("best_val_loss", "best val_loss", ".4~g"),
    ("mae", "test MAE", ".4~g"),
    ("rmse", "test RMSE", ".4~g"),
    ("skill", "skill %", ".1f"),
    ("mase", "MASE", ".3~g"),
    ("skill_strongest", "skill vs strongest %", ".1f"),
    ("epochs_run", "epochs", "d"),
    ("sec_per_epoch", "s/epoch", ".2f"),
)


def table_columns(names: Sequence[str], searched: bool = False) -> list[dict[str, Any]]:
    """DataTable column specs: run, when, data, status, the study and trial of a search's
    runs (when `searched`), results, the settings `names`, device."""

    def numeric(column_id: str, title: str, specifier: str) -> dict[str, Any]:
        return {
            "id": column_id,
            "name": title,
            "type": "numeric",
            "format": {"specifier": specifier},
        }

    columns = [
        numeric("number", "#", "d"),
        {"id": "when", "name": "when", "type": "text"},
        {"id": "dataset", "name": "data · target", "type": "text"},
        {"id": "status", "name": "status", "type": "text"},
        *([{"id": "search", "name": "search", "type": "text"}] if searched else []),
        *[numeric(*spec) for spec in RESULT_COLUMNS],
    ]
    for name in names:
        label = TABLE_LABELS.get(name, setting_label(name))
        if name in PARAMS:
            columns.append(numeric(name, label, ".1~e" if PARAMS[name].log else ".4~g"))
        else:
            columns.append({"id": name, "name": label, "type": "text"})
    columns.append({"id": "device", "name": "device", "type": "text"})
    return columns
