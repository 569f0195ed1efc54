"""The class board a teacher puts on the projector (/class/<code>): one challenge at a
time, every student's best attempt under an anonymous name, refreshed every few seconds."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.classroom import Entry, code_problem
from dashboard.ml.challenges import BY_ID, CHALLENGES

REFRESH_MS = 5000


def header(code: str = "") -> dbc.Navbar:
    """The board's title bar."""
    title = f"LSTM Lab · class {code}" if code else "LSTM Lab · class board"
    return dbc.Navbar(
        dbc.Container(html.Span(html.B(title), className="navbar-brand board-title"), fluid=True),
        color="dark",
        dark=True,
        className="mb-3",
    )


def refused(sentence: str) -> html.Div:
    """The page for a server without a class, or a wrong code: one sentence."""
    return html.Div(
        [
            header(),
            dbc.Container(
                dbc.Alert(sentence, color="warning", className="board-refused"),
                fluid=True,
            ),
        ]
    )


def board_page(code: str) -> html.Div:
    """The board of class `code`: a challenge picker, its goal and the table."""
    first = CHALLENGES[0]
    return html.Div(
        [
            dcc.Store(id=ids.BOARD_CODE, data=code),
            dcc.Interval(id=ids.BOARD_TICK, interval=REFRESH_MS),
            header(code),
            dbc.Container(
                [
                    html.Div(
                        [
                            html.Label("Challenge", htmlFor=ids.BOARD_CHALLENGE, className="me-2"),
                            dcc.Dropdown(
                                id=ids.BOARD_CHALLENGE,
                                options=[{"label": c.title, "value": c.id} for c in CHALLENGES],
                                value=first.id,
                                clearable=False,
                                className="board-picker",
                            ),
                        ],
                        className="d-flex align-items-center mb-2 board-choice",
                    ),
                    html.P(first.goal, id=ids.BOARD_GOAL, className="board-goal"),
                    html.Div(id=ids.BOARD_TABLE),
                ],
                fluid=True,
            ),
        ],
        className="board",
    )


def page_for(configured: str, given: str) -> html.Div:
    """The board page for the code in its address, or the sentence that refuses it."""
    problem = code_problem(configured, given)
    return refused(problem) if problem else board_page(configured)


def _skill(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:+.1f} %"


def board_table(rows: Sequence[Entry], challenge: str) -> html.Div | html.Table:
    """The ranked table of one challenge's entries (or a sentence when there are none)."""
    if not rows:
        return html.Div(
            "No finished runs on this challenge yet: they appear here as students train.",
            className="board-empty",
        )
    label = BY_ID[challenge].skill_label if challenge in BY_ID else "skill"
    head = html.Thead(
        html.Tr(
            [
                html.Th("#"),
                html.Th("Name"),
                html.Th(["Best skill", html.Br(), html.Small(label)]),
                html.Th("Settings"),
                html.Th("Data"),
                html.Th("Passed"),
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(rank),
                    html.Td(row["alias"], className="board-name"),
                    html.Td(_skill(row["skill"]), className="board-skill"),
                    html.Td(row["settings"]),
                    html.Td(row["dataset"]),
                    html.Td("\u2714" if row["passed"] else "", className="board-passed"),
                ],
                className="passed" if row["passed"] else "",
            )
            for rank, row in enumerate(rows, start=1)
        ]
    )
    return html.Table([head, body], className="table board-table")
