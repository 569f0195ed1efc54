"""Callback modules stay independent: none imports another (what they share lives in
dashboard/); only callbacks/__init__.py lists them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CALLBACKS = Path(__file__).resolve().parents[2] / "callbacks"
MODULES = sorted(p for p in CALLBACKS.glob("*.py") if p.name != "__init__.py")


def callback_imports(source: str) -> list[str]:
    """The callbacks modules that `source` imports (`import callbacks.x`, `from callbacks
    import x`, `from callbacks.x import y`, and relative imports)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "callbacks"]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level > 0 or module.split(".")[0] == "callbacks":
                found.append("." * node.level + module)
    return found


def test_the_probe_sees_every_form_of_import() -> None:
    source = (
        "import callbacks.data\nfrom callbacks import runs\nfrom callbacks.url import x\n"
        "from . import upload\nimport dashboard.control_state\nfrom dashboard import ids\n"
    )
    assert callback_imports(source) == ["callbacks.data", "callbacks", "callbacks.url", "."]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_callback_module_imports_no_other(path: Path) -> None:
    assert callback_imports(path.read_text(encoding="utf-8")) == []


def test_every_callback_module_is_registered() -> None:
    listed = callback_imports((CALLBACKS / "__init__.py").read_text(encoding="utf-8"))
    assert MODULES and listed == ["callbacks"]
    init = ast.parse((CALLBACKS / "__init__.py").read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(init) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert names >= {p.stem for p in MODULES}
