"""The one table of tunable settings: range or options, default, help text and place in the
page for each.

Layout (sliders, pickers, switches, their sections), the run config's validation, the URL,
the Runs table and export all read this table, so a range, a default, a help text or a
setting's place in the page is written exactly once.

A new knob needs: its entry here; its TrainConfig field in ml/config.py (one line, the
default read from here); the code that uses it (ml/network.py for the layers, which
ml/model.py makes into Keras ones; ml/model.py for the optimizer; ml/train.py for the
training loop); and its tests. The sentence the model summary says about a choice (as
summary.cell_note does for the cell) lives in ml/summary.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Where settings live in the page, in order: (title, folded under "More settings").
SECTIONS: tuple[tuple[str, bool], ...] = (
    ("Model", False),
    ("Training", False),
    ("Architecture", True),
    ("Regularisation", True),
    ("Optimizer", True),
    ("Early stopping", True),
    ("Task and forecast", True),
    ("Evaluation", True),
)
LOG_DIGITS = 2  # significant digits of a log-scale setting: what the box shows is trained
MAX_REFITS = 5  # backtest origins refit at most: each refit is a whole training run


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
    section: str
    log: bool = False  # slider moves over log10 of the value
    integer: bool = True
    column: bool = False  # a column of the Runs table

    def clean(self, value: Any) -> Any:
        """`value` as this setting holds it: a number within [low, high] (int for integer
        settings, LOG_DIGITS significant digits on a log scale); the default when it is
        not a finite number."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            return self.default
        if not math.isfinite(number):
            return self.default
        clamped = min(max(number, self.low), self.high)
        if self.integer:
            return round(clamped)
        if self.log:
            return min(max(float(f"{clamped:.{LOG_DIGITS}g}"), self.low), self.high)
        return float(clamped)

    def from_position(self, position: float) -> float:
        """The value at a slider position (log sliders move over the exponent)."""
        return 10**position if self.log else position

    def to_position(self, value: float) -> float:
        """The slider position of a value."""
        return round(math.log10(value), 6) if self.log else value


@dataclass(frozen=True)
class Choice:
    """A setting picked from a few values (a dropdown, or a switch for booleans)."""

    name: str
    label: str
    options: tuple[tuple[Any, str], ...]  # (value, label shown)
    default: Any
    help: str
    section: str
    column: bool = False  # a column of the Runs table

    def clean(self, value: Any) -> Any:
        """`value` if it is one of the options (by value or its text), else the default."""
        if value is None:
            return self.default
        for option, _ in self.options:
            if value == option or str(value).lower() == str(option).lower():
                return option
        return self.default

    def label_of(self, value: Any) -> str:
        """The text the page shows for one of the options."""
        return dict((str(v), text) for v, text in self.options).get(str(value), str(value))

    @property
    def is_switch(self) -> bool:
        """True for on/off settings."""
        return {value for value, _ in self.options} == {True, False}


Setting = Param | Choice


def _param(
    name: str,
    label: str,
    bounds: tuple[float, float, float, float],
    section: str,
    help: str,
    **flags: bool,
) -> Param:
    low, high, default, step = bounds
    return Param(name, label, low, high, default, step, help, section, **flags)


ON_OFF = ((True, "on"), (False, "off"))
PENALTIES = tuple((v, "off" if v == 0 else f"{v:g}") for v in (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2))

