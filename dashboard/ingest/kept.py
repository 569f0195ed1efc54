"""The uploads a session keeps, in the order they were offered, so that a reload of the page
(the same session: its token lives in the tab's sessionStorage) offers them again.

Each file is listed once, in the shape last chosen for it (a long file picked as one series
replaces the file as read, as in the page's dataset picker). An upload whose parsed table
has left the store is skipped (its metadata is checked, never its table).
"""

from __future__ import annotations

from dashboard import sessions
from dashboard.payloads import UploadMeta
from dashboard.store import NotFound, Store

GONE = "This upload is no longer on the server; upload the file again."
UPLOAD_PREFIX = "upload:"
MAX_KEPT = 50  # files listed per session; the oldest beyond this are forgotten


def _key(session: str) -> tuple[str, str]:
    return ("upload-list", session)


def source_of(meta: UploadMeta) -> str:
    """The upload id of the file as read that `meta` was made from (itself if neither
    reshaped nor reduced)."""
    reduced, shape = meta.get("reduced"), meta.get("shape")
    if reduced:
        return reduced["source"]
    return shape["source"] if shape else meta["upload"]


def remember(store: Store, session: str, meta: UploadMeta) -> UploadMeta:
    """Note `meta` as its file's entry in the session's list (newest last); return it."""
    source = source_of(meta)
    if list(store.cache.get(_key(session), {}).items())[-1:] == [(source, meta["upload"])]:
        return meta  # already the newest entry: nothing to write
    with store.cache.transact():
        listed: dict[str, str] = dict(store.cache.get(_key(session), {}))
        listed.pop(source, None)
        listed[source] = meta["upload"]
        store.cache.set(_key(session), dict(list(listed.items())[-MAX_KEPT:]))
    return meta


def kept_uploads(store: Store, session: str) -> list[UploadMeta]:
    """The session's uploads, oldest first, each file once; gone ones left out."""
    listed: dict[str, str] = store.cache.get(_key(session), {})
    kept = []
    for upload_id in listed.values():
        try:  # the small metadata only: a page load never unpickles a large table
            kept.append(store.upload_meta(session, upload_id))
        except NotFound:
            continue
    return kept


def picked_upload(store: Store, token: str, picked: str | None) -> UploadMeta | None:
    """The metadata of the picked upload of the tab's session (`token`); None for a
    built-in, a gone upload or a token the server never issued."""
    if not picked or not picked.startswith(UPLOAD_PREFIX):
        return None
    try:
        return store.upload_meta(sessions.verify(store, token), picked)
    except NotFound:  # InvalidSession is a NotFound too
        return None
