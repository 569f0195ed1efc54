"""TrainConfig: defaults from the params table, clamping, and the checks shown in the page."""

from __future__ import annotations

from dashboard.ml.config import Limits, TrainConfig, check, max_seq_len, split_rows
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


def test_every_constructor_cleans_the_same_way() -> None:
    """Direct, from a stored record, from junk: one set of rules, in TrainConfig itself."""
    direct = TrainConfig(units=100_000, epochs=-1, optimizer="bogus", features=["a"])  # type: ignore[arg-type]
    assert (direct.units, direct.epochs, direct.optimizer, direct.features) == (
        512,
        1,
        "adam",
        ("a",),
    )
    junk = TrainConfig.from_dict({"units": "abc", "dropout": float("nan"), "train_pct": "x"})
    assert (junk.units, junk.dropout, junk.train_pct) == (64, 0.2, 70)
    assert TrainConfig.from_dict({"cell": "GRU", "bidirectional": "true"}).cell == "gru"
    assert TrainConfig.from_dict({"bidirectional": "true"}).bidirectional is True


def test_a_log_scale_value_is_trained_as_the_box_shows_it() -> None:
    """The slider at 10**-2.5 shows 0.0032 in its box: 0.0032 is what trains."""
    assert TrainConfig(learning_rate=10**-2.5).learning_rate == 0.0032
    assert TrainConfig(learning_rate=0.000123456).learning_rate == 0.00012
    assert TrainConfig(learning_rate=1.0).learning_rate == 0.1  # clamped, then still in range
    for position in (-4.0, -3.3, -2.5, -1.0):
        value = PARAMS["learning_rate"].from_position(position)
        assert TrainConfig(learning_rate=value).learning_rate == float(f"{value:.2g}")


def test_server_limits_are_refused_in_a_sentence_never_applied_silently() -> None:
    limits = Limits(max_epochs=50, max_units_x_layers=256, max_rows=1000)
    config = TrainConfig(epochs=80, units=256, layers=2, seq_len=10)
    problems = check(config, 2000, "Series", limits)
    assert problems == [
        "This server trains at most 50 epochs per run (now 80): lower Epochs, or turn on "
        "early stopping.",
        "Units x layers is 512; this server allows at most 256: use fewer units or layers.",
        "The data has 2,000 rows; this server trains on at most 1,000.",
    ]
    assert config.epochs == 80  # the value shown stays the value checked
    assert check(TrainConfig(epochs=50, units=128, layers=2, seq_len=10), 1000, "S", limits) == []
    assert check(config, 2000, "Series") == []  # no limits given: none applied
