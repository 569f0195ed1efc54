"""The Class tab (the session's progress on the challenges, written to the class board on a
class server) and the class board page (/class/<code>), refreshed every few seconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from dashboard import classroom, ids, sessions
from dashboard import urls as share
from dashboard.layout import challenges as layout
from dashboard.layout import leaderboard
from dashboard.ml.challenges import BY_ID, progress
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS
from dashboard.settings import Settings
from dashboard.store import Store


def class_progress(settings: Settings, store: Store, token: Any) -> tuple[Any, Any]:
    """(the note, the challenge cards) of the tab's session; on a class server its best
    attempts go to the class board as it is computed."""
    try:
        session = sessions.verify(store, token)
    except sessions.InvalidSession:  # the page says why (callbacks.session)
        return no_update, no_update
    runs = store.list_runs(session)
    attempts = progress(runs)
    note = layout.NO_CLASS_NOTE
    if settings.class_code:
        name = classroom.publish(store.cache, settings.class_code, session, attempts, runs)
        note = layout.class_note(settings.class_code, name)
    return note, layout.challenge_list(attempts)


def setup_query(challenge: str) -> str:
    """The URL query that loads a challenge's starting settings into the controls ('' for
    none): its dataset with that dataset's target, and the settings it names."""
    found = BY_ID.get(challenge)
    if found is None or not found.setup:
        return ""
    settings = dict(found.setup)
    builtin = BUILTINS.get(str(settings.get("dataset", "")).removeprefix(BUILTIN_PREFIX))
    if builtin is not None:
        settings.setdefault("target", builtin.target)
    query = share.settings_query(TrainConfig(**settings))
    named = set(share.parse_query(query))
    # a setting at its default is left out of a URL; Set up names each of its own anyway
    extra = [f"{name}={_text(value)}" for name, value in settings.items() if name not in named]
    return "?" + "&".join([p for p in query.lstrip("?").split("&") if p] + extra)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def board(settings: Settings, store: Store, code: Any, challenge: Any) -> tuple[Any, Any]:
    """(the goal, the table) of one challenge on the board of class `code`; a wrong code
    gets the sentence that says so, and nothing of the board."""
    problem = classroom.code_problem(settings.class_code, code if isinstance(code, str) else None)
    if problem is not None:
        return problem, None
    chosen = BY_ID.get(challenge) if isinstance(challenge, str) else None
    if chosen is None:
        return "Pick a challenge.", None
    rows = classroom.board_rows(store.cache, settings.class_code, chosen.id)
    return chosen.goal, leaderboard.board_table(rows, chosen.id)


def register(app: Dash, settings: Settings, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the Class tab and the class board page."""

    @app.callback(
        Output(ids.CLASS_NOTE, "children"),
        Output(ids.CHALLENGE_LIST, "children"),
        Input(ids.LIVE_PHASE, "data"),
        Input(ids.RUNS_CHANGED, "data"),
        Input(ids.SESSION, "data"),
    )
    def show_challenges(_status: Any, _changed: Any, token: Any) -> tuple[Any, Any]:
        """Check every challenge on the session's runs when the page loads, a run starts or
        ends, or runs are deleted."""
        return class_progress(settings, store, token)

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Output(ids.TABS, "active_tab", allow_duplicate=True),
        Input(ids.challenge_setup(ALL), "n_clicks"),
        prevent_initial_call=True,
    )
    def set_up_challenge(clicks: list[int | None]) -> tuple[Any, Any]:
        """Load the clicked challenge's dataset into the controls (through the URL) and go
        to the Training tab."""
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update, no_update
        query = setup_query(str(ctx.triggered_id.get("index")))
        return (query, "training") if query else (no_update, no_update)

    @app.callback(
        Output(ids.BOARD_GOAL, "children"),
        Output(ids.BOARD_TABLE, "children"),
        Input(ids.BOARD_TICK, "n_intervals"),
        Input(ids.BOARD_CHALLENGE, "value"),
        State(ids.BOARD_CODE, "data"),
    )
    def show_board(_tick: Any, challenge: Any, code: Any) -> tuple[Any, Any]:
        """The chosen challenge's board, read again every few seconds."""
        return board(settings, store, code, challenge)

    return {
        "show_challenges": show_challenges,
        "set_up_challenge": set_up_challenge,
        "show_board": show_board,
    }
