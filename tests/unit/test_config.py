"""TrainConfig: defaults from the params table, clamping, and the checks shown in the page."""

from __future__ import annotations

from dashboard.ml.config import TrainConfig, check, max_seq_len, split_rows
from dashboard.ml.params import PARAMS


def test_defaults_are_the_tutorials() -> None:
    config = TrainConfig()
    assert (config.units, config.layers, config.dropout) == (64, 2, 0.2)
    assert (config.learning_rate, config.batch_size, config.seq_len) == (1e-3, 32, 50)
    assert (config.train_pct, config.val_pct, config.test_pct) == (70, 15, 15)
    for name, param in PARAMS.items():
        assert getattr(config, name) == param.default


def test_from_dict_clamps_and_round_trips() -> None:
    config = TrainConfig.from_dict({"units": 10_000, "dropout": -1, "epochs": 3.4, "bogus": 1})
    assert (config.units, config.dropout, config.epochs) == (512, 0.0, 3)
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_too_long_sequence_names_the_longest_that_fits() -> None:
    rows = 144  # airline passengers
    config = TrainConfig(seq_len=200)
    train_end, _ = split_rows(rows, 70, 15)
    longest = max_seq_len(rows, 70, 15)
    assert (train_end, longest) == (100, 92)
    [problem] = check(config, rows, "Airline passengers")
    assert "Sequence length 200 is too long for Airline passengers" in problem
    assert "the longest sequence that fits is 92" in problem
    assert check(TrainConfig(seq_len=92), rows, "Airline passengers") == []
    assert check(TrainConfig(seq_len=93), rows, "Airline passengers")


def test_split_needs_room_for_every_part() -> None:
    [problem] = check(TrainConfig(train_pct=95, val_pct=5), 1000, "x")
    assert "at least 10 % training, 5 % validation and 5 % test" in problem
    assert "longest sequence that fits is 13" in check(TrainConfig(seq_len=15), 30, "Tiny")[0]
