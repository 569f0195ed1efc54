"""Time axes written without a calendar date, for `dashboard.ingest.sniff.find_time`:

- year-index-month labels such as `1-01` .. `3-12` (month 1 of year 1 .. month 12 of year 3,
  as in classic teaching data sets): year n becomes BASE_YEAR + n so pandas can hold it;
- a bare column of years (1990, 1991, ...) that is not named "year" (those are found with
  the year/month/day columns), when it is the first column or named like time.

Each finder returns (times, source columns, name) like sniff's other finders, or None.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

BASE_YEAR = 2000  # year-index label '1-01' is shown as 2001-01-01
MAX_CANDIDATES = 20
LABEL_PATTERN = r"^\s*(\d{1,2})-(\d{1,2})\s*$"
TIME_NAMES = frozenset(
    {"date", "time", "period", "t", "year", "years", "yr", "jahr", "ano", "año", "année", "annee"}
)
COUNTER_NAMES = frozenset({"no", "no.", "nr", "index", "idx", "id", "#", "row", "rownum", "n"})

Found = tuple[pd.Series, list[str], str]


def _month_steps(years: pd.Series, months: pd.Series) -> np.ndarray:
    return np.diff((years * 12 + months).to_numpy(dtype=float))


def _label_parts(column: pd.Series) -> pd.DataFrame | None:
    """(year, month) numbers of a column of 'y-mm' labels, or None if it is not one."""
    sample = column.dropna().astype(str).head(200)
    if len(sample) < 3 or not sample.str.fullmatch(LABEL_PATTERN).all():
        return None
    head = sample.str.extract(LABEL_PATTERN).astype(float)
    if not head[1].between(1, 12).all():
        return None
    steps = np.abs(_month_steps(head[0], head[1]))
    if not len(steps) or pd.Series(steps).mode().iloc[0] != 1:  # month after month
        return None
    return column.astype("string").str.extract(LABEL_PATTERN).astype(float)


def from_labels(frame: pd.DataFrame, notes: list[str]) -> Found | None:
    """A text column of year-index-month labels ('1-01', '2-11') as month starts."""
    texts = [c for c in frame.columns if frame[c].dtype == object][:MAX_CANDIDATES]
    for name in texts:
        parts = _label_parts(frame[name])
        if parts is None:
            continue
        spec = pd.DataFrame({"year": BASE_YEAR + parts[0], "month": parts[1], "day": 1})
        times = pd.to_datetime(spec, errors="coerce")
        notes.append(
            f"Read {name!r} as year-month labels ('1-01' is month 1 of year 1), "
            f"year 1 shown as {BASE_YEAR + 1}."
        )
        return times, [str(name)], str(name)
    return None


def _is_year_run(column: pd.Series) -> bool:
    values = column.dropna().to_numpy(dtype=float)
    if len(values) < 3 or not np.all(values == np.round(values)):
        return False
    if values.min() < 1000 or values.max() > 3000:
        return False
    steps = np.diff(values)
    return bool(np.all(steps == steps[0]) and 0 < abs(steps[0]) <= 10)


def from_years(frame: pd.DataFrame, notes: list[str]) -> Found | None:
    """A numeric column of evenly spaced years (1990, 1991, ... or newest first) that is the
    first column or named like time (date, period, t, ...), as January 1st of each year."""
    for pos, name in enumerate(frame.columns):
        lower = str(name).strip().lower()
        named = lower in TIME_NAMES
        if not (named or pos == 0) or lower in COUNTER_NAMES:
            continue
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column.dtype) or not _is_year_run(column):
            continue
        years = column.astype("Int64").astype("string")
        times = pd.to_datetime(years, format="%Y", errors="coerce")
        first, last = sorted([int(column.dropna().iloc[0]), int(column.dropna().iloc[-1])])
        notes.append(f"Read {name!r} as years ({first} to {last}).")
        return pd.Series(times.to_numpy(), index=frame.index), [str(name)], str(name)
    return None
