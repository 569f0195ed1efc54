"""Large data, never silent: before Train, the Data tab says what an epoch will cost
(dashboard.ml.estimate) when it is over a minute, and offers to make an upload smaller
(dashboard.ingest.reduce: resample, or the most recent rows) as a new upload in use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, sessions
from dashboard.control_state import config_from_controls, data_deps, setting_deps
from dashboard.ingest import reduce, uploads
from dashboard.ingest.kept import GONE, picked_upload
from dashboard.ingest.reader import DataError
from dashboard.layout import data_panel
from dashboard.ml import estimate
from dashboard.ml.config import TrainConfig
from dashboard.payloads import DatasetMeta, UploadMeta
from dashboard.settings import Settings
from dashboard.store import NotFound, Store

BOX = {kind: f"alert alert-{kind} py-2 px-3 mb-2 estimate-box" for kind in ("warning", "info")}


class CostView(NamedTuple):
    """show_cost's outputs, in Output order."""

    style: Any = no_update
    text: Any = no_update
    controls_style: Any = no_update
    suggested_rows: Any = no_update
    color: Any = no_update  # the box's classes: a warning past a minute, else a note


def rows_for_a_minute(config: TrainConfig, found: estimate.Estimate) -> int:
    """About how many recent rows make an epoch take a minute (a round number)."""
    windows = estimate.WARN_AFTER_S / max(found.seconds_per_batch, 1e-9) * config.batch_size
    rows = (windows + config.seq_len + config.outputs) * 100 / config.train_pct
    digits = max(0, len(str(int(rows))) - 2)
    return max(reduce.MIN_ROWS, int(rows) // 10**digits * 10**digits)


def cost_view(
    config: TrainConfig,
    meta: DatasetMeta,
    upload: UploadMeta | None,
    records: list[Any],
) -> CostView:
    """The sentence (an epoch over a minute, or data made smaller) and the controls (uploads
    of a series only); hidden when there is nothing to say."""
    classify = config.task == "classify"
    steps = max(1, len(meta["columns"]) - 1) if classify else None
    found = estimate.estimate(config, meta["rows"], records, steps)
    reduced = upload.get("reduced") if upload else None
    if not found.too_long and not reduced:
        return CostView(data_panel.HIDDEN, "", data_panel.HIDDEN, None, BOX["info"])
    made = f"In use: {upload['name']}. " if upload and reduced else ""
    ways = (
        " Training on fewer rows makes it faster:"
        if found.too_long and upload and not classify
        else ""
    )
    shown = {} if upload and not classify else data_panel.HIDDEN
    suggested = rows_for_a_minute(config, found)
    box = BOX["warning" if found.too_long else "info"]
    return CostView({}, made + found.sentence() + ways, shown, suggested, box)


def reduce_choice(upload: UploadMeta | None) -> tuple[list[dict[str, str]], str, int | None]:
    """(the reductions offered for an upload, the one in use, its rows if 'recent')."""
    if upload is None:
        return [], reduce.NONE, None
    options = data_panel.reduce_options(reduce.choices(upload["time_column"] is not None))
    reduced = upload.get("reduced")
    choice = reduced["choice"] if reduced else reduce.NONE
    if choice.startswith(reduce.RECENT):
        return options, reduce.RECENT, int(choice.partition(":")[2])
    return options, choice, None


class MadeSmaller(NamedTuple):
    """apply_reduction's outputs, in Output order."""

    dataset_options: Any = no_update
    dataset: Any = no_update
    problem: Any = no_update
    problem_open: Any = no_update


def made_smaller(
    store: Store, settings: Settings, token: str, picked: str, choice: str, options: Any
) -> MadeSmaller:
    """The smaller upload offered in place of the picked one and picked; or what went wrong."""
    try:
        session = sessions.verify(store, token)
        meta = uploads.make_smaller(store, settings, session, picked, choice)
    except sessions.InvalidSession as refused:
        return MadeSmaller(problem=refused.message, problem_open=True)
    except NotFound:
        return MadeSmaller(problem=GONE, problem_open=True)
    except DataError as problem:
        return MadeSmaller(problem=str(problem), problem_open=True)
    if meta["upload"] == picked:
        return MadeSmaller(problem="", problem_open=False)
    return MadeSmaller(data_panel.with_upload_entry(meta, options), meta["upload"], "", False)


def wanted(choice: str | None, rows: Any, suggested: Any) -> str | None:
    """The reduction the controls ask for (the most recent rows: typed, else suggested)."""
    if choice != reduce.RECENT:
        return choice
    count = rows or suggested
    return reduce.recent_choice(int(count)) if count else None


def register(app: Dash, settings: Settings, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the estimate before Train and the ways to make an upload smaller."""

    @app.callback(
        Output(ids.ESTIMATE_BOX, "style"),
        Output(ids.ESTIMATE_TEXT, "children"),
        Output(ids.REDUCE_BOX, "style"),
        Output(ids.REDUCE_ROWS, "placeholder"),
        Output(ids.ESTIMATE_BOX, "className"),
        *data_deps(Input),
        *setting_deps(Input),
        State(ids.SESSION, "data"),
    )
    def show_cost(meta: DatasetMeta | None, target: str | None, split: Any, *raw: Any) -> CostView:
        """Say what an epoch will cost when it is over a minute, with the ways out."""
        *values, token = raw
        if not meta:
            return CostView(data_panel.HIDDEN, "", data_panel.HIDDEN, None, BOX["info"])
        config = config_from_controls(meta, target, split, tuple(values))
        if config.task != meta.get("task", "forecast"):  # the task control follows the data
            config = replace(config, task=meta.get("task", "forecast"))
        upload = picked_upload(store, token, meta.get("upload") or uploads.upload_of(meta["id"]))
        try:
            records = store.list_runs(sessions.verify(store, token))
        except NotFound:
            records = []
        return cost_view(config, meta, upload, records)

    @app.callback(
        Output(ids.REDUCE_PICKER, "options"),
        Output(ids.REDUCE_PICKER, "value"),
        Output(ids.REDUCE_ROWS, "value"),
        Input(ids.DATASET_PICKER, "value"),
        State(ids.SESSION, "data"),
    )
    def offer_reductions(picked: str | None, token: str) -> tuple[Any, str, int | None]:
        """Offer the ways to make the picked upload smaller, the one in use chosen."""
        return reduce_choice(picked_upload(store, token, picked))

    @app.callback(
        Output(ids.DATASET_PICKER, "options", allow_duplicate=True),
        Output(ids.DATASET_PICKER, "value", allow_duplicate=True),
        Output(ids.DATA_PROBLEM, "children", allow_duplicate=True),
        Output(ids.DATA_PROBLEM, "is_open", allow_duplicate=True),
        Input(ids.REDUCE_APPLY, "n_clicks"),
        State(ids.REDUCE_PICKER, "value"),
        State(ids.REDUCE_ROWS, "value"),
        State(ids.REDUCE_ROWS, "placeholder"),
        State(ids.DATASET_PICKER, "value"),
        State(ids.DATASET_PICKER, "options"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def apply_reduction(
        _clicks: int, choice: str | None, rows: Any, suggested: Any, picked: str, *rest: Any
    ) -> MadeSmaller:
        """Make the chosen smaller upload the dataset in use."""
        options, token = rest
        asked = wanted(choice, rows, suggested)
        if not asked or not picked:
            return MadeSmaller(problem="Type how many rows to keep.", problem_open=True)
        return made_smaller(store, settings, token, picked, asked, options)

    return {
        "show_cost": show_cost,
        "offer_reductions": offer_reductions,
        "apply_reduction": apply_reduction,
    }
