"""TrainConfig: every setting of one run, JSON-serialisable, validated in one place.

A TrainConfig cleans itself when it is made (numbers clamped to their range, unknown choices
replaced by the default), whether from the page's controls, a URL, a stored run or a search,
so the value a run records is the value it trains. `check` is the one function that says,
in sentences for the page, why a config cannot be trained here (data too short, a server
limit): every entry point calls it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from dashboard.ml.params import MAX_REFITS, PARAMS, SETTINGS, SPLIT_DEFAULT

MIN_TRAIN_WINDOWS = 8
_VAL_DEFAULT = SPLIT_DEFAULT[1] - SPLIT_DEFAULT[0]


def _default(name: str) -> Any:
    return field(default=SETTINGS[name].default)


@dataclass(frozen=True)
class Limits:
    """What a shared server refuses to train (0: no bound). Settings.limits makes one."""

    max_epochs: int = 0
    max_units_x_layers: int = 0
    max_rows: int = 0


@dataclass(frozen=True)
class TrainConfig:
    """The settings of one training run (what the run record keeps and export writes).

    Field names are those of ml.params.SETTINGS, plus the data selection. Every value is
    cleaned on construction (see ml.params: Param.clean, Choice.clean).
    """

    dataset: str = "builtin:sine"
    target: str = "value"
    features: tuple[str, ...] = ()
    train_pct: int = SPLIT_DEFAULT[0]
    val_pct: int = _VAL_DEFAULT
    task: str = _default("task")
    # model
    cell: str = _default("cell")
    units: int = _default("units")
    layers: int = _default("layers")
    units_schedule: str = _default("units_schedule")
    bidirectional: bool = _default("bidirectional")
    activation: str = _default("activation")
    dropout: float = _default("dropout")
    recurrent_dropout: float = _default("recurrent_dropout")
    l1: float = _default("l1")
    l2: float = _default("l2")
    recurrent_l1: float = _default("recurrent_l1")
    recurrent_l2: float = _default("recurrent_l2")
    dense_units: int = _default("dense_units")
    dense_activation: str = _default("dense_activation")
    stateful: bool = _default("stateful")
    # data shaping
    seq_len: int = _default("seq_len")
    horizon: int = _default("horizon")
    forecast_mode: str = _default("forecast_mode")
    scaling: str = _default("scaling")
    # optimisation
    optimizer: str = _default("optimizer")
    learning_rate: float = _default("learning_rate")
    momentum: float = _default("momentum")
    lr_schedule: str = _default("lr_schedule")
    batch_size: int = _default("batch_size")
    epochs: int = _default("epochs")
    early_stopping: bool = _default("early_stopping")
    patience: int = _default("patience")
    restore_best: bool = _default("restore_best")
    seed: int = _default("seed")
    # evaluation (0 = the season read from the data; jobs resolve it before training)
    season: int = _default("season")
    coverage: int = _default("coverage")
    backtest_origins: int = _default("backtest_origins")
    backtest_stride: int = _default("backtest_stride")
    backtest_refit: bool = _default("backtest_refit")

    def __post_init__(self) -> None:
        for name, spec in SETTINGS.items():
            object.__setattr__(self, name, spec.clean(getattr(self, name)))
        object.__setattr__(self, "features", tuple(str(f) for f in self.features or ()))
        object.__setattr__(self, "dataset", str(self.dataset))
        object.__setattr__(self, "target", str(self.target))
        for name, default in (("train_pct", SPLIT_DEFAULT[0]), ("val_pct", _VAL_DEFAULT)):
            object.__setattr__(self, name, _percent(getattr(self, name), default))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["features"] = list(self.features)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build from a dict (a stored run, a URL, a preset), ignoring unknown keys; missing
        keys take their default and every value is cleaned as on construction."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and v is not None})

    @property
    def outputs(self) -> int:
        """Values the forecasting head predicts per window (1 for a recursive roll-out)."""
        return 1 if self.forecast_mode == "recursive" else self.horizon

    @property
    def test_pct(self) -> int:
        """Percentage of rows in the test part."""
        return 100 - self.train_pct - self.val_pct


def _percent(value: Any, default: int) -> int:
    try:
        return min(max(round(float(value)), 0), 100)
    except (TypeError, ValueError, OverflowError):
        return default


def split_rows(n_rows: int, train_pct: int, val_pct: int) -> tuple[int, int]:
    """Row positions where the validation and the test parts start."""
    train_end = int(n_rows * train_pct / 100)
    val_end = int(n_rows * (train_pct + val_pct) / 100)
    return train_end, val_end


def max_seq_len(n_rows: int, train_pct: int, val_pct: int, horizon: int = 1) -> int:
    """The longest sequence that still leaves MIN_TRAIN_WINDOWS training windows."""
    train_end, _ = split_rows(n_rows, train_pct, val_pct)
    return train_end - horizon - MIN_TRAIN_WINDOWS + 1


def check(
    config: TrainConfig, n_rows: int, dataset_name: str, limits: Limits | None = None
) -> list[str]:
    """Why `config` cannot be trained on `n_rows` rows here, a sentence each (empty: it can).

    The one check behind every entry point: the page as the sliders move, a URL, the job
    itself (the page may be bypassed), and a search's trials.
    """
    return [*_data_problems(config, n_rows, dataset_name), *limit_problems(config, n_rows, limits)]


def refit_origins(config: TrainConfig) -> int:
    """How many backtest origins a run may refit a model at (at most MAX_REFITS)."""
    if not config.backtest_refit or config.task != "forecast":
        return 0
    return min(config.backtest_origins, MAX_REFITS)


def refit_epochs(config: TrainConfig) -> int:
    """The epochs a run may train in all: the main fit and one per refit origin."""
    return config.epochs * (refit_origins(config) + 1)


def limit_problems(config: TrainConfig, n_rows: int, limits: Limits | None) -> list[str]:
    """What a shared server refuses to train, to protect a machine used by a class."""
    if limits is None:
        return []
    problems = []
    if limits.max_epochs and config.epochs > limits.max_epochs:
        problems.append(
            f"This server trains at most {limits.max_epochs} epochs per run (now "
            f"{config.epochs}): lower Epochs, or turn on early stopping."
        )
    elif limits.max_epochs and refit_epochs(config) > limits.max_epochs:
        problems.append(
            f"Backtest refit trains {refit_origins(config)} more models of {config.epochs} "
            f"epochs ({refit_epochs(config)} epochs in all); this server trains at most "
            f"{limits.max_epochs} epochs per run: turn Backtest refit off, or lower Epochs or "
            "Backtest origins."
        )
    size = config.units * config.layers
    if limits.max_units_x_layers and size > limits.max_units_x_layers:
        problems.append(
            f"Units x layers is {size}; this server allows at most "
            f"{limits.max_units_x_layers}: use fewer units or layers."
        )
    if limits.max_rows and n_rows > limits.max_rows:
        problems.append(
            f"The data has {n_rows:,} rows; this server trains on at most {limits.max_rows:,}."
        )
    return problems


def _data_problems(config: TrainConfig, n_rows: int, dataset_name: str) -> list[str]:
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
