"""The Inside tab, its callbacks called directly on a real (tiny) trained run: the run is
offered once it ends, its last test window is replayed through the chosen layer, and another
session sees nothing of it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from dash import no_update

from dashboard.app import create_app
from dashboard.jobs import run_training
from dashboard.layout import inside as layout
from dashboard.ml.config import TrainConfig
from dashboard.payloads import LiveState
from dashboard.settings import Settings
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
    running: LiveState = {**final, "status": "running"}
    waiting = functions["list_inside_runs"](running, "training", None, None, T1)
    assert waiting.empty_text == layout.WAIT and waiting.empty_open is True

    listed = functions["list_inside_runs"](final, "training", None, None, T1)
    assert [o["value"] for o in listed.options] == [run_id] and listed.value == run_id
    assert listed.empty_open is False and listed.body_style == {"display": "block"}
    again = functions["list_inside_runs"](final, "inside", run_id, listed.options, T1)
    assert again.value is no_update  # the same run: its window stays where it was

    picked = functions["pick_inside_run"](run_id, T1)
    assert picked.window_value == picked.window_max > 0
    assert [o["label"] for o in picked.layer_options] == ["1: LSTM(4)", "2: LSTM(4)"]
    assert picked.layer_value == 1 and picked.units_value == []

    drawn = functions["draw_inside"](run_id, picked.window_value, 0, [], T1)
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
    picked_units = functions["draw_inside"](run_id, 1, 1, [2, 99], T1)  # 99 does not exist
    assert {t.name for t in picked_units.states.data} == {"unit 3"}
    assert len(picked_units.states.data) == 2  # c and h

    # another session: no run offered, and the run's id alone draws nothing
    assert functions["list_inside_runs"](final, "inside", None, None, T2).options == []
    refused = functions["draw_inside"](run_id, 0, 0, [], T2)
    assert refused.reading == "This run is not one of this page's runs any more."
