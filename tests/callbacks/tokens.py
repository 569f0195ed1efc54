"""Session tokens for callbacks called directly: signed with the key the tests' settings
carry (tests/callbacks/conftest.py), as the page's layout would have issued them."""

from __future__ import annotations

from dashboard import sessions

KEY = "callback-tests-key"


def token(session_id: str) -> str:
    """The token a page of session `session_id` holds."""
    return sessions.token_for(KEY, session_id)


T1, T2 = token("s1"), token("s2")
