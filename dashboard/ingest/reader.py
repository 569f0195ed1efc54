"""Read an uploaded table (CSV/TSV/TXT/XLSX) into a clean, time-indexed frame.

`read_table` sniffs a small sample (see `dashboard.ingest.sniff`), makes one `pandas.read_csv`
call with what it found, then tidies the result: empty columns and rows dropped, a time column
found (one column, a date + a time column, year/month/day/hour columns, year-index-month
labels or a bare column of years: `dashboard.ingest.periods`), rows sorted by
time, numbers made float64. It reports everything it did in a `ReadReport`. `clean` then
returns the chosen columns with missing values handled the way the user picked.

Choices made here (the page shows them as notes):
- column names are kept as the file spells them (only surrounding blanks are stripped;
  repeats become `name.1`, `name.2`); escaping them is the page's job;
- infinite values are treated as missing;
- rows whose time cannot be read are dropped (e.g. Tesla's first row, dated "11:34");
- an unnamed first column that just counts 0..n-1 (a saved pandas index) is dropped;
  a named counter such as `No` stays in the frame but is not offered as a series;
- a column with no values stays in the frame but is not offered;
- numeric sentinels like -200 are only offered (`ReadReport.sentinel_candidates`), never
  applied by `read_table`; `clean` applies the ones in `ReadOptions.missing_sentinels`;
- `duplicates="keep"` leaves every row of a repeated timestamp; "mean" averages them;
- numbers written with units (9.57K, -1.13%, $1,234.50) become floats, percent kept in
  percent (`dashboard.ingest.units`), and the report names the columns (`converted`);
- a column that looks like time but is not the time axis gets a sentence saying why;
- without a time column the rows keep file order; `clean` reverses them if asked
  (`ReadOptions.reverse_rows`, for files listed newest first);
- long files (series stacked by an id column) and wide ones (one column per period) are only
  reported (`ReadReport.shape`); `dashboard.ingest.shapes.apply` and `reframe` reshape them.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from dashboard.ingest import shapes, sniff, units, unused_time
from dashboard.ingest.sniff import DataError, find_time, frequency_and_gaps, plural

__all__ = [
    "MIN_ROWS",
    "DataError",
    "ParsedTable",
    "ReadOptions",
    "ReadReport",
    "clean",
    "read_table",
    "reframe",
]

log = logging.getLogger(__name__)

MIN_ROWS = 10
TEXT_EXTENSIONS = (".csv", ".tsv", ".txt", ".dat")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
COUNTER_NAMES = frozenset({"no", "no.", "nr", "index", "idx", "id", "#", "row", "rownum", "n"})
_MISSING_CHOICES = ("interpolate", "ffill", "drop")
_DUPLICATE_CHOICES = ("keep", "mean")
ROW_ORDER_NOTE = (
    "No time column was found, so the rows are used in file order; "
    "if the file lists the newest rows first, reverse the row order."
)
MAX_UNIT_NOTES = 5  # columns named in the notes about numbers with units


@dataclass(frozen=True)
class ReadOptions:
    """How to read and clean an upload."""

    missing_sentinels: tuple[float, ...] = ()  # e.g. (-200.0,): applied by clean() only
    missing: str = "interpolate"  # "interpolate" | "ffill" | "drop" (applied by clean())
    duplicates: str = "keep"  # "keep" (leave every row) | "mean" (average equal timestamps)
    max_rows: int = 2_000_000
    reverse_rows: bool = False  # without a time axis: newest-first rows put oldest first


@dataclass(frozen=True)
class ReadReport:
    """Everything the page's summary shows about a parsed file; see `to_dict`."""

    encoding: str
    separator: str
    decimal: str
    thousands: str | None
    header_row: int | None  # None: header-less file, columns named col_1..col_n
    skipped_lines: int  # lines before the header (metadata, blank lines)
    rows: int
    columns: int
    time_column: str | None
    frequency: str | None  # pandas offset alias ("D", "MS", "h", "10min", "B") or None
    start: str | None
    end: str | None
    missing_per_column: dict[str, int]
    duplicate_timestamps: int
    gaps: int  # missing steps at the inferred frequency
    was_sorted: bool  # True if the rows were out of time order and got sorted
    sentinel_candidates: dict[str, list[float]]  # offered, not applied
    notes: list[str] = field(default_factory=list)
    converted: dict[str, str] = field(default_factory=dict)  # column: "percent", "currency"...
    shape: shapes.Shape = field(default_factory=shapes.Shape)  # long/wide files: the choices

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy (plain str/int/float/list/dict/None)."""
        return asdict(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle a report kept by older code: fields added since get their defaults."""
        added = {"converted": {}, "shape": shapes.Shape()}
        for name, value in {**added, **state}.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True, eq=False)
