"""Search, Cancel, Use best, the trials CSV, and drawing a study: thin wiring around
dashboard.search_jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, dcc, no_update

from dashboard import ids, search_jobs, sessions
from dashboard.background import slots_cache
from dashboard.celery_jobs import answer_when_not_sent, not_sent_message
from dashboard.control_state import (
    SETTINGS,
    config_from_controls,
    control_id,
    control_value,
    data_deps,
    setting_deps,
)
from dashboard.figures import search as figures
from dashboard.layout.search import NEW, STATUS_COLORS, trial_columns, trial_rows
from dashboard.ml.config import TrainConfig
from dashboard.ml.search import SearchSettings
from dashboard.ml.search.summary import MIN_FOR_IMPORTANCE
from dashboard.payloads import LiveState, SearchState
from dashboard.search_jobs import SEARCH_OPTIONS, SEARCH_RANGES
from dashboard.settings import Settings
from dashboard.store import Store
from dashboard.urls import download_path

ACTIVE = ("queued", "running")
ENDED = ("finished", "cancelled", "failed", "refused")  # a search's end (not "kept")


def form_deps(kind: type[Input] | type[State] = State) -> list[Any]:
    """The search form's dependencies, in form_settings' order."""
    deps: list[Any] = []
    for name in SEARCH_RANGES:
        deps += [
            kind(ids.search_on(name), "value"),
            kind(ids.search_low(name), "value"),
            kind(ids.search_high(name), "value"),
        ]
    deps += [kind(ids.search_pick(name), "value") for name in SEARCH_OPTIONS]
    budget = (
        ids.SEARCH_TRIALS_N,
        ids.SEARCH_TIMEOUT,
        ids.SEARCH_SAMPLER,
        ids.SEARCH_PRUNING,
        ids.SEARCH_WARMUP,
        ids.SEARCH_SEED,
        ids.SEARCH_OBJECTIVE,
    )
    return deps + [kind(control, "value") for control in budget]


FORM_SIZE = 3 * len(SEARCH_RANGES) + len(SEARCH_OPTIONS) + 7


def form_settings(values: tuple[Any, ...]) -> SearchSettings:
    """The SearchSettings the form's values (form_deps order) describe."""
    values = tuple(values)
    ranges = {
        name: (bool(values[3 * i]), values[3 * i + 1], values[3 * i + 2])
        for i, name in enumerate(SEARCH_RANGES)
    }
    start = 3 * len(SEARCH_RANGES)
    options = {name: values[start + i] or [] for i, name in enumerate(SEARCH_OPTIONS)}
    trials, timeout, sampler, pruning, warmup, seed, objective = values[start + len(options) :]
    return search_jobs.search_settings(
        ranges,
        options,
        n_trials=trials,
        timeout_s=timeout,
        sampler=sampler or "tpe",
        pruning=bool(pruning),
        warmup_epochs=warmup,
        seed=seed,
        objective=objective or "val_loss",
    )


def register(
    app: Dash, settings: Settings, store: Store, manager: Any
) -> dict[str, Callable[..., Any]]:
    """Wire the Search tab."""
    return {
        **_register_job(app, settings, manager),
        **_register_actions(app, settings, store),
        **_register_views(app),
    }


def _register_job(app: Dash, settings: Settings, manager: Any) -> dict[str, Callable[..., Any]]:
    """Search (a background job streaming the SearchState) and the state it leaves."""
    slots = slots_cache(manager)

    @app.callback(
        Output(ids.SEARCH_RESULT, "data"),
        Input(ids.SEARCH_START, "n_clicks"),
        State(ids.SESSION, "data"),
        State(ids.PAGE, "data"),  # identical clicks from two page loads must not share a job
        State(ids.SEARCH_STUDY, "value"),
        *form_deps(State),
        *data_deps(State),
        *setting_deps(State),
        background=True,
        manager=manager,
        progress=[Output(ids.SEARCH_LIVE, "data")],
        running=[
            (Output(ids.SEARCH_START, "disabled"), True, False),
            (Output(ids.SEARCH_CANCEL, "disabled"), False, True),
            (Output(ids.TRAIN, "disabled"), True, False),
        ],
        cancel=[Input(ids.SEARCH_CANCEL, "n_clicks")],
        interval=settings.poll_interval_ms,
        prevent_initial_call=True,
    )
    def search(
        set_progress: Any, _clicks: int, session: str, _page: str, study: str | None, *raw: Any
    ) -> SearchState:
        """Run (or resume) a study in a job process, streaming its whole state."""
        form, (meta, target, split, *controls) = raw[:FORM_SIZE], raw[FORM_SIZE:]
        base = config_from_controls(meta, target, split, tuple(controls))
        store = Store.from_settings(settings)
        try:
            owner = sessions.verify(store, session)
        except sessions.InvalidSession as refused:  # nothing trains, nothing is stored
            return search_jobs.refused(refused.message)
        if study and study != NEW and not search_jobs.owns_study(store, owner, study):
            return search_jobs.refused("That study is not one of this session's.")
        name = study if study and study != NEW else search_jobs.new_study_name()
        return search_jobs.run_search(
            settings,
            form_settings(form),
            base,
            owner,
            name,
            lambda state: set_progress([state]),
            slots,
        )

    answer_when_not_sent(  # Redis down: nothing is sent, the press is answered so
        manager, ids.SEARCH_RESULT, lambda: search_jobs.refused(not_sent_message("Search"))
    )

    @app.callback(
        Output(ids.SEARCH_LIVE, "data", allow_duplicate=True),
        Input(ids.SEARCH_RESULT, "data"),
        prevent_initial_call=True,
    )
    def search_ended(result: SearchState) -> SearchState:
        """Show the final state (the views listen to SEARCH_LIVE alone)."""
        return result

    return {"search": search, "search_ended": search_ended}


