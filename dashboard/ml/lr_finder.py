"""Learning-rate finder: one short sweep with the rate rising exponentially, loss per batch.

The model is the one a run with the same settings trains (ml.model.build_model on the data
ml.train.prepare makes), trained for `batches` batches on its training windows while the
learning rate rises from `start` to `end` on a log scale. The suggestion is the rate where the
smoothed loss falls fastest, before its lowest point (as fastai's and pytorch-lr-finder's
"steepest" suggestion). Batches are driven one by one with `train_on_batch`, which re-reads
the optimizer's variables each call on every Keras backend (on JAX, fit holds them elsewhere).
Keras is imported by `find_lr` only, so the page may use the rest (the rate's wording).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dashboard.ml.config import TrainConfig

log = logging.getLogger(__name__)

START, END, BATCHES = 1e-6, 1.0, 100
BETA = 0.98  # exponential smoothing of the batch losses (with bias correction)
BLOW_UP = 4.0  # the sweep stops once the smoothed loss exceeds this many times its minimum
# The first batches' smoothed loss is mostly batch-to-batch noise (it averages few batches;
# skipping 10, as pytorch-lr-finder does, still picked noise on 3 of 4 seeds of a linear
# problem), and the last ones before a blow-up are not trusted either: the steepest slope is
# looked for between them. 20 of 100 batches are the rates below 2e-5, never the good ones.
SKIP_START, SKIP_END = 20, 5
# The slope at a batch spans 3 batches either side (about 0.2 of a decade of rates in 100
# batches): batch to batch, noise in the smoothed loss outran the real fall (4 of 11 test
# sweeps suggested a rate 30-500x too low, on small batches and on a linear problem).
SLOPE_HALF_WIDTH = 3

# Called after each batch with (batch number from 1, rate, loss); True asks the sweep to stop.
BatchHook = Callable[[int, float, float], bool | None]


@dataclass
class Sweep:
    """The finder's outcome: the rate and loss of each batch, the smoothed loss, and the
    suggested rate (None when the loss never fell) with a sentence saying what it found."""

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    suggestion: float | None = None
    message: str = ""
    blew_up: bool = False


def rates(batches: int = BATCHES, start: float = START, end: float = END) -> np.ndarray:
    """The rate of each batch: start * (end/start) ** (i / (batches - 1)), i = 0..batches-1."""
    steps = np.arange(batches) / max(batches - 1, 1)
    return np.asarray(start * (end / start) ** steps, dtype=np.float64)


def smooth(losses: list[float], beta: float = BETA) -> list[float]:
    """Exponentially smoothed losses, bias-corrected so that the first ones are not pulled
    towards zero (avg_i = beta avg_{i-1} + (1 - beta) loss_i; smoothed_i = avg_i / (1 - beta^i))."""
    average, out = 0.0, []
    for i, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta**i))
    return out


def suggest(
    lrs: list[float],
    smoothed: list[float],
    skip: tuple[int, int] = (SKIP_START, SKIP_END),
    half_width: int = SLOPE_HALF_WIDTH,
) -> float | None:
    """The rate at the steepest fall of the smoothed loss against log10(rate), looked for
    after the first skip[0] batches, before the last skip[1] and up to the loss's lowest
    point; None when that leaves too few points or the loss never falls there. The slope at
    each batch is measured across half_width batches either side (within that stretch)."""
    first, last = skip
    end = min(int(np.argmin(smoothed)) + 1, len(smoothed) - last)
    if end - first < 3:
        return None
    logs, values = np.log10(np.asarray(lrs[:end])), np.asarray(smoothed[:end])
    centre = np.arange(first, end)
    low = np.maximum(centre - half_width, first)
    high = np.minimum(centre + half_width, end - 1)
    slopes = (values[high] - values[low]) / (logs[high] - logs[low])
    steepest = int(np.argmin(slopes))
    return float(lrs[first + steepest]) if slopes[steepest] < 0 else None


def short(rate: float) -> str:
    """A rate as the page writes it: two significant digits, a short exponent ("1.4e-3",
    "1e-6", "1")."""
    mantissa, exponent = f"{rate:.1e}".split("e")
    mantissa = mantissa.removesuffix(".0")
    return mantissa if int(exponent) == 0 else f"{mantissa}e{int(exponent)}"


def message_for(sweep: Sweep) -> str:
    """One sentence for the page: the suggestion, or why there is none."""
    if not sweep.losses:
        return "The sweep trained no batch, so there is no suggestion."
    rising = f"{len(sweep.losses)} batches, the rate rising from {short(sweep.lrs[0])}"
    top = short(sweep.lrs[-1])
    ending = f" until the loss blew up at {top}" if sweep.blew_up else f" to {top}"
    if sweep.suggestion is None:
        return (
            f"The loss did not fall over {rising}{ending}: no rate to suggest; check the "
            "data's scaling, or try another optimizer."
        )
    return (
        f"Suggested learning rate {short(sweep.suggestion)}: the loss fell fastest there "
        f"({rising}{ending})."
    )


def sweep_model(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    schedule: np.ndarray,
    *,
    shuffle_seed: int | None = 0,
    on_batch: BatchHook | None = None,
) -> Sweep:
    """Train `model` one batch per rate of `schedule` (cycling through x, y, reshuffled each
    pass unless shuffle_seed is None) and record the rate the optimizer held and the loss;
    stop when the smoothed loss blows up, the loss is not finite, or on_batch says so."""
    order = _batch_order(len(x), batch_size, shuffle_seed)
    result = Sweep()
    optimizer = model.optimizer
    for i, rate in enumerate(schedule):
        chosen = order[i % len(order)]
        optimizer.learning_rate = float(rate)  # assigns the optimizer's variable
        logs = model.train_on_batch(np.asarray(x[chosen]), np.asarray(y[chosen]), return_dict=True)
        loss = float(logs["loss"])
        result.lrs.append(float(optimizer.learning_rate.numpy()))  # what it trained with
        result.losses.append(loss)
        result.smoothed = smooth(result.losses)
        if not math.isfinite(loss) or result.smoothed[-1] > BLOW_UP * min(result.smoothed):
            result.blew_up = True
            break
        if on_batch is not None and on_batch(i + 1, result.lrs[-1], loss):
            break
    finite = [s if math.isfinite(s) else math.inf for s in result.smoothed]
    result.suggestion = suggest(result.lrs, finite)
    result.message = message_for(result)
    return result


def _batch_order(n: int, batch_size: int, seed: int | None) -> list[np.ndarray]:
    """Index arrays of full batches (all of x when it is smaller than one batch)."""
    batch_size = min(batch_size, n)
    index = np.arange(n)
    if seed is not None:
        np.random.default_rng(seed).shuffle(index)
    whole = n - n % batch_size
    return [np.sort(index[s : s + batch_size]) for s in range(0, whole, batch_size)]


def finder_config(config: TrainConfig) -> TrainConfig:
    """The config the sweep builds its model with: the run's, with a constant rate (the
    sweep sets the rate itself, so a cosine schedule must not)."""
    return replace(config, lr_schedule="none") if config.lr_schedule == "cosine" else config


def find_lr(
    config: TrainConfig,
    values: np.ndarray,
    *,
    batches: int = BATCHES,
    start: float = START,
    end: float = END,
    on_batch: BatchHook | None = None,
) -> Sweep:
    """Sweep the learning rate for the model a run with `config` trains on `values`
    (rows x columns, target first): `batches` batches, the rate rising from start to end."""
    import keras  # in the job process only

    from dashboard.ml.model import build_model
    from dashboard.ml.sequences import Sequences
    from dashboard.ml.train import build_state, carried_states, prepare, reset_states

    data = prepare(config, values)
    config = finder_config(config)
    if isinstance(data, Sequences):
        config = replace(config, seq_len=data.x_train.shape[1])
    keras.utils.set_random_seed(config.seed)
    x, y = data.x_train, data.y_train
    n_classes = data.n_classes if isinstance(data, Sequences) else 0
    steps = max(1, math.ceil(len(x) / config.batch_size))
    model = build_model(config, x.shape[2], steps, n_classes)
    batch = min(config.batch_size, len(x))
    build_state(model, np.asarray(x[:batch]), np.asarray(y[:batch]))
    seed = None if config.stateful else config.seed  # stateful: batches in order
    with carried_states(model):
        reset_states(model)
        return sweep_model(
            model,
            x,
            y,
            config.batch_size,
            rates(batches, start, end),
            shuffle_seed=seed,
            on_batch=on_batch,
        )
