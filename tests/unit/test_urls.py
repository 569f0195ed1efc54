"""Settings in the page URL, both ways, and share-link paths."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from dashboard import urls
from dashboard.ml.config import TrainConfig


def test_the_default_settings_make_an_empty_query() -> None:
    assert urls.settings_query(TrainConfig()) == ""


def test_a_query_carries_what_differs_and_reads_back() -> None:
    config = TrainConfig(
        dataset="builtin:seattle",
        target="wind",
        units=24,
        dropout=0.35,
        learning_rate=0.01,
        bidirectional=True,
        optimizer="sgd",
        train_pct=60,
        val_pct=20,
    )
    query = urls.settings_query(config)
    assert parse_qs(query[1:])["dataset"] == ["builtin:seattle"]
    wanted = urls.parse_query(query)
    assert wanted == {
        "dataset": "builtin:seattle",
        "target": "wind",
        "split": [60, 80],
        "units": 24,
        "dropout": 0.35,
        "learning_rate": 0.01,
        "bidirectional": True,
        "optimizer": "sgd",
    }


def test_uploads_stay_out_of_the_url() -> None:
    query = urls.settings_query(TrainConfig(dataset="upload:abc", target="sales", units=8))
    assert query == "?units=8"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?units=99999", {"units": 512}),  # clamped to the slider's range
        ("?units=abc&layers=&dropout=nan&epochs=inf", {}),
        ("?optimizer=lbfgs&activation=RELU", {"activation": "relu"}),
        ("?dataset=builtin:nope&dataset2=x&split=90-80&split2=1", {}),
        ("?dataset=../../etc/passwd&split=12-37", {}),
        ("?target=" + "x" * 500, {}),
        ("?%zz=1&&=&units", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_malformed_queries_fall_back_to_the_defaults(query: str | None, expected: dict) -> None:
    assert urls.parse_query(query) == expected


def test_share_paths_name_a_well_formed_run_id_only() -> None:
    assert urls.shared_run_id("/run/AbCdEfGhIjKlMnOp") == "AbCdEfGhIjKlMnOp"
    assert urls.shared_run_id("/run/AbCdEfGhIjKlMnOp/") == "AbCdEfGhIjKlMnOp"
    for path in ("/run/short", "/run/../../etc/passwd", "/runs/AbCdEfGhIjKlMnOp", "/", None):
        assert urls.shared_run_id(path) is None
    assert urls.is_share_path("/run/short") and not urls.is_share_path("/")


def test_a_runs_settings_become_controls_values() -> None:
    config = TrainConfig(dataset="builtin:airline", target="Passengers", units=16).to_dict()
    wanted = urls.config_settings(config)
    assert wanted["units"] == 16 and wanted["dataset"] == "builtin:airline"
    assert wanted["split"] == [70, 85] and wanted["optimizer"] == "adam"
    assert "dataset" not in urls.config_settings({**config, "dataset": "upload:x"})
