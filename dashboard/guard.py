"""Requests for paths that cannot be a page or a file of the app answer 404 with one plain
sentence: a path with a '..' or '.' segment (however it is encoded), a NUL byte, an asset or
a component-suite file that does not exist. The log gets a warning line, never a traceback.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from dash.exceptions import DependencyException
from flask import Flask, Response, request
from werkzeug.exceptions import NotFound

log = logging.getLogger(__name__)
NOT_FOUND = "No page or file of LSTM Lab has this address."
MAX_DECODES = 3  # %252e%252e decodes twice to '..'


def suspicious(path: str) -> bool:
    """True for a path that climbs out of its folder or smuggles a byte no file name has:
    a '.' or '..' segment (also percent-encoded, once or more, or split by backslashes),
    a NUL or another control character."""
    for _ in range(MAX_DECODES):
        segments = path.replace("\\", "/").split("/")
        if any(segment in (".", "..") for segment in segments):
            return True
        if any(ord(char) < 32 for char in path):
            return True
        decoded = unquote(path)
        if decoded == path:
            return False
        path = decoded
    return True  # still encoded after several rounds: no real page is


def plain_not_found() -> Response:
    """The one 404 answer: a short plain sentence."""
    response = Response(NOT_FOUND + "\n", status=404, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def install(server: Flask) -> None:
    """Refuse traversal paths before any route runs, and answer every 404 (unknown assets,
    unknown component-suite files) with a plain sentence."""

    @server.before_request
    def refuse_traversal() -> Response | None:
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
        if suspicious(request.path) or suspicious(raw.split("?", 1)[0]):
            log.warning("refused path %r from %s (404)", request.path[:200], request.remote_addr)
            return plain_not_found()
        return None

    @server.errorhandler(NotFound)
    def not_found(_error: NotFound) -> Response:
        return plain_not_found()

    @server.errorhandler(DependencyException)
    def unknown_dependency(_error: DependencyException) -> Response:
        log.warning("no such component-suite file %r (404)", request.path[:200])
        return plain_not_found()
