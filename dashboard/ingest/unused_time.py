"""Why a column that looks like time is not the time axis: one sentence per such column for
the reader's report (dates in too many formats, a name like 'Date' over values that are no
dates, numbers named 'year' that are not evenly spaced years, a second date column)."""

from __future__ import annotations

import re

import pandas as pd

from dashboard.ingest import sniff

MAX_NOTES = 3
TIME_WORDS = frozenset(
    {"date", "time", "timestamp", "datetime", "period", "month", "year", "day", "week", "t"}
    | {"datum", "fecha", "data", "zeit", "jahr", "ano", "año", "hora", "mes"}
)


def named_like_time(name: str) -> bool:
    """True for 'Date', 'Time stamp', 'year', 'Fecha' (whole words only: not 'Runtime')."""
    return bool(TIME_WORDS & set(re.split(r"[\W_]+", name.strip().lower())))


def explain(frame: pd.DataFrame, time_column: str | None, notes: list[str]) -> None:
    """Add to `notes` why each column that looks like time is not the time axis (at most
    MAX_NOTES sentences)."""
    found = 0
    for name in frame.columns:
        if name == time_column or found == MAX_NOTES:
            continue
        column = frame[name]
        if column.dtype == object:
            reason = _text_reason(str(name), column, time_column)
        else:
            reason = _number_reason(str(name), column, time_column)
        if reason:
            notes.append(reason)
            found += 1


def _text_reason(name: str, column: pd.Series, time_column: str | None) -> str | None:
    sample = [str(v).strip() for v in column.dropna().head(200)]
    digits_first = sorted(sample, key=lambda v: not any(ch.isdigit() for ch in v))
    formats = sniff.datetime_formats(digits_first, threshold=0.5)
    if formats and time_column is not None:
        return (
            f"Column {name!r} also holds dates; {time_column!r} is the time axis "
            "(choose another in the Data tab)."
        )
    if formats:
        parsed, _fmt, _ = sniff.parse_dates(column.astype(str), formats)
        share = parsed.notna().sum() / max(1, column.notna().sum())
        bad = column[parsed.isna() & column.notna()].head(1).tolist()
        example = f" ({str(bad[0])[:30]!r} is not)" if bad else ""
        return (
            f"Column {name!r} looks like dates but only {share:.0%} of its values read as one "
            f"date format{example}, so the rows stay in file order."
        )
    if time_column is None and named_like_time(name) and sample:
        return (
            f"Column {name!r} is named like time but its values (such as {sample[0][:30]!r}) "
            "match no date format the reader knows, so the rows stay in file order."
        )
    return None


def _number_reason(name: str, column: pd.Series, time_column: str | None) -> str | None:
    if time_column is not None or not named_like_time(name):
        return None
    if not pd.api.types.is_numeric_dtype(column.dtype):
        return None
    values = column.dropna()
    if values.empty:
        return None
    if values.duplicated().any():
        why = "repeats its values"
    elif not values.between(1000, 3000).all():
        why = "holds numbers that are not years"
    else:
        why = "holds years that are not evenly spaced or in order"
    return f"Column {name!r} is named like time but {why}, so it is kept as a number column."
