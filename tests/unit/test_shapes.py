"""Long and wide files (issue 13): the reader finds the shape and offers choices; applying a
choice (one series, each id as a column, transpose) gives a table read like a file. Each file
is written by the test itself; the real reader throughout, no mocks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.ingest import shapes
from dashboard.ingest.reader import DataError, ParsedTable, read_table, reframe

MESSY = Path(__file__).resolve().parents[1] / "data" / "messy"


def read_text(text: str, name: str = "upload.csv") -> ParsedTable:
    """Read a table given as text, as an upload is read."""
    return read_table(text.encode("utf-8"), name)


def reshaped(table: ParsedTable, choice: str) -> ParsedTable:
    """The table made by one of its shape's choices, read again like a file."""
    shape = table.report.shape
    frame = shapes.apply(table.frame, table.time_column, shape, choice)
    return reframe(table, frame, [shapes.describe(shape, choice)])


def stocks_csv(interleaved: bool = True) -> str:
    """date,symbol,close,volume: AAPL and MSFT on 30 days, IBM on the first 20."""
    days = pd.date_range("2020-01-01", periods=30, freq="D")
    rows = [
        (d, symbol, base + i, base * 10 + i)
        for symbol, base in (("AAPL", 100), ("MSFT", 200), ("IBM", 50))
        for i, d in enumerate(days[: 20 if symbol == "IBM" else 30])
    ]
    if interleaved:
        rows.sort(key=lambda row: row[0])
    lines = [f"{d:%Y-%m-%d},{s},{c},{v}" for d, s, c, v in rows]
    return "date,symbol,close,volume\n" + "\n".join(lines)


# -- long files ------------------------------------------------------------------------------


@pytest.mark.parametrize("interleaved", [True, False])
def test_a_long_file_offers_each_id_with_its_rows(interleaved: bool) -> None:
    table = read_text(stocks_csv(interleaved))
    shape = table.report.shape
    assert (shape.kind, shape.column) == ("long", "symbol")
    assert shape.ids == {"AAPL": 30, "MSFT": 30, "IBM": 20}
    assert shape.values == ["close", "volume"]
    assert shape.choices() == {
        "pivot": "each symbol as a column (3 ids)",
        "id:AAPL": "one series: AAPL (30 rows)",
        "id:MSFT": "one series: MSFT (30 rows)",
        "id:IBM": "one series: IBM (20 rows)",
    }
    assert (
        "The file holds 3 series stacked by 'symbol' (AAPL (30 rows), MSFT (30 rows), "
        "IBM (20 rows)); pick one series or put each in its own column." in table.report.notes
    )
    report = table.report.to_dict()
    assert json.loads(json.dumps(report)) == report and report["shape"]["kind"] == "long"


def test_one_series_of_a_long_file() -> None:
    table = reshaped(read_text(stocks_csv()), "id:IBM")
    assert table.time_column == "date" and table.report.frequency == "D"
    assert table.report.rows == 20 and table.report.duplicate_timestamps == 0
    assert table.numeric_columns == ["close", "volume"] and "symbol" not in table.frame
    assert list(table.frame["close"].iloc[:3]) == [50.0, 51.0, 52.0]
    assert table.frame["date"].iloc[-1] == pd.Timestamp("2020-01-20")
    assert table.report.notes[0] == "Kept the 20 rows whose symbol is 'IBM'."
    assert table.report.shape.kind == "plain"


def test_each_id_as_a_column_of_a_long_file() -> None:
    table = reshaped(read_text(stocks_csv(interleaved=False)), "pivot")
    assert table.report.rows == 30 and table.report.frequency == "D"
    assert table.numeric_columns == [
        "close:AAPL",
        "close:IBM",
        "close:MSFT",
        "volume:AAPL",
        "volume:IBM",
        "volume:MSFT",
    ]
    frame = table.frame.set_index("date")
    assert frame.loc["2020-01-05", "close:MSFT"] == 204.0
    assert frame.loc["2020-01-05", "volume:AAPL"] == 1004.0
    assert frame["close:IBM"].isna().sum() == 10  # IBM stops after 20 days
    assert table.report.notes[0] == "Put each symbol in its own column, named <value>:<id>."


