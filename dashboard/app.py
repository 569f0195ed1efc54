"""create_app(settings) -> Dash: the one place where the app is assembled."""

from __future__ import annotations

import atexit
import logging
import threading
from pathlib import Path

import flask
from dash import Dash, html
from dash.development.base_component import Component

import callbacks
from dashboard import classroom, guard, sessions
from dashboard.background import ForkserverDiskcacheManager, known_device, make_manager
from dashboard.downloads import register_routes
from dashboard.ingest import uploads
from dashboard.ingest.uploads import register_upload_route
from dashboard.layout import leaderboard, page
from dashboard.settings import Settings
from dashboard.store import Store

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def create_app(settings: Settings | None = None, warm_up: bool = True) -> Dash:
    """Build the app: background manager, store, layout and callbacks from `settings`."""
    settings = settings or Settings.from_env()
    manager = make_manager(settings)
    store = Store.from_settings(settings)
    app = Dash(
        __name__,
        title="LSTM Lab",
        assets_folder=str(ASSETS),
        background_callback_manager=manager,
        update_title="",  # no "Updating..." flicker in the tab title while training
    )
    server = app.server
    # files arrive as multipart bodies on /upload; nothing larger is ever needed
    server.config["MAX_CONTENT_LENGTH"] = uploads.limit_bytes(settings) + uploads.MULTIPART_SLACK
    if settings.secret_key:
        server.secret_key = settings.secret_key

    def layout() -> Component:  # per page load: a fresh session token, signed
        # The page asks for its layout from its own address: /class/<code> is the class
        # board (no session), any other address the lab.
        address = flask.request.referrer if flask.has_request_context() else None
        code = classroom.requested_code(address)
        if code is not None:
            return leaderboard.page_for(settings.class_code, code)
        return page(known_device(manager), sessions.issue(store))

    app.layout = layout
    # The browser checks every callback against this: both pages' components (Dash's
    # recipe for an app with several layouts).
    app.validation_layout = html.Div([layout(), leaderboard.board_page("")])  # type: ignore[assignment]
    guard.install(server)
    register_upload_route(server, settings, store)
    register_routes(server, store)
    app.callback_functions = callbacks.register_all(app, settings, store, manager)  # type: ignore[attr-defined]
    if isinstance(manager, ForkserverDiskcacheManager):
        atexit.register(manager.shutdown)  # jobs end recorded, never orphaned
        if warm_up:
            threading.Thread(target=manager.warm_up, name="forkserver-warm-up", daemon=True).start()
    log.info("LSTM Lab: data in %s, jobs via %s", settings.data_dir, type(manager).__name__)
    return app
