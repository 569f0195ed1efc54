"""The web process must never import TensorFlow (jobs fork from it, or next to it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from dashboard.app import create_app
from dashboard.settings import Settings
app = create_app(Settings(data_dir=sys.argv[1]), warm_up=False)
app.layout()
assert "tensorflow" not in sys.modules, "tensorflow imported by the web process"
assert "keras" not in sys.modules, "keras imported by the web process"
print("ok")
"""


def test_creating_the_app_does_not_import_tensorflow(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
