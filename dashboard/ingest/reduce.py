"""Making a large upload smaller before training, the ways people do it: resample to a
coarser step (the mean, sum or last value per hour or per day; needs a time axis), or keep
only the most recent rows. `reduce_frame` returns an ordinary frame that the reader then
tidies like a file (`dashboard.ingest.reader.reframe`), with a note of what was done.

Choices are strings, as the page holds them: `resample:<rule>:<how>` (rule `h` or `D`, how
`mean`, `sum` or `last`) and `recent:<rows>`; `none` means the upload as it was.
"""

from __future__ import annotations

import pandas as pd

from dashboard.ingest.sniff import DataError

NONE, RESAMPLE, RECENT = "none", "resample", "recent"
RULES = {"h": "hour", "D": "day"}
HOWS = {"mean": "mean", "sum": "sum", "last": "last value"}
MIN_ROWS = 10


def choices(has_time: bool) -> dict[str, str]:
    """The reductions offered: value -> label (resampling only with a time axis; the most
    recent rows are offered apart, with their count)."""
    offered = {NONE: "all rows (as uploaded)"}
    if has_time:
        for rule, step in RULES.items():
            offered |= {
                f"{RESAMPLE}:{rule}:{how}": f"{word} per {step}" for how, word in HOWS.items()
            }
    return offered | {RECENT: "only the most recent rows"}


def recent_choice(rows: int) -> str:
    """The choice that keeps the most recent `rows` rows."""
    return f"{RECENT}:{int(rows)}"


def describe(choice: str) -> str:
    """A short name of a reduction, for the reduced upload's name: 'daily means'."""
    kind, _, rest = choice.partition(":")
    if kind == RECENT:
        return f"last {int(rest):,} rows"
    rule, _, how = rest.partition(":")
    return f"{HOWS.get(how, how)} per {RULES.get(rule, rule)}"


def reduce_frame(
    frame: pd.DataFrame, time_column: str | None, choice: str
) -> tuple[pd.DataFrame, str]:
    """(the smaller frame, a note saying what was done); raises DataError with a sentence
    for a choice that cannot apply (no time axis, already coarse, too few rows)."""
    kind, _, rest = choice.partition(":")
    if kind == RECENT:
        if not rest.isdigit():
            raise DataError(f"Type a whole number of rows to keep, at least {MIN_ROWS}.")
        return _recent(frame, int(rest))
    rule, _, how = rest.partition(":")
    if kind == RESAMPLE and rule in RULES and how in HOWS:
        if time_column is None:
            raise DataError(
                "Resampling needs a time axis; choose one under Time axis, or keep only the "
                "most recent rows."
            )
        return _resample(frame, time_column, rule, how)
    raise DataError(f"{choice!r} is not a way to make the data smaller; choose one offered.")


def _recent(frame: pd.DataFrame, rows: int) -> tuple[pd.DataFrame, str]:
    if rows < MIN_ROWS:
        raise DataError(f"Keep at least {MIN_ROWS} rows: a series needs them.")
    if rows >= len(frame):
        raise DataError(
            f"The data has {len(frame):,} rows, not more than {rows:,}; "
            "choose a smaller number of rows."
        )
    note = f"Kept the most recent {rows:,} of {len(frame):,} rows."
    return frame.iloc[-rows:].reset_index(drop=True), note


def _resample(
    frame: pd.DataFrame, time_column: str, rule: str, how: str
) -> tuple[pd.DataFrame, str]:
    numbers = [
        c for c in frame.columns if c != time_column and pd.api.types.is_numeric_dtype(frame[c])
    ]
    grouped = frame.set_index(time_column)[numbers].resample(rule)
    made = grouped.sum(min_count=1) if how == "sum" else grouped.agg(how)
    made = made.dropna(how="all")  # steps without any row (nights, weekends) are left out
    step = RULES[rule]
    if len(made) >= len(frame):
        raise DataError(
            f"The rows are already one {step} apart or more; choose a coarser step or keep "
            "only the most recent rows."
        )
    if len(made) < MIN_ROWS:
        raise DataError(
            f"Only {len(made)} {step}s remain after resampling; a series needs at least "
            f"{MIN_ROWS}: choose a finer step."
        )
    note = f"Resampled to the {HOWS[how]} per {step}: {len(frame):,} rows became {len(made):,}."
    return made.reset_index(), note
