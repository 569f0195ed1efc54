"""The Inside tab: pick one of the session's finished runs (or the one training now), a test
window and a layer; the window is replayed in numpy (ml.inside) from the run's saved model
(or its newest snapshot) and drawn, again each time the model file changes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from dash import Dash, Input, Output, State, no_update

from dashboard import ids, lifecycle, sessions
from dashboard.figures import inside as figures
from dashboard.figures.common import empty_figure
from dashboard.layout import inside as layout
from dashboard.ml.config import TrainConfig
from dashboard.ml.inside import (
    InsideError,
    Recurrent,
    inside_view,
    layer_labels,
    model_inputs,
    read_layers,
    unit_name,
)
from dashboard.payloads import LiveState, RunRecord
from dashboard.runs import run_label
from dashboard.store import SNAPSHOT, NotFound, Store

log = logging.getLogger(__name__)
SHOWN, HIDDEN = {"display": "block"}, {"display": "none"}
ENDED = {"finished", "stopped"}  # runs whose model was saved
GONE = "The run's dataset is no longer on the server, so its windows cannot be rebuilt."


class Replayable(NamedTuple):
    """A run with what the replay needs: inputs of its test part and its layers (from its
    saved model, or, while it trains, from its newest snapshot: `training`)."""

    record: RunRecord
    config: TrainConfig
    values: np.ndarray  # rows x columns, target first (original units)
    x_test: np.ndarray  # (windows, steps, features), scaled as in training
    test_rows: np.ndarray  # forecast: the first row each window predicts
    layers: list[Recurrent]
    training: bool = False


class RunsChoice(NamedTuple):
    """list_inside_runs's outputs, in Output order."""

    options: Any = no_update
    value: Any = no_update
    empty_text: Any = no_update
    empty_open: Any = no_update
    body_style: Any = no_update
    model: Any = no_update


class WindowChoice(NamedTuple):
    """pick_inside_run's outputs: the window slider, the layers, the units."""

    window_max: Any = no_update
    window_value: Any = no_update
    layer_options: Any = no_update
    layer_value: Any = no_update
    units_value: Any = no_update


class Drawn(NamedTuple):
    """draw_inside's outputs."""

    window_text: Any = no_update
    units_options: Any = no_update
    reading: Any = no_update
    note: Any = no_update
    window: Any = no_update
    states: Any = no_update
    gates: Any = no_update


def replayable_runs(store: Store, session: str) -> list[RunRecord]:
    """The session's ended runs that kept their model, newest first."""
    runs = [
        r
        for r in store.list_runs(session)
        if r.get("status") in ENDED and "model.keras" in (r.get("artifacts") or [])
    ]
    return runs[::-1]


def model_file(store: Store, record: RunRecord) -> Path | None:
    """The model a run is replayed from: the saved one once training is over (a run still
    scoring has it too), its newest snapshot while it trains; None: neither (yet)."""
    saved = "model.keras" in (record.get("artifacts") or [])
    if saved and record.get("status") in (*ENDED, *lifecycle.ACTIVE):
        return store.artifact_path(record["id"], "model.keras")
    snapshot = store.artifact_path(record["id"], SNAPSHOT)
    if record.get("status") in lifecycle.ACTIVE and snapshot.is_file():
        return snapshot
    return None


def model_version(store: Store, run_id: str | None, session: str) -> str | None:
    """Which model file the run has now ('live.keras@<mtime>'): it changes with each
    snapshot, and when the run ends."""
    try:
        path = model_file(store, store.owned_run(run_id or "", session))
    except NotFound:
        return None
    try:
        return f"{path.name}@{path.stat().st_mtime_ns}" if path else None
    except FileNotFoundError:  # the snapshot made way for the saved model just now
        return None


def load(store: Store, run_id: str, session: str) -> Replayable:
    """One of the session's runs ready to replay (raises NotFound or InsideError)."""
    record = store.owned_run(run_id, session)
    path = model_file(store, record)
    if path is None:
        raise InsideError("This run has no saved model to look inside.")
    config = TrainConfig.from_dict(record["config"])
    try:
        dataset = store.load_dataset(config.dataset, session)
    except NotFound:
        raise InsideError(GONE) from None
    values = dataset.values(config.target, config.features)
    x_test, test_rows = model_inputs(config, values)
    if not len(x_test):
        raise InsideError("This run has no test windows to look inside.")
    try:
        layers = read_layers(path)
    except FileNotFoundError:  # the snapshot made way for the saved model just now
        layers = read_layers(model_file(store, store.owned_run(run_id, session)) or path)
    training = path.name == SNAPSHOT
    return Replayable(record, config, values, x_test, test_rows, layers, training)


