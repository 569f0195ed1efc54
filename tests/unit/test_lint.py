"""The lint rules that keep the layout honest: dashboard/ml may not import the web stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).with_name("ruff")


def ruff_on(source: str, as_path: str) -> str:
    """Ruff's findings for `source` as if it were the file `as_path` of the repository."""
    done = subprocess.run(
        [
            str(RUFF),
            "check",
            "--no-cache",
            "--output-format",
            "concise",
            "--stdin-filename",
            as_path,
            "-",
        ],
        cwd=REPO,
        input=source,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize(
    "line", ["import plotly.graph_objects as go", "from dash import html", "import flask"]
)
def test_the_core_may_not_import_the_web_stack(line: str) -> None:
    source = f'"""Probe."""\n\n{line}\n\n__all__ = ["{line.rsplit(maxsplit=1)[-1]}"]\n'
    assert "TID251" in ruff_on(source, "dashboard/ml/probe.py")
    assert "TID251" not in ruff_on(source, "dashboard/layout/probe.py")  # the page may


def test_public_functions_need_a_docstring_and_a_bounded_complexity() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(11))
    source = f'"""Probe."""\n\n\ndef tangled(x: int) -> int:\n{branches}    return -1\n'
    found = ruff_on(source, "dashboard/probe.py")
    assert "D103" in found and "C901" in found
