"""The shape of a parsed table, and reshaping it so each series is one column.

- long ("tidy"): several series stacked, told apart by an id column (text, or whole numbers
  under an id-like name such as 'station'; a few distinct values, each timestamp repeated
  about once per id) beside the time column. Choices: one
  series (`id:<value>`, offered with its row count) or each id as a column (`pivot`; with
  several value columns they are named `<value>:<id>`);
- wide by time: one row per item, one column per period (W0..W51, 1960..2016, dates as
  headers). Choice: `transpose`, the items becoming columns and the periods rows;
- labelled sequences (`dashboard.ingest.labelled`): one row per sequence with a label
  column, or a long file with a sequence id and a label. Choice: `classify`, offered beside
  the others (kind `sequences` when it is the only one);
- plain: nothing to offer.

`detect` finds the shape (the reader reports it); `apply` makes an ordinary frame of a
choice, which the reader then tidies like a file (`dashboard.ingest.reader.reframe`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np
import pandas as pd

from dashboard.ingest import labelled, sniff
from dashboard.ingest.labelled import Labelled
from dashboard.ingest.sniff import DataError, plural

log = logging.getLogger(__name__)

PLAIN, LONG, WIDE, SEQUENCES = "plain", "long", "wide", "sequences"
AS_READ, PIVOT, TRANSPOSE, PICK = "as-read", "pivot", "transpose", "id:"
MAX_IDS = 100  # more distinct values than this is not "a few series"
MAX_ITEMS = 1000  # a wide file with more rows is not transposed into that many columns
MIN_PERIODS = 6
ID_WORDS = frozenset(
    {"id", "code", "station", "store", "shop", "site", "sensor", "item", "product", "symbol"}
    | {"ticker", "region", "country", "city", "series", "meter", "building", "zone", "device"}
)  # a column of whole numbers is an id column only when named like one
MAX_LABELS = 3  # text columns joined to name an item when none names each row once
MAX_CANDIDATES = 20
REPEATS = 0.3  # at least this share of rows repeat an earlier timestamp in a long file
CLASHES = 0.05  # at most this share of (time, id) pairs may repeat
PERIOD = "period"
_NUMBERED = re.compile(r"^(\D*?)\s*(\d+)$")


@dataclass(frozen=True)
class Shape:
    """What the reader found about the table's shape (JSON-friendly: lists, dicts, str)."""

    kind: str = PLAIN  # plain | long | wide | sequences (labelled sequences only)
    column: str | None = None  # long: the id column; wide: the column naming items, if any
    labels: list[str] = field(default_factory=list)  # wide: the text columns naming items
    ids: dict[str, int] = field(default_factory=dict)  # long: id -> rows, most rows first
    values: list[str] = field(default_factory=list)  # long: the value columns to pivot
    periods: list[str] = field(default_factory=list)  # wide: the period columns, in order
    period_kind: str = ""  # wide: "dates" | "years" | "numbered" (W0, W1, ...)
    items: int = 0  # wide: rows (items)
    sentence: str = ""
    labelled: Labelled | None = None  # labelled sequences: classify (a class default)

    def choices(self) -> dict[str, str]:
        """The reshaping choices offered: value -> label (not including 'as read')."""
        offered = self.labelled.choices() if self.labelled else {}
        if self.kind == LONG:
            pivot = {PIVOT: f"each {self.column} as a column ({plural(len(self.ids), 'id')})"}
            picks = {f"{PICK}{i}": f"one series: {i} ({n:,} rows)" for i, n in self.ids.items()}
            return offered | pivot | picks
        if self.periods:  # wide, or labelled sequences with periods as headers
            return offered | {TRANSPOSE: f"transpose: each of the {self.items:,} rows a column"}
        return offered


# -- detection -------------------------------------------------------------------------------


def detect(frame: pd.DataFrame, time_column: str | None, has_header: bool = True) -> Shape:
    """The table's shape: long (with a time column), wide (without), or plain; with the
    labelled sequences it may hold (kind `sequences`, unless long or wide by dates or years:
    numbered columns beside a label are more likely steps than periods, though transposing
    stays offered)."""
    if time_column is not None:
        shape = _long(frame, time_column) or Shape()
    else:
        shape = (_wide(frame) if has_header else None) or Shape()
    found = labelled.detect(frame, time_column, has_header)
    if found is None:
        return shape
    dated = shape.kind == LONG or shape.period_kind in ("dates", "years")
    kind = shape.kind if dated else SEQUENCES  # numbered columns beside a label: steps
    sentence = f"{shape.sentence} {found.sentence}".strip()
    return replace(shape, kind=kind, labelled=found, sentence=sentence)


