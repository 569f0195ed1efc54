"""The recurrent-cell setting (LSTM, GRU, SimpleRNN), from the settings table to every place
that reads a run's settings: model, summary, page, URL, Runs table, comparison, presets."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest

from dashboard import ids, runs, urls
from dashboard.layout.controls import controls
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import sine_frame
from dashboard.ml.network import CELLS
from dashboard.ml.params import SETTINGS, in_section
from dashboard.ml.presets import PRESETS
from dashboard.ml.summary import cell_note, cudnn_blockers, summarize
from dashboard.payloads import RunRecord

CELL_CLASSES = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}


@pytest.mark.parametrize("cell", CELL_CLASSES)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_each_cell_reaches_the_keras_model_and_the_summary_counts_its_weights(
    cell: str, bidirectional: bool
) -> None:
    from dashboard.ml.model import build_model

    config = TrainConfig(cell=cell, bidirectional=bidirectional, units=12, layers=2, seq_len=7)
    model = build_model(config, n_features=3)
    recurrent = [layer for layer in model.layers if "dropout" not in layer.name][:2]
    inner = [getattr(layer, "forward_layer", layer) for layer in recurrent]
    assert [type(layer).__name__ for layer in inner] == [CELL_CLASSES[cell]] * 2
    assert sum(row.parameters for row in summarize(config, 3)) == model.count_params()
    assert summarize(config, 3)[0].name.endswith(f"{CELL_CLASSES[cell]}(12, tanh)")


def test_a_gru_has_three_weight_blocks_to_the_lstms_four_and_a_simple_rnn_one() -> None:
    def recurrent_weights(cell: str) -> int:
        return summarize(TrainConfig(cell=cell, units=32, layers=1, dense_units=0), 1)[0].parameters

    lstm, gru, simple = (recurrent_weights(c) for c in ("lstm", "gru", "simple_rnn"))
    assert lstm == 4 * (32 * (1 + 32) + 32)
    assert gru == 3 * (32 * (1 + 32) + 2 * 32)  # reset_after: two bias vectors per block
    assert simple == 32 * (1 + 32) + 32
    assert "forget" in cell_note(TrainConfig(cell="lstm"))
    assert "update and reset" in cell_note(TrainConfig(cell="gru"))
    assert "no gates" in cell_note(TrainConfig(cell="simple_rnn"))


def test_cudnn_eligibility_is_per_cell() -> None:
    assert cudnn_blockers(TrainConfig(cell="lstm")) == []
    assert cudnn_blockers(TrainConfig(cell="gru")) == []
    assert cudnn_blockers(TrainConfig(cell="simple_rnn")) == ["SimpleRNN has no cuDNN kernel"]
    assert cudnn_blockers(TrainConfig(cell="gru", recurrent_dropout=0.1)) == [
        "recurrent dropout (cuDNN needs 0)"
    ]
    assert not CELLS["simple_rnn"].cudnn and CELLS["gru"].cudnn


@pytest.mark.parametrize("cell", ["gru", "simple_rnn"])
def test_each_cell_trains_and_stateful_mode_resets_it(cell: str) -> None:
    from dashboard.ml.train import train

    values = sine_frame(200)[["value"]].to_numpy()
    for stateful in (False, True):
        config = TrainConfig(
            cell=cell, units=4, layers=1, seq_len=10, epochs=2, batch_size=8, stateful=stateful
        )
        result = train(config, values)
        assert result.status == "finished", result.message
        assert len(result.history["loss"]) == 2
        assert np.isfinite(result.scores["model"]["mae"])


def test_the_cell_is_the_first_control_of_the_model_section() -> None:
    assert in_section("Model")[0] == "cell"
    layout = str(controls())
    model = layout.index("'Model'")
    more = layout.index("More settings")
    assert model < layout.index(ids.choice("cell")) < more
    help_text = SETTINGS["cell"].help
    assert all(word in help_text for word in ("LSTM", "GRU", "SimpleRNN", "forget"))


def test_the_cell_travels_in_the_url_and_back() -> None:
    query = urls.settings_query(TrainConfig(cell="gru"))
    assert query == "?cell=gru"
    assert urls.parse_query(query) == {"cell": "gru"}
    assert urls.parse_query("?cell=transformer") == {}  # not one of the options: ignored
    assert urls.config_settings({"cell": "simple_rnn"})["cell"] == "simple_rnn"
    assert urls.config_settings({})["cell"] == "lstm"  # runs made before the setting existed


def record(number: int, **config: Any) -> RunRecord:
    """A finished run record with the given settings."""
    return cast(
        RunRecord,
        {
            "id": f"run{number:013d}",
            "number": number,
            "created": 1.0 + number,
            "status": "finished",
            "config": TrainConfig(**config).to_dict(),
            "history": {"loss": [0.5], "val_loss": [0.4]},
        },
    )


def test_the_runs_table_and_the_comparison_show_the_cell() -> None:
    lstm, gru = record(1), record(2, cell="gru")
    assert "cell" in runs.table_settings([lstm, gru])
    assert runs.table_row(gru, ["cell"])["cell"] == "GRU"
    assert runs.differing([lstm, gru]) == ["cell"]
    assert runs.diff_rows([lstm, gru])[0]["setting"] == "Cell"
    assert "Cell GRU" in runs.run_label(gru, ["cell"])


def test_a_preset_contrasts_the_cells() -> None:
    [preset] = [p for p in PRESETS.values() if p.settings.get("cell") == "simple_rnn"]
    config = TrainConfig.from_dict(preset.settings)
    assert config.cell == "simple_rnn" and config.seq_len >= 100
    assert "LSTM" in preset.lesson
