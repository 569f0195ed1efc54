"""A class: the code a teacher starts the server with, students' anonymous names, and the
class board (each student's best attempt at each challenge) kept in the store's cache.

Dash-free. The board holds, per student, only what a projector may show: the anonymous
name, the skill, a short summary of the settings, the built-in dataset's name ("own data"
for an upload) and whether the challenge is passed. Never a session, run or share id, a
file name or a value of the data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict
from urllib.parse import parse_qs, unquote, urlsplit

import diskcache

from dashboard.ml.challenges import Attempt
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS
from dashboard.runs import format_setting

ADJECTIVES = (
    "Amber", "Azure", "Bold", "Brave", "Bright", "Calm", "Clever", "Coral", "Crimson", "Daring",
    "Eager", "Gentle", "Golden", "Happy", "Hazel", "Ivory", "Jade", "Jolly", "Keen", "Kind",
    "Lively", "Lucky", "Lunar", "Merry", "Misty", "Noble", "Olive", "Quick", "Quiet", "Rapid",
    "Rosy", "Ruby", "Silver", "Sunny", "Swift", "Tidy", "Violet", "Witty", "Young", "Zesty",
)  # fmt: skip
ANIMALS = (
    "Badger", "Beaver", "Bison", "Crane", "Dolphin", "Eagle", "Falcon", "Ferret", "Finch",
    "Fox", "Gecko", "Heron", "Ibis", "Jaguar", "Koala", "Lemur", "Lynx", "Magpie", "Marten",
    "Moose", "Newt", "Ocelot", "Otter", "Owl", "Panda", "Pelican", "Puffin", "Quail", "Raven",
    "Robin", "Salmon", "Seal", "Sparrow", "Stork", "Swan", "Tapir", "Tiger", "Walrus", "Wren",
    "Zebra",
)  # fmt: skip
OWN_DATA = "own data"
NO_CLASS = (
    "This server has no class; start it with LSTM_LAB_CLASS_CODE=<a code of your choice> "
    "and open /class/<that code>."
)
CLASS_PATH = re.compile(r"^/class(?:/(?P<code>[^/]*))?/?$")
MAX_CODE = 100
WRONG_CODE = "There is no class with this code on this server: check the address."


class Entry(TypedDict):
    """One student's best attempt at one challenge, as the board keeps and shows it."""

    alias: str
    passed: bool
    skill: float | None
    settings: str
    dataset: str
    at: float  # when it was last written


def _digest(code: str, session: str) -> bytes:
    return hmac.new(code.encode(), session.encode(), hashlib.sha256).digest()


def alias(code: str, session: str) -> str:
    """The anonymous name a session has in class `code`: 'Amber Heron', the same every time,
    derived from an HMAC of the session keyed by the code (the session cannot be read back
    from it, and another class gives another name)."""
    digest = _digest(code, session)
    return f"{ADJECTIVES[digest[0] % len(ADJECTIVES)]} {ANIMALS[digest[1] % len(ANIMALS)]}"


def _student_key(code: str, session: str) -> str:
    """The board's key for a session: opaque, so two students whose names collide stay apart."""
    return _digest(code, session)[2:14].hex()


def _board_key(code: str) -> tuple[str, str]:
    return ("class-board", code)


def code_problem(configured: str, given: str | None) -> str | None:
    """None when `given` is this server's class code; else the sentence for the page."""
    if not configured:
        return NO_CLASS
    if not given or not hmac.compare_digest(given.encode(), configured.encode()):
        return WRONG_CODE
    return None


def requested_code(address: str | None) -> str | None:
    """The class code a board page's address names (/class/<code>, /class?code=<code>; ''
    when it names none), or None when the address is not a board page."""
    if not address:
        return None
    parts = urlsplit(address)
    match = CLASS_PATH.match(parts.path)
    if match is None:
        return None
    code = unquote(match.group("code") or "") or parse_qs(parts.query).get("code", [""])[0]
    return code[:MAX_CODE]


def dataset_label(config: Mapping[str, Any]) -> str:
    """A built-in dataset's title; "own data" for anything uploaded (its name stays private)."""
    dataset = str(config.get("dataset", ""))
    builtin = BUILTINS.get(dataset.removeprefix(BUILTIN_PREFIX))
    return builtin.title if dataset.startswith(BUILTIN_PREFIX) and builtin else OWN_DATA


def settings_summary(config: Mapping[str, Any]) -> str:
    """'LSTM 64x2 · seq 50 · dropout 0.2 · lr 0.001 · 50 epochs': the settings a class
    compares, in one short line."""
    c = TrainConfig.from_dict(dict(config))
    parts = [
        f"{format_setting('cell', c.cell)} {c.units}\u00d7{c.layers}",
        f"seq {c.seq_len}",
        f"dropout {c.dropout:g}",
        f"lr {c.learning_rate:g}",
        f"{c.epochs} epochs" + (" (early stop)" if c.early_stopping else ""),
    ]
    return " · ".join(parts)


def entries(
    name: str, attempts: Sequence[Attempt], runs: Sequence[Mapping[str, Any]]
) -> dict[str, Entry]:
    """The board entries of one student (`name`), by challenge id, from their attempts."""
    by_id = {r.get("id"): r for r in runs}
    found: dict[str, Entry] = {}
    for attempt in attempts:
        run = by_id.get(attempt.run_id)
        if attempt.verdict is None or run is None:
            continue
        config = run.get("config") or {}
        skill = attempt.verdict.skill
        found[attempt.challenge.id] = Entry(
            alias=name,
            passed=attempt.verdict.passed,
            skill=None if skill is None else round(float(skill), 1),
            settings=settings_summary(config),
            dataset=dataset_label(config),
            at=time.time(),
        )
    return found


def publish(
    cache: diskcache.Cache,
    code: str,
    session: str,
    attempts: Sequence[Attempt],
    runs: Sequence[Mapping[str, Any]],
) -> str:
    """Write a session's best attempts to class `code`'s board (replacing what it had
    there, so deleted runs leave it too); return the session's anonymous name."""
    name = alias(code, session)
    mine = entries(name, attempts, runs)
    key, student = _board_key(code), _student_key(code, session)
    with cache.transact():
        board = dict(cache.get(key, {}))
        if mine:
            board[student] = mine
        else:
            board.pop(student, None)
        cache.set(key, board)
    return name


def board_rows(cache: diskcache.Cache, code: str, challenge: str) -> list[Entry]:
    """The board of one challenge: every student's entry, passed first, then by skill."""
    board: dict[str, dict[str, Entry]] = cache.get(_board_key(code), {})
    rows = [student[challenge] for student in board.values() if challenge in student]

    def rank(entry: Entry) -> tuple[bool, float]:
        skill = entry["skill"]
        return entry["passed"], float("-inf") if skill is None else skill

    return sorted(rows, key=rank, reverse=True)
