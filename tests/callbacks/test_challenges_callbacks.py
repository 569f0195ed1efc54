"""The Class tab and the class board page, called directly on an app with a class code."""

from __future__ import annotations

import json
from contextvars import copy_context
from dataclasses import replace
from typing import Any

from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import classroom, ids
from dashboard.app import create_app
from dashboard.settings import Settings
from dashboard.store import Store
from tests.callbacks.tokens import T1, T2
from tests.unit.test_classroom import FILE_NAME, airline_run, upload_run

CODE = "PHYS-7B"


def save(store: Store, session: str, run: dict[str, Any]) -> None:
    store.save_run({**run, "session": session, "id": store.new_run_id()})  # type: ignore[typeddict-item]


def clicked(function: Any, button: dict[str, object], *args: Any) -> Any:
    """Call `function` as Dash does when `button` was clicked."""
    prop_id = json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"

    def run() -> Any:
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))
        return function(*args)

    return copy_context().run(run)


def layout_for(app: Any, address: str) -> str:
    """The layout the app gives a page at `address` (it asks from there for its layout)."""
    with app.server.test_request_context("/_dash-layout", headers={"Referer": address}):
        return str(app.layout())


def test_class_tab_names_the_student_and_fills_the_board(settings: Settings) -> None:
    settings = replace(settings, class_code=CODE)
    app = create_app(settings, warm_up=False)
    store, functions = Store.from_settings(settings), app.callback_functions
    save(store, "s1", airline_run("x" * 16, 21.0))
    save(store, "s1", upload_run())
    save(store, "s2", airline_run("y" * 16, 24.0))

    note, cards = functions["show_challenges"](None, None, T1)
    name = classroom.alias(CODE, "s1")
    assert note.startswith(f"Class {CODE}: your finished runs count on the class board as '{name}'")
    assert len(cards) == 4 and "\u2714" in str(cards[2]) and "30 % better" in str(cards[2])
    functions["show_challenges"](None, None, T2)

    goal, table = functions["show_board"](1, "seasonal", CODE)
    shown = str(table)
    assert "Airline passengers" in goal
    assert name in shown and classroom.alias(CODE, "s2") in shown
    assert "+30.0 %" in shown and "+20.0 %" in shown
    for secret in ("s1", FILE_NAME, *store._run_ids("s1")):
        assert f"'{secret}'" not in shown
    assert functions["show_board"](1, "seasonal", "PHYS-7C") == (classroom.WRONG_CODE, None)

    page = layout_for(app, f"http://lab/class/{CODE}")
    assert ids.BOARD_TABLE in page and ids.SESSION not in page
    assert classroom.WRONG_CODE in layout_for(app, "http://lab/class/guess")
    assert ids.SESSION in layout_for(app, "http://lab/?units=8")  # the lab itself
    assert app.server.test_client().get(f"/class/{CODE}").status_code == 200

    set_up = functions["set_up_challenge"]
    setup = ids.challenge_setup("seasonal")
    assert clicked(set_up, setup, [1]) == ("?dataset=builtin:airline&target=Passengers", "training")
    assert clicked(set_up, setup, [None]) == (no_update, no_update)
    query, tab = clicked(set_up, ids.challenge_setup("overfit"), [1])
    assert tab == "training" and "dropout=0&" in query and "seq_len=100" in query
    assert clicked(set_up, ids.challenge_setup("nope"), [1]) == (no_update, no_update)


def test_without_a_class_progress_stays_in_the_session(settings: Settings) -> None:
    app = create_app(settings, warm_up=False)
    store = Store.from_settings(settings)
    save(store, "s1", airline_run("x" * 16, 21.0))
    note, cards = app.callback_functions["show_challenges"](None, None, T1)
    assert "stays in this session" in note and "\u2714" in str(cards[2])
    assert store.cache.get(("class-board", "")) is None
    assert classroom.NO_CLASS in layout_for(app, "http://lab/class/PHYS-7B")
