"""The class board: anonymous names, what an entry holds (and never holds), the ranking, the
class code check, and the board page's table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import diskcache
import pytest

from dashboard import classroom
from dashboard.layout import leaderboard
from dashboard.ml.challenges import progress

SESSION = "Zq3session-id-abcdef"
RUN_ID = "RunIdAbCdEf12345"
FILE_NAME = "grades_of_my_pupils.csv"
VALUES = [123.456, 789.012, 345.678]  # the upload's data: must never reach the board


def airline_run(run_id: str, model_mae: float, number: int = 1) -> dict[str, Any]:
    return {
        "id": run_id,
        "session": SESSION,
        "number": number,
        "created": float(number),
        "status": "finished",
        "dataset_name": "Airline passengers",
        "config": {
            "dataset": "builtin:airline",
            "target": "Passengers",
            "cell": "gru",
            "units": 32,
            "layers": 2,
            "seq_len": 24,
            "dropout": 0.1,
            "learning_rate": 0.003,
            "epochs": 40,
        },
        "history": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]},
        "scores": {
            "model": {"mae": model_mae},
            "baselines": {"seasonal_naive": {"mae": 30.0}, "last_value": {"mae": 40.0}},
            "skill": 20.0,
        },
    }


def upload_run() -> dict[str, Any]:
    """An overfit run on an uploaded file, with its series as the store would give it."""
    loss = [1.0 - 0.1 * i for i in range(8)]
    val = [0.9, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1]
    return {
        "id": "UploadRun1234567",
        "session": SESSION,
        "number": 2,
        "created": 2.0,
        "status": "finished",
        "dataset_name": FILE_NAME,
        "config": {"dataset": "upload:9f8e7d6c5b4a", "target": "grade", "dropout": 0.0},
        "history": {"loss": loss, "val_loss": val},
        "scores": {"skill": -3.0},
        "series": {"x": None, "y": VALUES, "target": "grade"},
    }


@pytest.fixture
def cache(tmp_path: Path) -> diskcache.Cache:
    with diskcache.Cache(str(tmp_path / "store")) as opened:
        yield opened


def test_alias_is_stable_per_class_and_hides_the_session() -> None:
    name = classroom.alias("ABC", SESSION)
    assert name == classroom.alias("ABC", SESSION)
    adjective, animal = name.split(" ")
    assert adjective in classroom.ADJECTIVES and animal in classroom.ANIMALS
    assert SESSION not in name
    names = {classroom.alias("ABC", f"session-{i}") for i in range(40)}
    assert len(names) > 30  # spread over the 1600 names
    others = [classroom.alias("XYZ", f"session-{i}") for i in range(10)]
    assert others != [classroom.alias("ABC", f"session-{i}") for i in range(10)]


def test_board_holds_only_name_skill_settings_and_builtin_dataset(cache: diskcache.Cache) -> None:
    runs = [airline_run(RUN_ID, 21.0), upload_run()]
    name = classroom.publish(cache, "ABC", SESSION, progress(runs), runs)
    seasonal = classroom.board_rows(cache, "ABC", "seasonal")
    assert [(e["alias"], e["passed"], e["skill"], e["dataset"]) for e in seasonal] == [
        (name, True, 30.0, "Airline passengers")
    ]
    assert seasonal[0]["settings"] == "GRU 32\u00d72 · seq 24 · dropout 0.1 · lr 0.003 · 40 epochs"
    overfit = classroom.board_rows(cache, "ABC", "overfit")
    assert [(e["passed"], e["dataset"]) for e in overfit] == [(True, classroom.OWN_DATA)]

    stored = json.dumps(cache.get(("class-board", "ABC")))
    shown = str(leaderboard.board_table(overfit + seasonal, "overfit"))
    for text in (stored, shown):
        assert name in text
        for secret in (SESSION, RUN_ID, "UploadRun1234567", FILE_NAME, "9f8e7d6c5b4a", "grade"):
            assert secret not in text
        assert not any(str(v) in text for v in VALUES)


def test_board_ranks_passed_then_skill_and_forgets_deleted_runs(cache: diskcache.Cache) -> None:
    for session, mae in (("s1", 27.0), ("s2", 15.0), ("s3", 33.0)):
        runs = [airline_run(RUN_ID, mae)]
        classroom.publish(cache, "ABC", session, progress(runs), runs)
    rows = classroom.board_rows(cache, "ABC", "seasonal")
    assert [(r["passed"], r["skill"]) for r in rows] == [(True, 50.0), (True, 10.0), (False, -10.0)]
    assert rows[0]["alias"] == classroom.alias("ABC", "s2")
    classroom.publish(cache, "ABC", "s2", progress([]), [])  # s2 deleted its runs
    assert len(classroom.board_rows(cache, "ABC", "seasonal")) == 2
    assert classroom.board_rows(cache, "XYZ", "seasonal") == []  # another class: its own board


def test_class_code_and_board_address() -> None:
    assert classroom.code_problem("ABC", "ABC") is None
    assert classroom.code_problem("ABC", "ABD") == classroom.WRONG_CODE
    assert classroom.code_problem("ABC", "") == classroom.WRONG_CODE
    assert classroom.code_problem("", "ABC") == classroom.NO_CLASS
    assert classroom.requested_code("http://lab:8050/class/ABC") == "ABC"
    assert classroom.requested_code("http://lab:8050/class?code=AB%20C") == "AB C"
    assert classroom.requested_code("http://lab:8050/class/") == ""
    assert classroom.requested_code("http://lab:8050/?units=8") is None
    assert classroom.requested_code("http://lab:8050/classes") is None
    assert classroom.requested_code(None) is None
