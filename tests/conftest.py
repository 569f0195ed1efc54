"""Shared fixtures: a temporary data folder and the settings that point at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data lives in a fresh temporary folder."""
    return Settings(data_dir=tmp_path / "data", max_concurrent_jobs=1, poll_interval_ms=200)
