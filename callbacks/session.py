"""The tab's session: a token the server never issued is refused, said in one sentence, and
replaced by a fresh one (so a reload starts a new, empty session instead of failing again);
a reload of a kept session offers its uploads again in the dataset picker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, sessions
from dashboard.ingest import kept
from dashboard.ingest.kept import UPLOAD_PREFIX
from dashboard.layout.data_panel import upload_entry
from dashboard.store import Store


def checked(store: Store, token: Any) -> tuple[Any, str, bool]:
    """(the token to keep, the sentence, whether it shows) for the tab's session token."""
    try:
        sessions.verify(store, token)
    except sessions.InvalidSession as refused:
        return sessions.issue(store), refused.message, True
    return no_update, "", False


def with_kept_uploads(store: Store, token: Any, options: list[Any] | None) -> Any:
    """The dataset picker's options with the session's kept uploads (each file once, oldest
    first) after the built-in datasets; no_update when there are none to add."""
    try:
        listed = kept.kept_uploads(store, sessions.verify(store, token))
    except sessions.InvalidSession:
        return no_update
    if not listed:
        return no_update
    builtins = [o for o in options or [] if not str(o.get("value", "")).startswith(UPLOAD_PREFIX)]
    return [*builtins, *[upload_entry(meta) for meta in listed]]


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the check of the tab's session token and the kept uploads' return."""

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

    @app.callback(
        Output(ids.DATASET_PICKER, "options", allow_duplicate=True),
        Input(ids.SESSION, "data"),
        State(ids.DATASET_PICKER, "options"),
        prevent_initial_call="initial_duplicate",
    )
    def offer_kept_uploads(token: Any, options: list[Any] | None) -> Any:
        """After a reload, offer the session's uploads again beside the built-in datasets."""
        return with_kept_uploads(store, token, options)

    return {"check_session": check_session, "offer_kept_uploads": offer_kept_uploads}
