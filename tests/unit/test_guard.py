"""Paths that are no page or file of the app: 404 with one plain sentence, through the real
app's Flask server; the log gets a warning, never a traceback. Also the session tokens the
layout issues."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from dashboard import guard, sessions
from dashboard.app import create_app
from dashboard.settings import Settings
from dashboard.store import Store

TRAVERSALS = [
    "/_dash-component-suites/../../../etc/passwd",
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/_dash-component-suites/%2E%2E%2F%2E%2E%2Fetc/passwd",
    "/_dash-component-suites/%252e%252e/%252e%252e/etc/passwd",  # encoded twice
    "/_dash-component-suites/..%5c..%5cetc/passwd",  # backslashes
    "/assets/../README.md",
    "/assets/%2e%2e/%2e%2e/etc/passwd",
    "/assets/./style.css",
    "/..%2f..%2fetc/passwd",
    "/run/../../etc/passwd",
    "/assets/style.css%00.js",
]
UNKNOWN = [
    "/assets/nope.css",
    "/assets/secrets/.env",
    "/_dash-component-suites/dash/nope.js",
    "/_dash-component-suites/no_such_package/x.js",
    "/_dash-component-suites/plotly/package_data/../../__init__.py",
]


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    return create_app(settings, warm_up=False).server.test_client()


@pytest.mark.parametrize("path", TRAVERSALS + UNKNOWN)
def test_traversal_and_unknown_files_answer_404_in_a_sentence(
    client: FlaskClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answer = client.get(path)
    assert answer.status_code == 404, path
    assert answer.mimetype == "text/plain"
    assert answer.get_data(as_text=True) == guard.NOT_FOUND + "\n"
    assert all(record.exc_info is None for record in caplog.records)
    assert all(record.levelno < logging.ERROR for record in caplog.records)


def test_real_pages_and_files_still_answer(client: FlaskClient) -> None:
    for path in ("/", "/assets/style.css", "/run/AAAAAAAAAAAAAAAA", "/?units=32"):
        assert client.get(path).status_code == 200, path


def test_suspicious_tells_traversal_from_ordinary_paths() -> None:
    assert all(guard.suspicious(path) for path in TRAVERSALS)
    assert not any(
        guard.suspicious(path) for path in ("/", "/assets/style.css", "/run/a-b_c", "/x.y/z")
    )


def test_every_page_load_gets_its_own_issued_session(
    client: FlaskClient, settings: Settings
) -> None:
    tokens = set()
    for _ in range(2):
        layout = client.get("/_dash-layout").get_json()
        stores = layout["props"]["children"]
        tokens |= {c["props"]["data"] for c in stores if c["props"].get("id") == "session-id"}
    assert len(tokens) == 2
    store = Store.from_settings(settings)
    ids = {sessions.verify(store, token) for token in tokens}
    assert len(ids) == 2 and all(len(i) >= 20 for i in ids)
    with pytest.raises(sessions.InvalidSession):
        sessions.verify(Store(settings.store_dir, secret_key="another key"), tokens.pop())
