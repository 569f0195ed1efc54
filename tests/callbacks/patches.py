"""What a Dash Patch does, for tests that look inside one."""

from __future__ import annotations

from typing import Any

from dash import Patch


def patch_ops(patch: Patch) -> dict[tuple[Any, ...], Any]:
    """What a Patch does, by location: {("layout", "yaxis", "type"): "log", ...}."""
    operations = patch.to_plotly_json()["operations"]
    return {tuple(op["location"]): op["params"].get("value", op["params"]) for op in operations}