class ParsedTable:
    """A parsed upload: the frame, what can be forecast, and the report."""

    frame: pd.DataFrame  # time column (if any) first, datetime64, rows sorted by it
    time_column: str | None
    numeric_columns: list[str]  # float64 columns usable as target/features
    report: ReadReport


@dataclass(frozen=True)
class _Layout:
    """How the file was laid out, for the report."""

    encoding: str
    separator: str
    decimal: str
    thousands: str | None
    header_row: int | None
    skipped_lines: int


# -- entry points ------------------------------------------------------------------------------


def read_table(data: bytes, filename: str, options: ReadOptions = ReadOptions()) -> ParsedTable:
    """Parse an uploaded file's bytes; raise DataError with a one-sentence reason if unusable."""
    _check_options(options)
    kind = _kind(filename)
    if not data or data.isspace():
        raise DataError("The file is empty; choose a CSV file with a header row and some rows.")
    notes: list[str] = []
    if kind == "text" and data.startswith(b"PK\x03\x04"):
        notes.append("The file is an Excel workbook despite its name, so it was read as one.")
        kind = "excel"
    if kind == "excel":
        frame, layout = _read_excel(data, options)
    else:
        frame, layout = _read_text(data, options, notes)
    return _finish(frame, layout, options, notes)


def clean(table: ParsedTable, columns: list[str], options: ReadOptions) -> pd.DataFrame:
    """Return only `columns` (float64), indexed by time if any (else in file order, reversed
    if options.reverse_rows), with sentinels -> NaN, missing handled per options.missing,
    duplicates per options.duplicates; raises DataError if nothing usable remains."""
    _check_options(options)
    if not columns:
        raise DataError("No column is selected; choose at least one numeric column.")
    unknown = [c for c in columns if c not in table.numeric_columns]
    if unknown:
        raise DataError(
            f"Column {unknown[0]!r} holds no usable numbers in this file; "
            f"choose from {', '.join(table.numeric_columns[:8])}."
        )
    data = table.frame[columns].astype("float64")
    if table.time_column is not None:
        data.index = pd.DatetimeIndex(table.frame[table.time_column], name=table.time_column)
    elif options.reverse_rows:
        data = data.iloc[::-1].reset_index(drop=True)
    data = _mask_sentinels(data, options.missing_sentinels)
    _require_values(data, options)
    if table.time_column is not None and options.duplicates == "mean":
        data = data.groupby(level=0, sort=True).mean()
    data = _fill_missing(data, options.missing)
    if len(data) < MIN_ROWS:
        raise DataError(
            f"Only {len(data)} rows remain after handling missing values; a series needs at "
            f"least {MIN_ROWS} rows, so try 'interpolate' instead of 'drop' or fewer columns."
        )
    return data


def reframe(
    table: ParsedTable, frame: pd.DataFrame, notes: list[str], options: ReadOptions = ReadOptions()
) -> ParsedTable:
    """A ParsedTable of `frame`, made from `table` (one series picked, pivoted or transposed
    by `dashboard.ingest.shapes.apply`), tidied and reported like a file read the same way;
    `notes` (what was done) start its report's notes."""
    report = table.report
    layout = _Layout(
        report.encoding,
        report.separator,
        report.decimal,
        report.thousands,
        report.header_row,
        report.skipped_lines,
    )
    return _finish(frame.copy(), layout, options, list(notes))


# -- options and file kinds --------------------------------------------------------------------


def _check_options(options: ReadOptions) -> None:
    if options.missing not in _MISSING_CHOICES:
        raise ValueError(f"missing must be one of {_MISSING_CHOICES}, not {options.missing!r}")
    if options.duplicates not in _DUPLICATE_CHOICES:
        raise ValueError(f"duplicates must be one of {_DUPLICATE_CHOICES}")
    if options.max_rows < 1:
        raise ValueError("max_rows must be positive")


def _kind(filename: str) -> str:
    name = filename.lower().strip()
    if name.endswith(EXCEL_EXTENSIONS):
        return "excel"
    if name.endswith(TEXT_EXTENSIONS):
        return "text"
    if name.endswith(".xls"):
        raise DataError("Old .xls workbooks are not supported; save the sheet as .xlsx or CSV.")
    kind = (
        f"Files ending in .{name.rsplit('.', 1)[-1]}" if "." in name else "Files without an ending"
    )
    raise DataError(f"{kind} are not supported; upload a .csv, .tsv, .txt or .xlsx file.")


# -- text files --------------------------------------------------------------------------------


