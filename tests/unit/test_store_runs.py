"""The store of runs: write, read, list by session, delete, bounds, and a restart."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from dashboard import runs
from dashboard.payloads import RunRecord
from dashboard.runs import RunSize, evictions
from dashboard.settings import Settings
from dashboard.store import NotFound, Store, valid_run_id


def record(store: Store, session: str, **fields: Any) -> dict[str, Any]:
    """A finished run record, as the job writes one."""
    run = {
        "id": store.new_run_id(),
        "session": session,
        "status": "finished",
        "config": {"units": 8, "dropout": 0.2},
        "dataset_name": "Sine",
        "history": {"loss": [0.5, 0.3], "val_loss": [0.6, 0.4]},
        **fields,
    }
    store.save_run(cast(RunRecord, run))
    return run


def test_runs_are_numbered_and_read_back_by_their_owner(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    first, second = record(store, "a"), record(store, "a")
    other = record(store, "b")
    assert (first["number"], second["number"], other["number"]) == (1, 2, 1)
    assert store.get_run(first["id"])["history"]["val_loss"] == [0.6, 0.4]
    assert store.owned_run(first["id"], "a")["id"] == first["id"]
    with pytest.raises(NotFound):
        store.owned_run(first["id"], "b")  # another session needs the share link
    assert [r["id"] for r in store.list_runs("a")] == [first["id"], second["id"]]
    assert [r["id"] for r in store.list_runs("b")] == [other["id"]]
    assert store.list_runs("nobody") == []


def test_a_runs_series_is_written_once_and_epochs_do_not_rewrite_it(tmp_path: Path) -> None:
    """The target series (a large upload's millions of values) is kept apart from the
    record that every epoch rewrites; readers still get the whole record."""
    store = Store(tmp_path / "store")
    series = {"x": None, "y": [float(v) for v in range(10_000)], "target": "value"}
    run = record(store, "a", series=series, status="running")
    raw = store.cache.get(("run", run["id"]))
    assert "series" not in raw and store.cache.get(("series", run["id"])) == series
    for epoch in range(3):
        changed = store.update_run(run["id"], history={"loss": [0.1] * (epoch + 1)})
        assert "series" not in changed  # neither read nor rewritten by an epoch
    assert len(pickle.dumps(store.cache.get(("run", run["id"])))) < 2_000
    assert store.get_run(run["id"])["series"] == series
    assert "series" not in store.get_run(run["id"], series=False)
    assert store.list_runs("a")[0]["series"] == series
    assert store.delete_run(run["id"], "a")
    assert store.cache.get(("series", run["id"])) is None


@pytest.mark.parametrize(
    "bad", ["", "short", "../../etc/passwd", "a/b" * 8, "AAAAAAAAAAAAAAA.", "A" * 17, None, 7]
)
def test_malformed_ids_are_refused_before_any_lookup(tmp_path: Path, bad: Any) -> None:
    store = Store(tmp_path / "store")
    assert not valid_run_id(bad)
    with pytest.raises(NotFound):
        store.get_run(bad)
    with pytest.raises(NotFound):
        store.artifact_path(bad, "model.keras")
    assert valid_run_id(store.new_run_id())


def test_only_known_artifact_names_have_a_path(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    run_id = store.new_run_id()
    path = store.artifact_path(run_id, "model.keras", create=True)
    assert path == tmp_path / "artifacts" / run_id / "model.keras" and path.parent.is_dir()
    for name in ("../model.keras", "run.json", "model.keras/.."):
        with pytest.raises(NotFound):
            store.artifact_path(run_id, name)


def test_predictions_keep_every_snapshot_and_the_latest(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    run = record(store, "a")
    for epoch in (2, 4, 6):
        store.save_predictions(run["id"], epoch, np.full((5, 1), epoch))
    epoch, latest = store.get_predictions(run["id"]) or (0, None)
    assert epoch == 6 and latest is not None and latest[0, 0] == 6
    history = store.prediction_history(run["id"])
    assert sorted(history) == [2, 4, 6] and history[4][0, 0] == 4
    assert store.prediction_history("nothing-here-123") == {}


def test_delete_takes_predictions_and_files_and_only_for_the_owner(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    run = record(store, "a")
    store.save_predictions(run["id"], 1, np.zeros((3, 1)))
    model = store.artifact_path(run["id"], "model.keras", create=True)
    model.write_bytes(b"model")
    assert not store.delete_run(run["id"], "b")
    assert store.delete_run(run["id"], "a")
    assert not model.parent.exists() and store.get_predictions(run["id"]) is None
    with pytest.raises(NotFound):
        store.get_run(run["id"])
    assert store.list_runs("a") == []


def test_clear_session_leaves_other_sessions_alone(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    for _ in range(3):
        record(store, "a")
    kept = record(store, "b")
    assert store.clear_session("a") == 3
    assert store.list_runs("a") == [] and store.list_runs("b")[0]["id"] == kept["id"]


def test_the_oldest_runs_go_first_beyond_the_run_bound(tmp_path: Path) -> None:
    store = Store(tmp_path / "store", max_runs=3)
    made = [record(store, "a", created=1000.0 + i) for i in range(5)]
    assert [r["number"] for r in store.list_runs("a")] == [3, 4, 5]
    with pytest.raises(NotFound):
        store.get_run(made[0]["id"])


def test_the_megabyte_bound_counts_predictions_and_files(tmp_path: Path) -> None:
    store = Store(tmp_path / "store", max_mb=1)
    ids = [store.new_run_id() for _ in range(3)]  # files first, as a job writes them
    store.save_predictions(ids[0], 1, np.zeros((70_000, 1)))  # 0.53 MB
    store.artifact_path(ids[1], "model.keras", create=True).write_bytes(b"x" * 600_000)
    _, second, third = (record(store, "a", id=i, created=n) for n, i in enumerate(ids))
    # over 1 MB with the second run: the oldest left then
    assert [r["id"] for r in store.list_runs("a")] == [second["id"], third["id"]]
    count, size = store.usage("a")
    assert count == 2 and 600_000 < size < 2**20


def test_a_run_still_training_is_not_pushed_out(tmp_path: Path) -> None:
    sizes = [
        RunSize("old-running", 1.0, "running", 10),
        RunSize("old-done", 2.0, "finished", 10),
        RunSize("new", 3.0, "running", 10),
    ]
    assert evictions(sizes, 1, 0, keep="new", now=10.0) == ["old-done"]
    # a 'running' run from a server that died long ago is stale: it may go
    assert evictions(sizes, 1, 0, keep="new", now=1e6, stale_after_s=60) == [
        "old-running",
        "old-done",
    ]
    assert evictions(sizes, 0, 0) == []


def test_runs_survive_a_restart_and_another_process(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = Store.from_settings(settings)
    run = record(store, "a")
    store.save_predictions(run["id"], 2, np.ones((4, 1)))
    del store  # the server stops
    script = (
        "import sys; from dashboard.store import Store; from pathlib import Path;"
        "s = Store(Path(sys.argv[1])); r = s.list_runs('a')[0];"
        "print(r['id'], r['number'], s.get_predictions(r['id'])[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(settings.store_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [run["id"], "1", "2"]
    again = Store.from_settings(settings)  # a new server on the same data folder
    assert again.list_runs("a")[0]["history"] == run["history"]
    assert (again.max_runs, again.max_mb) == (50, 200)


def test_storage_note_states_holdings_and_bounds() -> None:
    note = runs.storage_note(3, 5 * 2**20, 50, 200)
    assert note.startswith("This session keeps 3 runs (5.0 MB)") and "50 runs or 200 MB" in note
    assert runs.storage_note(1, 0, 0, 0) == "This session keeps 1 run (0.0 MB)."
