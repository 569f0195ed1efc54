"""The URL codec: settings <-> the page URL's query, a run's share path and download paths.

A run's id is its owner's (16 characters from secrets.token_urlsafe): `/runs/<id>/<file>`
downloads its files. A share link has its own id of the same form: whoever holds
`/run/<share id>` sees that run read-only and downloads what the owner shared from
`/shared/<share id>/<file>` (both served by `dashboard.downloads`). Malformed queries and
paths are ignored, never an error.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard.ml.config import TrainConfig
from dashboard.ml.data import BUILTIN_PREFIX, BUILTINS
from dashboard.ml.params import CHOICES, PARAMS

SHARED = re.compile(r"^/run/([A-Za-z0-9_-]{16})/?$")
DOWNLOADS = {
    "model.keras": "application/octet-stream",
    "predictions.csv": "text/csv; charset=utf-8",
    "run.json": "application/json",
    "train.zip": "application/zip",
}
MAX_TEXT = 200  # longest dataset or target name taken from a URL


def share_path(share_id: str) -> str:
    """The read-only link of a shared run (relative to the site)."""
    return f"/run/{share_id}"


def download_path(run_id: str, name: str) -> str:
    """Where one of a run's files downloads from, for its owner."""
    return f"/runs/{run_id}/{name}"


def shared_download_path(share_id: str, name: str) -> str:
    """Where one of a shared run's files downloads from, for the link's holder."""
    return f"/shared/{share_id}/{name}"


def is_share_path(pathname: str | None) -> bool:
    """True for any /run/... path (well-formed or not)."""
    return (pathname or "").startswith("/run/")


def shared_run_id(pathname: str | None) -> str | None:
    """The share id of a share link's path, or None for any other path."""
    match = SHARED.match(pathname or "")
    return match.group(1) if match else None


def settings_query(config: TrainConfig) -> str:
    """'?units=32&dropout=0.3&dataset=builtin:airline&target=...': the settings that differ
    from the defaults, and the data (built-in datasets only: uploads stay private)."""
    default = TrainConfig()
    pairs: list[tuple[str, str]] = []
    builtin = BUILTINS.get(config.dataset.removeprefix(BUILTIN_PREFIX))
    if config.dataset.startswith(BUILTIN_PREFIX) and builtin is not None:
        if config.dataset != default.dataset:
            pairs.append(("dataset", config.dataset))
        if config.target != builtin.target:
            pairs.append(("target", config.target))
    if (config.train_pct, config.val_pct) != (default.train_pct, default.val_pct):
        pairs.append(("split", f"{config.train_pct}-{config.train_pct + config.val_pct}"))
    for name in (*PARAMS, *CHOICES):
        value = getattr(config, name)
        if value != getattr(default, name):
            pairs.append((name, f"{value:g}" if isinstance(value, float) else str(value).lower()))
    return "?" + urlencode(pairs, safe=":") if pairs else ""


def config_settings(config: dict[str, Any]) -> dict[str, Any]:
    """A run's settings as parse_query gives them (built-in datasets only)."""
    full = TrainConfig.from_dict(config)
    found: dict[str, Any] = {name: getattr(full, name) for name in (*PARAMS, *CHOICES)}
    if full.dataset.startswith(BUILTIN_PREFIX):
        found |= {"dataset": full.dataset, "target": full.target}
    found["split"] = [full.train_pct, full.train_pct + full.val_pct]
    return found


def parse_query(search: str | None) -> dict[str, Any]:
    """The settings a URL's query carries, each checked on its own: numbers clamped to
    their range, unknown choices, names and malformed values left out (defaults stay)."""
    raw = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
    found: dict[str, Any] = {}
    for name, text in raw.items():
        value = _setting(name, text)
        if value is not None:
            found[name] = value
    dataset = raw.get("dataset", "")
    if dataset.removeprefix(BUILTIN_PREFIX) in BUILTINS and dataset.startswith(BUILTIN_PREFIX):
        found["dataset"] = dataset
    if 0 < len(raw.get("target", "")) <= MAX_TEXT:
        found["target"] = raw["target"]
    split = _split(raw.get("split", ""))
    if split:
        found["split"] = split
    return found


def _setting(name: str, text: str) -> Any:
    """A setting's value from its URL text, cleaned as TrainConfig cleans it; None for
    text that is not a value of the setting (the control keeps its value)."""
    if name in CHOICES:
        value = CHOICES[name].clean(text)
        return value if str(value).lower() == text.lower() else None
    if name not in PARAMS or len(text) > 32:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return PARAMS[name].clean(number) if math.isfinite(number) else None


def _split(text: str) -> list[int] | None:
    try:
        train_end, val_end = (int(part) for part in text.split("-"))
    except ValueError:
        return None
    if 10 <= train_end < val_end <= 95 and train_end % 5 == 0 and val_end % 5 == 0:
        return [train_end, val_end]
    return None