def _read_text(data: bytes, options: ReadOptions, notes: list[str]) -> tuple[pd.DataFrame, _Layout]:
    data, forced = sniff.normalise_bytes(data)
    sniff.check_text(data)
    encoding = sniff.detect_encoding(data)
    label = forced or encoding
    if label in ("latin-1", "cp1252"):
        notes.append(f"The file is not UTF-8, so it was read as {label}.")
    dialect = sniff.sniff(data, encoding, label)
    frame = _parse_csv(data, dialect, options, notes)
    layout = _Layout(
        encoding=label,
        separator="whitespace" if dialect.separator == sniff.WHITESPACE else dialect.separator,
        decimal=dialect.decimal,
        thousands=dialect.thousands,
        header_row=dialect.skip if dialect.has_header else None,
        skipped_lines=dialect.skip,
    )
    if dialect.skip:
        notes.append(f"Skipped {plural(dialect.skip, 'line')} before the table starts.")
    return frame, layout


def _csv_kwargs(dialect: sniff.Dialect, options: ReadOptions) -> dict[str, Any]:
    whitespace = dialect.separator == sniff.WHITESPACE
    return {
        "sep": r"\s+" if whitespace else dialect.separator,
        "decimal": dialect.decimal,
        "thousands": dialect.thousands if dialect.parser_thousands else None,
        "skiprows": dialect.skip,
        "header": 0 if dialect.has_header else None,
        "na_values": sniff.EXTRA_NA_VALUES,
        "encoding": dialect.encoding,
        "engine": "c",
        "index_col": False,
        "nrows": options.max_rows + 1,
        "on_bad_lines": "warn",
        "skipinitialspace": dialect.skipinitialspace,
    }


def _parse_csv(
    data: bytes, dialect: sniff.Dialect, options: ReadOptions, notes: list[str]
) -> pd.DataFrame:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(io.BytesIO(data), **_csv_kwargs(dialect, options))
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            reason = str(exc).strip().splitlines()[0][:160]
            raise DataError(
                f"The file could not be read as a table ({reason}); check it is plain CSV."
            ) from exc
        except pd.errors.EmptyDataError as exc:
            raise DataError("The file has no rows of data; add rows below the header.") from exc
    bad = sum("Skipping line" in str(w.message) for w in caught)
    if bad:
        notes.append(f"Skipped {plural(bad, 'line')} with more cells than the header.")
    if not dialect.has_header:
        frame.columns = [f"col_{i + 1}" for i in range(frame.shape[1])]
        notes.append(f"No header row found; named the columns col_1 to col_{frame.shape[1]}.")
    return frame


# -- Excel -------------------------------------------------------------------------------------


def _read_excel(data: bytes, options: ReadOptions) -> tuple[pd.DataFrame, _Layout]:
    try:
        raw = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise DataError(
            "The workbook could not be opened; re-save it as .xlsx from Excel or export it as CSV."
        ) from exc
    if raw.empty:
        raise DataError("The workbook's first sheet is empty; put the table on the first sheet.")
    raw = raw.iloc[: options.max_rows + 200]
    rows = [[_cell_text(v) for v in row] for row in raw.iloc[:200].itertuples(index=False)]
    start, has_header = sniff.sheet_layout(rows)
    body = raw.iloc[start + int(has_header) :].reset_index(drop=True)
    names = [c or f"Unnamed: {i}" for i, c in enumerate(rows[start])] if has_header else None
    body.columns = names or [f"col_{i + 1}" for i in range(body.shape[1])]
    body = body.infer_objects()
    layout = _Layout("xlsx", "", ".", None, start if has_header else None, start)
    return body, layout


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- tidying -----------------------------------------------------------------------------------


def _finish(
    frame: pd.DataFrame, layout: _Layout, options: ReadOptions, notes: list[str]
) -> ParsedTable:
    frame.columns = _unique_names([str(c).strip() for c in frame.columns])
    frame = _drop_empty(frame, notes)
    if len(frame) > options.max_rows:
        raise DataError(
            f"The file has more than {options.max_rows:,} rows; "
            f"keep at most {options.max_rows:,} rows and upload it again."
        )
    frame = _drop_saved_index(frame, notes)
    found = find_time(frame, notes)
    frame, time_column = found.frame, found.name
    if frame.empty:
        _require_rows(0)
    converted: dict[str, str] = {}
    frame = _to_numbers(frame, {time_column} if time_column else set(), layout, notes, converted)
    unused_time.explain(frame, time_column, notes)
    numeric = _usable_columns(frame, time_column, notes)
    shape = shapes.detect(frame, time_column, has_header=layout.header_row is not None)
    _require_rows(len(frame), len(shape.periods))
    if shape.sentence:
        notes.append(shape.sentence)
    if time_column is None:
        notes.append(ROW_ORDER_NOTE)
    report = _report(frame, layout, time_column, numeric, found.was_sorted, notes)
    report = replace(report, converted=converted, shape=shape)
    log.info("read %d rows x %d columns (%s)", report.rows, report.columns, layout.encoding)
    return ParsedTable(frame=frame, time_column=time_column, numeric_columns=numeric, report=report)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        base = name or f"Unnamed: {i}"
        candidate = base
        while candidate in seen:
            seen[base] += 1
            candidate = f"{base}.{seen[base]}"
        seen.setdefault(candidate, 0)
        out.append(candidate)
    return out


