"""Session ids: issued by the server, signed, and checked at every entry that takes one.

The page's layout (built per page load) carries a fresh token, `<id>.<signature>`; the tab
keeps it in sessionStorage, so a reload keeps its runs. Every callback that reads
`ids.SESSION`, the upload route and the training job turn the token back into the id
through `verify`, the one check: a token this server never issued (made up, cut short,
signed with another key) raises InvalidSession, and nothing is read or stored for it.

The key is `Settings.secret_key` (LSTM_LAB_SECRET_KEY) when set; otherwise a random key
made once and kept in the store, so it is shared by exactly the processes that share the
data (web processes, job processes, Celery workers) and outlives a restart.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, Signer

from dashboard.store import NotFound, Store

SALT = "lstm-lab.session"
KEPT_KEY = ("secret", "session-key")
MAX_TOKEN = 200
MESSAGE = (
    "This tab's session was not issued by this server (or the server's key changed), so "
    "nothing of it is shown or stored: reload the page to start a new session."
)
_keys: dict[str, str] = {}  # store directory -> its kept key (read once per process)


class InvalidSession(NotFound):
    """A session token the server never issued; its message is the sentence for the page."""

    def __init__(self) -> None:
        super().__init__(MESSAGE)

    @property
    def message(self) -> str:
        """The sentence for the page (or the HTTP answer)."""
        return str(self.args[0])

    def __str__(self) -> str:
        return self.message


def _key(store: Store) -> str:
    if store.secret_key:
        return store.secret_key
    folder = str(store.directory)
    if folder not in _keys:
        store.cache.add(KEPT_KEY, secrets.token_hex(32))  # the first process makes it
        _keys[folder] = str(store.cache.get(KEPT_KEY))
    return _keys[folder]


def _signer(key: str) -> Signer:
    return Signer(key, salt=SALT)


def token_for(key: str, session_id: str) -> str:
    """The token of `session_id` signed with `key` (a server's own key: see `issue`)."""
    return _signer(key).sign(session_id).decode("ascii")


def issue(store: Store) -> str:
    """A fresh session token for a page load: a new unguessable id, signed."""
    return token_for(_key(store), secrets.token_urlsafe(16))


def verify(store: Store, token: object) -> str:
    """The session id inside a token this server issued; raises InvalidSession otherwise."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN or not token.isascii():
        raise InvalidSession()
    try:
        return _signer(_key(store)).unsign(token).decode("ascii")
    except BadSignature:
        raise InvalidSession() from None
