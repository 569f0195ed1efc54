"""Helpers of `dashboard.ingest.reader`: sniffing an upload and finding its time axis.

- bytes: encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else cp1252/latin-1), binary check;
- dialect, from the first ~64 KB with plain Python: separator, lines before the header,
  header or not, decimal comma and thousands marks (the reader then makes one pandas call);
- the time column of the parsed frame: one column, a date + a time column, or
  year/month/day/hour columns, with the strptime format guessed from a sample so pandas
  parses with an explicit `format=` (fast), and day-first vs month-first settled on all rows;
- the frequency (a pandas alias), gaps, and sentinel values such as -200 that may mean missing.

Nothing here evaluates, executes or unpickles the user's bytes.
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from dashboard.ingest import periods

log = logging.getLogger(__name__)

SAMPLE_BYTES = 65_536
MAX_SAMPLE_LINES = 200
MAX_SAMPLE_CELLS = 20_000
SEPARATORS = (",", ";", "\t", "|")
WHITESPACE = " "  # stands for "runs of whitespace" (pandas sep=r"\s+")

# Cells read as missing, on top of pandas' defaults ("", "NA", "N/A", "nan", "null", ...).
EXTRA_NA_VALUES = ["?", "-", "--", "na", "n.a.", "NAN", "Nan", "missing", "#VALUE!", "#DIV/0!"]
_NA_TOKENS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "?", "-", "--", "#n/a", "nat", "n.a.", "missing"}
    | {"inf", "-inf", "+inf", "infinity", "-infinity"}
)

_NUMBER = re.compile(r"^[+-]?(?:\d[\d.,']*|[.,]\d+)(?:[eE][+-]?\d+)?%?$")
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\s*\d.*)?$|^\d{4}[-/]\d{1,2}$")
_TIME_LIKE = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$|^\d{1,2}\.\d{2}\.\d{2}$|^\d{4} UTC$")
_DOT_DEC = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_COMMA_DEC = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_COMMA_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DOT_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_ISO_TZ = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$"
)

DATE_PARTS = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%m.%d.%Y",
    "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%Y%m%d",
)  # fmt: skip
TEXT_DATES = (
    "%d %b %Y", "%d-%b-%Y", "%b %d, %Y", "%b %d %Y", "%d %B %Y", "%B %d, %Y",
    "%Y-%m", "%Y/%m", "%b %Y", "%b-%y", "%B %Y", "%d-%b-%y",
)  # fmt: skip
TIME_PARTS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%H.%M.%S", "%H%M UTC", "%I:%M:%S %p", "%I:%M %p")
DATETIME_FORMATS = (
    tuple(f"{d}{sep}{t}" for d in DATE_PARTS for sep in (" ", "T") for t in TIME_PARTS[:4])
    + tuple(f"{d} {t}" for d in DATE_PARTS for t in TIME_PARTS[5:])  # 12-hour clock, AM/PM
    + DATE_PARTS
    + TEXT_DATES
)
ISO8601 = "ISO8601"
SENTINELS = (-200.0, -99.0, -999.0, -9999.0, -99999.0, 999.0, 9999.0, 99999.0)


class DataError(ValueError):
    """A problem with the user's file, with a one-sentence message fit to show in the page."""


@dataclass(frozen=True)
class Dialect:
    """How a text table is written, as sniffed from its first lines."""

    encoding: str  # the codec pandas should use
    label: str  # the encoding as reported to the user
    separator: str  # one of SEPARATORS, or WHITESPACE for runs of blanks
    decimal: str
    thousands: str | None
    parser_thousands: bool  # False when dates in the file contain the thousands mark
    skip: int  # lines before the header (or before the first data line)
    has_header: bool
    skipinitialspace: bool


# -- bytes ---------------------------------------------------------------------------------


