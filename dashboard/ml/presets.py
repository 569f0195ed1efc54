"""The classic examples, one click each: settings that differ from the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Preset:
    """A named set of settings with what it is meant to show."""

    key: str
    title: str
    lesson: str
    settings: dict[str, Any]


# fmt: off
PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("simple", "Simple: one small LSTM layer",
               "The smallest model that works: one LSTM layer, no dropout. A baseline to beat.",
               {"layers": 1, "units": 32, "dropout": 0.0, "dense_units": 0, "epochs": 20}),
        Preset("stacked", "Stacked with dropout (the tutorial)",
               "Two LSTM layers of 64 with dropout 0.2 and a small Dense head: the classic.",
               {"layers": 2, "units": 64, "dropout": 0.2, "dense_units": 32, "epochs": 30}),
        Preset("forgetful", "A SimpleRNN on long windows",
               "No gates: a SimpleRNN struggles to carry what it saw 100 steps back. Train it, "
               "then set Cell to LSTM or GRU, train again and compare the runs.",
               {"cell": "simple_rnn", "layers": 1, "units": 32, "dropout": 0.0,
                "seq_len": 100, "dense_units": 0, "epochs": 20}),
        Preset("overfit", "Deliberately overfitting",
               "Wide, deep, no dropout, many epochs on a small series: watch val_loss turn up "
               "while loss keeps falling.",
               {"dataset": "builtin:airline", "target": "Passengers", "layers": 3,
                "units": 256, "dropout": 0.0, "dense_units": 64, "seq_len": 12,
                "epochs": 150, "batch_size": 8, "learning_rate": 0.003}),
        Preset("early", "With early stopping",
               "The overfitting model again, but training stops once val_loss has not improved "
               "for 5 epochs and the best weights are restored.",
               {"dataset": "builtin:airline", "target": "Passengers", "layers": 3,
                "units": 256, "dropout": 0.0, "dense_units": 64, "seq_len": 12,
                "epochs": 150, "batch_size": 8, "learning_rate": 0.003,
                "early_stopping": True, "patience": 5, "restore_best": True}),
    )
}
# fmt: on
