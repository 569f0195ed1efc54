"""The Inside tab: pick one of the session's finished runs, a test window and a layer; the
window is replayed in numpy (ml.inside) from the run's saved model and drawn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from dash import Dash, Input, Output, State, no_update

from dashboard import ids, sessions
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
from dashboard.store import NotFound, Store

log = logging.getLogger(__name__)
SHOWN, HIDDEN = {"display": "block"}, {"display": "none"}
ENDED = {"finished", "stopped"}  # runs whose model was saved
GONE = "The run's dataset is no longer on the server, so its windows cannot be rebuilt."


class Replayable(NamedTuple):
    """A finished run with what the replay needs: inputs of its test part and its layers."""

    record: RunRecord
    config: TrainConfig
    values: np.ndarray  # rows x columns, target first (original units)
    x_test: np.ndarray  # (windows, steps, features), scaled as in training
    test_rows: np.ndarray  # forecast: the first row each window predicts
    layers: list[Recurrent]


class RunsChoice(NamedTuple):
    """list_inside_runs's outputs, in Output order."""

    options: Any = no_update
    value: Any = no_update
    empty_text: Any = no_update
    empty_open: Any = no_update
    body_style: Any = no_update


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


def load(store: Store, run_id: str, session: str) -> Replayable:
    """One of the session's runs ready to replay (raises NotFound or InsideError)."""
    record = store.owned_run(run_id, session)
    config = TrainConfig.from_dict(record["config"])
    try:
        dataset = store.load_dataset(config.dataset, session)
    except NotFound:
        raise InsideError(GONE) from None
    values = dataset.values(config.target, config.features)
    x_test, test_rows = model_inputs(config, values)
    if not len(x_test):
        raise InsideError("This run has no test windows to look inside.")
    layers = read_layers(store.artifact_path(run_id, "model.keras"))
    return Replayable(record, config, values, x_test, test_rows, layers)


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
    return Drawn(
        window_text=window_caption(run, window),
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
    store: Store, state: LiveState | None, shown: str | None, offered: Any, session: str
) -> RunsChoice:
    """The run dropdown and the empty state: the run that just finished (one not `offered`
    yet), else the one shown, else the newest; while a run trains, the sentence that the
    view waits for it."""
    if state and state.get("status") in {"queued", "running"}:
        return RunsChoice(empty_text=layout.WAIT, empty_open=True)
    try:
        runs = replayable_runs(store, sessions.verify(store, session))
    except NotFound:  # an invalid session: the page says why elsewhere
        return RunsChoice()
    options = [{"label": f"{run_label(r)} · {r['dataset_name']}", "value": r["id"]} for r in runs]
    known = {o["value"] for o in options}
    before = {o.get("value") for o in offered or [] if isinstance(o, dict)}
    fresh = state.get("run_id") if state else None
    newest = fresh if fresh in known and fresh not in before else None
    value = newest or (shown if shown in known else (options[0]["value"] if options else None))
    return RunsChoice(
        options,
        no_update if value == shown else value,  # the same run: keep its window
        layout.EMPTY,
        not options,
        SHOWN if options else HIDDEN,
    )


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """List the session's finished runs, set up the picked one, and draw the chosen window."""

    @app.callback(
        Output(ids.INSIDE_RUN, "options"),
        Output(ids.INSIDE_RUN, "value"),
        Output(ids.INSIDE_EMPTY, "children"),
        Output(ids.INSIDE_EMPTY, "is_open"),
        Output(ids.INSIDE_BODY, "style"),
        Input(ids.LIVE, "data"),
        Input(ids.TABS, "active_tab"),
        State(ids.INSIDE_RUN, "value"),
        State(ids.INSIDE_RUN, "options"),
        State(ids.SESSION, "data"),
    )
    def list_inside_runs(
        state: LiveState | None, tab: str | None, shown: str | None, offered: Any, session: str
    ) -> RunsChoice:
        """Offer the session's finished runs; a run that just finished is shown at once."""
        return runs_choice(store, state, shown, offered, session)

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
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def draw_inside(
        run_id: str | None,
        window: int | None,
        layer: int | None,
        units: list[int] | None,
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
