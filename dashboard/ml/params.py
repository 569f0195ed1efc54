"""The one table of tunable settings: range, default, step and help text for each.

Layout (sliders, pickers, switches), validation, URL parsing and export all read these
tables, so a range, a default or a help text is written exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """A numeric setting shown as a slider with a number box."""

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


@dataclass(frozen=True)
class Choice:
    """A setting picked from a few values (a dropdown, or a switch for booleans)."""

    name: str
    label: str
    options: tuple[tuple[Any, str], ...]  # (value, label shown)
    default: Any
    help: str

    def coerce(self, value: Any) -> Any:
        """`value` if it is one of the options (by value or its text), else the default."""
        if value is None:
            return self.default
        for option, _ in self.options:
            if value == option or str(value).lower() == str(option).lower():
                return option
        return self.default

    @property
    def is_switch(self) -> bool:
        """True for on/off settings."""
        return {value for value, _ in self.options} == {True, False}


def _param(
    name: str, label: str, bounds: tuple[float, float, float, float], help: str, **flags: bool
) -> Param:
    low, high, default, step = bounds
    return Param(name, label, low, high, default, step, help, **flags)


ON_OFF = ((True, "on"), (False, "off"))
PENALTIES = tuple((v, "off" if v == 0 else f"{v:g}") for v in (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2))

# fmt: off
PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        _param("units", "Units", (4, 512, 64, 4),
               "Memory cells per LSTM layer. 32-128 suits most series; more units learn more "
               "detail but overfit small data and train slower."),
        _param("layers", "Layers", (1, 4, 2, 1),
               "Stacked LSTM layers (all but the last return sequences). 1-2 layers suffice "
               "for most series; deeper stacks train slower and overfit sooner."),
        _param("dropout", "Dropout", (0.0, 0.5, 0.2, 0.05),
               "Fraction of outputs dropped after each LSTM layer while training. 0.2-0.5 "
               "fights overfitting; too much and the model underfits (both losses stay high).",
               integer=False),
        _param("recurrent_dropout", "Recurrent dropout", (0.0, 0.5, 0.0, 0.05),
               "Dropout on the recurrent state inside each LSTM step. Regularises like "
               "dropout, but rules out the fast cuDNN kernel on a GPU (much slower).",
               integer=False),
        _param("learning_rate", "Learning rate", (1e-4, 1e-1, 1e-3, 0.1),
               "Step size of the optimizer. Start at 1e-3 and tune on a log scale between "
               "1e-4 and 1e-2. Too high: the loss jumps or becomes NaN; too low: it barely "
               "moves.", log=True, integer=False),
        _param("momentum", "SGD momentum", (0.0, 0.99, 0.9, 0.01),
               "For SGD only: how much of the previous step carries on. 0.9 is the usual "
               "value; 0 is plain SGD, which is slow on LSTMs.", integer=False),
        _param("seq_len", "Sequence length", (2, 200, 50, 1),
               "How many past steps the model sees to predict the next. Cover at least one "
               "season or cycle of the series; longer windows train slower."),
        _param("horizon", "Horizon", (1, 50, 1, 1),
               "How many steps ahead to forecast. Errors grow with the horizon; the plot "
               "shows the forecast past the end of the data."),
        _param("dense_units", "Dense head units", (0, 256, 32, 8),
               "Units of an optional Dense layer between the last LSTM and the output "
               "(0 = none). A small head (16-64) helps a little; it is rarely decisive."),
        _param("batch_size", "Batch size", (8, 512, 32, 8),
               "Windows per gradient step. Small batches are noisier but often generalise "
               "better; large ones are faster per epoch."),
        _param("epochs", "Epochs", (1, 500, 20, 1),
               "Passes over the training windows. Watch val_loss: once it stops falling, "
               "more epochs only overfit (early stopping ends the run there)."),
        _param("patience", "Patience", (1, 50, 5, 1),
               "Early stopping: epochs without a better val_loss before training stops. "
               "3-10 is usual; too small stops on noise, too large wastes epochs."),
        _param("seed", "Seed", (0, 9999, 0, 1),
               "Random seed for weights and shuffling: the same seed and settings give the "
               "same curve."),
    )
}

CHOICES: dict[str, Choice] = {
    c.name: c
    for c in (
        Choice("task", "Task", (("forecast", "forecast the next values"),
                                ("classify", "classify whole sequences")), "forecast",
               "Forecast a series, or classify sequences (each row is one sequence and a "
               "label column gives its class)."),
        Choice("optimizer", "Optimizer", (("adam", "Adam"), ("rmsprop", "RMSprop"),
                                          ("sgd", "SGD + momentum")), "adam",
               "Adam is the safe default for LSTMs; RMSprop is the classic RNN choice; SGD "
               "with momentum needs a larger learning rate (1e-2) and more epochs."),
        Choice("lr_schedule", "LR schedule", (("none", "constant"),
                                              ("plateau", "reduce on plateau"),
                                              ("cosine", "cosine decay")), "none",
               "Reduce on plateau halves the learning rate when val_loss stalls for a few "
               "epochs; cosine decay glides it to zero over the run. Both help the last "
               "epochs settle."),
        Choice("scaling", "Scaling", (("minmax", "min-max to [0, 1]"),
                                      ("standard", "standardise (z-score)"),
                                      ("none", "none (raw values)")), "minmax",
               "LSTMs learn best on inputs near [-1, 1]. Scalers are fitted on the training "
               "part only. 'none' trains on raw values: large values saturate the gates and "
               "the loss may explode."),
        Choice("activation", "LSTM activation", (("tanh", "tanh"), ("relu", "relu"),
                                                 ("sigmoid", "sigmoid")), "tanh",
               "tanh is the standard and the only one the fast cuDNN kernel supports with "
               "sigmoid; relu can learn faster but its state may blow up (lower the "
               "learning rate)."),
        Choice("units_schedule", "Units per layer", (("same", "same in every layer"),
                                                     ("halving", "halving with depth")),
               "same",
               "Halving (64, 32, 16, ...) funnels detail into a summary and saves "
               "parameters; the same width everywhere is the common default."),
        Choice("dense_activation", "Head activation", (("relu", "relu"), ("tanh", "tanh"),
                                                       ("linear", "linear")), "relu",
               "Activation of the Dense head (when it has units)."),
        Choice("forecast_mode", "Multi-step", (("direct", "direct (H outputs)"),
                                               ("recursive", "recursive roll-out")),
               "direct",
               "Direct: one output per step ahead. Recursive: predict one step, feed it back, "
               "repeat: simpler, but errors compound with each step."),
        Choice("l1", "L1 (kernel)", PENALTIES, 0.0,
               "L1 penalty on the input weights: pushes weights to exactly zero. 1e-5 to "
               "1e-3 if the model overfits; too much and it learns nothing."),
        Choice("l2", "L2 (kernel)", PENALTIES, 0.0,
               "L2 penalty (weight decay) on the input weights: keeps them small. 1e-5 to "
               "1e-3 if val_loss rises while loss falls."),
        Choice("recurrent_l1", "L1 (recurrent)", PENALTIES, 0.0,
               "L1 penalty on the recurrent weights (state to state)."),
        Choice("recurrent_l2", "L2 (recurrent)", PENALTIES, 0.0,
               "L2 penalty on the recurrent weights (state to state): tames exploding "
               "state on long sequences."),
        Choice("bidirectional", "Bidirectional", ON_OFF, False,
               "Read each window forwards and backwards. Helps classification; for "
               "forecasting the window is all past anyway, so it rarely helps and doubles "
               "the cost."),
        Choice("early_stopping", "Early stopping", ON_OFF, False,
               "Stop when val_loss has not improved for 'patience' epochs; the best epoch "
               "is marked on the loss chart."),
        Choice("restore_best", "Restore best weights", ON_OFF, True,
               "With early stopping: keep the weights of the best epoch, not the last."),
        Choice("stateful", "Stateful", ON_OFF, False,
               "Carry the LSTM state from one batch to the next (fixed batch size, no "
               "shuffling, state reset each epoch). Helps when dependencies are longer than "
               "the window; usually plain windows with a longer sequence do as well."),
    )
}

# fmt: on

SPLIT_DEFAULT = (70, 85)  # train ends at 70 %, validation at 85 %: a 70/15/15 split
SPLIT_HELP = (
    "Chronological split into training, validation and test parts. The scaler is fitted "
    "on the training part only, so no information leaks from the future."
)
