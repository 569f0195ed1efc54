"""TrainConfig: every setting of one run, JSON-serialisable, validated in one place."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from dashboard.ml.params import CHOICES, PARAMS, SPLIT_DEFAULT

MIN_TRAIN_WINDOWS = 8


def _param(name: str) -> Any:
    return field(default=PARAMS[name].default)


def _choice(name: str) -> Any:
    return field(default=CHOICES[name].default)


@dataclass(frozen=True)
class TrainConfig:
    """The settings of one training run (what the run record keeps and export writes).

    Field names are those of ml.params.PARAMS and CHOICES, plus the data selection.
    """

    dataset: str = "builtin:sine"
    target: str = "value"
    features: tuple[str, ...] = ()
    train_pct: int = SPLIT_DEFAULT[0]
    val_pct: int = SPLIT_DEFAULT[1] - SPLIT_DEFAULT[0]
    task: str = _choice("task")
    # model
    units: int = _param("units")
    layers: int = _param("layers")
    units_schedule: str = _choice("units_schedule")
    bidirectional: bool = _choice("bidirectional")
    activation: str = _choice("activation")
    dropout: float = _param("dropout")
    recurrent_dropout: float = _param("recurrent_dropout")
    l1: float = _choice("l1")
    l2: float = _choice("l2")
    recurrent_l1: float = _choice("recurrent_l1")
    recurrent_l2: float = _choice("recurrent_l2")
    dense_units: int = _param("dense_units")
    dense_activation: str = _choice("dense_activation")
    stateful: bool = _choice("stateful")
    # data shaping
    seq_len: int = _param("seq_len")
    horizon: int = _param("horizon")
    forecast_mode: str = _choice("forecast_mode")
    scaling: str = _choice("scaling")
    # optimisation
    optimizer: str = _choice("optimizer")
    learning_rate: float = _param("learning_rate")
    momentum: float = _param("momentum")
    lr_schedule: str = _choice("lr_schedule")
    batch_size: int = _param("batch_size")
    epochs: int = _param("epochs")
    early_stopping: bool = _choice("early_stopping")
    patience: int = _param("patience")
    restore_best: bool = _choice("restore_best")
    seed: int = _param("seed")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["features"] = list(self.features)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build from a dict, ignoring unknown keys and clamping numbers to their ranges."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        for name, param in PARAMS.items():
            if name in values:
                values[name] = param.clamp(float(values[name]))
        for name, choice in CHOICES.items():
            if name in values:
                values[name] = choice.coerce(values[name])
        if "features" in values:
            values["features"] = tuple(str(f) for f in values["features"])
        return cls(**values)

    @property
    def outputs(self) -> int:
        """Values the forecasting head predicts per window (1 for a recursive roll-out)."""
        return 1 if self.forecast_mode == "recursive" else self.horizon

    @property
    def test_pct(self) -> int:
        """Percentage of rows in the test part."""
        return 100 - self.train_pct - self.val_pct


def layer_units(config: TrainConfig) -> list[int]:
    """Units of each LSTM layer: all the same, or halving with depth (at least 4)."""
    if config.units_schedule == "halving":
        return [max(4, config.units // 2**i) for i in range(config.layers)]
    return [config.units] * config.layers


def split_rows(n_rows: int, train_pct: int, val_pct: int) -> tuple[int, int]:
    """Row positions where the validation and the test parts start."""
    train_end = int(n_rows * train_pct / 100)
    val_end = int(n_rows * (train_pct + val_pct) / 100)
    return train_end, val_end


def max_seq_len(n_rows: int, train_pct: int, val_pct: int, horizon: int = 1) -> int:
    """The longest sequence that still leaves MIN_TRAIN_WINDOWS training windows."""
    train_end, _ = split_rows(n_rows, train_pct, val_pct)
    return train_end - horizon - MIN_TRAIN_WINDOWS + 1


def check(config: TrainConfig, n_rows: int, dataset_name: str) -> list[str]:
    """Problems that make `config` untrainable on `n_rows` rows, as sentences for the page."""
    if config.train_pct < 10 or config.val_pct < 5 or config.test_pct < 5:
        return [
            "The split needs at least 10 % training, 5 % validation and 5 % test data "
            f"(now {config.train_pct}/{config.val_pct}/{config.test_pct})."
        ]
    if config.task == "classify":
        return _check_classify(config, n_rows, dataset_name)
    problems = []
    train_end, val_end = split_rows(n_rows, config.train_pct, config.val_pct)
    longest = max_seq_len(n_rows, config.train_pct, config.val_pct, config.outputs)
    if longest < PARAMS["seq_len"].low:
        problems.append(
            f"{dataset_name} has too few rows ({n_rows}) for this split: give the training "
            "part a larger share or use a longer series."
        )
    elif config.seq_len > longest:
        problems.append(
            f"Sequence length {config.seq_len} is too long for {dataset_name}: its training "
            f"part has {train_end} rows, so the longest sequence that fits is {longest}."
        )
    if val_end - train_end < config.outputs or n_rows - val_end < config.horizon:
        problems.append(
            f"{dataset_name} is too short for a validation and a test part of at least "
            f"{config.horizon} rows: use more rows or a shorter horizon."
        )
    if config.forecast_mode == "recursive" and config.features:
        problems.append(
            "A recursive roll-out feeds predictions back as input, so it needs the target "
            "alone as input: remove the extra input features or choose direct multi-step."
        )
    train_windows = train_end - config.seq_len - config.outputs + 1
    if config.stateful and 0 < train_windows < config.batch_size:
        problems.append(
            f"Stateful mode trains on full batches only: {train_windows} training windows "
            f"do not fill one batch of {config.batch_size}; lower the batch size."
        )
    return problems


def _check_classify(config: TrainConfig, n_rows: int, dataset_name: str) -> list[str]:
    problems = []
    if n_rows * config.test_pct / 100 < 2:
        problems.append(f"{dataset_name} has too few sequences ({n_rows}) to classify.")
    if config.stateful:
        problems.append("Stateful mode is for forecasting one long series, not classification.")
    return problems


def advice(config: TrainConfig) -> list[str]:
    """Settings that will train but that the tuning guides warn about, in a sentence each."""
    notes = []
    if config.scaling == "none":
        notes.append(
            "Scaling is off: raw values far from [-1, 1] saturate the LSTM's gates, so the "
            "loss may stall or explode. The guides scale first (min-max or z-score)."
        )
    if config.activation == "relu":
        notes.append(
            "relu inside an LSTM lets the state grow without bound: if the loss jumps or "
            "turns NaN, lower the learning rate."
        )
    if config.optimizer == "sgd" and config.learning_rate < 5e-3:
        notes.append("SGD usually needs a larger learning rate than Adam, around 1e-2.")
    return notes
