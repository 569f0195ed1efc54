"""Shared fixtures: a temporary data folder and the settings that point at it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data lives in a fresh temporary folder."""
    return Settings(data_dir=tmp_path / "data", max_concurrent_jobs=1, poll_interval_ms=200)


@pytest.fixture(autouse=True)
def clean_lab_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray LSTM_LAB_* or REDIS_URL reaches what a test starts in this process (apps,
    jobs, forkservers); a test sets exactly the variables it wants."""
    for key in list(os.environ):
        if key.startswith("LSTM_LAB_") or key == "REDIS_URL":
            monkeypatch.delenv(key)