def test_one_value_column_pivots_into_columns_named_by_id() -> None:
    hours = pd.date_range("2021-03-01", periods=12, freq="h")
    rows = [
        f"{t:%Y-%m-%d %H:%M},{s},{i + k}" for i, t in enumerate(hours) for k, s in enumerate("ABC")
    ]
    table = read_text("time,station,pm25\n" + "\n".join(rows))
    assert table.report.shape.ids == {"A": 12, "B": 12, "C": 12}
    wide = reshaped(table, "pivot")
    assert wide.numeric_columns == ["A", "B", "C"] and wide.report.frequency == "h"
    assert list(wide.frame.iloc[3, 1:]) == [3.0, 4.0, 5.0]


def test_station_numbers_are_ids_and_other_numbers_are_not() -> None:
    days = pd.date_range("2022-05-01", periods=15, freq="D")
    rows = [f"{d:%Y-%m-%d},{s},{s + i / 10}" for i, d in enumerate(days) for s in (101, 7, 42)]
    table = read_text("date,station_id,level\n" + "\n".join(rows))
    shape = table.report.shape
    assert (shape.column, shape.ids) == ("station_id", {"101": 15, "7": 15, "42": 15})
    assert shape.values == ["level"]
    assert reshaped(table, "id:42").frame["level"].iloc[3] == pytest.approx(42.3)
    wide = reshaped(table, "pivot")
    assert wide.numeric_columns == ["101", "42", "7"] and wide.frame["7"].iloc[2] == 7.2
    hourly = [f"{d:%Y-%m-%d},{h},{h * 2}" for d in days for h in range(3)]
    assert read_text("date,hour,v\n" + "\n".join(hourly)).report.shape.kind == "plain"


def test_repeated_timestamps_without_an_id_column_are_not_a_long_file() -> None:
    days = pd.date_range("2020-01-01", periods=15, freq="D").strftime("%Y-%m-%d")
    rows = [f"{d},{i},note {i}" for i, d in enumerate(days) for _ in range(2)]
    table = read_text("date,v,comment\n" + "\n".join(rows))
    assert table.report.duplicate_timestamps == 15 and table.report.shape.kind == "plain"
    assert table.report.shape.choices() == {}


def test_a_choice_that_does_not_fit_is_refused() -> None:
    table = read_text(stocks_csv())
    with pytest.raises(DataError, match="cannot be reshaped"):
        shapes.apply(table.frame, table.time_column, table.report.shape, "id:GOOG")
    with pytest.raises(DataError, match="cannot be reshaped"):
        shapes.apply(table.frame, table.time_column, table.report.shape, "transpose")


# -- wide files ------------------------------------------------------------------------------


def test_weeks_as_columns_are_transposed_into_one_column_per_item() -> None:
    head = "Product_Code," + ",".join(f"W{w}" for w in range(10)) + ",MIN"
    rows = [f"P{p}," + ",".join(str(p * 100 + w) for w in range(10)) + ",0" for p in range(1, 5)]
    table = read_text(head + "\n" + "\n".join(rows))
    shape = table.report.shape
    assert (shape.kind, shape.column, shape.items) == ("wide", "Product_Code", 4)
    assert shape.periods == [f"W{w}" for w in range(10)] and shape.period_kind == "numbered"
    assert shape.choices() == {"transpose": "transpose: each of the 4 rows a column"}
    assert any(n.startswith("The file has one row per item") for n in table.report.notes)
    items = reshaped(table, "transpose")
    assert items.numeric_columns == ["P1", "P2", "P3", "P4"]
    assert items.report.rows == 10 and items.time_column is None
    assert list(items.frame["period"].iloc[:2]) == ["W0", "W1"]
    assert items.frame["P3"].iloc[7] == 307.0
    assert "MIN" not in items.frame
    assert items.report.notes[0] == (
        "Transposed: each of the 4 rows is a column, each period (W0 to W9) a row."
    )


def test_dates_as_headers_become_the_time_axis() -> None:
    days = pd.date_range("2020-01-22", periods=12, freq="D")
    head = "Province,Country,Lat," + ",".join(f"{d.month}/{d.day}/{d:%y}" for d in days)
    rows = [
        f"{p},{c},1.5," + ",".join(str(10 * k + i) for i in range(12))
        for k, (p, c) in enumerate([("", "Spain"), ("Hubei", "China"), ("Beijing", "China")])
    ]
    table = read_text(head + "\n" + "\n".join(rows))
    shape = table.report.shape
    assert (shape.kind, shape.period_kind, shape.periods[0]) == ("wide", "dates", "1/22/20")
    assert shape.labels == ["Province", "Country"]  # neither names each row once
    items = reshaped(table, "transpose")
    assert items.numeric_columns == ["Spain", "Hubei / China", "Beijing / China"]
    assert items.time_column == "period" and items.report.frequency == "D"
    assert items.frame["period"].iloc[0] == pd.Timestamp("2020-01-22")
    assert items.frame["Hubei / China"].iloc[3] == 13.0 and items.frame["Spain"].iloc[3] == 3.0