def normalise_bytes(data: bytes) -> tuple[bytes, str | None]:
    """Return bytes pandas can read and a forced encoding label (UTF-16 becomes UTF-8)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(
                "The file starts like UTF-16 text but is not valid UTF-16; save it as UTF-8 CSV."
            ) from exc
    return data, None


def check_text(data: bytes) -> None:
    """Raise DataError for empty or binary (non-text) content."""
    if not data or data.isspace():
        raise DataError("The file is empty; choose a CSV file with a header row and some rows.")
    head = data[:8192]
    if b"\x00" in head:
        raise DataError(
            "This file is not a text table (it contains binary data); "
            "upload a .csv, .tsv, .txt or .xlsx file."
        )
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(head) * 0.01:
        raise DataError(
            "This file is not a text table (it contains control characters); "
            "upload a .csv, .tsv, .txt or .xlsx file."
        )


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) if the bytes decode as such, else cp1252 or latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.isascii():
        return "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if re.search(rb"[\x80-\x9f]", data[: SAMPLE_BYTES * 4]):
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1"
        return "cp1252"
    return "latin-1"


def sample_lines(data: bytes, encoding: str) -> list[str]:
    """The first lines of the file, decoded; a line cut by the sample's end is left out."""
    chunk = data[:SAMPLE_BYTES]
    text = chunk.decode(encoding, errors="replace")
    lines = re.split(r"\r\n|\n|\r", text)
    if len(data) > SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines[:MAX_SAMPLE_LINES]


# -- cells -----------------------------------------------------------------------------------


def split_line(line: str, sep: str) -> list[str]:
    """Split one line the way pandas will (quotes respected), cells stripped."""
    if sep == WHITESPACE:
        return line.split()
    row = next(csv.reader([line], delimiter=sep), [])
    return [cell.strip() for cell in row]


def is_missing(cell: str) -> bool:
    """True for the usual missing-value markers (empty, NA, ?, -, nan...)."""
    return cell.strip().lower() in _NA_TOKENS


def looks_like_number(cell: str) -> bool:
    """True for 12, -3.5, 2,6, ,7, 1.135.124,50, 4,787,699, 1e-3."""
    return bool(_NUMBER.match(cell.strip()))


def looks_like_data(cell: str) -> bool:
    """True for a number, a missing marker, a date or a time: what a data row holds."""
    cell = cell.strip()
    return (
        is_missing(cell)
        or looks_like_number(cell)
        or bool(_DATE_LIKE.match(cell) or _TIME_LIKE.match(cell))
    )


def is_header_row(cells: Sequence[str]) -> bool:
    """A row is a header unless every cell reads as data and at least one as a number."""
    if not any(looks_like_number(c) for c in cells):
        return True
    return not all(looks_like_data(c) for c in cells)


def plural(count: int, word: str) -> str:
    """'1 row', '3 rows'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def is_counter(values: np.ndarray) -> bool:
    """True for 0, 1, 2, ... or 1, 2, 3, ...: a column that only numbers the rows."""
    return len(values) > 1 and values[0] in (0, 1) and bool(np.all(np.diff(values) == 1))


# -- separator and header ----------------------------------------------------------------------


def _mode_share(counts: list[int]) -> tuple[int, float]:
    if not counts:
        return 1, 0.0
    width, hits = Counter(counts).most_common(1)[0]
    return width, hits / len(counts)


def _data_share(rows: Iterable[list[str]]) -> float:
    cells = [c for row in rows for c in row][: MAX_SAMPLE_CELLS // 4]
    return sum(map(looks_like_data, cells)) / len(cells) if cells else 0.0


def _score(lines: list[str], sep: str) -> tuple[bool, float, float, int]:
    rows = [split_line(line, sep) for line in lines]
    width, share = _mode_share([len(r) for r in rows])
    clean = _data_share(r for r in rows[1:] if len(r) == width)
    return share >= 0.9, round(clean, 2), share, width


def choose_separator(lines: list[str]) -> tuple[str, int]:
    """The separator giving the most consistent column count above one, and that count."""
    body = [line for line in lines if line.strip()]
    scored = [(_score(body, sep), sep) for sep in SEPARATORS]
    scored = [(s, sep) for s, sep in scored if s[3] > 1 and s[2] >= 0.5]
    best = max(scored, key=lambda item: item[0]) if scored else None
    if best is not None and best[0][2] >= 0.8:
        return best[1], best[0][3]
    spaces = _mode_share([len(line.split()) for line in body])
    if spaces[0] > 1 and spaces[1] >= 0.8:
        return WHITESPACE, spaces[0]
    if best is not None:
        return best[1], best[0][3]
    return ",", 1


def table_start(counts: list[int], width: int, header_like: Callable[[int], bool]) -> int:
    """Index of the header (or first data row): the first line as wide as the data, moved past
    a blank line when what follows the blank also looks like a header (title lines above)."""
    ok = [c > 0 and (width == 1 or c >= max(2, width - 1)) for c in counts]
    start = next((i for i, fits in enumerate(ok) if fits), 0)
    while True:
        after = next((j for j in range(start + 1, len(counts)) if counts[j]), None)
        if after is None or after == start + 1 or not ok[after] or not header_like(after):
            return start
        start = after


def find_start(lines: list[str], sep: str, width: int) -> int:
    """Index of the header line (or first data line) in the sample."""
    rows = [split_line(line, sep) if line.strip() else [] for line in lines]
    return table_start([len(r) for r in rows], width, lambda i: is_header_row(rows[i]))


def sheet_layout(rows: list[list[str]]) -> tuple[int, bool]:
    """(index of the header or first data row, whether it is a header) for a sheet's rows."""
    widths = [len(r) - next((i for i, c in enumerate(reversed(r)) if c), len(r)) for r in rows]
    width = max(set(widths), key=widths.count)
    start = table_start(widths, width, lambda i: is_header_row(rows[i][:width]))
    return start, is_header_row(rows[start][:width])