def window_caption(run: Replayable, window: int) -> str:
    """'window 12 of 30 · predicts 1958-03' (or '1958-03 to 1958-05'): which window, and
    the times it predicts; for classification 'sequence 12 of 30'."""
    if not len(run.test_rows):
        return f"sequence {window + 1} of {len(run.x_test)}"
    series = run.record.get("series")
    labels = series.get("x") if series else None
    first = int(run.test_rows[window])
    rows = sorted({first, first + run.config.outputs - 1})
    times = " to ".join(str(labels[r]) if labels else f"row {r}" for r in rows)
    return f"window {window + 1} of {len(run.x_test)} · predicts {times}"


def window_figure(store: Store, run: Replayable, window: int) -> Any:
    """The window's target values and what the model made of it (saved predictions)."""
    saved = store.get_predictions(run.record["id"])
    predicted = np.atleast_2d(saved[1])[window] if saved is not None else np.empty(0)
    if not len(run.test_rows):  # classification: a whole sequence, and its class
        classes = run.record.get("classes") or []
        verdict = ""
        if len(predicted) == 2 and classes:
            guess, truth = (classes[int(c)] for c in predicted)
            verdict = f": predicted class {guess}, true class {truth}"
        inputs = run.x_test[window][:, 0]
        return figures.window_figure(inputs, [], [], "value (scaled)", f"The sequence{verdict}")
    row, seq_len = int(run.test_rows[window]), run.config.seq_len
    inputs = run.values[row - seq_len : row, 0]
    actual = run.values[row : row + run.config.outputs, 0]
    return figures.window_figure(
        inputs, predicted, actual, run.config.target, "The window and its prediction"
    )


def draw(store: Store, run: Replayable, window: int, layer: int, units: Sequence[int]) -> Drawn:
    """Everything the tab draws of one window (0-based) and one layer."""
    window = min(max(int(window), 0), len(run.x_test) - 1)
    view = inside_view(run.layers, run.x_test[window], layer, units, run.config.stateful)
    width = run.layers[view.layer].units
    caption = window_caption(run, window)
    saved = store.get_predictions(run.record["id"]) if run.training else None
    if saved is not None:
        caption += f" · weights after epoch {saved[0]}; the view follows the training"
    return Drawn(
        window_text=caption,
        units_options=[{"label": unit_name(u), "value": u} for u in range(width)],
        reading=view.reading,
        note=view.note,
        window=window_figure(store, run, window),
        states=figures.states_figure(view.steps, view.units, view.kind),
        gates=figures.gates_figure(view.steps, view.kind, view.layers[view.layer], view.rows),
    )


def failed(sentence: str) -> Drawn:
    """The tab when a run cannot be replayed: the sentence, and blank charts."""
    blank = empty_figure(sentence)
    return Drawn("", [], sentence, "", blank, blank, blank)


