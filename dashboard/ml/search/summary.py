"""What the page shows of a study, as plain data: the trials table, the best-so-far curve,
every trial's objective by epoch, parameter importances, the best trial's config, a CSV."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from dashboard.ml.config import TrainConfig
from dashboard.ml.export import neutralise
from dashboard.ml.search.space import apply
from dashboard.ml.search.study import SearchStudy

STATES = {
    TrialState.RUNNING: "running",
    TrialState.WAITING: "running",
    TrialState.COMPLETE: "complete",
    TrialState.PRUNED: "pruned",
    TrialState.FAIL: "failed",
}
MIN_FOR_IMPORTANCE = 3  # complete trials before Optuna ranks the settings at all
FIRM_IMPORTANCE = 10  # below this many, the ranking is a first look (the figure says so)


def trials_table(search: SearchStudy) -> list[dict[str, Any]]:
    """One row per trial, in number order: number, state, the values it trains, its best
    objective (val_loss), epochs, seconds, run id and message."""
    return [_row(trial) for trial in search.study.get_trials(deepcopy=False)]


def _row(trial: FrozenTrial) -> dict[str, Any]:
    attrs = trial.user_attrs
    steps = sorted(trial.intermediate_values)
    best = attrs.get("best")
    if best is None and trial.state == TrialState.COMPLETE:
        best = trial.value
    seconds = attrs.get("seconds")
    if seconds is None and trial.datetime_start is not None:  # still running
        seconds = (datetime.now() - trial.datetime_start).total_seconds()
    return {
        "number": trial.number,
        "state": STATES.get(trial.state, "failed"),
        "params": dict(attrs.get("trained", trial.params)),
        "best": best,
        "epochs": attrs.get("epochs", steps[-1] if steps else 0),
        "seconds": seconds,
        "run_id": attrs.get("run_id", ""),
        "message": attrs.get("message", ""),
    }


def best_so_far(search: SearchStudy) -> list[tuple[int, float]]:
    """(trial number, best objective of the complete trials up to it), one point per
    complete trial: never rises when minimising, never falls when maximising."""
    maximise = search.settings.maximise
    points: list[tuple[int, float]] = []
    best: float | None = None
    for trial in search.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        value = trial.value
        if value is None or not math.isfinite(value):
            continue
        if best is None or (value > best if maximise else value < best):
            best = value
        points.append((trial.number, best))
    return points


def curves(search: SearchStudy) -> list[dict[str, Any]]:
    """Every trial's reported objective by epoch (pruned ones end early), with its state."""
    return [
        {
            "number": trial.number,
            "state": STATES.get(trial.state, "failed"),
            "epochs": sorted(trial.intermediate_values),
            "values": [trial.intermediate_values[e] for e in sorted(trial.intermediate_values)],
        }
        for trial in search.study.get_trials(deepcopy=False)
    ]


def importances(search: SearchStudy) -> dict[str, float] | None:
    """Optuna's parameter importances (its default evaluator, normalised to sum to 1),
    once MIN_FOR_IMPORTANCE trials are complete and a setting varied; else None."""
    complete = search.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < MIN_FOR_IMPORTANCE:
        return None
    varied = [
        name
        for name in search.settings.space.names
        if len({repr(t.params.get(name)) for t in complete}) > 1
    ]
    if not varied:
        return None
    try:
        return optuna.importance.get_param_importances(search.study, params=varied)
    except (ValueError, RuntimeError):  # too few distinct results to say anything
        return None


def best_trial(search: SearchStudy) -> FrozenTrial | None:
    """The complete trial with the best objective (None before the first)."""
    complete = search.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return search.study.best_trial if complete else None


def best_config(search: SearchStudy) -> TrainConfig | None:
    """'Use best': the base config with the best trial's trained values."""
    trial = best_trial(search)
    if trial is None:
        return None
    return apply(search.base, dict(trial.user_attrs.get("trained", trial.params)))


def trials_csv(search: SearchStudy) -> str:
    """Every trial as CSV (Optuna's trials_dataframe: number, value, times, params, state,
    user attributes). Formula-looking cells are neutralised for spreadsheets."""
    frame = search.study.trials_dataframe()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(neutralise)
    return str(frame.to_csv(index=False))


def progress(search: SearchStudy) -> dict[str, int]:
    """Trials by state, and the budget."""
    counts = {"running": 0, "complete": 0, "pruned": 0, "failed": 0}
    for trial in search.study.get_trials(deepcopy=False):
        counts[STATES.get(trial.state, "failed")] += 1
    return {**counts, "n_trials": search.settings.n_trials}
