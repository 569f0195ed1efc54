"""The JSON that crosses processes and the browser, typed: a job's live state, a run record,
the dataset and upload metadata the page keeps. Plain dicts at run time (TypedDicts), so
they stay JSON; mypy checks every key that producers write and consumers read."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict, Unpack

from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS, Dataset

History = dict[str, list[float]]  # loss, val_loss (accuracy, val_accuracy): one per epoch


class LrChange(TypedDict):
    """A learning rate changed while the run trained (ml.steering.Steering)."""

    epoch: float  # epochs done when it applied, e.g. 6.4 (the next batch used it)
    batch: int  # batches of that epoch done
    seconds: float  # seconds of training (pauses left out) since the fit began
    previous: float  # the rate before
    lr: float  # the rate from then on


class RunControl(TypedDict):
    """What the page wants of a running job (Store.set_control; the job polls it)."""

    lr: float | None  # the learning rate asked for, None: none
    seq: int  # counts the rates asked for: a new number is a new request
    lr_at: float  # when the latest rate was asked for (time.time())
    paused: bool


class Outcome(TypedDict, total=False):
    """What a finished training adds: in the run record and in the final live state."""

    scores: dict[str, Any]  # ml.metrics: model/naive/skill, or accuracy/per_class/...
    device: str
    backend: str  # the Keras backend it trained on: "tensorflow" or "jax"
    parameters: int
    best_epoch: int | None
    extras: dict[str, Any]  # ml.evaluate: roll-out, future, confusion...


class LiveState(Outcome):
    """A job's whole state after each epoch (jobs.live_state): ids.LIVE and ids.RESULT."""

    run_id: str
    status: str  # queued | running | finished | stopped | cancelled | failed
    message: str
    epoch: int
    epochs: int
    history: History
    sec_per_epoch: float | None
    eta_s: float | None
    pred_epoch: NotRequired[int]  # the epoch of the newest saved predictions
    paused: NotRequired[bool]  # the page paused the run (its status stays "running")
    lr_changes: NotRequired[list[LrChange]]  # learning rates set while it trained
    batch: NotRequired[list[int]]  # within a long epoch: [batches done, batches per epoch]
    config: NotRequired[dict[str, Any]]  # TrainConfig.to_dict(): jobs.run_training adds it


class LiveTraces(TypedDict):
    """Which traces of the Runs tab's loss overlay are the run that trains (ids.OVERLAY_LIVE)."""

    run_id: str
    traces: list[int]  # val_loss, loss


class Series(TypedDict):
    """A forecast run's target series, for its prediction charts and predictions.csv."""

    x: list[str] | None  # time labels, or None: row numbers
    y: list[float]
    target: str


class RunChanges(Outcome, total=False):
    """What Store.update_run may change in a run record."""

    status: str
    message: str
    history: History
    epoch_seconds: list[float]
    artifacts: list[str]  # files in the run's folder (model.keras)
    lr_changes: list[LrChange]


class RunRecord(Outcome):
    """One run as the store keeps it (jobs._new_record, then Store.save_run/update_run)."""

    id: str
    session: str  # the owner; never leaves the server (export.PRIVATE_KEYS)
    status: str
    config: dict[str, Any]  # TrainConfig.to_dict() (fields added since: TrainConfig.from_dict)
    dataset_name: str
    history: History
    created: NotRequired[float]  # Store.save_run
    number: NotRequired[int]  # within the session: #1, #2, ...
    message: NotRequired[str]
    epoch_seconds: NotRequired[list[float]]
    artifacts: NotRequired[list[str]]
    classes: NotRequired[list[str]]  # classification runs
    series: NotRequired[Series]  # forecast runs: the target, the split and the test start
    split: NotRequired[list[int]]  # [train end, validation end] rows
    test_start: NotRequired[int]
    tag: NotRequired[dict[str, Any]]  # a search's trial: {"study": name, "trial": number}
    lr_changes: NotRequired[list[LrChange]]  # learning rates set while it trained


