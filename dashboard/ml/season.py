"""The season of a series (steps per cycle), read from its time index.

`season_of` is what the `season` setting's 0 ("from the data") means; the training job calls
`resolve_season` before it trains, so a run record and an exported script carry the concrete
number. From a notebook: `config = resolve_season(config, frame.index)`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.ml.config import TrainConfig

# the steps of one season for a regular spacing: hourly -> a day, daily -> a week, weekly,
# monthly and quarterly -> a year
_BY_OFFSET: tuple[tuple[type, int], ...] = (
    (pd.offsets.Hour, 24),
    (pd.offsets.Day, 7),
    (pd.offsets.Week, 52),
    (pd.offsets.MonthBegin, 12),
    (pd.offsets.MonthEnd, 12),
    (pd.offsets.BusinessMonthBegin, 12),
    (pd.offsets.BusinessMonthEnd, 12),
    (pd.offsets.QuarterBegin, 4),
    (pd.offsets.QuarterEnd, 4),
    (pd.offsets.BQuarterBegin, 4),
    (pd.offsets.BQuarterEnd, 4),
)
# the same by the median gap between timestamps, in days (for series with a few gaps)
_BY_GAP_DAYS: tuple[tuple[float, float, int], ...] = (
    (1 / 24, 1 / 24, 24),
    (1, 1, 7),
    (7, 7, 52),
    (28, 31, 12),
    (89, 92, 4),
)

PERIOD_NAMES = {24: "daily", 7: "weekly", 52: "yearly", 12: "yearly", 4: "yearly"}


def season_of(index: pd.Index) -> int:
    """Steps per season of a series with this index: hourly 24, daily 7, weekly 52, monthly
    12, quarterly 4; 0 (no season) for any other spacing and for data in plain row order."""
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp()
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return 0
    freq = index.freq
    if freq is None:
        try:
            inferred = pd.infer_freq(index)
        except (TypeError, ValueError):
            inferred = None
        freq = pd.tseries.frequencies.to_offset(inferred) if inferred else None
    if freq is not None:
        return _season_of_offset(freq)
    return _season_of_gap(index)


def _season_of_offset(offset: pd.offsets.BaseOffset) -> int:
    if offset.n != 1:
        return 0
    return next((m for kind, m in _BY_OFFSET if isinstance(offset, kind)), 0)


def _season_of_gap(index: pd.DatetimeIndex) -> int:
    """A regular spacing with a few gaps (a missing day): judged by the median gap."""
    gaps = np.diff(index.sort_values().asi8) / 86_400e9  # nanoseconds -> days
    if not len(gaps):
        return 0
    median = float(np.median(gaps))
    return next((m for low, high, m in _BY_GAP_DAYS if low <= median <= high), 0)


def period_name(season: int) -> str:
    """The cycle a season of this length usually is ("weekly" for 7), for sentences."""
    return PERIOD_NAMES.get(season, f"{season}-step")


def resolve_season(config: TrainConfig, index: pd.Index) -> TrainConfig:
    """`config` with season 0 ("from the data") replaced by the season of `index`."""
    if config.season or config.task != "forecast":
        return config
    return replace(config, season=season_of(index))
