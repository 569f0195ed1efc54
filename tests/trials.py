"""What tests ask of a study's trials."""

from __future__ import annotations

from collections.abc import Sequence

from optuna.trial import FrozenTrial


def trained_together(trials: Sequence[FrozenTrial]) -> bool:
    """True when two trials run by different workers (user attr "worker") trained at the
    same time."""
    spans = [
        (t.user_attrs.get("worker"), t.datetime_start, t.datetime_complete)
        for t in trials
        if t.datetime_start is not None and t.datetime_complete is not None
    ]
    return any(
        start_a < end_b and start_b < end_a
        for worker_a, start_a, end_a in spans
        for worker_b, start_b, end_b in spans
        if worker_a != worker_b
    )