def _clashes(frame: pd.DataFrame, time_column: str, name: str, rows: int) -> int | None:
    """Repeated (time, id) pairs if `name` can be an id column, else None."""
    distinct = frame[name].nunique()
    if distinct < 2 or distinct > MAX_IDS or distinct > rows / 2:
        return None
    clashes = int(frame.duplicated([time_column, name]).sum())
    return clashes if clashes <= CLASHES * rows else None


def id_text(column: pd.Series) -> pd.Series:
    """Ids as text ('AAPL'; 101.0 as '101'), missing ones as ''."""
    if column.dtype == np.float64:
        return column.astype("Int64").astype(str).replace("<NA>", "")
    return column.fillna("").astype(str)


def _named_like_id(name: str) -> bool:
    return bool(ID_WORDS & set(re.split(r"[\W_]+", name.strip().lower())))


def _id_candidates(frame: pd.DataFrame, time_column: str) -> list[str]:
    """Text columns, then whole-number columns named like ids ('station', 'store_id')."""
    others = [str(c) for c in frame.columns if c != time_column]
    texts = [c for c in others if frame[c].dtype == object]
    numbered = [
        c
        for c in others
        if frame[c].dtype == np.float64
        and _named_like_id(c)
        and bool((frame[c].dropna() % 1 == 0).all())
    ]
    return (texts + numbered)[:MAX_CANDIDATES]


def _long(frame: pd.DataFrame, time_column: str) -> Shape | None:
    rows = len(frame)
    if rows - frame[time_column].nunique() < REPEATS * rows:
        return None
    scored = {c: _clashes(frame, time_column, c, rows) for c in _id_candidates(frame, time_column)}
    found = {c: n for c, n in scored.items() if n is not None}
    if not found:
        return None
    name = min(found, key=lambda c: found[c])  # the fewest clashes; the first on a tie
    counts = id_text(frame[name]).value_counts()
    ids = {str(i): int(n) for i, n in counts.items() if i != ""}
    values = [str(c) for c in frame.columns if frame[c].dtype == np.float64 and c != name]
    shown = ", ".join(f"{i} ({n:,} rows)" for i, n in list(ids.items())[:3])
    more = ", ..." if len(ids) > 3 else ""
    sentence = (
        f"The file holds {len(ids)} series stacked by {name!r} ({shown}{more}); "
        "pick one series or put each in its own column."
    )
    return Shape(LONG, str(name), ids=ids, values=values, sentence=sentence)


def _date_headers(names: list[str]) -> list[str]:
    formats = sniff.datetime_formats([n for n in names if any(ch.isdigit() for ch in n)], 0.5)
    if not formats:
        return []
    parsed = pd.to_datetime(pd.Series(names), format=formats[0], errors="coerce")
    return [n for n, ok in zip(names, parsed.notna(), strict=True) if ok]


def _numbered_headers(names: list[str]) -> tuple[list[str], str]:
    """The longest run of headers sharing a prefix with rising numbers (W0, W1, ...)."""
    runs: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        match = _NUMBERED.match(name.strip())
        if match:
            runs.setdefault(match.group(1).strip(), []).append((name, int(match.group(2))))
    rising = {p: r for p, r in runs.items() if all(b[1] > a[1] for a, b in pairwise(r))}
    if not rising:
        return [], ""
    prefix = max(rising, key=lambda p: len(rising[p]))
    run = rising[prefix]
    years = prefix == "" and all(1000 <= n <= 3000 for _, n in run)
    return [n for n, _ in run], "years" if years else "numbered"


def _wide(frame: pd.DataFrame) -> Shape | None:
    numbers = [str(c) for c in frame.columns if frame[c].dtype == np.float64]
    periods, kind = _date_headers(numbers), "dates"
    if len(periods) < MIN_PERIODS:
        periods, kind = _numbered_headers(numbers)
    if len(periods) < MIN_PERIODS or len(periods) < 0.5 * len(numbers):
        return None
    if not 2 <= len(frame) <= MAX_ITEMS:
        return None
    labels = _label_columns(frame)
    sentence = (
        f"The file has one row per item and one column per period ({periods[0]} to "
        f"{periods[-1]}); transpose it so that each of its {len(frame):,} rows becomes a column."
    )
    return Shape(
        WIDE,
        labels[0] if labels else None,
        labels=labels,
        periods=periods,
        period_kind=kind,
        items=len(frame),
        sentence=sentence,
    )


def _label_columns(frame: pd.DataFrame) -> list[str]:
    """The first text column naming each row once (e.g. 'Country Name'), else the first few
    text columns together ('Hubei / China'), else none (rows named 'row 1', 'row 2', ...)."""
    texts = [str(c) for c in frame.columns if frame[c].dtype == object]
    unique = [c for c in texts if frame[c].notna().all() and frame[c].is_unique]
    return unique[:1] or texts[:MAX_LABELS]


