"""The callbacks' settings carry a fixed secret key, so tests can hold issued session tokens
(tests/callbacks/tokens.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.settings import Settings
from tests.callbacks.tokens import KEY


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data lives in a fresh temporary folder, signing with KEY."""
    return Settings(
        data_dir=tmp_path / "data", max_concurrent_jobs=1, poll_interval_ms=200, secret_key=KEY
    )
