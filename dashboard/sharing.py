"""What a share link shows of a run, and which of its files it serves. Dash- and Flask-free.

A share link is `/run/<share id>`: its own unguessable id (Store.share_run), never the run's
id, so a link holder cannot reach the owner's downloads (`/runs/<run id>/...`), session or
uploads. The owner chooses, when making the link, whether it shares the data:
without (the default) it shows the curves, scores and settings, and its train.zip holds
train.py and the modules but no data file; with the data it also serves the predictions,
the model and the data file.
"""

from __future__ import annotations

from typing import Any, cast

from dashboard.ml.data import BUILTIN_PREFIX
from dashboard.payloads import RunRecord

UPLOADED = "upload"  # stands for an upload's dataset id in a shared run's settings
PRIVATE = ("session",)  # the owner's; never shown to a link holder
DATA_KEYS = ("series",)  # the run's target values (the prediction plot's actual curve)
ALWAYS = frozenset({"run.json", "train.zip"})
WITH_DATA = frozenset({"predictions.csv", "model.keras"})
NO_DATA_NOTE = "The owner shared this run's curves, scores and settings, not its data."


def public_record(record: RunRecord, share_id: str, data: bool) -> RunRecord:
    """The run as a link holder sees it: the share id in place of the run id, no session,
    no upload or dataset id of an upload, and without the data unless it is shared."""
    hidden = set(PRIVATE) | (set() if data else set(DATA_KEYS))
    public: dict[str, Any] = {k: v for k, v in record.items() if k not in hidden}
    public["id"] = share_id
    config = dict(record.get("config", {}))
    if not str(config.get("dataset", "")).startswith(BUILTIN_PREFIX):
        config["dataset"] = UPLOADED
    config.pop("upload", None)
    public["config"] = config
    return cast(RunRecord, public)


def shared_files(available: set[str], data: bool) -> set[str]:
    """The run's files a link holder may download."""
    return available & (ALWAYS | WITH_DATA if data else ALWAYS)