def test_years_as_headers_become_yearly_rows() -> None:
    head = "Country Name,Country Code," + ",".join(str(y) for y in range(2000, 2012))
    rows = [
        f"{n},{n[:3].upper()}," + ",".join(f"{k}{y}" for y in range(12))
        for k, n in enumerate(["Aruba", "Chile", "Peru"], start=1)
    ]
    table = read_text(head + "\n" + "\n".join(rows))
    assert table.report.shape.period_kind == "years"
    items = reshaped(table, "transpose")
    assert items.numeric_columns == ["Aruba", "Chile", "Peru"]
    assert items.report.frequency == "YS" and items.frame["period"].iloc[2] == pd.Timestamp("2002")
    assert items.frame["Peru"].iloc[2] == 32.0


def test_the_world_bank_file_is_offered_transposed() -> None:
    table = read_table((MESSY / "worldbank_population_wide.csv").read_bytes(), "wb.csv")
    shape = table.report.shape
    assert (shape.kind, shape.column, shape.items) == ("wide", "Country Name", 264)
    assert shape.periods[0] == "1960" and shape.periods[-1] == "2017"
    items = reshaped(table, "transpose")
    assert items.time_column == "period" and items.report.rows == 57  # 2017 has no values
    assert items.frame["Aruba"].iloc[0] == 54211.0


def test_an_ordinary_file_is_plain() -> None:
    days = pd.date_range("2020-01-01", periods=20, freq="D").strftime("%Y-%m-%d")
    table = read_text("date,a,b\n" + "\n".join(f"{d},{i},{i * 2}" for i, d in enumerate(days)))
    assert table.report.shape == shapes.Shape()
    headerless = read_text("\n".join(",".join(str(i + j) for j in range(8)) for i in range(12)))
    assert headerless.report.shape.kind == "plain"  # col_1..col_8 are no periods


# -- labelled sequences: classification (issue 13) ---------------------------------------------


def ucr_text(sequences: int = 12, steps: int = 9) -> str:
    """A UCR-style file: blank separated, no header, the class first, then the steps;
    sequence i is of class i % 3 + 1 and holds i, i + 0.5, i + 1, ..."""
    lines = [
        " ".join([f"{i % 3 + 1:.7e}", *[f"{i + k / 2:.7e}" for k in range(steps)]])
        for i in range(sequences)
    ]
    return "\n".join(lines) + "\n"


def classified(table: ParsedTable, choice: str = "classify") -> tuple[pd.DataFrame, list[str]]:
    """The labelled sequences that `choice` makes of a table."""
    return shapes.reshaped(table.frame, table.time_column, table.report.shape, choice)


def test_one_sequence_per_row_without_a_header_is_offered_as_classification() -> None:
    table = read_text(ucr_text(), "beats.txt")
    shape = table.report.shape
    assert shape.kind == "sequences" and shape.labelled is not None
    found = shape.labelled
    assert (found.layout, found.label, found.sequences, found.steps) == ("rows", "col_1", 12, 9)
    assert found.classes == {"1": 4, "2": 4, "3": 4}
    assert shape.choices() == {"classify": "classify by col_1 (12 sequences of 9 steps, 3 classes)"}
    assert "'col_1' names 3 classes (1: 4, 2: 4, 3: 4)" in shape.sentence
    frame, notes = classified(table)
    assert list(frame.columns) == ["col_1", *[f"col_{k}" for k in range(2, 11)]]
    assert frame["col_1"].tolist() == [1.0, 2.0, 3.0] * 4
    assert frame.iloc[5, 1:].tolist() == [5 + k / 2 for k in range(9)]
    assert notes == ["Read as 12 labelled sequences of 9 steps, one per row."]


