"""Labelled sequences in an upload: files that train a classifier, not a forecaster.

Two layouts are found (`detect`), both offered as the shape choice `classify`:
- one row per sequence: a label column (named like one: 'label', 'class', ...; or, in a file
  without a header, the first column, as in the UCR archive's ECG5000) beside at least
  MIN_STEPS numeric columns, the sequence's values in order;
- long: a sequence id column, a label that never changes within an id, and the values one
  row per step (in file order, or ordered by the time column or a step counter). With
  several value columns, each is offered (`classify:<column>`).

`apply` makes the frame that `dashboard.ml.data.Dataset` classifies, as the built-in ECG5000
is: the label first, then one column per time step, one row per sequence. Text labels become
codes 0..k-1 in sorted order (the note names them); sequences of a long file are cut to the
shortest one's length; missing steps are filled along each sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.ingest.sniff import DataError, plural

CLASSIFY = "classify"
ROWS, LONG = "rows", "long"
MIN_STEPS = 8  # values per sequence
MIN_SEQUENCES = 10
MAX_CLASSES = 50
MAX_CANDIDATES = 20
MAX_SHOWN = 5  # classes named in a sentence
LABEL_WORDS = frozenset(
    {"label", "labels", "class", "classes", "target", "y", "category", "diagnosis", "outcome"}
    | {"activity", "type", "kind", "tag", "condition", "state", "group"}
)
SEQUENCE_WORDS = frozenset(
    {"id", "sequence", "seq", "sample", "subject", "trial", "recording", "episode", "series"}
    | {"run", "case", "session", "instance", "beat", "segment", "window", "unit", "patient"}
)
STEP_WORDS = frozenset(
    {"step", "t", "time", "index", "idx", "position", "pos", "frame", "tick", "order", "no"}
)
_WORDS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Labelled:
    """Labelled sequences found in a table (JSON-friendly)."""

    layout: str  # rows | long
    label: str  # the label column
    classes: dict[str, int] = field(default_factory=dict)  # label -> sequences
    values: list[str] = field(default_factory=list)  # rows: the steps; long: value columns
    sequence: str | None = None  # long: the sequence id column
    order: str | None = None  # long: the column ordering the steps (time, step), if any
    sequences: int = 0
    steps: int = 0  # rows: values per sequence; long: those of the shortest sequence
    longest: int = 0  # long: the rows of the longest sequence
    sentence: str = ""

    def choices(self) -> dict[str, str]:
        """The classification choices offered: value -> label."""
        what = f"{plural(self.sequences, 'sequence')} of {self.steps} steps"
        head = f"classify by {self.label} ({what}, {_classes(len(self.classes))})"
        if self.layout == ROWS or len(self.values) == 1:
            return {CLASSIFY: head}
        return {f"{CLASSIFY}:{v}": f"{head}: the values of {v}" for v in self.values}


def _classes(count: int) -> str:
    return f"{count} class{'' if count == 1 else 'es'}"


def _words(name: str) -> set[str]:
    return set(_WORDS.split(name.strip().lower()))


def _whole_or_text(column: pd.Series) -> bool:
    if column.dtype == object:
        return True
    values = column.dropna()
    return column.dtype == np.float64 and bool((values % 1 == 0).all())


def _class_counts(column: pd.Series) -> dict[str, int]:
    counts = label_text(column).value_counts()
    return {str(k): int(n) for k, n in counts.sort_index().items() if k != ""}


def label_text(column: pd.Series) -> pd.Series:
    """Labels as text ('normal'; 1.0 as '1'), missing ones as ''."""
    if column.dtype == np.float64:
        return column.astype("Int64").astype(str).replace("<NA>", "")
    return column.fillna("").astype(str).str.strip()


def _label_like(column: pd.Series, sequences: int) -> bool:
    distinct = column.nunique()
    return 2 <= distinct <= min(MAX_CLASSES, sequences // 2) and _whole_or_text(column)


# -- detection -------------------------------------------------------------------------------


def detect(
    frame: pd.DataFrame, time_column: str | None, has_header: bool = True
) -> Labelled | None:
    """Labelled sequences in `frame` (one row per sequence, or long with a sequence id),
    or None."""
    found = _rows(frame, has_header) if time_column is None else None
    return found or _long(frame, time_column)


def _row_label(frame: pd.DataFrame, has_header: bool) -> str | None:
    names = [str(c) for c in frame.columns]
    named = [n for n in names if _words(n) & LABEL_WORDS]
    ends = [] if has_header else [names[0], names[-1]]
    for name in [*named, *ends][:MAX_CANDIDATES]:
        if frame[name].notna().mean() > 0.9 and _label_like(frame[name], len(frame)):
            return name
    return None


def _rows(frame: pd.DataFrame, has_header: bool) -> Labelled | None:
    if len(frame) < MIN_SEQUENCES:
        return None
    label = _row_label(frame, has_header)
    if label is None:
        return None
    columns = [str(c) for c in frame.columns if c != label and frame[c].dtype == np.float64]
    if len(columns) < MIN_STEPS or len(columns) < 0.8 * (frame.shape[1] - 1):
        return None
    classes = _class_counts(frame[label])
    sentence = (
        f"The file may hold {plural(len(frame), 'labelled sequence')}, one per row: "
        f"{label!r} names {_classes(len(classes))} ({_shown(classes)}), the other "
        f"{len(columns)} columns are the steps; choose 'classify' to train a classifier."
    )
    return Labelled(
        ROWS, label, classes, columns, sequences=len(frame), steps=len(columns), sentence=sentence
    )


def _shown(classes: dict[str, int]) -> str:
    shown = ", ".join(f"{k}: {n:,}" for k, n in list(classes.items())[:MAX_SHOWN])
    return shown + (", ..." if len(classes) > MAX_SHOWN else "")


def _candidates(frame: pd.DataFrame, words: frozenset[str], skip: set[str]) -> list[str]:
    """Text columns, and whole-number ones named with one of `words` ('sample_id', 'class'),
    the named ones first."""
    names = [
        str(c)
        for c in frame.columns
        if c not in skip
        and (frame[c].dtype == object or (_words(str(c)) & words and _whole_or_text(frame[c])))
    ]
    return sorted(names, key=lambda n: not _words(n) & words)[:MAX_CANDIDATES]


def _sequence_column(frame: pd.DataFrame, skip: set[str]) -> str | None:
    for name in _candidates(frame, SEQUENCE_WORDS, skip):
        distinct = frame[name].nunique()
        if MIN_SEQUENCES <= distinct <= len(frame) / MIN_STEPS and frame[name].notna().all():
            return name
    return None


def _constant_label(frame: pd.DataFrame, sequence: str, skip: set[str]) -> str | None:
    sequences = frame[sequence].nunique()
    for name in _candidates(frame, LABEL_WORDS, skip | {sequence}):
        if not _label_like(frame[name], sequences):
            continue
        if bool((frame.groupby(sequence, sort=False)[name].nunique(dropna=True) <= 1).all()):
            return name
    return None


def _step_column(frame: pd.DataFrame, sequence: str, floats: list[str]) -> str | None:
    """The column numbering the steps of each sequence, if any: one named like a step
    ('step', 't', 'index') with distinct consecutive whole numbers in every sequence (in any
    row order). Without one, the steps are in file order."""
    counters = [c for c in floats if _whole_or_text(frame[c]) and frame[c].notna().all()]
    groups = frame.groupby(sequence, sort=False)
    for name in [c for c in counters if _words(c) & STEP_WORDS]:
        spans = groups[name].agg(["min", "max", "nunique", "size"])
        if bool((spans["max"] - spans["min"] + 1 == spans["size"]).all()) and bool(
            (spans["nunique"] == spans["size"]).all()
        ):
            return name
    return None


def _long(frame: pd.DataFrame, time_column: str | None) -> Labelled | None:
    skip = {time_column} if time_column else set()
    sequence = _sequence_column(frame, skip)
    label = _constant_label(frame, sequence, skip) if sequence else None
    if sequence is None or label is None:
        return None
    floats = [
        str(c) for c in frame.columns if frame[c].dtype == np.float64 and c not in {sequence, label}
    ]
    step = _step_column(frame, sequence, floats)
    values = [c for c in floats if c != step]
    lengths = frame.groupby(sequence, sort=False).size()
    if not values or int(lengths.min()) < MIN_STEPS:
        return None
    per_sequence = frame.groupby(sequence, sort=False)[label].first()
    classes = _class_counts(per_sequence)
    sentence = (
        f"The file may hold {plural(len(lengths), 'labelled sequence')} stacked by "
        f"{sequence!r} ({int(lengths.min())} to {int(lengths.max())} rows each), labelled by "
        f"{label!r} ({_shown(classes)}); choose 'classify' to train a classifier."
    )
    order = step or time_column
    return Labelled(
        LONG,
        label,
        classes,
        values,
        sequence,
        order,
        sequences=len(lengths),
        steps=int(lengths.min()),
        longest=int(lengths.max()),
        sentence=sentence,
    )


# -- applying --------------------------------------------------------------------------------


def apply(frame: pd.DataFrame, found: Labelled, choice: str) -> tuple[pd.DataFrame, list[str]]:
    """(the label then one column per step, one row per sequence; notes on what was done)
    for a `classify` choice; raises DataError for another choice."""
    if choice == CLASSIFY and found.layout == ROWS:
        labels, steps = frame[found.label], frame[found.values].to_numpy(dtype=np.float64)
        names = list(found.values)
    elif choice.startswith(CLASSIFY) and found.layout == LONG:
        value = choice.removeprefix(f"{CLASSIFY}:") if ":" in choice else found.values[0]
        if value not in found.values:
            raise DataError(f"This file has no value column {value!r} to classify by.")
        labels, steps = _stack(frame, found, value)
        names = [f"t{i:03d}" for i in range(1, steps.shape[1] + 1)]
    else:
        raise DataError(f"This file cannot be classified by {choice!r}; choose another way.")
    return _tidy(labels.reset_index(drop=True), steps, names, found)


def _stack(frame: pd.DataFrame, found: Labelled, value: str) -> tuple[pd.Series, np.ndarray]:
    """(each sequence's label, its first `found.steps` values as one row), in file order."""
    assert found.sequence is not None
    ordered = frame.sort_values(found.order, kind="stable") if found.order else frame
    groups = ordered.groupby(found.sequence, sort=False)
    appearance = pd.unique(frame[found.sequence])  # the sequences in file order
    labels = groups[found.label].first().reindex(appearance)
    rows = {key: g.to_numpy(dtype=np.float64)[: found.steps] for key, g in groups[value]}
    return labels, np.stack([rows[key] for key in appearance])


def _tidy(
    labels: pd.Series, steps: np.ndarray, names: list[str], found: Labelled
) -> tuple[pd.DataFrame, list[str]]:
    """Sequences without a label or any value dropped, gaps filled along each sequence,
    text labels coded."""
    text = label_text(labels)
    keep = (text != "").to_numpy() & ~np.isnan(steps).all(axis=1)
    values = pd.DataFrame(steps[keep], columns=pd.Index(names, dtype=object))
    values = values.interpolate(axis=1, limit_direction="both")
    notes = [_made(found, int(keep.sum()), steps.shape[1])]
    if not keep.all():
        notes.append(f"Left out {plural(int((~keep).sum()), 'sequence')} without a label.")
    codes, note = code_labels(labels[keep].reset_index(drop=True), text[keep])
    if note:
        notes.append(note)
    frame = pd.concat([pd.DataFrame({found.label: codes}), values], axis=1)
    if len(frame) < MIN_SEQUENCES:
        raise DataError(
            f"Only {len(frame)} labelled sequences remain; a classifier needs at least "
            f"{MIN_SEQUENCES}."
        )
    return frame, notes


def code_labels(labels: pd.Series, text: pd.Series) -> tuple[np.ndarray, str]:
    """(labels as float64; a note naming the codes when text labels were coded 0..k-1)."""
    if labels.dtype == np.float64:
        return labels.to_numpy(), ""
    names, codes = np.unique(text.to_numpy(dtype=str), return_inverse=True)
    shown = ", ".join(f"{i} = {n}" for i, n in enumerate(names[:MAX_SHOWN]))
    more = ", ..." if len(names) > MAX_SHOWN else ""
    return codes.astype(np.float64), f"Labels coded as numbers: {shown}{more}."


def _made(found: Labelled, sequences: int, steps: int) -> str:
    if found.layout == ROWS:
        return f"Read as {plural(sequences, 'labelled sequence')} of {steps} steps, one per row."
    cut = " (each cut to the shortest)" if found.longest > found.steps else ""
    return (
        f"Read as {plural(sequences, 'labelled sequence')} of {steps} steps{cut}, one per "
        f"{found.sequence}, labelled by {found.label}."
    )


def describe(found: Labelled, choice: str) -> str:
    """The reshaped upload's name suffix for a classify choice."""
    value = choice.removeprefix(f"{CLASSIFY}:") if ":" in choice else ""
    return f"classify by {found.label}" + (f", {value}" if value else "")