class SearchState(TypedDict):
    """A hyperparameter search's whole state (dashboard.search_jobs): what the Search tab
    draws after every epoch of every trial (ids.SEARCH_LIVE and ids.SEARCH_RESULT)."""

    study: str  # the study's name ("" when refused before one was made)
    number: int  # the session's study #1, #2, ... (0: none)
    status: str  # queued | running | finished | cancelled | failed | refused
    message: str
    objective: str  # val_loss | val_accuracy
    searched: list[str]  # the searched settings' names, in the form's order
    n_trials: int  # the study's budget
    trials: list[dict[str, Any]]  # ml.search.trials_table rows
    best_so_far: list[list[float]]  # [trial number, best objective so far]
    curves: list[dict[str, Any]]  # ml.search.curves: each trial's objective by epoch
    importances: dict[str, float] | None  # Optuna's, once enough trials are complete
    live: LiveState | None  # the running trial's run
    best_run: str | None  # the best trial's run id
    best_settings: dict[str, Any] | None  # the best trial's TrainConfig.to_dict()


class DatasetExtras(TypedDict, total=False):
    """What the page adds to a dataset's metadata: chosen inputs, and for an upload its
    id and the Recipe (as a dict) that cleaned it."""

    features: list[str]
    upload: str
    recipe: dict[str, Any]


class DatasetMeta(DatasetExtras):
    """The small JSON the page keeps about the dataset in use (ids.DATASET)."""

    id: str
    name: str
    rows: int
    columns: list[str]  # numeric columns (an upload: the target, then the chosen inputs)
    target: str
    attribution: str
    description: str
    task: str  # forecast | classify
    classes: int  # classification: how many classes; else 0


class ShapeMeta(TypedDict):
    """A long or wide upload's reshaping choices (dashboard.ingest.shapes), in its UploadMeta."""

    kind: str  # long | wide
    sentence: str  # what the reader found
    choices: dict[str, str]  # value -> label: as read, each id as a column, one series, ...
    choice: str  # the choice this upload was made with (shapes.AS_READ: the file as read)
    source: str  # the upload id of the file as read


class ReducedMeta(TypedDict):
    """How a large upload was made smaller (dashboard.ingest.reduce), in its UploadMeta."""

    choice: str  # resample:<rule>:<how> | recent:<rows>
    parent: str  # the upload id it was made from
    source: str  # the upload id of the file as read


class UploadMeta(TypedDict):
    """What the page and the store keep about a parsed upload (never its data)."""

    upload: str  # the upload id, 'upload:<hash>'
    name: str
    rows: int
    columns: list[str]
    time_column: str | None
    time_candidates: list[str]
    markers: list[float]  # values that may mean 'missing'
    duplicates: int  # repeated timestamps
    shape: NotRequired[ShapeMeta]  # long and wide files: how else they can be read
    reduced: NotRequired[ReducedMeta]  # a large upload made smaller


def dataset_meta(
    dataset: Dataset,
    columns: list[str] | None = None,
    target: str | None = None,
    **extras: Unpack[DatasetExtras],
) -> DatasetMeta:
    """The one builder of a dataset's metadata: its numeric columns and target unless
    `columns` and `target` say otherwise (an upload's chosen ones)."""
    key = dataset.id.removeprefix(BUILTIN_PREFIX)
    target = target or dataset.target
    classify = dataset.task == "classify"
    return {
        "id": dataset.id,
        "name": dataset.name,
        "rows": len(dataset.frame),
        "columns": dataset.numeric_columns if columns is None else columns,
        "target": target,
        "attribution": dataset.attribution,
        "description": BUILTINS[key].description if key in BUILTINS else "",
        "task": dataset.task,
        "classes": int(dataset.frame[target].nunique()) if classify else 0,
        **extras,
    }