class Forwarded(NamedTuple):
    """forward_trial's outputs: the Training tab's live state, and Train kept disabled."""

    live: Any = no_update
    train_disabled: Any = no_update


def forwarded(state: SearchState | None, shown: LiveState | None) -> Forwarded:
    """The running trial's run, for the Training tab (its curves stream like a run's)."""
    if not state:
        return Forwarded()
    status = state["status"]
    # off while the search runs, on once it ended (a kept study shown changes nothing)
    disabled = True if status in ACTIVE else False if status in ENDED else no_update
    live = state.get("live")
    if not live or live == shown:
        return Forwarded(train_disabled=disabled)
    return Forwarded(live=live, train_disabled=disabled)


class UseBest(NamedTuple):
    """use_best's outputs: every setting control, then a note."""

    controls: tuple[Any, ...]
    note: Any = no_update


def best_values(state: SearchState | None) -> UseBest:
    """The controls set to the best trial's settings (as a preset sets them)."""
    if not state or not state.get("best_settings"):
        return UseBest((no_update,) * len(SETTINGS), "No trial has completed yet.")
    config = TrainConfig.from_dict(state["best_settings"] or {})
    values = tuple(control_value(name, getattr(config, name)) for name in SETTINGS)
    searched = ", ".join(
        f"{figures.label(n)} {getattr(config, n):g}"
        if isinstance(getattr(config, n), int | float)
        else f"{figures.label(n)} {getattr(config, n)}"
        for n in state["searched"]
    )
    return UseBest(values, f"The sliders hold the best trial's settings: {searched}.")


