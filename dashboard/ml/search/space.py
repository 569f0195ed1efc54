"""What a search varies, read from the settings table (ml/params.py), and its validation.

Every setting of the table is searchable unless NOT_SEARCHED names it or it sits in the
Evaluation section (those settings score a run, they do not train it): a numeric setting
(`Param`) as a range within its table bounds (on a log scale where the table's slider is
logarithmic, integer where the setting is), a picked setting (`Choice`) as a subset of its
options. A knob added to the table is searchable without touching this package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna

from dashboard.ml import params
from dashboard.ml.config import Limits, TrainConfig, check

# Settings a search keeps at the sliders' values, and why (the page can show the reason).
NOT_SEARCHED: dict[str, str] = {
    "seed": "the study's own seed decides the proposals; each trial trains with the sliders' "
    "seed, so two trials differ only in what is searched",
    "epochs": "it is each trial's budget (pruning cuts trials short along it)",
    "task": "it changes what val_loss measures, so trials would not be comparable",
    "horizon": "it changes what val_loss measures, so trials would not be comparable",
    "forecast_mode": "it changes what val_loss measures, so trials would not be comparable",
    "scaling": "val_loss is measured in scaled units, so trials would not be comparable",
}
UNSCORED_SECTION = "Evaluation"  # season, coverage, backtest: they score a run, not train it
SUGGESTED = ("units", "layers", "dropout", "learning_rate")  # the guides' first four knobs


def searchable() -> dict[str, params.Setting]:
    """The settings a search may vary, in page order (read from the table at each call)."""
    return {
        name: spec
        for name, spec in params.SETTINGS.items()
        if name not in NOT_SEARCHED and spec.section != UNSCORED_SECTION
    }


@dataclass(frozen=True)
class Range:
    """A numeric setting searched between `low` and `high` (both included)."""

    name: str
    low: float
    high: float
    log: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "low": self.low, "high": self.high, "log": self.log}


@dataclass(frozen=True)
class Options:
    """A setting searched over a few of its values (a Choice's options, or numbers)."""

    name: str
    values: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "values": list(self.values)}


Dimension = Range | Options


def widest(name: str) -> Dimension:
    """The whole of a searchable setting: its table range, or all its options."""
    spec = searchable()[name]
    if isinstance(spec, params.Param):
        return Range(name, spec.low, spec.high, spec.log)
    return Options(name, tuple(value for value, _ in spec.options))


@dataclass(frozen=True)
class SearchSpace:
    """The searched settings; every other setting keeps the base config's (sliders') value."""

    dimensions: tuple[Dimension, ...] = ()

    @classmethod
    def possible(cls) -> SearchSpace:
        """Every searchable setting at its widest (what the Search panel can offer)."""
        return cls(tuple(widest(name) for name in searchable()))

    @classmethod
    def of(cls, *names: str) -> SearchSpace:
        """These settings at their widest (default: SUGGESTED)."""
        return cls(tuple(widest(name) for name in names or SUGGESTED))

    @property
    def names(self) -> list[str]:
        """The searched settings' names."""
        return [d.name for d in self.dimensions]

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON-ready."""
        return [d.to_dict() for d in self.dimensions]

    @classmethod
    def from_dict(cls, data: list[dict[str, Any]]) -> SearchSpace:
        """The inverse of to_dict."""
        dims: list[Dimension] = []
        for item in data:
            if "values" in item:
                dims.append(Options(str(item["name"]), tuple(item["values"])))
            else:
                dims.append(
                    Range(str(item["name"]), item["low"], item["high"], bool(item.get("log")))
                )
        return cls(tuple(dims))

    def problems(self) -> list[str]:
        """Why this space cannot be searched, a sentence each (empty: it can)."""
        if not self.dimensions:
            return ["Choose at least one setting to search."]
        problems: list[str] = []
        seen: set[str] = set()
        for dim in self.dimensions:
            if dim.name in seen:
                problems.append(f"{_label(dim.name)} is searched twice: keep one range.")
            seen.add(dim.name)
            problems.extend(_dimension_problems(dim))
        return problems

    def suggest(self, trial: optuna.trial.Trial) -> dict[str, Any]:
        """One value per searched setting, proposed by the trial's sampler."""
        proposed: dict[str, Any] = {}
        for dim in self.dimensions:
            if isinstance(dim, Options):
                proposed[dim.name] = trial.suggest_categorical(dim.name, list(dim.values))
            elif _is_integer(dim.name):
                low, high = _int_bounds(dim)
                proposed[dim.name] = trial.suggest_int(dim.name, low, high, log=dim.log)
            else:
                proposed[dim.name] = trial.suggest_float(
                    dim.name, float(dim.low), float(dim.high), log=dim.log
                )
        return proposed

    def grid(self, points: int) -> dict[str, list[Any]]:
        """The grid sampler's values: `points` per range (evenly, or evenly in log), cleaned
        as the setting cleans them and without repeats; every option of an Options."""
        grid: dict[str, list[Any]] = {}
        for dim in self.dimensions:
            if isinstance(dim, Options):
                grid[dim.name] = list(dim.values)
                continue
            spread = np.geomspace if dim.log else np.linspace
            raw = spread(float(dim.low), float(dim.high), max(points, 1))
            spec = params.SETTINGS[dim.name]
            cleaned = [_plain(spec.clean(float(v))) for v in raw]
            grid[dim.name] = list(dict.fromkeys(cleaned))
        return grid

    def grid_size(self, points: int) -> int:
        """How many trials the grid holds."""
        return math.prod(len(values) for values in self.grid(points).values())

    def top(self, base: TrainConfig) -> TrainConfig:
        """The base config with every range at its highest (and numeric options at their
        largest): the trial most likely to break a data or server limit."""
        changes: dict[str, Any] = {}
        for dim in self.dimensions:
            if isinstance(dim, Range):
                changes[dim.name] = dim.high
            elif dim.values and all(isinstance(v, int | float) for v in dim.values):
                changes[dim.name] = max(dim.values)
        return apply(base, changes)