# -- numbers ---------------------------------------------------------------------------------


def _evidence(cells: Iterable[str]) -> Counter[str]:
    seen: Counter[str] = Counter()
    for cell in cells:
        if _COMMA_GROUPS.match(cell):
            seen["comma_groups" if cell.count(",") > 1 or "." in cell else "comma_amb"] += 1
        elif _COMMA_DEC.match(cell):
            seen["comma_dec"] += 1
        if _DOT_GROUPS.match(cell):
            seen["dot_groups" if cell.count(".") > 1 or "," in cell else "dot_amb"] += 1
        elif _DOT_DEC.match(cell):
            seen["dot_dec"] += 1
    return seen


def number_format(cells: list[str], sep: str) -> tuple[str, str | None]:
    """(decimal, thousands) from the data cells: `2,6` and `1.135.124,50` mean a decimal comma."""
    seen = _evidence(cells)
    comma_votes = seen["comma_dec"] + seen["dot_groups"]
    dot_votes = seen["dot_dec"] + seen["comma_groups"]
    if comma_votes > dot_votes or (
        not comma_votes and not dot_votes and seen["comma_amb"] and sep == ";"
    ):
        return ",", "." if seen["dot_groups"] or seen["dot_amb"] else None
    return ".", "," if seen["comma_groups"] or seen["comma_amb"] else None


def _dates_use(cells: list[str], mark: str) -> bool:
    return any(mark in c and (_DATE_LIKE.match(c) or _TIME_LIKE.match(c)) for c in cells)


# -- the whole dialect -------------------------------------------------------------------------


def sniff(data: bytes, encoding: str, label: str) -> Dialect:
    """Work out separator, header position and number format from the first lines."""
    lines = sample_lines(data, encoding)
    sep, width = choose_separator(lines)
    start = find_start(lines, sep, width)
    first = split_line(lines[start], sep) if lines else []
    has_header = is_header_row(first)
    rows = [split_line(line, sep) for line in lines[start + int(has_header) :] if line.strip()]
    cells = [c for row in rows for c in row if c][:MAX_SAMPLE_CELLS]
    decimal, thousands = number_format(cells, sep)
    raw_cells = [c for line in lines[start + 1 :] for c in line.split(sep)] if sep != " " else []
    raw_cells = raw_cells[:MAX_SAMPLE_CELLS]
    padded = sum(c.startswith(" ") for c in raw_cells if c.strip())
    dialect = Dialect(
        encoding=encoding,
        label=label,
        separator=sep,
        decimal=decimal,
        thousands=thousands,
        parser_thousands=thousands is not None and not _dates_use(cells, thousands),
        skip=start,
        has_header=has_header,
        skipinitialspace=padded > 0.5 * max(1, sum(1 for c in raw_cells if c.strip())),
    )
    log.debug("sniffed %s", dialect)
    return dialect


# -- dates -----------------------------------------------------------------------------------


def _parses(value: str, fmt: str) -> bool:
    if fmt == ISO8601:
        return bool(_ISO_TZ.match(value))
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _skeleton(text: str, is_format: bool = False) -> str:
    """'2020-01-31 17:00' and '%Y-%m-%d %H:%M' both become '9-9-9 9:9'; 'Jan 5' -> 'a 9'.
    Runs of blanks count as one (strptime and pandas read a format's blank as any run)."""
    if is_format:
        text = re.sub(r"%[bBpaA]", "a", re.sub(r"%[YmdyHMSIf]", "9", text))
    return re.sub(r"\s+", " ", re.sub(r"[A-Za-z]+", "a", re.sub(r"\d+", "9", text)))


