"""The tab's session: a token the server never issued is refused, said in one sentence, and
replaced by a fresh one (so a reload starts a new, empty session instead of failing again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, no_update

from dashboard import ids, sessions
from dashboard.store import Store


def checked(store: Store, token: Any) -> tuple[Any, str, bool]:
    """(the token to keep, the sentence, whether it shows) for the tab's session token."""
    try:
        sessions.verify(store, token)
    except sessions.InvalidSession as refused:
        return sessions.issue(store), refused.message, True
    return no_update, "", False


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the check of the tab's session token."""

    @app.callback(
        Output(ids.SESSION, "data", allow_duplicate=True),
        Output(ids.SESSION_PROBLEM, "children"),
        Output(ids.SESSION_PROBLEM, "is_open"),
        Input(ids.SESSION, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def check_session(token: Any) -> tuple[Any, str, bool]:
        """Refuse a session token this server never issued, and start a new session."""
        return checked(store, token)

    return {"check_session": check_session}
