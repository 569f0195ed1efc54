"""The Inside tab, its callbacks called directly on real (tiny) runs: a run is offered once
it ends, and while it trains from its first snapshot on; its last test window is replayed
through the chosen layer, and another session sees nothing of it."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from dash import no_update

from dashboard.app import create_app
from dashboard.jobs import run_training
from dashboard.layout import inside as layout
from dashboard.ml import train as train_module
from dashboard.ml.config import TrainConfig
from dashboard.ml.train import PREDICTION_MIN_S
from dashboard.payloads import LiveState
from dashboard.settings import Settings
from dashboard.store import SNAPSHOT, Store
from tests.callbacks.tokens import T1, T2

TINY = TrainConfig(
    dataset="builtin:airline",
    target="Passengers",
    cell="lstm",
    units=4,
    layers=2,
    dense_units=0,
    seq_len=12,
    epochs=2,
    batch_size=32,
)


def settings_store(settings: Settings) -> Store:
    """The store the app and the job share."""
    return Store.from_settings(settings)


@pytest.fixture
def trained(settings: Settings) -> tuple[dict[str, Any], LiveState]:
    """The app's callbacks and the final state of a finished two-layer LSTM run."""
    functions = create_app(settings, warm_up=False).callback_functions
    final = run_training(settings, TINY, "s1", lambda state: None)
    assert final["status"] == "finished"
    return functions, final


def test_inside_tab_replays_the_last_test_window_of_a_finished_run(
    trained: tuple[dict[str, Any], LiveState],
) -> None:
    functions, final = trained
    run_id = final["run_id"]
    listed = functions["list_inside_runs"](final, "training", None, None, T1, None)
    assert [o["value"] for o in listed.options] == [run_id] and listed.value == run_id
    assert listed.empty_open is False and listed.body_style == {"display": "block"}
    assert listed.model.startswith("model.keras@")
    again = functions["list_inside_runs"](final, "inside", run_id, listed.options, T1, listed.model)
    assert again.value is no_update  # the same run: its window stays where it was
    assert again.model is no_update  # and the same model: nothing to redraw

    picked = functions["pick_inside_run"](run_id, T1)
    assert picked.window_value == picked.window_max > 0
    assert [o["label"] for o in picked.layer_options] == ["1: LSTM(4)", "2: LSTM(4)"]
    assert picked.layer_value == 1 and picked.units_value == []

    drawn = functions["draw_inside"](run_id, picked.window_value, 0, [], listed.model, T1)
    assert drawn.window_text.startswith(f"window {picked.window_max} of {picked.window_max} ·")
    assert "predicts 1960-" in drawn.window_text  # the airline series' own months
    assert drawn.reading.startswith("unit ") and len(drawn.units_options) == 4
    inputs = drawn.window.data[0]
    assert len(inputs.y) == 12 and [t.name for t in drawn.window.data[1:]] == [
        "actual",
        "predicted",
    ]
    heatmaps = [t for t in drawn.gates.data if t.type == "heatmap"]
    assert len(heatmaps) == 4 and all(np.shape(t.z) == (4, 12) for t in heatmaps)
    assert all(np.min(t.z) >= 0 and np.max(t.z) <= 1 for t in heatmaps[:2])  # i and f
    picked_units = functions["draw_inside"](run_id, 1, 1, [2, 99], None, T1)  # 99 does not exist
    assert {t.name for t in picked_units.states.data} == {"unit 3"}
    assert len(picked_units.states.data) == 2  # c and h

    # another session: no run offered, and the run's id alone draws nothing
    assert functions["list_inside_runs"](final, "inside", None, None, T2, None).options == []
    refused = functions["draw_inside"](run_id, 0, 0, [], None, T2)
    assert refused.reading == "This run is not one of this page's runs any more."


def test_a_training_run_is_offered_from_its_first_snapshot_and_redrawn_as_it_trains(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a run trains, the job saves its weights at each refresh of the live predictions
    (live.keras; at most one a PREDICTION_MIN_S, none at the last epoch); the tab offers the
    run once the first is there, draws it, names the epoch, and its model version changes
    with each snapshot and again when the run ends."""
    # A refresh (and its snapshot) is due a PREDICTION_MIN_S after the last, however long
    # the last took (by default it may take 5 % of the time: a slow first one waits longer).
    monkeypatch.setattr(train_module, "PREDICTION_SHARE", 1.0)
    functions = create_app(settings, warm_up=False).callback_functions
    config = TrainConfig.from_dict({**TINY.to_dict(), "epochs": 4})
    seen: list[tuple[str, Any, Any]] = []

    def during(epoch: int, history: Any) -> None:
        """The page, looking at the Inside tab at the end of each epoch of the run."""
        [record] = settings_store(settings).list_runs("s1")
        live: LiveState = {"run_id": record["id"], "status": "running"}  # type: ignore[typeddict-item]
        shown = seen[-1][1].value if seen and seen[-1][1].value is not no_update else None
        offered = seen[-1][1].options if seen else None
        model = next((v.model for _, v, _ in reversed(seen) if v.model is not no_update), None)
        listed = functions["list_inside_runs"](live, "inside", shown, offered, T1, model)
        drawn = None
        if listed.model not in (None, no_update):
            drawn = functions["draw_inside"](record["id"], 1, 0, [], listed.model, T1)
        seen.append((f"epoch {epoch}", listed, drawn))
        hidden = functions["list_inside_runs"](live, "training", None, None, T1, None)
        assert hidden.options is no_update and hidden.model is no_update  # out of sight
        if epoch == 2:  # a second of training: the next snapshot is due (PREDICTION_MIN_S)
            time.sleep(PREDICTION_MIN_S + 0.05)

    final = run_training(settings, config, "s1", lambda state: None, on_epoch=during)
    assert final["status"] == "finished"
    first = seen[0][1]  # epoch 1 ended: its snapshot comes with its predictions, after
    assert first.empty_text == layout.WAIT and first.empty_open is True and first.options == []
    _, second, drawn = seen[1]
    assert second.options[0]["label"].startswith("Training now: ")
    assert second.value == final["run_id"] and second.model.startswith("live.keras@")
    assert drawn is not None and "weights after epoch 1;" in drawn.window_text
    assert len([t for t in drawn.gates.data if t.type == "heatmap"]) == 4
    versions = [v.model for _, v, _ in seen if v.model is not no_update]
    assert len(versions) == 2 and len(set(versions)) == len(versions)  # each snapshot new

    ended = functions["list_inside_runs"](
        final, "inside", final["run_id"], second.options, T1, versions[-1]
    )
    assert ended.value is no_update and ended.model.startswith("model.keras@")  # redrawn
    assert [o["label"].startswith("Training now") for o in ended.options] == [False]
    store = settings_store(settings)
    assert not store.artifact_path(final["run_id"], SNAPSHOT).exists()  # gone once saved
    after = functions["draw_inside"](final["run_id"], 1, 0, [], ended.model, T1)
    assert "weights after" not in after.window_text
