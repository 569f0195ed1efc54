"""Numbers written with units, as finance and market exports write them: K/M/B suffixes
(`9.57K`, `268.28M`, `1.2B`), percent strings (`-1.13%`, kept in percent: -1.13) and currency
signs (`$1,234.50`, `-€12`, `12,50 €`, `£3`). `convert` turns such a text column into
float64 and says how; the reader reports it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.ingest import sniff

log = logging.getLogger(__name__)

SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9}
CURRENCIES = "$€£¥"
PATTERN = (
    r"^(?P<sign>[+-]?)\s*(?P<cur>[$€£¥])?\s*(?P<sign2>[+-]?)"
    r"(?P<num>\d[\d.,' ]*\d|\d|[.,]\d+)\s*(?P<unit>[KMB%])?\s*(?P<cur2>[$€£¥])?$"
)
MIN_SHARE = 0.9  # of the non-empty cells that must read as numbers with units


@dataclass(frozen=True, eq=False)
class Converted:
    """A text column read as numbers, and how (for the report)."""

    values: pd.Series  # float64
    how: str  # "K/M/B suffixes", "percent", "currency" (joined with ", " when several)
    example: str  # one cell as written, e.g. "9.57K"
    example_value: float


def _kinds(parts: pd.DataFrame) -> list[str]:
    unit = parts["unit"].dropna()
    kinds = []
    if unit.isin(list(SUFFIXES)).any():
        kinds.append("K/M/B suffixes")
    if (unit == "%").any():
        kinds.append("percent")
    if parts["cur"].notna().any() or parts["cur2"].notna().any():
        kinds.append("currency")
    return kinds


def _plain_numbers(digits: pd.Series, decimal: str) -> pd.Series:
    """The digit strings ('1,234.50', '1.234,50', '9.57') as floats, their decimal mark
    told by the column itself unless the file's is a comma."""
    sample = digits.dropna().head(500).tolist()
    if decimal == ".":
        decimal, _ = sniff.number_format(sample, ",")
    text = digits.str.replace(r"[ ']", "", regex=True)
    thousands = "." if decimal == "," else ","
    text = text.str.replace(thousands, "", regex=False)
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce")


def convert(column: pd.Series, decimal: str = ".") -> Converted | None:
    """The text column as numbers if at least MIN_SHARE of its cells are numbers with a K/M/B
    suffix, a percent sign or a currency sign (some cells must carry one); else None."""
    try:
        text = column.str.strip()
    except AttributeError:  # no strings at all
        return None
    parts = text.str.extract(PATTERN)
    present = int(text.notna().sum())
    matched = parts["num"].notna()
    kinds = _kinds(parts)
    if not present or not kinds or matched.sum() < MIN_SHARE * present:
        return None
    scale = parts["unit"].map(SUFFIXES).fillna(1.0).astype(float)
    negative = (parts["sign"] == "-") ^ (parts["sign2"] == "-")
    values = _plain_numbers(parts["num"], decimal) * scale * np.where(negative, -1.0, 1.0)
    first = int(np.flatnonzero(values.notna().to_numpy())[0]) if values.notna().any() else 0
    return Converted(
        values=values.astype("float64"),
        how=", ".join(kinds),
        example=str(text.iloc[first]),
        example_value=float(values.iloc[first]),
    )


def note(name: str, converted: Converted) -> str:
    """The report's sentence: what was converted, and one example."""
    return (
        f"Converted {name!r} from {converted.how} "
        f"({converted.example!r} read as {converted.example_value:,.10g})."
    )
