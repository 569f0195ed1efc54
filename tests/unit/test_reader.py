"""The upload reader on real-world messy files, the shipped examples, and generated edge cases.

Real files live in tests/data/messy (copied byte for byte) and tests/data/builtin; everything
else is generated into tmp_path or built in memory. No mocks.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dashboard.ingest.reader import (
    MIN_ROWS,
    DataError,
    ParsedTable,
    ReadOptions,
    ReadReport,
    clean,
    read_table,
)

DATA = Path(__file__).resolve().parents[1] / "data"
MESSY = DATA / "messy"
BUILTIN = DATA / "builtin"
MESSY_FILES = sorted(p.name for p in MESSY.glob("*.csv"))


def read(path: Path, **options: Any) -> ParsedTable:
    """Read a file from disk the way an upload is read."""
    return read_table(path.read_bytes(), path.name, ReadOptions(**options))


def read_text(text: str, name: str = "upload.csv", **options: Any) -> ParsedTable:
    """Read a table given as text (UTF-8)."""
    return read_table(text.encode("utf-8"), name, ReadOptions(**options))


def make_big_csv(path: Path, rows: int, cols: int = 5) -> Path:
    """Write a `rows` x `cols` CSV: an ISO minute timestamp column, then cols-1 float columns."""
    rng = np.random.default_rng(0)
    times = pd.date_range("2000-01-01", periods=rows, freq="min")
    frame = pd.DataFrame({"time": times.strftime("%Y-%m-%d %H:%M:%S")})
    for i in range(1, cols):
        frame[f"x{i}"] = rng.normal(100.0, 10.0, rows).round(4)
    frame.to_csv(path, index=False)
    return path


def daily(n: int = 20, start: str = "2020-01-01") -> list[str]:
    """n consecutive ISO dates."""
    return [d.strftime("%Y-%m-%d") for d in pd.date_range(start, periods=n, freq="D")]


def first(table: ParsedTable, column: str) -> Any:
    """The first value of a column."""
    return table.frame[column].iloc[0]


# -- the six messy real-world files ------------------------------------------------------------


def test_household_power_semicolons_split_day_first_dates_and_question_marks() -> None:
    table = read(MESSY / "household_power_consumption_head.csv")
    report = table.report
    assert (report.separator, report.decimal, report.encoding) == (";", ".", "utf-8")
    assert table.time_column == "time"
    assert "Date" not in table.frame and "Time" not in table.frame
    assert first(table, "time") == pd.Timestamp("2006-12-16 17:24:00")  # day first
    assert report.start == "2006-12-16 17:24:00"
    assert report.frequency == "min"
    assert first(table, "Global_active_power") == pytest.approx(4.216)
    assert first(table, "Voltage") == pytest.approx(234.84)
    assert report.missing_per_column["Global_active_power"] == 2  # the two "?" rows
    assert table.frame["Sub_metering_3"].dtype == np.float64
    assert report.rows == 15922
    assert table.numeric_columns == [
        "Global_active_power",
        "Global_reactive_power",
        "Voltage",
        "Global_intensity",
        "Sub_metering_1",
        "Sub_metering_2",
        "Sub_metering_3",
    ]
    assert any("Combined" in n for n in report.notes)


def _raw_minus_200_counts() -> dict[str, int]:
    """How often each AirQuality column holds -200 (or -200,0), counted with the csv module."""
    with (MESSY / "AirQualityUCI.csv").open(newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    counts = {
        header[j]: sum(1 for r in rows[1:] if len(r) > j and re.fullmatch(r"-200(,0+)?", r[j]))
        for j in range(len(header))
    }
    return {name: n for name, n in counts.items() if n}


def test_air_quality_comma_decimals_empty_columns_rows_and_sentinels() -> None:
    table = read(MESSY / "AirQualityUCI.csv")
    report = table.report
    assert (report.separator, report.decimal, report.thousands) == (";", ",", None)
    assert first(table, "CO(GT)") == pytest.approx(2.6)
    assert first(table, "C6H6(GT)") == pytest.approx(11.9)
    assert first(table, "AH") == pytest.approx(0.7578)
    assert not [c for c in table.frame.columns if c.startswith("Unnamed") or not c]
    assert report.columns == 14  # time + 13 measurements; the two empty ";;" columns gone
    assert report.rows == 9357  # the 114 ";;;;" rows at the end are dropped
    assert "Dropped 114 empty rows." in report.notes
    assert first(table, "time") == pd.Timestamp("2004-03-10 18:00")
    assert table.frame["time"].iloc[6] == pd.Timestamp("2004-03-11 00:00")
    assert report.frequency == "h"
    assert set(report.sentinel_candidates) == set(_raw_minus_200_counts())
    assert all(v == [-200.0] for v in report.sentinel_candidates.values())


def test_air_quality_sentinels_are_applied_only_when_asked() -> None:
    table = read(MESSY / "AirQualityUCI.csv")
    raw = _raw_minus_200_counts()
    assert (table.frame["CO(GT)"] == -200).sum() == raw["CO(GT)"]  # offered, not applied
    kept = clean(table, ["CO(GT)", "T"], ReadOptions())
    assert kept["CO(GT)"].min() == -200.0
    cleaned = clean(table, ["CO(GT)", "T"], ReadOptions(missing_sentinels=(-200.0,)))
    assert (cleaned != -200.0).all().all()
    assert not cleaned.isna().any().any()  # interpolated
    assert cleaned["CO(GT)"].min() > 0
    assert isinstance(cleaned.index, pd.DatetimeIndex) and cleaned.index.name == "time"
    assert list(cleaned.dtypes) == [np.float64, np.float64]
    dropped = clean(table, ["CO(GT)"], ReadOptions(missing_sentinels=(-200.0,), missing="drop"))
    assert len(dropped) == 9357 - raw["CO(GT)"]


def test_inmet_latin1_accents_comma_decimals_and_utc_hours() -> None:
    table = read(MESSY / "inmet_porto_alegre_2020_latin1.csv")
    report = table.report
    assert report.encoding == "latin-1"
    assert any("latin-1" in n for n in report.notes)
    assert (report.separator, report.decimal) == (";", ",")
    rain = "PRECIPITAÇÃO TOTAL, HORÁRIO (mm)"
    wind = "VENTO, VELOCIDADE HORARIA (m/s)"
    assert rain in table.numeric_columns
    assert "TEMPERATURA DO AR - BULBO SECO, HORARIA (°C)" in table.numeric_columns
    assert table.frame[rain].iloc[1] == pytest.approx(0.2)  # ",2"
    assert table.frame[wind].iloc[1] == pytest.approx(0.7)  # ",7"
    assert first(table, "PRESSAO ATMOSFERICA AO NIVEL DA ESTACAO, HORARIA (mB)") == 1000.4
    assert table.time_column == "time"
    assert list(table.frame["time"].iloc[:2]) == [
        pd.Timestamp("2020-01-01 00:00"),
        pd.Timestamp("2020-01-01 01:00"),
    ]
    assert report.rows == 366 * 24 and report.frequency == "h" and report.gaps == 0
    assert all(any(ch.isalnum() for ch in c) for c in table.frame.columns)  # ",,,," column gone


def test_worldbank_bom_metadata_lines_and_year_columns() -> None:
    table = read(MESSY / "worldbank_population_wide.csv")
    report = table.report
    assert report.encoding == "utf-8-sig"
    assert (report.skipped_lines, report.header_row) == (4, 4)
    assert list(table.frame.columns[:5]) == [
        "Country Name",
        "Country Code",
        "Indicator Name",
        "Indicator Code",
        "1960",
    ]
    assert table.time_column is None
    assert table.numeric_columns[0] == "1960" and table.numeric_columns[-1] == "2016"
    assert "2017" not in table.numeric_columns  # present but empty
    assert table.frame["1960"].dtype == np.float64
    assert first(table, "1960") == 54211.0  # Aruba
    assert first(table, "Country Name") == "Aruba"
    assert report.rows == 264


def test_tesla_quoted_newest_first_with_a_bad_first_row() -> None:
    table = read(MESSY / "plotly_tesla-stock-price.csv")
    report = table.report
    assert (report.separator, report.decimal, report.thousands) == (",", ".", ",")
    assert table.time_column == "date"
    assert report.was_sorted is True
    assert table.frame["date"].is_monotonic_increasing
    assert first(table, "date") == pd.Timestamp("2015-10-15")
    assert table.frame["date"].iloc[-1] == pd.Timestamp("2018-10-15")
    # the "11:34" row (an intraday quote without a date) is dropped, and said so
    assert report.rows == 756
    assert any("11:34" in n and "Dropped 1 row" in n for n in report.notes)
    assert any("newest first" in n for n in report.notes)
    assert first(table, "close") == 221.31 and first(table, "volume") == 2835920.0
    assert table.frame["volume"].notna().all()
    assert report.frequency == "B"


def test_tesla_thousands_in_quotes_become_numbers() -> None:
    data = (
        (MESSY / "plotly_tesla-stock-price.csv").read_bytes().replace(b'"11:34"', b'"2018/10/16"')
    )
    table = read_table(data, "tesla.csv")
    assert table.frame["date"].iloc[-1] == pd.Timestamp("2018-10-16")
    assert table.frame["volume"].iloc[-1] == 4787699.0
    assert table.frame["close"].iloc[-1] == 270.49


def test_exchange_rates_without_header() -> None:
    table = read(MESSY / "exchange_rate_headerless.csv")
    report = table.report
    assert report.header_row is None
    assert list(table.frame.columns) == [f"col_{i}" for i in range(1, 9)]
    assert table.numeric_columns == [f"col_{i}" for i in range(1, 9)]
    assert report.rows == 7588 and report.columns == 8
    assert table.time_column is None and report.frequency is None
    assert list(table.frame.iloc[0]) == pytest.approx(
        [0.7855, 1.611, 0.861698, 0.634196, 0.211242, 0.006838, 0.593, 0.525486]
    )


@pytest.mark.parametrize("name", MESSY_FILES)
def test_every_report_is_json_serialisable(name: str) -> None:
    report = read(MESSY / name).report.to_dict()
    assert json.loads(json.dumps(report)) == report
    assert report["rows"] >= MIN_ROWS


# -- the shipped examples ------------------------------------------------------------------------


def test_jena_dotted_day_first_timestamps_every_ten_minutes() -> None:
    table = read(BUILTIN / "jena_climate_subset_10min.csv")
    assert table.time_column == "Date Time"
    assert first(table, "Date Time") == pd.Timestamp("2009-01-01 00:10:00")
    assert pd.Timestamp("2009-01-13 00:00") in set(table.frame["Date Time"])  # not 13th month
    assert table.report.frequency == "10min"
    assert table.report.rows == 4000 and table.report.gaps == 0
    assert first(table, "T (degC)") == pytest.approx(-8.02)
    assert len(table.numeric_columns) == 11


def test_airline_monthly_periods() -> None:
    table = read(BUILTIN / "airline-passengers.csv")
    assert table.time_column == "Month"
    assert table.report.frequency == "MS"
    assert (table.report.start, table.report.end) == ("1949-01-01 00:00:00", "1960-12-01 00:00:00")
    assert table.numeric_columns == ["Passengers"]
    assert first(table, "Passengers") == 112.0


def test_pollution_year_month_day_hour_columns_and_na() -> None:
    table = read(BUILTIN / "pollution.csv")
    report = table.report
    assert table.time_column == "time"
    assert not {"year", "month", "day", "hour"} & set(table.frame.columns)
    assert first(table, "time") == pd.Timestamp("2010-01-01 00:00")
    assert table.frame["time"].iloc[25] == pd.Timestamp("2010-01-02 01:00")
    assert report.frequency == "h" and report.rows == 43824 and report.gaps == 0
    assert np.isnan(first(table, "pm2.5"))  # "NA"
    assert report.missing_per_column["pm2.5"] > 0
    assert "No" in table.frame and "No" not in table.numeric_columns  # row counter, not offered
    assert "cbwd" not in table.numeric_columns  # wind direction text
    assert table.numeric_columns == ["pm2.5", "DEWP", "TEMP", "PRES", "Iws", "Is", "Ir"]


def test_ecg_whitespace_separated_headerless_141_columns() -> None:
    table = read(BUILTIN / "ECG5000_TRAIN_ucr_whitespace.csv")
    report = table.report
    assert report.separator == "whitespace"
    assert report.header_row is None
    assert report.columns == 141 and report.rows == 500
    assert table.numeric_columns[0] == "col_1" and table.numeric_columns[-1] == "col_141"
    assert first(table, "col_1") == 1.0
    assert first(table, "col_2") == pytest.approx(-0.11252183)


# -- generated formats ---------------------------------------------------------------------------


def test_european_numbers_with_thousands_and_bare_leading_comma() -> None:
    rows = [f'{d};1.135.{i:03d},50;,{i % 10};"{i},25"' for i, d in enumerate(daily())]
    table = read_text("Datum;Betrag;Anteil;Quote\n" + "\n".join(rows))
    assert (table.report.decimal, table.report.thousands) == (",", ".")
    assert first(table, "Betrag") == 1135000.5
    assert table.frame["Betrag"].iloc[7] == 1135007.5
    assert table.frame["Anteil"].iloc[7] == pytest.approx(0.7)
    assert table.frame["Quote"].iloc[3] == 3.25


def test_quoted_numbers_and_thousands_with_comma_separator() -> None:
    rows = [f'"{d}","{1000 + i:,}","{i}.5"' for i, d in enumerate(daily())]
    table = read_text('"day","count","score"\n' + "\n".join(rows))
    assert table.report.thousands == ","
    assert first(table, "count") == 1000.0 and table.frame["count"].iloc[19] == 1019.0
    assert table.frame["score"].iloc[2] == 2.5


def test_missing_markers_become_nan() -> None:
    markers = ["", "NA", "N/A", "?", "-", "nan"]
    rows = [f"{d},{markers[i % 6] if i % 2 else i}" for i, d in enumerate(daily(24))]
    table = read_text("date,value\n" + "\n".join(rows))
    values = table.frame["value"]
    assert values.dtype == np.float64
    assert values.isna().sum() == 12 and values.iloc[2] == 2.0
    assert table.report.missing_per_column == {"value": 12}
    filled = clean(table, ["value"], ReadOptions(missing="interpolate"))
    assert filled["value"].iloc[1] == pytest.approx(1.0)  # halfway between 0 and 2
    assert clean(table, ["value"], ReadOptions(missing="ffill"))["value"].iloc[1] == 0.0
    assert len(clean(table, ["value"], ReadOptions(missing="drop"))) == 12


@pytest.mark.parametrize(
    ("name", "sep", "reported"),
    [
        ("a.tsv", "\t", "\t"),
        ("a.txt", "|", "|"),
        ("a.csv", ";", ";"),
        ("a.txt", "   ", "whitespace"),
    ],
)
def test_separators(name: str, sep: str, reported: str) -> None:
    rows = [sep.join([d, str(i), f"{i / 4}"]) for i, d in enumerate(daily())]
    table = read_text(sep.join(["date", "count", "share"]) + "\n" + "\n".join(rows), name)
    assert table.report.separator == reported
    assert table.numeric_columns == ["count", "share"]
    assert table.frame["share"].iloc[3] == 0.75 and table.report.frequency == "D"


def test_metadata_lines_before_the_header() -> None:
    text = "Station report\nExported by: someone, somewhere\n\n" + "date,v\n"
    text += "\n".join(f"{d},{i}" for i, d in enumerate(daily()))
    table = read_text(text)
    assert (table.report.skipped_lines, table.report.header_row) == (3, 3)
    assert table.numeric_columns == ["v"] and table.report.rows == 20


def test_saved_pandas_index_is_dropped_and_named_counter_is_not_offered() -> None:
    frame = pd.DataFrame({"No": range(1, 21), "date": daily(), "v": np.arange(20) * 0.5})
    buffer = io.StringIO()
    frame.to_csv(buffer)  # writes the unnamed 0..n-1 index as the first column
    table = read_text(buffer.getvalue())
    assert list(table.frame.columns) == ["date", "No", "v"]
    assert table.numeric_columns == ["v"]
    assert any("numbers the rows" in n for n in table.report.notes)


def test_split_date_and_time_columns_and_month_first_dates() -> None:
    rows = [
        f"{d.month}/{d.day}/{d.year},{d:%H:%M},{i}"
        for i, d in enumerate(pd.date_range("2021-01-10 22:00", periods=30, freq="h"))
    ]
    table = read_text("Date,Time,load\n" + "\n".join(rows))
    assert table.time_column == "time"
    assert first(table, "time") == pd.Timestamp("2021-01-10 22:00")
    assert table.frame["time"].iloc[29] == pd.Timestamp("2021-01-12 03:00")
    assert table.report.frequency == "h"
    assert "Dates in 'Date' fit more than one order; read them month first." in table.report.notes


def test_day_first_dates_when_the_first_field_goes_past_twelve() -> None:
    dates = pd.date_range("2006-12-08", periods=20, freq="D")
    table = read_text("day,v\n" + "\n".join(f"{d:%d/%m/%Y},{i}" for i, d in enumerate(dates)))
    assert first(table, "day") == pd.Timestamp("2006-12-08")
    assert table.frame["day"].iloc[-1] == pd.Timestamp("2006-12-27")


def test_out_of_order_and_duplicate_timestamps() -> None:
    days = [3, 1, 2, 4, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    table = read_text("date,v\n" + "\n".join(f"2020-01-{d:02d},{i}" for i, d in enumerate(days)))
    report = table.report
    assert report.was_sorted and "Sorted 1 row that were out of time order." in report.notes
    assert table.frame["date"].is_monotonic_increasing
    assert list(table.frame["v"].iloc[:3]) == [1.0, 2.0, 0.0]
    assert report.duplicate_timestamps == 1
    assert len(clean(table, ["v"], ReadOptions(duplicates="keep"))) == 13
    averaged = clean(table, ["v"], ReadOptions(duplicates="mean"))
    assert len(averaged) == 12 and averaged.loc["2020-01-04", "v"] == 3.5


def test_gaps_are_counted_at_the_inferred_frequency() -> None:
    times = pd.date_range("2020-01-01", periods=40, freq="h").delete([5, 6, 20])
    table = read_text("t,v\n" + "\n".join(f"{t:%Y-%m-%d %H:%M:%S},1.5" for t in times))
    assert (table.report.frequency, table.report.gaps) == ("h", 3)


def test_iso_timestamps_with_offsets_become_naive_utc() -> None:
    rows = [f"2020-03-01T{h:02d}:00:00+02:00,{h}" for h in range(12)]
    table = read_text("ts,v\n" + "\n".join(rows))
    assert first(table, "ts") == pd.Timestamp("2020-02-29 22:00")
    assert table.frame["ts"].dt.tz is None


def test_year_only_column() -> None:
    table = read_text("Year,v\n" + "\n".join(f"{1960 + i},{i}" for i in range(15)))
    assert table.time_column == "time" and table.report.frequency == "YS"


def test_trailing_empty_columns_and_rows_are_dropped() -> None:
    body = "\n".join(f"{d},{i},," for i, d in enumerate(daily()))
    table = read_text("date,v,,\n" + body + "\n,,,\n,,,\n\n")
    assert list(table.frame.columns) == ["date", "v"]
    assert table.report.rows == 20


def test_column_names_are_kept_verbatim() -> None:
    names = ["<script>alert(1)</script>", "=cmd|' /C calc'!A0", "naïve €"]
    rows = [f"{i},{i * 2},{i * 3}" for i in range(20)]
    table = read_text(",".join(f'"{n}"' for n in names) + "\n" + "\n".join(rows))
    assert table.numeric_columns == names
    assert table.frame[names[1]].iloc[3] == 6.0


def test_infinite_values_are_treated_as_missing() -> None:
    rows = [
        f"{d},{'inf' if i == 3 else i},{'-inf' if i % 2 else 'inf'}" for i, d in enumerate(daily())
    ]
    table = read_text("date,v,w\n" + "\n".join(rows))
    assert np.isnan(table.frame["v"].iloc[3]) and np.isfinite(table.frame["v"].drop(3)).all()
    assert table.numeric_columns == ["v"]  # w held only infinities
    assert "Treated 21 infinite values as missing." in table.report.notes


def test_all_empty_column_is_not_offered() -> None:
    table = read_text("date,v,w\n" + "\n".join(f"{d},{i},NA" for i, d in enumerate(daily())))
    assert table.numeric_columns == ["v"] and "w" in table.frame
    assert any("'w' has no values" in n for n in table.report.notes)


def test_utf16_and_cp1252_text() -> None:
    text = "date\tWert €\n" + "\n".join(f"{d}\t{i},5" for i, d in enumerate(daily()))
    utf16 = read_table(text.encode("utf-16"), "excel-export.txt")
    assert utf16.report.encoding == "utf-16" and utf16.frame["Wert €"].iloc[1] == 1.5
    cp1252 = read_table(text.encode("cp1252"), "export.txt")
    assert cp1252.report.encoding == "cp1252" and cp1252.numeric_columns == ["Wert €"]


def test_xlsx_with_a_title_block(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"when": pd.date_range("2021-01-01", periods=30, freq="D"), "value": np.arange(30) / 2}
    )
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame([["Sales report"], ["made by hand"]]).to_excel(
            writer, index=False, header=False
        )
        frame.to_excel(writer, index=False, startrow=3)
    table = read(path)
    assert table.report.encoding == "xlsx" and table.report.header_row == 3
    assert table.time_column == "when" and table.report.frequency == "D"
    assert table.numeric_columns == ["value"] and table.frame["value"].iloc[3] == 1.5


def test_workbook_with_a_csv_name_is_read_as_a_workbook(tmp_path: Path) -> None:
    frame = pd.DataFrame({"day": daily(), "v": np.arange(20.0)})
    path = tmp_path / "book.xlsx"
    frame.to_excel(path, index=False)
    table = read_table(path.read_bytes(), "renamed.csv")
    assert table.report.encoding == "xlsx" and table.numeric_columns == ["v"]
    assert any("Excel workbook" in n for n in table.report.notes)


def test_text_cells_late_in_a_long_numeric_column() -> None:
    rows = [f"{i};{i},5" for i in range(200_000)] + [f"{i};n/d" for i in range(10)]
    table = read_text("a;b\n" + "\n".join(rows))
    values = table.frame["b"]
    assert values.iloc[1] == 1.5 and values.iloc[199_999] == 199_999.5
    assert values.iloc[200_000:].isna().all()
    assert "10 cells in 'b' not numbers; treated as missing." in table.report.notes


def test_very_wide_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    wide = pd.DataFrame(rng.normal(size=(300, 400)), columns=[f"s{i}" for i in range(400)])
    wide.insert(0, "date", daily(300))
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    table = read(path)
    assert table.report.columns == 401 and len(table.numeric_columns) == 400
    assert table.frame["s399"].to_numpy() == pytest.approx(wide["s399"].to_numpy())


def test_generated_200k_rows_parse_like_pandas(tmp_path: Path) -> None:
    path = make_big_csv(tmp_path / "big.csv", 200_000)
    table = read(path)
    bare = pd.read_csv(path)
    assert table.report.rows == 200_000 and table.report.frequency == "min"
    assert table.report.end == "2000-05-18 21:19:00"
    assert table.numeric_columns == ["x1", "x2", "x3", "x4"]
    np.testing.assert_array_equal(table.frame["x4"].to_numpy(), bare["x4"].to_numpy())


# -- bad input -------------------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        (b" \r\n\n  \n", "a.csv", "empty"),
        (PNG, "photo.csv", "binary"),
        (bytes(range(1, 9)) * 50, "noise.txt", "control characters"),
        (b"date,v\n2020-01-01,1\n", "a.csv", "only 1 data row; a series needs at least 10 rows"),
        (b"date,v\n", "a.csv", "no rows of data"),
        (b'a,b\n"1,2\n3,4\n', "a.csv", "could not be read as a table"),
        (b"a,b\n1,2\n", "data.json", "Files ending in .json are not supported"),
        (b"a,b\n1,2\n", "data", "Files without an ending are not supported"),
        (b"anything", "old.xls", ".xls"),
        (b"PK\x03\x04broken", "book.xlsx", "workbook could not be opened"),
        (PNG, "book.xlsx", "workbook could not be opened"),
    ],
)
def test_bad_files_raise_a_clear_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(DataError, match=re.escape(message)):
        read_table(data, name)


def test_no_numeric_column() -> None:
    with pytest.raises(DataError, match="No column holds numbers"):
        read_text("name,colour\n" + "\n".join(f"n{i},red" for i in range(20)))
    with pytest.raises(DataError, match="No column holds numbers"):
        read_text("date,v\n" + "\n".join(f"{d},NA" for d in daily()))


def test_too_many_rows() -> None:
    text = "date,v\n" + "\n".join(f"{d},{i}" for i, d in enumerate(daily(150)))
    with pytest.raises(DataError, match="more than 100 rows"):
        read_text(text, max_rows=100)
    assert read_text(text, max_rows=150).report.rows == 150


def test_clean_refuses_what_it_cannot_use() -> None:
    table = read_text("date,v,w\n" + "\n".join(f"{d},{i},-999" for i, d in enumerate(daily())))
    assert table.report.sentinel_candidates == {}  # -999 everywhere is not set apart
    with pytest.raises(DataError, match="'nope'"):
        clean(table, ["nope"], ReadOptions())
    with pytest.raises(DataError, match="No column is selected"):
        clean(table, [], ReadOptions())
    with pytest.raises(DataError, match="'w' has no values left after treating"):
        clean(table, ["w"], ReadOptions(missing_sentinels=(-999.0,)))
    sparse = read_text(
        "date,v\n" + "\n".join(f"{d},{i if i < 5 else ''}" for i, d in enumerate(daily()))
    )
    with pytest.raises(DataError, match="Only 5 rows remain"):
        clean(sparse, ["v"], ReadOptions(missing="drop"))
    with pytest.raises(ValueError, match="missing must be one of"):
        clean(table, ["v"], ReadOptions(missing="zero"))


def test_reader_imports_neither_dash_nor_plotly() -> None:
    code = (
        "import sys, dashboard.ingest.reader; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('dash', 'plotly')]; "
        "assert not bad, bad"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# -- issue 13: more dates, numbers with units, row order -------------------------------------


def test_day_month_name_with_a_two_digit_year() -> None:
    days = pd.date_range("2013-09-25", periods=14, freq="D")
    rows = [f"{d.day}-{d:%b-%y},{i}" for i, d in enumerate(days)]  # 25-Sep-13 .. 8-Oct-13
    table = read_text("Date,Close\n" + "\n".join(rows))
    assert table.time_column == "Date" and table.report.frequency == "D"
    assert first(table, "Date") == pd.Timestamp("2013-09-25")
    assert table.frame["Date"].iloc[6] == pd.Timestamp("2013-10-01")  # written 1-Oct-13
    assert table.frame["Close"].iloc[6] == 6.0


def test_month_day_year_with_a_twelve_hour_clock_and_runs_of_blanks() -> None:
    times = pd.date_range("2013-10-12 22:05", periods=12, freq="h")
    blanks = ["  ", " ", "   "]
    rows = [
        f"{t.month}/{t.day}/{t.year}{blanks[i % 3]}{t.hour % 12 or 12}:{t:%M:%S %p},{i}"
        for i, t in enumerate(times)
    ]
    assert rows[3] == "10/13/2013  1:05:00 AM,3"
    table = read_text("Timestamp,Load\n" + "\n".join(rows))
    assert table.time_column == "Timestamp" and table.report.frequency == "h"
    assert first(table, "Timestamp") == pd.Timestamp("2013-10-12 22:05")
    assert table.frame["Timestamp"].iloc[2] == pd.Timestamp("2013-10-13 00:05")  # 12:05 AM
    assert table.frame["Timestamp"].iloc[-1] == pd.Timestamp("2013-10-13 09:05")
    assert table.report.rows == 12


def test_year_index_month_labels() -> None:
    labels = [f"{year}-{month:02d}" for year in (1, 2, 3) for month in range(1, 13)]
    table = read_text("Month,Sales\n" + "\n".join(f"{m},{100 + i}.5" for i, m in enumerate(labels)))
    assert table.time_column == "Month" and table.report.frequency == "MS"
    assert first(table, "Month") == pd.Timestamp("2001-01-01")
    assert table.frame["Month"].iloc[22] == pd.Timestamp("2002-11-01")  # written 2-11
    assert table.frame["Sales"].iloc[22] == 122.5
    assert any("'1-01' is month 1 of year 1" in n for n in table.report.notes)


def test_bare_integer_year_column_newest_first() -> None:
    rows = [f"{2004 - i},{i * 1.5}" for i in range(15)]  # 2004 first, 1990 last
    table = read_text("period,population\n" + "\n".join(rows))
    assert table.time_column == "period" and table.report.frequency == "YS"
    assert first(table, "period") == pd.Timestamp("1990-01-01")
    assert first(table, "population") == 21.0
    assert table.report.was_sorted and table.numeric_columns == ["population"]
    notes = table.report.notes
    assert "Read 'period' as years (1990 to 2004)." in notes
    assert "The rows ran newest first; sorted them oldest first." in notes


def test_a_number_column_of_years_in_the_middle_is_not_a_time_axis() -> None:
    rows = [f"{i},{1990 + i},{i % 3}" for i in range(15)]
    table = read_text("step,built,v\n" + "\n".join(rows))
    assert table.time_column is None and "built" in table.numeric_columns


def test_columns_that_look_like_time_but_are_not_used_say_why() -> None:
    rows = [
        f"Q{i % 4 + 1}/20{10 + i},{'2020-01-0' + str(i % 9 + 1) if i % 2 else 'soon'},{i}"
        for i in range(12)
    ]
    table = read_text("Date,when,v\n" + "\n".join(rows))
    notes = table.report.notes
    assert table.time_column is None
    assert (
        "Column 'Date' is named like time but its values (such as 'Q1/2010') match no date "
        "format the reader knows, so the rows stay in file order." in notes
    )
    assert (
        "Column 'when' looks like dates but only 50% of its values read as one date format "
        "('soon' is not), so the rows stay in file order." in notes
    )
    numbered = read_text("t,v\n" + "\n".join(f"{i},{i % 5}" for i in range(12)))
    assert (
        "Column 't' is named like time but holds numbers that are not years, so it is kept "
        "as a number column." in numbered.report.notes
    )
    two = read_text("day,paid,v\n" + "\n".join(f"{d},{d},{i}" for i, d in enumerate(daily())))
    assert two.time_column == "day"
    assert any(n.startswith("Column 'paid' also holds dates; 'day' is") for n in two.report.notes)


def test_numbers_with_suffixes_percent_and_currency_signs() -> None:
    rows = [
        f'{d},"$1,{i:03d}.50",9.{i:02d}K,268.28M,-1.{i:02d}%,"€1.234,{i:02d}",£{i},"-$0.5"'
        for i, d in enumerate(daily(12))
    ]
    rows[3] = rows[3].replace("268.28M", "1.2B").replace("9.03K", "-")
    head = "Date,Price,Vol.,Cap,Change %,Euro,Pound,Loss"
    table = read_text(head + "\n" + "\n".join(rows))
    frame, report = table.frame, table.report
    assert frame["Price"].iloc[2] == 1002.5
    assert frame["Vol."].iloc[1] == pytest.approx(9010.0) and np.isnan(frame["Vol."].iloc[3])
    assert frame["Cap"].iloc[0] == pytest.approx(268.28e6) and frame["Cap"].iloc[3] == 1.2e9
    assert frame["Change %"].iloc[4] == pytest.approx(-1.04)
    assert frame["Euro"].iloc[5] == pytest.approx(1234.05)
    assert frame["Pound"].iloc[7] == 7.0 and frame["Loss"].iloc[0] == -0.5
    assert report.converted == {
        "Price": "currency",
        "Vol.": "K/M/B suffixes",
        "Cap": "K/M/B suffixes",
        "Change %": "percent",
        "Euro": "currency",
        "Pound": "currency",
        "Loss": "currency",
    }
    assert "Converted 'Cap' from K/M/B suffixes ('268.28M' read as 268,280,000)." in report.notes
    assert "Converted 'Change %' from percent ('-1.00%' read as -1)." in report.notes
    assert "Converted 2 more columns with units the same way." in report.notes
    assert table.numeric_columns == head.split(",")[1:]


def test_text_that_only_sometimes_has_units_stays_text() -> None:
    rows = [f"{d},{'big' if i % 2 else '5K'},{i}" for i, d in enumerate(daily())]
    table = read_text("date,size,v\n" + "\n".join(rows))
    assert "size" not in table.numeric_columns and table.report.converted == {}


def test_newest_first_rows_with_dates_are_put_in_time_order() -> None:
    days = list(reversed(daily(15)))
    table = read_text("date,v\n" + "\n".join(f"{d},{i}" for i, d in enumerate(days)))
    assert table.report.was_sorted and table.frame["date"].is_monotonic_increasing
    assert first(table, "v") == 14.0
    assert "The rows ran newest first; sorted them oldest first." in table.report.notes


def test_without_a_time_column_the_row_order_can_be_reversed() -> None:
    table = read_text("close,volume\n" + "\n".join(f"{100 - i},{i}" for i in range(12)))
    assert table.time_column is None
    assert any(n.startswith("No time column was found") for n in table.report.notes)
    assert clean(table, ["close"], ReadOptions())["close"].iloc[0] == 100.0
    reversed_ = clean(table, ["close", "volume"], ReadOptions(reverse_rows=True))
    assert list(reversed_["close"].iloc[:2]) == [89.0, 90.0]
    assert list(reversed_.index[:2]) == [0, 1]


def test_a_report_pickled_before_shapes_and_units_still_loads() -> None:
    report = read_text("date,v\n" + "\n".join(f"{d},{i}" for i, d in enumerate(daily()))).report
    older = ReadReport.__new__(ReadReport)  # a report as older code made it, without them
    for name, value in vars(report).items():
        if name not in ("converted", "shape"):
            object.__setattr__(older, name, value)
    loaded = pickle.loads(pickle.dumps(older))
    assert loaded.converted == {} and loaded.shape.kind == "plain" and loaded.rows == 20
    assert loaded.to_dict()["shape"]["kind"] == "plain"