def apply(base: TrainConfig, proposed: dict[str, Any]) -> TrainConfig:
    """A trial's config: the base (the sliders) with the proposed values; cleaned on
    construction as every TrainConfig is."""
    return TrainConfig.from_dict({**base.to_dict(), **proposed})


def trained_values(config: TrainConfig, space: SearchSpace) -> dict[str, Any]:
    """What a trial trains for each searched setting (after the config's cleaning)."""
    return {name: getattr(config, name) for name in space.names if hasattr(config, name)}


def space_problems(
    space: SearchSpace,
    base: TrainConfig,
    n_rows: int,
    dataset_name: str,
    limits: Limits | None = None,
) -> list[str]:
    """The space's own problems, then what config.check says of its largest trial."""
    problems = space.problems()
    if problems:
        return problems
    already = set(check(base, n_rows, dataset_name, limits))
    top = [p for p in check(space.top(base), n_rows, dataset_name, limits) if p not in already]
    return [f"At the top of the searched ranges: {p}" for p in top]


def _dimension_problems(dim: Dimension) -> list[str]:
    spec = params.SETTINGS.get(dim.name)
    if spec is None:
        return [f"{dim.name!r} is not a setting of LSTM Lab."]
    if dim.name not in searchable():
        why = NOT_SEARCHED.get(dim.name, "it scores a run, it does not train it")
        return [f"{spec.label} is not searched: {why}."]
    if isinstance(dim, Options):
        return _options_problems(dim, spec)
    if not isinstance(spec, params.Param):
        return [f"{spec.label} takes one of its options, not a range: pick options instead."]
    return _range_problems(dim, spec)


def _range_problems(dim: Range, spec: params.Param) -> list[str]:
    try:
        low, high = float(dim.low), float(dim.high)
    except (TypeError, ValueError):
        return [f"{spec.label}: the range needs two numbers."]
    if not (math.isfinite(low) and math.isfinite(high)):
        return [f"{spec.label}: the range needs two finite numbers."]
    if low > high:
        return [f"{spec.label}: the lowest value ({low:g}) is above the highest ({high:g})."]
    if low < spec.low or high > spec.high:
        return [
            f"{spec.label}: {low:g} to {high:g} goes outside the setting's range, "
            f"{spec.low:g} to {spec.high:g}."
        ]
    if dim.log and low <= 0:
        return [f"{spec.label}: a log range needs a lowest value above 0."]
    if low == high or (spec.integer and math.ceil(low) > math.floor(high)):
        return [
            f"{spec.label}: the range {low:g} to {high:g} holds a single value (or none): "
            "widen it, or set the slider and leave it out of the search."
        ]
    return []


def _options_problems(dim: Options, spec: params.Setting) -> list[str]:
    if len(dim.values) < 2:
        return [
            f"{spec.label}: pick at least two options to search, or set it in the page and "
            "leave it out of the search."
        ]
    if isinstance(spec, params.Choice):
        allowed = [value for value, _ in spec.options]
        wrong = [v for v in dim.values if not any(_same(v, a) for a in allowed)]
        if wrong:
            texts = ", ".join(spec.label_of(a) for a in allowed)
            return [f"{spec.label}: {wrong[0]!r} is not one of its options ({texts})."]
    else:
        numbers = [v for v in dim.values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) < len(dim.values) or not all(spec.low <= v <= spec.high for v in numbers):
            return [
                f"{spec.label}: every value must be a number from {spec.low:g} to {spec.high:g}."
            ]
    if len(set(map(repr, dim.values))) < len(dim.values):
        return [f"{spec.label}: an option is listed twice."]
    return []


def _same(value: Any, option: Any) -> bool:
    """Equal, and a bool only to a bool (True == 1 in Python)."""
    return bool(value == option) and isinstance(value, bool) == isinstance(option, bool)


def _is_integer(name: str) -> bool:
    spec = params.SETTINGS[name]
    return isinstance(spec, params.Param) and spec.integer


def _int_bounds(dim: Range) -> tuple[int, int]:
    return math.ceil(float(dim.low)), math.floor(float(dim.high))


def _plain(value: Any) -> Any:
    """A numpy number as the plain Python number Optuna stores and JSON writes."""
    return value.item() if isinstance(value, np.generic) else value


def _label(name: str) -> str:
    spec = params.SETTINGS.get(name)
    return spec.label if spec is not None else repr(name)