# In page order: a section's settings appear in the order they stand here.
# fmt: off
_TABLE: tuple[Setting, ...] = (
    Choice("cell", "Cell", (("lstm", "LSTM"), ("gru", "GRU"), ("simple_rnn", "SimpleRNN")),
           "lstm",
           "The recurrent cell. LSTM: input, forget and output gates guard a cell state, so "
           "it keeps information across long windows; the safe default. GRU: the LSTM's "
           "lighter cousin (update and reset gates, no separate cell state), about 3/4 of "
           "the parameters and often as accurate: try it when data is small or speed "
           "matters. SimpleRNN: no gates at all; it forgets what lies more than a few dozen "
           "steps back (vanishing gradients): the classic demonstration of why gates matter.",
           "Model", column=True),
    _param("units", "Units", (4, 512, 64, 4), "Model",
           "Memory cells per recurrent layer. 32-128 suits most series; more units learn more "
           "detail but overfit small data and train slower.", column=True),
    _param("layers", "Layers", (1, 4, 2, 1), "Model",
           "Stacked recurrent layers (all but the last return sequences). 1-2 layers suffice "
           "for most series; deeper stacks train slower and overfit sooner.", column=True),
    _param("dropout", "Dropout", (0.0, 0.5, 0.2, 0.05), "Model",
           "Fraction of outputs dropped after each recurrent layer while training. 0.2-0.5 "
           "fights overfitting; too much and the model underfits (both losses stay high).",
           integer=False, column=True),
    _param("learning_rate", "Learning rate", (1e-4, 1e-1, 1e-3, 0.1), "Model",
           "Step size of the optimizer. Start at 1e-3 and tune on a log scale between "
           "1e-4 and 1e-2. Too high: the loss jumps or becomes NaN; too low: it barely "
           "moves.", log=True, integer=False, column=True),
    _param("seq_len", "Sequence length", (2, 200, 50, 1), "Model",
           "How many past steps the model sees to predict the next. Cover at least one "
           "season or cycle of the series; longer windows train slower.", column=True),
    _param("batch_size", "Batch size", (8, 512, 32, 8), "Training",
           "Windows per gradient step. Small batches are noisier but often generalise "
           "better; large ones are faster per epoch.", column=True),
    _param("epochs", "Epochs", (1, 500, 20, 1), "Training",
           "Passes over the training windows. Watch val_loss: once it stops falling, "
           "more epochs only overfit (early stopping ends the run there)."),
    _param("seed", "Seed", (0, 9999, 0, 1), "Training",
           "Random seed for weights and shuffling: the same seed and settings give the "
           "same curve."),
    Choice("units_schedule", "Units per layer", (("same", "same in every layer"),
                                                 ("halving", "halving with depth")), "same",
           "Halving (64, 32, 16, ...) funnels detail into a summary and saves "
           "parameters; the same width everywhere is the common default.", "Architecture"),
    Choice("bidirectional", "Bidirectional", ON_OFF, False,
           "Read each window forwards and backwards. Helps classification; for "
           "forecasting the window is all past anyway, so it rarely helps and doubles "
           "the cost.", "Architecture"),
    Choice("activation", "Cell activation", (("tanh", "tanh"), ("relu", "relu"),
                                             ("sigmoid", "sigmoid")), "tanh",
           "tanh is the standard and the only one the fast cuDNN kernels support; relu "
           "can learn faster but its state may blow up (lower the learning rate).",
           "Architecture"),
    _param("recurrent_dropout", "Recurrent dropout", (0.0, 0.5, 0.0, 0.05), "Architecture",
           "Dropout on the recurrent state inside each step. Regularises like dropout, "
           "but rules out the fast cuDNN kernel on a GPU (much slower).", integer=False),
    _param("dense_units", "Dense head units", (0, 256, 32, 8), "Architecture",
           "Units of an optional Dense layer between the last recurrent layer and the "
           "output (0 = none). A small head (16-64) helps a little; it is rarely decisive."),
    Choice("dense_activation", "Head activation", (("relu", "relu"), ("tanh", "tanh"),
                                                   ("linear", "linear")), "relu",
           "Activation of the Dense head (when it has units).", "Architecture"),
    Choice("stateful", "Stateful", ON_OFF, False,
           "Carry the recurrent state from one batch to the next (fixed batch size, no "
           "shuffling, state reset each epoch). Helps when dependencies are longer than "
           "the window; usually plain windows with a longer sequence do as well.",
           "Architecture"),
    Choice("l1", "L1 (kernel)", PENALTIES, 0.0,
           "L1 penalty on the input weights: pushes weights to exactly zero. 1e-5 to "
           "1e-3 if the model overfits; too much and it learns nothing.", "Regularisation"),
    Choice("l2", "L2 (kernel)", PENALTIES, 0.0,
           "L2 penalty (weight decay) on the input weights: keeps them small. 1e-5 to "
           "1e-3 if val_loss rises while loss falls.", "Regularisation"),
    Choice("recurrent_l1", "L1 (recurrent)", PENALTIES, 0.0,
           "L1 penalty on the recurrent weights (state to state).", "Regularisation"),
    Choice("recurrent_l2", "L2 (recurrent)", PENALTIES, 0.0,
           "L2 penalty on the recurrent weights (state to state): tames exploding "
           "state on long sequences.", "Regularisation"),
    Choice("optimizer", "Optimizer", (("adam", "Adam"), ("rmsprop", "RMSprop"),
                                      ("sgd", "SGD + momentum")), "adam",
           "Adam is the safe default for LSTMs; RMSprop is the classic RNN choice; SGD "
           "with momentum needs a larger learning rate (1e-2) and more epochs.", "Optimizer"),
    _param("momentum", "SGD momentum", (0.0, 0.99, 0.9, 0.01), "Optimizer",
           "For SGD only: how much of the previous step carries on. 0.9 is the usual "
           "value; 0 is plain SGD, which is slow on LSTMs.", integer=False),
    Choice("lr_schedule", "LR schedule", (("none", "constant"),
                                          ("plateau", "reduce on plateau"),
                                          ("cosine", "cosine decay")), "none",
           "Reduce on plateau halves the learning rate when val_loss stalls for a few "
           "epochs; cosine decay glides it to zero over the run. Both help the last "
           "epochs settle.", "Optimizer"),
    Choice("early_stopping", "Early stopping", ON_OFF, False,
           "Stop when val_loss has not improved for 'patience' epochs; the best epoch "
           "is marked on the loss chart.", "Early stopping"),
    _param("patience", "Patience", (1, 50, 5, 1), "Early stopping",
           "Early stopping: epochs without a better val_loss before training stops. "
           "3-10 is usual; too small stops on noise, too large wastes epochs."),
    Choice("restore_best", "Restore best weights", ON_OFF, True,
           "With early stopping: keep the weights of the best epoch, not the last.",
           "Early stopping"),
    Choice("task", "Task", (("forecast", "forecast the next values"),
                            ("classify", "classify whole sequences")), "forecast",
           "Forecast a series, or classify sequences (each row is one sequence and a "
           "label column gives its class).", "Task and forecast"),
    _param("horizon", "Horizon", (1, 50, 1, 1), "Task and forecast",
           "How many steps ahead to forecast. Errors grow with the horizon; the plot "
           "shows the forecast past the end of the data."),
    Choice("forecast_mode", "Multi-step", (("direct", "direct (H outputs)"),
                                           ("recursive", "recursive roll-out")), "direct",
           "Direct: one output per step ahead. Recursive: predict one step, feed it back, "
           "repeat: simpler, but errors compound with each step.", "Task and forecast"),
    Choice("scaling", "Scaling", (("minmax", "min-max to [0, 1]"),
                                  ("standard", "standardise (z-score)"),
                                  ("none", "none (raw values)")), "minmax",
           "LSTMs learn best on inputs near [-1, 1]. Scalers are fitted on the training "
           "part only. 'none' trains on raw values: large values saturate the gates and "
           "the loss may explode.", "Task and forecast"),
    _param("season", "Season length", (0, 400, 0, 1), "Evaluation",
           "Steps in one season or cycle, for the seasonal naive baseline (repeat the value "
           "one season back) and for MASE. 0 reads it from the data's time column: hourly "
           "24, daily 7, weekly 52, monthly 12, quarterly 4; data in plain row order has no "
           "season. Set it yourself when you know the cycle (e.g. 11 years of sunspots = "
           "132 months)."),
    Choice("coverage", "Interval coverage", ((80, "80 %"), (95, "95 %")), 80,
           "How often the shaded prediction interval should contain the truth. It is built "
           "from the errors on the validation part (split conformal), and the results show "
           "how often it actually did on the test part: honest intervals come close.",
           "Evaluation"),
    _param("backtest_origins", "Backtest origins", (0, 20, 5, 1), "Evaluation",
           "Rolling-origin backtest: forecast the whole horizon from this many starting "
           "points in the test part and score each one, to see how much the error varies "
           "from one forecast to the next (0 = off). The horizon is the run's Horizon "
           "setting. No retraining: it costs predictions only."),
    _param("backtest_stride", "Backtest stride", (1, 100, 5, 1), "Evaluation",
           "Steps between two backtest origins. Equal to the horizon, the forecasts do not "
           "overlap; larger spreads the origins over more of the test part."),
    Choice("backtest_refit", "Backtest refit", ON_OFF, False,
           "Off: the one trained model forecasts from every backtest origin, which is cheap "
           "but lets it know data from before later origins only through the one fit. On: a "
           "fresh model (same settings and seed) is trained on the rows before each origin, "
           "as if that origin were today, then forecasts from it: the honest test of how "
           "the method would have done in production. It costs one whole training per "
           f"origin (at most {MAX_REFITS} origins are refit, within the run's time limit).",
           "Evaluation"),
)
# fmt: on

SETTINGS: dict[str, Setting] = {s.name: s for s in _TABLE}  # every setting, in page order
PARAMS: dict[str, Param] = {s.name: s for s in _TABLE if isinstance(s, Param)}
CHOICES: dict[str, Choice] = {s.name: s for s in _TABLE if isinstance(s, Choice)}
assert {s.section for s in _TABLE} <= {title for title, _ in SECTIONS}


def in_section(title: str) -> list[str]:
    """The names of the settings a page section holds, in page order."""
    return [name for name, spec in SETTINGS.items() if spec.section == title]


def runs_table_settings() -> list[str]:
    """The settings the Runs table shows as columns."""
    return [name for name, spec in SETTINGS.items() if spec.column]


SPLIT_DEFAULT = (70, 85)  # train ends at 70 %, validation at 85 %: a 70/15/15 split
SPLIT_HELP = (
    "Chronological split into training, validation and test parts. The scaler is fitted "
    "on the training part only, so no information leaks from the future."
)
