"""The Evaluation tab: the newest finished run of the page (ids.LIVE), read from the store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, sessions
from dashboard.figures import evaluation as figures
from dashboard.layout import evaluation as layout
from dashboard.ml.params import CHOICES
from dashboard.payloads import LiveState
from dashboard.store import NotFound, Store

SHOWN = {"display": "block"}
HIDDEN = {"display": "none"}


class EvaluationView(NamedTuple):
    """show_evaluation's outputs, in Output order (no_update: left as it is)."""

    empty_open: Any = no_update
    body_style: Any = no_update
    run_id: Any = no_update
    summary: Any = no_update
    forecast_style: Any = no_update
    horizon: Any = no_update
    backtest: Any = no_update
    origin_options: Any = no_update
    origin_value: Any = no_update
    origin_figure: Any = no_update
    residuals: Any = no_update
    histogram: Any = no_update
    acf: Any = no_update
    acf_reading: Any = no_update
    anomalies: Any = no_update


def model_name(run: Mapping[str, Any]) -> str:
    """The cell the run trained ('LSTM', 'GRU', ...)."""
    return str(CHOICES["cell"].label_of((run.get("config") or {}).get("cell", "lstm")))


def baseline_labels(scores: Mapping[str, Any]) -> dict[str, str]:
    """Each baseline's name in the charts: 'last value', 'seasonal naive (m=12)', 'drift'."""
    return {name: b.get("label", name) for name, b in (scores.get("baselines") or {}).items()}


def origin_figure(run: Mapping[str, Any], position: int) -> Any:
    """The chart of one backtest origin of `run` (by its position), or an empty one."""
    backtest = (run.get("extras") or {}).get("backtest") or {}
    origins = backtest.get("origins") or []
    series = run.get("series") or {}
    if not origins or not series or not 0 <= position < len(origins):
        return figures.origin_figure(None, [], None, {})
    labels = baseline_labels(run.get("scores") or {})
    return figures.origin_figure(
        series.get("x"), series["y"], origins[position], labels, model_name(run)
    )


def evaluation_view(run: Mapping[str, Any]) -> EvaluationView:
    """Everything the Evaluation tab shows of a finished run (a run record, or a final live
    state: then without the series' time labels)."""
    scores, extras = run.get("scores") or {}, run.get("extras") or {}
    name = model_name(run)
    summary = layout.summary(scores, extras.get("intervals"), name)
    if "per_class" in scores:
        return EvaluationView(False, SHOWN, run.get("id") or run.get("run_id"), summary, HIDDEN)
    x = (run.get("series") or {}).get("x")
    labels = baseline_labels(scores)
    residuals = extras.get("residuals") or {}
    options = layout.origin_options(extras.get("backtest"), x)
    return EvaluationView(
        empty_open=False,
        body_style=SHOWN,
        run_id=run.get("id") or run.get("run_id"),
        summary=summary,
        forecast_style=SHOWN,
        horizon=figures.horizon_figure(extras.get("horizon_errors"), labels, name),
        backtest=figures.backtest_figure(extras.get("backtest"), labels, name),
        origin_options=options,
        origin_value=options[0]["value"] if options else None,
        origin_figure=origin_figure(run, 0),
        residuals=figures.residuals_figure(residuals, x),
        histogram=figures.histogram_figure(residuals),
        acf=figures.acf_figure(residuals),
        acf_reading=residuals.get("reading", ""),
        anomalies=layout.anomalies_table(extras.get("anomalies"), x),
    )


def _run_of(store: Store, state: LiveState, session: str) -> Mapping[str, Any]:
    """The run record behind a final live state (it has the series' time labels), or the
    state itself when the store has none for this session."""
    try:
        record = store.owned_run(state["run_id"], sessions.verify(store, session))
    except NotFound:
        return state
    return {**state, **record}


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Draw the Evaluation tab when a run finishes, and the backtest origin picked."""

    @app.callback(
        Output(ids.EVAL_EMPTY, "is_open"),
        Output(ids.EVAL_BODY, "style"),
        Output(ids.EVAL_RUN, "data"),
        Output(ids.EVAL_SUMMARY, "children"),
        Output(ids.EVAL_FORECAST, "style"),
        Output(ids.EVAL_HORIZON, "figure"),
        Output(ids.EVAL_BACKTEST, "figure"),
        Output(ids.EVAL_ORIGIN, "options"),
        Output(ids.EVAL_ORIGIN, "value"),
        Output(ids.EVAL_ORIGIN_GRAPH, "figure"),
        Output(ids.EVAL_RESIDUALS, "figure"),
        Output(ids.EVAL_HISTOGRAM, "figure"),
        Output(ids.EVAL_ACF, "figure"),
        Output(ids.EVAL_ACF_READING, "children"),
        Output(ids.EVAL_ANOMALIES, "children"),
        State(ids.LIVE, "data"),
        State(ids.EVAL_RUN, "data"),
        State(ids.SESSION, "data"),
        Input(ids.LIVE_PHASE, "data"),  # a run that starts, ends or gets its scores
        prevent_initial_call=True,
    )
    def show_evaluation(
        state: LiveState | None, shown: str | None, session: str, _phase: Any = None
    ) -> EvaluationView:
        """Evaluate the newest run that finished with scores; keep the last one meanwhile."""
        if not state or not state.get("scores") or state.get("run_id") == shown:
            return EvaluationView()
        return evaluation_view(_run_of(store, state, session))

    @app.callback(
        Output(ids.EVAL_ORIGIN_GRAPH, "figure", allow_duplicate=True),
        Input(ids.EVAL_ORIGIN, "value"),
        State(ids.EVAL_RUN, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def show_origin(position: str | None, run_id: str | None, session: str) -> Any:
        """Draw the backtest origin picked in the dropdown."""
        if position is None or not run_id:
            return no_update
        try:
            run = store.owned_run(run_id, sessions.verify(store, session))
        except NotFound:
            return no_update
        return origin_figure(run, int(position))

    return {"show_evaluation": show_evaluation, "show_origin": show_origin}
