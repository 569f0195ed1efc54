"""Dash callbacks, one module per feature; each exposes register(app, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash

from callbacks import (
    challenges,
    controls,
    cost,
    data,
    evaluation,
    inside,
    lr_finder,
    runs,
    runs_focus,
    runs_live,
    search,
    session,
    shapes,
    training,
    upload,
    url,
    watch,
)
from dashboard.settings import Settings
from dashboard.store import Store


def register_all(
    app: Dash, settings: Settings, store: Store, manager: Any
) -> dict[str, Callable[..., Any]]:
    """Register every feature's callbacks on `app`; return them by name (tests call them)."""
    return {
        **data.register(app, store),
        **controls.register(app, settings),
        **training.register(app, settings, store, manager),
        **evaluation.register(app, store),
        **inside.register(app, store),
        **upload.register(app, settings, store),
        **shapes.register(app, settings, store),
        **cost.register(app, settings, store),
        **runs.register(app, store),
        **runs_focus.register(app, store),
        **runs_live.register(app, store),
        **watch.register(app, store, manager),
        **url.register(app, store),
        **session.register(app, store),
        **search.register(app, settings, store, manager),
        **lr_finder.register(app, settings, manager),
        **challenges.register(app, settings, store),
    }