def _best_formats(values: list[str], formats: Sequence[str], threshold: float) -> list[str]:
    """The formats that read the largest share (at least `threshold`) of `values`, in order."""
    if not values:
        return []
    shapes = {_skeleton(v) for v in list(dict.fromkeys(values))[:5]}
    maybe = [f for f in formats if f == ISO8601 or _skeleton(f, is_format=True) in shapes]
    shares = {f: sum(_parses(v, f) for v in values) / len(values) for f in maybe}
    top = max(shares.values(), default=0.0)
    if top < threshold:
        return []
    return [f for f, s in shares.items() if s == top]


def datetime_formats(values: list[str], threshold: float = 0.9) -> list[str]:
    """Candidate strptime formats (ties in priority order, day-first before month-first)."""
    values = [v.strip() for v in values if v and v.strip()]
    if not values or not any(ch.isdigit() for ch in values[0]):
        return []
    return _best_formats(values, (*DATETIME_FORMATS, ISO8601), threshold)


def time_formats(values: list[str], threshold: float = 0.9) -> list[str]:
    """Candidate formats for a time-of-day-only column such as 17:24:00, 18.00.00, 0000 UTC."""
    values = [v.strip() for v in values if v and v.strip()]
    return _best_formats(values, TIME_PARTS, threshold)


def has_clock(fmt: str) -> bool:
    """True if a format carries a time of day."""
    return fmt == ISO8601 or "%H" in fmt or "%I" in fmt


# -- the time column (on the parsed frame) -----------------------------------------------------

PART_NAMES = {
    "year": ("year", "yr", "yyyy", "ano", "año", "jahr"),
    "month": ("month", "mon", "mes", "monat"),
    "day": ("day", "dd", "dia", "día", "tag"),
    "hour": ("hour", "hr", "hora", "stunde"),
    "minute": ("minute", "minutes"),
}
TIME_HINTS = ("time", "hora", "hour", "zeit", "heure")
MAX_TIME_CANDIDATES = 20


@dataclass(frozen=True, eq=False)
class TimeFound:
    """The frame with its time column first (rows sorted, unreadable times dropped)."""

    frame: pd.DataFrame
    name: str | None
    was_sorted: bool


def find_time(frame: pd.DataFrame, notes: list[str]) -> TimeFound:
    """Find the time: a datetime column, date text (maybe split into a date and a time column),
    year/month/day(/hour) number columns, or the periods of `dashboard.ingest.periods`
    (year-index-month labels, a bare column of years); put it first and sort the rows by it.
    `frame` is changed in place (its source columns are replaced by the time column)."""
    found = (
        _from_datetime_dtype(frame)
        or _from_text(frame, notes)
        or _from_parts(frame)
        or periods.from_labels(frame, notes)
        or periods.from_years(frame, notes)
    )
    if found is None:
        return TimeFound(frame, None, False)
    times, sources, name = found
    return _place_time(frame, times, sources, name, notes)


def _fresh_name(frame: pd.DataFrame, sources: list[str]) -> str:
    taken = set(frame.columns) - set(sources)
    return next(n for n in ("time", "timestamp", "time_1", "time_2", "__time__") if n not in taken)


def _from_parts(frame: pd.DataFrame) -> tuple[pd.Series, list[str], str] | None:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    parts: dict[str, str] = {}
    for unit, names in PART_NAMES.items():
        col = next((lower[n] for n in names if n in lower), None)
        if col is not None and pd.api.types.is_numeric_dtype(frame[col].dtype):
            parts[unit] = col
    years = frame[parts["year"]].dropna() if "year" in parts else pd.Series(dtype=float)
    if years.empty or not years.between(1000, 3000).all():
        return None
    spec = pd.DataFrame({unit: frame[col] for unit, col in parts.items()})
    for unit in ("month", "day"):
        if unit not in spec:
            spec[unit] = 1
    times = pd.to_datetime(spec, errors="coerce")
    sources = list(parts.values())
    return times, sources, _fresh_name(frame, sources)


def _from_datetime_dtype(frame: pd.DataFrame) -> tuple[pd.Series, list[str], str] | None:
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            if isinstance(column.dtype, pd.DatetimeTZDtype):
                column = column.dt.tz_convert(None)
            return column, [name], name
    return None