def runs_choice(
    store: Store,
    state: LiveState | None,
    shown: str | None,
    offered: Any,
    session: str,
    tab: str | None = layout.TAB,
    model: str | None = None,
) -> RunsChoice:
    """The run dropdown, the empty state and the shown run's model file: the run that just
    appeared (one not `offered` yet: training with its first snapshot, or just finished),
    else the one shown, else the newest. While a run trains it is offered once its first
    snapshot is saved, and followed only while the tab is in view (`tab`); `model` is the
    model file last drawn, so a new one redraws."""
    training = bool(state and state.get("status") in lifecycle.ACTIVE)
    if training and tab != layout.TAB:
        return RunsChoice()  # nothing to follow out of sight; the tab's press catches up
    try:
        session = sessions.verify(store, session)
    except NotFound:  # an invalid session: the page says why elsewhere
        return RunsChoice()
    runs = replayable_runs(store, session)
    options = [{"label": f"{run_label(r)} · {r['dataset_name']}", "value": r["id"]} for r in runs]
    fresh = state.get("run_id") if state else None
    waiting, version = False, None
    if training and fresh:
        version = model_version(store, fresh, session)
        if version is None:
            waiting = True
        elif fresh not in {o["value"] for o in options}:
            record = store.owned_run(fresh, session)
            label = f"Training now: {run_label(record)} · {record['dataset_name']}"
            options.insert(0, {"label": label, "value": fresh})
    known = {o["value"] for o in options}
    before = {o.get("value") for o in offered or [] if isinstance(o, dict)}
    newest = fresh if fresh in known and fresh not in before else None
    value = newest or (shown if shown in known else (options[0]["value"] if options else None))
    if value != fresh or not training:  # the training run's version is known already
        version = model_version(store, value, session)
    return RunsChoice(
        options,
        no_update if value == shown else value,  # the same run: keep its window
        layout.WAIT if waiting else layout.EMPTY,
        waiting or not options,
        SHOWN if options else HIDDEN,
        no_update if version == model else version,
    )


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """List the session's runs to look inside, set up the picked one, and draw the chosen
    window (again whenever its model file changes)."""

    @app.callback(
        Output(ids.INSIDE_RUN, "options"),
        Output(ids.INSIDE_RUN, "value"),
        Output(ids.INSIDE_EMPTY, "children"),
        Output(ids.INSIDE_EMPTY, "is_open"),
        Output(ids.INSIDE_BODY, "style"),
        Output(ids.INSIDE_MODEL, "data"),
        State(ids.LIVE, "data"),
        Input(ids.TABS, "active_tab"),
        State(ids.INSIDE_RUN, "value"),
        State(ids.INSIDE_RUN, "options"),
        State(ids.SESSION, "data"),
        State(ids.INSIDE_MODEL, "data"),
        Input(ids.LIVE_PHASE, "data"),  # a run that starts or ends
        Input(ids.LIVE_PRED, "data"),  # a new snapshot is saved with each new prediction
    )
    def list_inside_runs(
        state: LiveState | None,
        tab: str | None,
        shown: str | None,
        offered: Any,
        session: str,
        model: str | None,
        _phase: Any = None,
        _pred: Any = None,
    ) -> RunsChoice:
        """Offer the session's finished runs and the one training now (once it has a
        snapshot); a run that just appeared is shown at once, and redrawn as it trains."""
        return runs_choice(store, state, shown, offered, session, tab, model)

    @app.callback(
        Output(ids.INSIDE_WINDOW, "max"),
        Output(ids.INSIDE_WINDOW, "value"),
        Output(ids.INSIDE_LAYER, "options"),
        Output(ids.INSIDE_LAYER, "value"),
        Output(ids.INSIDE_UNITS, "value"),
        Input(ids.INSIDE_RUN, "value"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def pick_inside_run(run_id: str | None, session: str) -> WindowChoice:
        """A new run: its last test window, its last recurrent layer, the most active units."""
        if not run_id:
            return WindowChoice()
        try:
            run = load(store, run_id, sessions.verify(store, session))
        except (NotFound, InsideError):  # draw_inside says why
            return WindowChoice(1, 1, [], None, [])
        options = [{"label": label, "value": i} for i, label in enumerate(layer_labels(run.layers))]
        last = len(run.x_test)  # the slider counts windows from 1
        return WindowChoice(last, last, options, len(options) - 1, [])

    @app.callback(
        Output(ids.INSIDE_WINDOW_TEXT, "children"),
        Output(ids.INSIDE_UNITS, "options"),
        Output(ids.INSIDE_READING, "children"),
        Output(ids.INSIDE_NOTE, "children"),
        Output(ids.INSIDE_INPUT_GRAPH, "figure"),
        Output(ids.INSIDE_STATES_GRAPH, "figure"),
        Output(ids.INSIDE_GATES_GRAPH, "figure"),
        Input(ids.INSIDE_RUN, "value"),
        Input(ids.INSIDE_WINDOW, "value"),
        Input(ids.INSIDE_LAYER, "value"),
        Input(ids.INSIDE_UNITS, "value"),
        Input(ids.INSIDE_MODEL, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def draw_inside(
        run_id: str | None,
        window: int | None,
        layer: int | None,
        units: list[int] | None,
        _model: str | None,
        session: str,
    ) -> Drawn:
        """Replay the chosen window through the chosen layer and draw it."""
        if not run_id:
            return Drawn()
        try:
            run = load(store, run_id, sessions.verify(store, session))
            return draw(store, run, (window or 1) - 1, layer or 0, units or [])
        except NotFound:
            return failed("This run is not one of this page's runs any more.")
        except InsideError as refused:
            return failed(str(refused))
        except Exception:  # the page gets a sentence; the log gets the traceback
            log.exception("inside view of run %s failed", run_id)
            return failed("The inside view could not be drawn for this run.")

    return {
        "list_inside_runs": list_inside_runs,
        "pick_inside_run": pick_inside_run,
        "draw_inside": draw_inside,
    }
