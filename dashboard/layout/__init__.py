"""The page, built fresh on every load (so each load gets its own page id)."""

from __future__ import annotations

import uuid

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.layout.controls import controls
from dashboard.layout.panels import tabs


def header(device: str) -> dbc.Navbar:
    """Title, the chosen dataset, and where training runs."""
    return dbc.Navbar(
        dbc.Container(
            [
                html.Span(
                    [
                        html.B("LSTM Lab"),
                        html.Span(" try LSTM settings, watch them learn", className="tagline"),
                    ],
                    className="navbar-brand",
                ),
                html.Div(
                    [
                        dbc.Badge(
                            id=ids.DATASET_BADGE,
                            color="light",
                            text_color="dark",
                            className="me-2 badge-lg",
                        ),
                        dbc.Badge(
                            device,
                            id=ids.DEVICE_BADGE,
                            color="secondary",
                            className="badge-lg",
                            title="Where training runs",
                        ),
                    ],
                    className="ms-auto d-flex align-items-center",
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )


WATCH_MS = 2000  # how often an active run's true state is checked (dashboard.lifecycle)


def page(device: str = "CPU", session: str = "") -> html.Div:
    """The whole page: header, controls on the left, tabs on the right, state stores.

    `session` is the token the server issued for this load (dashboard.sessions); a tab that
    already holds one in sessionStorage keeps its own."""
    return html.Div(
        [
            dcc.Store(id=ids.SESSION, storage_type="session", data=session),
            dcc.Store(id=ids.PAGE, data=uuid.uuid4().hex),
            dcc.Store(id=ids.DATASET),
            dcc.Store(id=ids.LIVE),
            dcc.Store(id=ids.LIVE_PHASE),
            dcc.Store(id=ids.LIVE_PRED),
            dcc.Store(id=ids.LIVE_ON_RUNS),
            dcc.Store(id=ids.RESULT),
            dcc.Interval(id=ids.WATCH, interval=WATCH_MS, disabled=True),
            dcc.Store(id=ids.PRED_SHOWN),
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.URL_QUERY),
            dcc.Store(id=ids.URL_SYNC),
            dcc.Store(id=ids.URL_PENDING),
            header(device),
            dbc.Alert(id=ids.SESSION_PROBLEM, color="danger", is_open=False, className="mx-3"),
            dbc.Container(
                dbc.Row(
                    [
                        dbc.Col(controls(), md=4, lg=3, className="controls-col"),
                        dbc.Col(tabs(), md=8, lg=9),
                    ],
                    className="g-3",
                ),
                fluid=True,
            ),
        ]
    )