# -- applying a choice -----------------------------------------------------------------------


def apply(frame: pd.DataFrame, time_column: str | None, shape: Shape, choice: str) -> pd.DataFrame:
    """An ordinary frame made by one of `shape.choices()` (for `classify`, see `classified`);
    raises DataError if the choice does not fit the shape (the page offers only those that do)."""
    if shape.kind == LONG and time_column is not None and shape.column is not None:
        if choice == PIVOT:
            return pivot(frame, time_column, shape.column, shape.values)
        if choice.startswith(PICK) and choice.removeprefix(PICK) in shape.ids:
            return pick(frame, shape.column, choice.removeprefix(PICK))
    if shape.periods and choice == TRANSPOSE:
        return transpose(frame, shape)
    raise DataError(f"This file cannot be reshaped by {choice!r}; choose another way.")


def pick(frame: pd.DataFrame, column: str, value: str) -> pd.DataFrame:
    """The rows whose `column` is `value`, without that column."""
    keep = id_text(frame[column]) == value
    return frame.loc[keep].drop(columns=[column]).reset_index(drop=True)


def pivot(frame: pd.DataFrame, time_column: str, column: str, values: list[str]) -> pd.DataFrame:
    """One row per timestamp, one column per id (per value column and id, named
    '<value>:<id>', when there are several); repeated (time, id) pairs are averaged."""
    keyed = frame[[time_column, column, *values]].dropna(subset=[column])
    keyed = keyed.assign(**{column: id_text(keyed[column])})
    means = keyed.groupby([time_column, column], sort=True)[values].mean()
    wide = pd.DataFrame(means.unstack(column))
    values_ids = zip(
        wide.columns.get_level_values(0), wide.columns.get_level_values(1), strict=True
    )
    wide.columns = pd.Index([f"{v}:{i}" if len(values) > 1 else str(i) for v, i in values_ids])
    return wide.reset_index()


def _period_axis(shape: Shape) -> pd.Series:
    labels = pd.Series(shape.periods)
    if shape.period_kind == "years":
        return pd.to_datetime(labels, format="%Y")
    if shape.period_kind == "dates":
        return pd.to_datetime(labels, format=sniff.datetime_formats(shape.periods)[0])
    return labels


def transpose(frame: pd.DataFrame, shape: Shape) -> pd.DataFrame:
    """One row per period, one column per item (named by the label column, or 'row n')."""
    if shape.labels:
        parts = frame[shape.labels].fillna("").astype(str).apply(lambda c: c.str.strip())
        names = [" / ".join(p for p in row if p) for row in parts.itertuples(index=False)]
    else:
        names = [f"row {i + 1}" for i in range(len(frame))]
    body = frame[shape.periods].to_numpy(dtype=np.float64).T
    filled = ~np.isnan(body).all(axis=1)  # a period without any value (e.g. this year's)
    out = pd.DataFrame(body[filled], columns=pd.Index(names, dtype=object))
    axis = _period_axis(shape)[filled].reset_index(drop=True)
    out.insert(0, PERIOD if PERIOD not in names else "__period__", axis)
    return out


def reshaped(
    frame: pd.DataFrame, time_column: str | None, shape: Shape, choice: str
) -> tuple[pd.DataFrame, list[str]]:
    """(the frame that `choice` makes, notes on what was done): `apply` or `classified`."""
    if choice.startswith(labelled.CLASSIFY):
        return classified(frame, shape, choice)
    return apply(frame, time_column, shape, choice), [describe(shape, choice)]


def classified(frame: pd.DataFrame, shape: Shape, choice: str) -> tuple[pd.DataFrame, list[str]]:
    """(one row per labelled sequence, the label first; notes) for a `classify` choice."""
    if shape.labelled is None:
        raise DataError("This file holds no labelled sequences to classify.")
    return labelled.apply(frame, shape.labelled, choice)


def describe(shape: Shape, choice: str) -> str:
    """What applying `choice` did, for the reshaped table's report."""
    if choice == PIVOT:
        named = "<value>:<id>" if len(shape.values) > 1 else "the id"
        return f"Put each {shape.column} in its own column, named {named}."
    if choice.startswith(PICK):
        value = choice.removeprefix(PICK)
        rows = shape.ids.get(value, 0)
        return f"Kept the {rows:,} rows whose {shape.column} is {value!r}."
    return (
        f"Transposed: each of the {shape.items:,} rows is a column, "
        f"each period ({shape.periods[0]} to {shape.periods[-1]}) a row."
    )