def _is_junk_name(name: str) -> bool:
    return name.startswith("Unnamed: ") or not any(ch.isalnum() for ch in name)


def _is_junk_column(column: pd.Series) -> bool:
    values = column.dropna()
    if values.empty:
        return True
    return column.dtype == object and not values.astype(str).str.contains(r"\w").any()


def _drop_empty(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    empty = [c for c in frame.columns if _is_junk_name(c) and _is_junk_column(frame[c])]
    if empty:
        frame = frame.drop(columns=empty)
        notes.append(f"Dropped {plural(len(empty), 'empty column')}.")
    blank = _blank_rows(frame)
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        notes.append(f"Dropped {plural(int(blank.sum()), 'empty row')}.")
    return frame


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with no value at all; numeric columns are checked first as they are cheap."""
    blank = np.ones(len(frame), dtype=bool)
    order = sorted(frame.columns, key=lambda c: frame[c].dtype == object)
    for name in order:
        blank &= frame[name].isna().to_numpy()
        if not blank.any():
            break
    return blank


def _drop_saved_index(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    first = frame.columns[0] if frame.shape[1] > 1 else None
    if (
        first is not None
        and first.startswith("Unnamed: ")
        and pd.api.types.is_integer_dtype(frame[first].dtype)
        and sniff.is_counter(frame[first].to_numpy())
    ):
        notes.append("Dropped the first column: it only numbers the rows.")
        return frame.drop(columns=[first])
    return frame


def _require_rows(rows: int, periods: int = 0) -> None:
    """Refuse too few rows, unless a wide file's periods make enough rows once transposed."""
    if rows == 0:
        raise DataError(f"The file has no rows of data; a series needs at least {MIN_ROWS} rows.")
    if rows < MIN_ROWS and periods < MIN_ROWS:
        raise DataError(
            f"The file has only {rows} data row{'s' if rows > 1 else ''}; "
            f"a series needs at least {MIN_ROWS} rows."
        )


def _text_to_numbers(column: pd.Series, layout: _Layout) -> pd.Series | None:
    """The column as numbers if at least 90% of its cells read as such, else None. Cells that
    are already numbers (pandas mixes types across chunks) are kept as they are."""
    try:
        text = column.str.strip()  # NaN where a cell is not a string
    except AttributeError:  # no strings at all (e.g. clock times from a sheet)
        return None
    if layout.thousands:
        text = text.str.replace(layout.thousands, "", regex=False)
    if layout.decimal != ".":
        text = text.str.replace(layout.decimal, ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    numbers = numbers.fillna(pd.to_numeric(column.where(text.isna()), errors="coerce"))
    present = int(column.notna().sum())
    return numbers if present and numbers.notna().sum() >= 0.9 * present else None


def _object_numbers(
    name: str, column: pd.Series, layout: _Layout, notes: list[str], converted: dict[str, str]
) -> pd.Series | None:
    """A text column as numbers (plain, or with units: K/M/B, %, currency), else None."""
    numbers = _text_to_numbers(column, layout)
    if numbers is None:
        with_units = units.convert(column, layout.decimal)
        if with_units is None:
            return None
        numbers = with_units.values
        converted[name] = with_units.how
        if len(converted) <= MAX_UNIT_NOTES:
            notes.append(units.note(name, with_units))
    lost = int(column.notna().sum() - numbers.notna().sum())
    if lost:
        notes.append(f"{plural(lost, 'cell')} in {name!r} not numbers; treated as missing.")
    return numbers


def _to_numbers(
    frame: pd.DataFrame,
    skip: set[str],
    layout: _Layout,
    notes: list[str],
    converted: dict[str, str],
) -> pd.DataFrame:
    """Make every numeric (or number-like text) column float64, infinities missing; in place.
    Columns read from numbers with units are added to `converted` (name: how)."""
    infinite = changed = 0
    for name in [c for c in frame.columns if c not in skip]:
        column = frame[name]
        if column.dtype == object:
            numbers = _object_numbers(name, column, layout, notes, converted)
            if numbers is None:
                continue
            column = numbers
        if pd.api.types.is_numeric_dtype(column.dtype):
            values = column.to_numpy(dtype="float64")
            inf = np.isinf(values)
            infinite += int(inf.sum())
            if inf.any() or column is not frame[name] or column.dtype != np.float64:
                frame[name] = np.where(inf, np.nan, values)
                changed += 1
    if infinite:
        notes.append(f"Treated {plural(infinite, 'infinite value')} as missing.")
    if len(converted) > MAX_UNIT_NOTES:
        more = len(converted) - MAX_UNIT_NOTES
        notes.append(f"Converted {plural(more, 'more column')} with units the same way.")
    return frame.copy() if changed > 20 else frame  # the copy defragments wide frames


def _usable_columns(frame: pd.DataFrame, time_column: str | None, notes: list[str]) -> list[str]:
    floats = [str(c) for c, kind in frame.dtypes.items() if c != time_column and kind == np.float64]
    filled = {str(c): bool(v) for c, v in frame.notna().any().items()}
    empty = [c for c in floats if not filled[c]]
    for name in empty[:5]:
        notes.append(f"Column {name!r} has no values, so it is not offered.")
    counters = [
        c for c in floats if c.lower() in COUNTER_NAMES and sniff.is_counter(frame[c].to_numpy())
    ]
    for name in counters:
        notes.append(f"Column {name!r} only numbers the rows, so it is not offered.")
    usable = [c for c in floats if filled[c] and c not in counters]
    if not usable:
        raise DataError(
            "No column holds numbers; the file needs at least one numeric column to forecast."
        )
    return usable


# -- report ------------------------------------------------------------------------------------


def _report(
    frame: pd.DataFrame,
    layout: _Layout,
    time_column: str | None,
    numeric: list[str],
    was_sorted: bool,
    notes: list[str],
) -> ReadReport:
    times = frame[time_column] if time_column else None
    freq, gaps = frequency_and_gaps(times) if times is not None else (None, 0)
    dupes = int((times.diff() == pd.Timedelta(0)).sum()) if times is not None else 0
    if dupes:
        notes.append(
            f"{plural(dupes, 'row')} repeat an earlier timestamp; keep them or average them."
        )
    sentinels = sniff.sentinel_candidates(frame, numeric)
    if sentinels:
        values = sorted({v for vs in sentinels.values() for v in vs})
        shown = ", ".join(f"{v:g}" for v in values)
        notes.append(
            f"{shown} in {plural(len(sentinels), 'column')} may mark missing values; "
            "choose whether to treat them as missing."
        )
    counts = frame.isna().sum()
    missing = {str(c): int(n) for c, n in counts.items() if c != time_column}
    return ReadReport(
        encoding=layout.encoding,
        separator=layout.separator,
        decimal=layout.decimal,
        thousands=layout.thousands,
        header_row=layout.header_row,
        skipped_lines=layout.skipped_lines,
        rows=len(frame),
        columns=frame.shape[1],
        time_column=time_column,
        frequency=freq,
        start=str(times.iloc[0]) if times is not None else None,
        end=str(times.iloc[-1]) if times is not None else None,
        missing_per_column=missing,
        duplicate_timestamps=dupes,
        gaps=gaps,
        was_sorted=was_sorted,
        sentinel_candidates=sentinels,
        notes=list(notes),
    )


# -- cleaning ----------------------------------------------------------------------------------


def _mask_sentinels(data: pd.DataFrame, sentinels: tuple[float, ...]) -> pd.DataFrame:
    if not sentinels:
        return data
    values = data.to_numpy(copy=True)
    values[np.isin(values, np.asarray(sentinels, dtype="float64"))] = np.nan
    return pd.DataFrame(values, index=data.index, columns=data.columns)


def _require_values(data: pd.DataFrame, options: ReadOptions) -> None:
    for name in data.columns:
        if data[name].isna().all():
            marker = (
                " after treating the chosen markers as missing" if options.missing_sentinels else ""
            )
            raise DataError(f"Column {name!r} has no values left{marker}; choose another column.")


def _fill_missing(data: pd.DataFrame, how: str) -> pd.DataFrame:
    if how == "drop":
        return data.dropna(how="any")
    if how == "interpolate" and data.isna().any().any():
        unique_time = isinstance(data.index, pd.DatetimeIndex) and data.index.is_unique
        data = data.interpolate(method="time" if unique_time else "linear", limit_area="inside")
    return data.ffill().bfill()