def _register_actions(app: Dash, settings: Settings, store: Store) -> dict[str, Callable[..., Any]]:
    """Cancel's record, Use best, the CSV, the study picker, and the trial on Training."""

    @app.callback(
        Output(ids.SEARCH_LIVE, "data", allow_duplicate=True),
        Input(ids.SEARCH_CANCEL, "n_clicks"),
        State(ids.SEARCH_LIVE, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def cancel_search(_clicks: int, state: SearchState | None, session: str) -> Any:
        """Record the cancelled trial and keep the finished ones."""
        if not state or state["status"] not in ACTIVE:
            return no_update
        try:
            owner = sessions.verify(store, session)
        except sessions.InvalidSession:
            return no_update
        return search_jobs.cancel_search(settings, owner, state)

    @app.callback(
        *[Output(control_id(n), "value", allow_duplicate=True) for n in SETTINGS],
        Output(ids.SEARCH_USE_NOTE, "children"),
        Input(ids.SEARCH_USE_BEST, "n_clicks"),
        State(ids.SEARCH_LIVE, "data"),
        prevent_initial_call=True,
    )
    def use_best(_clicks: int, state: SearchState | None) -> tuple[Any, ...]:
        """Set every control to the best trial's settings."""
        chosen = best_values(state)
        return (*chosen.controls, chosen.note)

    @app.callback(
        Output(ids.SEARCH_DOWNLOAD, "data"),
        Input(ids.SEARCH_CSV, "n_clicks"),
        State(ids.SEARCH_LIVE, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def download_csv(_clicks: int, state: SearchState | None, session: str) -> Any:
        """The study's trials as CSV."""
        if not state or not state.get("study"):
            return no_update
        try:
            owner = sessions.verify(store, session)
        except sessions.InvalidSession:
            return no_update
        text = search_jobs.study_csv(settings, owner, state["study"])
        if text is None:
            return no_update
        return dcc.send_string(text, f"lstm-lab-study-{state['number']}-trials.csv")

    return {
        "cancel_search": cancel_search,
        "use_best": use_best,
        "download_csv": download_csv,
        **_register_studies(app, settings, store),
    }


def _register_studies(app: Dash, settings: Settings, store: Store) -> dict[str, Callable[..., Any]]:
    """The study picker (a new study or one to resume), and a picked study shown."""

    @app.callback(
        Output(ids.SEARCH_STUDY, "options"),
        Input(ids.SEARCH_RESULT, "data"),
        Input(ids.SESSION, "data"),
    )
    def study_options(_result: Any, session: str) -> list[dict[str, str]]:
        """A new study, or one of the session's to resume."""
        options = [{"label": "a new study", "value": NEW}]
        try:
            owner = sessions.verify(store, session)
        except sessions.InvalidSession:
            return options
        studies = search_jobs.list_studies(store, owner)
        return options + [
            {"label": f"resume study {s['number']}", "value": s["name"]} for s in studies
        ]

    @app.callback(
        Output(ids.SEARCH_LIVE, "data", allow_duplicate=True),
        Input(ids.SEARCH_STUDY, "value"),
        State(ids.SEARCH_LIVE, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def show_study(name: str | None, state: SearchState | None, session: str) -> Any:
        """A picked study as it is on disk (its trials; Search adds Trials more)."""
        if not name or name == NEW or (state and state["status"] in ACTIVE):
            return no_update
        if state and state.get("study") == name:
            return no_update
        try:
            owner = sessions.verify(store, session)
        except sessions.InvalidSession:
            return no_update
        message = "A kept study: press Search to add Trials more trials to it."
        return search_jobs.study_state(settings, owner, name, "kept", message)

    @app.callback(
        Output(ids.LIVE, "data", allow_duplicate=True),
        Output(ids.TRAIN, "disabled", allow_duplicate=True),
        Input(ids.SEARCH_LIVE, "data"),
        State(ids.LIVE, "data"),
        prevent_initial_call=True,
    )
    def forward_trial(state: SearchState | None, shown: LiveState | None) -> Forwarded:
        """The running trial streams on the Training tab like a run; Train stays off."""
        return forwarded(state, shown)

    return {
        "study_options": study_options,
        "show_study": show_study,
        "forward_trial": forward_trial,
    }


class SearchView(NamedTuple):
    """show_search's outputs, in Output order."""

    status: Any = no_update
    status_color: Any = no_update
    progress: Any = no_update
    progress_text: Any = no_update
    rows: Any = no_update
    columns: Any = no_update
    curves: Any = no_update
    best: Any = no_update
    importance: Any = no_update
    parallel: Any = no_update
    use_best_disabled: Any = no_update
    csv_disabled: Any = no_update
    best_run_href: Any = no_update
    best_run_disabled: Any = no_update


def search_view(state: SearchState) -> SearchView:
    """What the Search tab shows of a study's state."""
    trials = state["trials"]
    ended = [t for t in trials if t["state"] != "running"]
    total = max(state["n_trials"], len(trials), 1)
    counts = {k: sum(t["state"] == k for t in trials) for k in ("complete", "pruned", "failed")}
    parts = " · ".join(f"{n} {k}" for k, n in counts.items() if n)
    text = f"trial {len(ended)}/{state['n_trials']}" + (f" · {parts}" if parts else "")
    objective = state["objective"]
    best_run = state.get("best_run")
    return SearchView(
        status=state["message"],
        status_color=STATUS_COLORS.get(state["status"], "light"),
        progress=100 * len(ended) / total,
        progress_text=text,
        rows=trial_rows(state),
        columns=trial_columns(state["searched"], objective),
        curves=figures.curves_figure(state["curves"], objective),
        best=figures.best_so_far_figure(state["best_so_far"], objective),
        importance=figures.importance_figure(
            state["importances"], counts["complete"], MIN_FOR_IMPORTANCE
        ),
        parallel=figures.parallel_figure(trials, state["searched"], objective),
        use_best_disabled=not state.get("best_settings"),
        csv_disabled=not trials,
        best_run_href=download_path(best_run, "train.zip") if best_run else "",
        best_run_disabled=not best_run,
    )


def _register_views(app: Dash) -> dict[str, Callable[..., Any]]:
    """The Search tab drawn from SEARCH_LIVE."""

    @app.callback(
        Output(ids.SEARCH_STATUS, "children"),
        Output(ids.SEARCH_STATUS, "color"),
        Output(ids.SEARCH_PROGRESS, "value"),
        Output(ids.SEARCH_PROGRESS_TEXT, "children"),
        Output(ids.SEARCH_TRIALS, "rowData"),
        Output(ids.SEARCH_TRIALS, "columnDefs"),
        Output(ids.SEARCH_CURVES, "figure"),
        Output(ids.SEARCH_BEST, "figure"),
        Output(ids.SEARCH_IMPORTANCE, "figure"),
        Output(ids.SEARCH_PARALLEL, "figure"),
        Output(ids.SEARCH_USE_BEST, "disabled"),
        Output(ids.SEARCH_CSV, "disabled"),
        Output(ids.SEARCH_BEST_RUN, "href"),
        Output(ids.SEARCH_BEST_RUN, "disabled"),
        Input(ids.SEARCH_LIVE, "data"),
        prevent_initial_call=True,
    )
    def show_search(state: SearchState | None) -> SearchView:
        """Draw the newest state of the study."""
        return search_view(search_jobs.as_search_state(state)) if state else SearchView()

    return {"show_search": show_search}


__all__ = ["form_deps", "form_settings", "register"]
