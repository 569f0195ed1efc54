"""The Class tab: the challenges, each with its goal, a hint, a check mark when passed and
the sentence of the session's best attempt; and which class this server runs."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from dashboard.ml.challenges import Attempt

NO_CLASS_NOTE = (
    "Challenges: each is checked on your finished runs; your progress stays in this session."
)


def class_tab() -> html.Div:
    """The tab's frame; callbacks.challenges fills the note and the list."""
    return html.Div(
        [
            dbc.Alert(NO_CLASS_NOTE, id=ids.CLASS_NOTE, color="light", className="py-2 mb-2"),
            html.Div(id=ids.CHALLENGE_LIST, className="challenge-list"),
        ]
    )


def class_note(code: str, name: str) -> str:
    """What the tab says on a class server: the class and this session's anonymous name."""
    return (
        f"Class {code}: your finished runs count on the class board as '{name}' "
        "(only that name, the skill and the settings are shown; never your data)."
    )


def _mark(passed: bool) -> html.Span:
    return html.Span(
        "\u2714" if passed else "\u2610",
        className="challenge-mark " + ("passed" if passed else "open"),
        title="passed" if passed else "not yet",
    )


def challenge_card(attempt: Attempt) -> dbc.Card:
    """One challenge: mark, title, goal, hint, the best attempt's sentence, Set up."""
    challenge, verdict = attempt.challenge, attempt.verdict
    passed = bool(verdict and verdict.passed)
    if verdict is None:
        best = html.Span("No finished run yet.", className="text-muted")
    else:
        best = html.Span([html.B(f"#{attempt.number}: "), verdict.sentence])
    setup = (
        dbc.Button(
            "Set up",
            id=ids.challenge_setup(challenge.id),
            color="secondary",
            outline=True,
            size="sm",
            className="ms-auto",
            title="Load this challenge's starting settings into the controls",
        )
        if challenge.setup
        else None
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [_mark(passed), html.H5(challenge.title, className="mb-0"), setup],
                    className="d-flex align-items-center gap-2 mb-1",
                ),
                html.P(challenge.goal, className="mb-1 challenge-goal"),
                html.P(["Hint: ", challenge.hint], className="mb-1 small text-muted"),
                html.Div(best, className="challenge-best"),
            ]
        ),
        className="mb-2 challenge " + ("challenge-passed" if passed else ""),
        id=f"challenge-{challenge.id}",
    )


def challenge_list(attempts: Sequence[Attempt]) -> list[dbc.Card]:
    """Every challenge's card, in order."""
    return [challenge_card(attempt) for attempt in attempts]