def _sample(column: pd.Series) -> list[str]:
    return [str(v) for v in column.iloc[:2000].dropna().head(200)]


def _to_datetime(column: pd.Series, fmt: str) -> pd.Series:
    if fmt == ISO8601:
        parsed = pd.to_datetime(column, format=fmt, errors="coerce", utc=True)
        return parsed.dt.tz_convert(None)
    return pd.to_datetime(column, format=fmt, errors="coerce")


def _order_key(parsed: pd.Series) -> tuple[int, int, pd.Timedelta]:
    span = parsed.max() - parsed.min() if parsed.notna().any() else pd.Timedelta(0)
    return int(parsed.isna().sum()), int((parsed.diff() < pd.Timedelta(0)).sum()), span


def _compress(column: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """Distinct values and codes when values repeat (a date or a clock time per row of minute
    data), so each distinct string is parsed once; else the column itself and None."""
    if len(column) < 5000:
        return column, None
    spread = column.iloc[:: max(1, len(column) // 2000)]
    if spread.nunique() > 0.9 * len(spread):
        return column, None
    codes, uniques = pd.factorize(column)
    return pd.Series(uniques, dtype=object), codes


def _expand(parsed: pd.Series, codes: np.ndarray | None, index: pd.Index) -> pd.Series:
    if codes is None:
        return parsed
    values = parsed.to_numpy(dtype="datetime64[ns]")[codes]
    values[codes < 0] = np.datetime64("NaT")
    return pd.Series(values, index=index)


def parse_dates(column: pd.Series, formats: list[str]) -> tuple[pd.Series, str, bool]:
    """Parse with the candidate format that reads the most rows, then keeps them in order, then
    spans the shortest time (1/10, 1/11, 1/12 are three days, not three months). Also says
    whether another format read just as many rows (a real ambiguity)."""
    if any(v != v.strip() for v in _sample(column)):
        column = column.str.strip()
    distinct, codes = _compress(column)
    parsed = {f: _expand(_to_datetime(distinct, f), codes, column.index) for f in formats}
    if len(formats) == 1:
        return parsed[formats[0]], formats[0], False
    keys = {fmt: _order_key(times) for fmt, times in parsed.items()}
    fmt = min(formats, key=lambda f: keys[f])
    ties = sum(key[0] == keys[fmt][0] for key in keys.values())
    return parsed[fmt], fmt, ties > 1


def _time_partner(frame: pd.DataFrame, pos: int) -> tuple[str, list[str]] | None:
    names = list(frame.columns)
    hinted = [i for i, c in enumerate(names) if any(h in str(c).lower() for h in TIME_HINTS)]
    for i in (pos + 1, pos - 1, *hinted):
        if 0 <= i < len(names) and i != pos and frame.iloc[:, i].dtype == object:
            formats = time_formats(_sample(frame.iloc[:, i]))
            if formats:
                return names[i], formats
    return None


def _from_text(frame: pd.DataFrame, notes: list[str]) -> tuple[pd.Series, list[str], str] | None:
    texts = [(i, c) for i, c in enumerate(frame.columns) if frame[c].dtype == object]
    for pos, name in texts[:MAX_TIME_CANDIDATES]:
        formats = datetime_formats(_sample(frame[name]))
        if not formats:
            continue
        times, fmt, ambiguous = parse_dates(frame[name], formats)
        if times.isna().any() and times.notna().sum() < 0.5 * frame[name].notna().sum():
            continue
        if ambiguous and "%d" in fmt and "%m" in fmt:
            order = "day first" if fmt.find("%d") < fmt.find("%m") else "month first"
            notes.append(f"Dates in {name!r} fit more than one order; read them {order}.")
        partner = None if has_clock(fmt) else _time_partner(frame, pos)
        if partner is None:
            return times, [name], name
        clock = parse_dates(frame[partner[0]], partner[1])[0]
        sources = [name, partner[0]]
        return times + (clock - clock.dt.normalize()), sources, _fresh_name(frame, sources)
    return None


def _place_time(
    frame: pd.DataFrame, times: pd.Series, sources: list[str], name: str, notes: list[str]
) -> TimeFound:
    bad = times.isna().to_numpy()
    if len(sources) > 1:
        notes.append(f"Combined {', '.join(map(repr, sources))} into one time column {name!r}.")
    example = frame.loc[bad, sources[0]].dropna().head(1).tolist() if bad.any() else []
    for source in sources:  # in place: no copy of the other (possibly huge) columns
        del frame[source]
    frame.insert(0, name, times.to_numpy())
    if bad.any():
        shown = f" (first: {str(example[0])[:40]!r})" if example else ""
        notes.append(f"Dropped {plural(int(bad.sum()), 'row')} whose time was unreadable{shown}.")
        frame = frame.loc[~bad].reset_index(drop=True)
    return _sort_by_time(frame, name, notes)


def _sort_by_time(frame: pd.DataFrame, name: str, notes: list[str]) -> TimeFound:
    times = frame[name]
    if times.is_monotonic_increasing:
        return TimeFound(frame, name, False)
    if times.is_monotonic_decreasing:
        notes.append("The rows ran newest first; sorted them oldest first.")
    else:
        late = int((times.diff() < pd.Timedelta(0)).sum())
        notes.append(f"Sorted {plural(late, 'row')} that were out of time order.")
    frame = frame.sort_values(name, kind="stable").reset_index(drop=True)
    return TimeFound(frame, name, True)


# -- frequency ---------------------------------------------------------------------------------


def _mode(values: np.ndarray) -> tuple[Any, float]:
    counts = pd.Series(values).value_counts()  # most frequent first
    return counts.index[0], float(counts.iloc[0]) / len(values)


def _calendar(times: pd.Series) -> tuple[str, int] | None:
    head = times.iloc[:1000]
    if not (head.dt.normalize() == head).all() or not (times.dt.normalize() == times).all():
        return None
    if (times.dt.day == 1).all():
        suffix = "S"
    elif times.dt.is_month_end.all():
        suffix = "E"
    else:
        return None
    months = (times.dt.year * 12 + times.dt.month).to_numpy()
    steps = np.diff(months)
    step, share = _mode(steps)
    aliases = {1: "M", 3: "Q", 12: "Y"}
    if share < 0.5 or int(step) not in aliases:
        return None
    return aliases[int(step)] + suffix, int(np.clip(steps // step - 1, 0, None).sum())


def _business_days(times: pd.Series, steps: np.ndarray) -> tuple[str, int] | None:
    day = np.timedelta64(1, "D")
    if (times.dt.dayofweek >= 5).any() or not (steps == 3 * day).any():
        return None
    first, last = times.iloc[0].date(), times.iloc[-1].date()
    expected = int(np.busday_count(first, last)) + 1
    return "B", max(0, expected - len(times))


def frequency_and_gaps(times: pd.Series) -> tuple[str | None, int]:
    """Pandas alias of the usual step ("10min", "h", "D", "B", "MS"...) and the missing steps;
    `times` must be sorted."""
    times = times.dropna()
    times = times[times.diff() != pd.Timedelta(0)]
    if len(times) < 3:
        return None, 0
    calendar = _calendar(times)
    if calendar is not None:
        return calendar
    steps = np.diff(times.to_numpy())
    step, share = _mode(steps)
    if step == np.timedelta64(1, "D") and (found := _business_days(times, steps)):
        return found
    if share < 0.5 or step <= np.timedelta64(0, "ns"):
        return None, 0
    alias = to_offset(pd.Timedelta(step)).freqstr
    if alias == "7D" and (times.dt.normalize() == times).all():
        alias = "W-" + times.iloc[0].day_name()[:3].upper()
    return alias, int(np.clip(steps // step - 1, 0, None).sum())


# -- missing-value markers -----------------------------------------------------------------


def sentinel_candidates(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[float]]:
    """Columns whose extreme value is a classic missing marker (-200, -999, 9999...) set apart
    from the other values; offered to the user, never applied silently."""
    found: dict[str, list[float]] = {}
    for name in columns:
        low, high = frame[name].min(), frame[name].max()
        for value in {float(low), float(high)} & set(SENTINELS):
            if _stands_apart(frame[name], value):
                found.setdefault(name, []).append(value)
    return {name: sorted(values) for name, values in found.items()}


def _stands_apart(column: pd.Series, value: float) -> bool:
    others = column[(column != value) & column.notna()]
    if others.empty:
        return False
    low, high = float(others.min()), float(others.max())
    gap = low - value if value < low else value - high
    opposite_sign = (value < 0 <= low) or (value > 0 >= high)
    return gap > 0 and (opposite_sign or gap >= 0.1 * (high - low))