def test_text_labels_are_coded_and_gaps_filled_along_the_sequence() -> None:
    rows = [
        ",".join([["normal", "abnormal"][i % 2], *[str(i * 10 + k) for k in range(10)]])
        for i in range(12)
    ]
    rows[3] = rows[3].replace(",34,", ",,")  # a missing step: between 33 and 35
    rows[4] = ",".join(["", *[str(k) for k in range(10)]])  # no label: left out
    header = "class," + ",".join(f"s{k}" for k in range(10))
    table = read_text("\n".join([header, *rows]))
    assert table.report.shape.labelled is not None
    assert table.report.shape.labelled.classes == {"abnormal": 6, "normal": 5}
    frame, notes = classified(table)
    assert len(frame) == 11 and frame["class"].tolist()[:4] == [1.0, 0.0, 1.0, 0.0]
    assert frame.iloc[3, 1:].tolist() == [30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36, 37, 38, 39]
    assert notes[1:] == [
        "Left out 1 sequence without a label.",
        "Labels coded as numbers: 0 = abnormal, 1 = normal.",
    ]


def activity_csv() -> str:
    """sample,step,activity,x,y: 12 sequences of 10 to 12 steps, rows shuffled within the
    file; x of sequence s at step k is s + k / 10."""
    rows = [
        (f"s{s:02d}", k, "walk" if s % 2 else "run", s + k / 10, -k)
        for s in range(12)
        for k in range(10 + s % 3)
    ]
    order = np.random.default_rng(0).permutation(len(rows))
    lines = [",".join(str(v) for v in rows[i]) for i in order]
    return "sample,step,activity,x,y\n" + "\n".join(lines)


def test_a_long_file_with_a_sequence_id_and_a_label_is_offered_as_classification() -> None:
    table = read_text(activity_csv())
    found = table.report.shape.labelled
    assert found is not None and table.report.shape.kind == "sequences"
    assert (found.layout, found.sequence, found.label, found.order) == (
        "long",
        "sample",
        "activity",
        "step",
    )
    assert (found.values, found.sequences, found.steps, found.longest) == (["x", "y"], 12, 10, 12)
    assert list(table.report.shape.choices()) == ["classify:x", "classify:y"]
    frame, notes = classified(table, "classify:x")
    assert list(frame.columns) == ["activity", *[f"t{k:03d}" for k in range(1, 11)]]
    first = list(pd.unique(table.frame["sample"]))  # sequences in order of first appearance
    s = int(first[0][1:])
    assert frame["activity"].iloc[0] == (1.0 if s % 2 else 0.0)  # 0 = run, 1 = walk
    np.testing.assert_allclose(frame.iloc[0, 1:], [s + k / 10 for k in range(10)])
    assert notes[0] == (
        "Read as 12 labelled sequences of 10 steps (each cut to the shortest), one per "
        "sample, labelled by activity."
    )
    assert classified(table, "classify:y")[0].iloc[0, 1:].tolist() == [-k for k in range(10)]


def test_series_are_not_taken_for_labelled_sequences() -> None:
    assert read_text(stocks_csv()).report.shape.labelled is None
    days = pd.date_range("2020-01-01", periods=40, freq="D")
    plain = "date,value,weekday\n" + "\n".join(
        f"{d:%Y-%m-%d},{i * 1.5},{d.weekday()}" for i, d in enumerate(days)
    )
    assert read_text(plain).report.shape.kind == "plain"
    few_columns = "label,a,b\n" + "\n".join(f"{i % 2},{i},{i * 2}" for i in range(30))
    assert read_text(few_columns).report.shape.labelled is None  # 2 values: not a sequence
    with pytest.raises(DataError, match="cannot be classified"):
        shapes.reshaped(*_parts(read_text(ucr_text(), "b.txt")), "classify:x")


def _parts(table: ParsedTable) -> tuple[pd.DataFrame, str | None, shapes.Shape]:
    return table.frame, table.time_column, table.report.shape


def test_a_wide_file_by_years_with_a_label_stays_wide_and_offers_both() -> None:
    header = "Country,Income group," + ",".join(str(y) for y in range(2000, 2012))
    rows = [
        ",".join([f"C{i}", ["high", "low"][i % 2], *[str(i * 10 + k) for k in range(12)]])
        for i in range(12)
    ]
    shape = read_text("\n".join([header, *rows])).report.shape
    assert shape.kind == "wide" and shape.labelled is not None
    assert shape.labelled.label == "Income group"
    assert list(shape.choices()) == ["classify", "transpose"]
