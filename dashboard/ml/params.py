"""The one table of tunable settings: range, default, step and help text for each.

Layout (sliders), validation, URL parsing and export all read this table, so a range or a
default is written exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """A numeric setting shown as a slider."""

    name: str
    label: str
    low: float
    high: float
    default: float
    step: float
    help: str
    log: bool = False  # slider moves over log10 of the value
    integer: bool = True

    def clamp(self, value: float) -> float:
        """Return `value` within [low, high], as int for integer settings."""
        clamped = min(max(value, self.low), self.high)
        return round(clamped) if self.integer else float(clamped)


PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        Param(
            "units",
            "Units",
            4,
            512,
            64,
            4,
            "Memory cells per LSTM layer. 32-128 suits most series; more units learn more "
            "detail but overfit small data and train slower.",
        ),
        Param(
            "layers",
            "Layers",
            1,
            4,
            2,
            1,
            "Stacked LSTM layers (all but the last return sequences). 1-2 layers suffice "
            "for most series; deeper stacks train slower and overfit sooner.",
        ),
        Param(
            "dropout",
            "Dropout",
            0.0,
            0.5,
            0.2,
            0.05,
            "Fraction of outputs dropped after each LSTM layer while training. 0.2-0.5 "
            "fights overfitting; too much and the model underfits (both losses stay high).",
            integer=False,
        ),
        Param(
            "learning_rate",
            "Learning rate",
            1e-4,
            1e-1,
            1e-3,
            0.1,
            "Step size of the optimizer. Start at 1e-3 and tune on a log scale between "
            "1e-4 and 1e-2. Too high: the loss jumps or becomes NaN; too low: it barely moves.",
            log=True,
            integer=False,
        ),
        Param(
            "seq_len",
            "Sequence length",
            2,
            200,
            50,
            1,
            "How many past steps the model sees to predict the next. Cover at least one "
            "season or cycle of the series; longer windows train slower.",
        ),
        Param(
            "batch_size",
            "Batch size",
            8,
            512,
            32,
            8,
            "Windows per gradient step. Small batches are noisier but often generalise "
            "better; large ones are faster per epoch.",
        ),
        Param(
            "epochs",
            "Epochs",
            1,
            500,
            20,
            1,
            "Passes over the training windows. Watch val_loss: once it stops falling, "
            "more epochs only overfit.",
        ),
        Param(
            "seed",
            "Seed",
            0,
            9999,
            0,
            1,
            "Random seed for weights and shuffling: the same seed and settings give the "
            "same curve.",
        ),
    )
}

SPLIT_DEFAULT = (70, 85)  # train ends at 70 %, validation at 85 %: a 70/15/15 split
SPLIT_HELP = (
    "Chronological split into training, validation and test parts. The scaler is fitted "
    "on the training part only, so no information leaks from the future."
)
DENSE_UNITS_DEFAULT = 32
