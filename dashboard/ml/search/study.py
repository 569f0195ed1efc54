"""A study on disk: its settings, and trials asked, reported and told one at a time.

One trial is meant to be one ordinary training job: the job asks the study for a trial
(`ask_trial`: a number and a TrainConfig), trains it like any run, reports each epoch's
objective (`report`, which answers whether Optuna's pruner cuts the trial short), and tells
the study how it ended (`tell_trial`). Every call opens the study from its journal file, so
the page, a job process and Celery workers on other machines can each hold their own
`SearchStudy` of the same study. `run_study` runs a whole study in one process (tests,
notebooks) with the same calls.

Storage: Optuna's JournalStorage with a JournalFileBackend, one journal file per study in
the data dir (`journal_path`). Chosen over RDB storage because the data dir is already
what every web process and worker shares (README, Deploying): a journal file there needs
no database server to run and reach, while SQLite, the only server-free RDB, relies on
fcntl locks that many NFS mounts break. The journal is an append-only log of operations;
the backend appends under a symlink lock (JournalFileSymlinkLock, safe on NFS), so several
processes can run trials of one study at once, and opening a study replays the log: it
survives a restart, resumes with more trials, and goes away with its file.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

from dashboard.ml.config import TrainConfig
from dashboard.ml.search.plan import NAME, OBJECTIVES, SearchSettings
from dashboard.ml.search.samplers import TrialSeeded, make_pruner
from dashboard.ml.search.space import apply, trained_values


def journal_path(data_dir: Path, study_name: str) -> Path:
    """Where a study's journal lives in the data dir (one file per study)."""
    if not NAME.match(study_name):
        raise ValueError(f"A study name is 1-64 letters, digits, - or _, not {study_name!r}.")
    return Path(data_dir) / "studies" / f"{study_name}.journal"


@dataclass
class SearchStudy:
    """An Optuna study with the search's settings and base config (kept in the study)."""

    study: optuna.Study
    storage: JournalStorage
    settings: SearchSettings
    base: TrainConfig
    deadline: float | None = None  # time.time() after which no trial starts

    @property
    def name(self) -> str:
        """The study's name."""
        return self.study.study_name

    def trial(self, number: int) -> FrozenTrial:
        """One trial, by number."""
        return self.study.trials[number]


class NoStudy(KeyError):
    """No study of that name in the journal."""


def open_study(
    storage_path: Path,
    study_name: str,
    settings: SearchSettings | None = None,
    base: TrainConfig | None = None,
) -> SearchStudy:
    """The study in `storage_path`, made from `settings` and `base` if it is not there yet.

    Given settings for an existing study resume it: its trials budget and time limit become
    those of `settings`; space, sampler, objective and seed must be those it was made with.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = _storage(storage_path)
    stored = _stored(storage, study_name)
    if stored is None:
        if settings is None or base is None:
            raise NoStudy(study_name)
        with contextlib.suppress(optuna.exceptions.DuplicatedStudyError):  # a racing maker
            optuna.create_study(
                study_name=study_name, storage=storage, direction=settings.direction
            )
        found, deadline = settings, _deadline(settings)
    else:
        found = SearchSettings.from_dict(stored["settings"])
        base, deadline = TrainConfig.from_dict(stored["base"]), stored.get("deadline")
        if settings is not None:
            if _fixed(settings) != _fixed(found):
                raise ValueError(
                    "A study resumes with the space, sampler, pruning, objective and seed it "
                    "was made with; only its trials and time limit change."
                )
            found, deadline = settings, _deadline(settings)
    study = _load(storage, study_name, found)
    if settings is not None:
        study.set_user_attr("settings", found.to_dict())
        study.set_user_attr("base", base.to_dict())
        study.set_user_attr("deadline", deadline)
    return SearchStudy(study, storage, found, base, deadline)


def add_trials(search: SearchStudy, more: int) -> SearchStudy:
    """Resume: raise the study's trial budget by `more` (its time limit starts again)."""
    settings = replace(search.settings, n_trials=search.settings.n_trials + more)
    search.study.set_user_attr("settings", settings.to_dict())
    search.study.set_user_attr("deadline", _deadline(settings))
    return replace(search, settings=settings, deadline=_deadline(settings))


def budget_left(search: SearchStudy) -> int:
    """Trials the study may still start (0: its budget, grid or time limit is spent).

    Processes asking at the same moment may overshoot the budget by a trial each."""
    started = len(search.study.get_trials(deepcopy=False))
    if search.deadline is not None and time.time() > search.deadline:
        return 0
    total = search.settings.n_trials
    if search.settings.sampler == "grid":
        total = min(total, search.settings.space.grid_size(search.settings.grid_points))
    return max(total - started, 0)


def ask_trial(search: SearchStudy) -> tuple[int, TrainConfig] | None:
    """A new trial: its number and the config it trains (the base config with the proposed
    values), or None when the budget is spent."""
    if budget_left(search) == 0:
        return None
    trial = search.study.ask()
    config = apply(search.base, search.settings.space.suggest(trial))
    trial.set_user_attr("trained", trained_values(config, search.settings.space))
    return trial.number, config


def report(search: SearchStudy, number: int, epoch: int, value: float) -> bool:
    """Report a trial's objective after `epoch` (1-based); True when the pruner says stop."""
    trial = _live(search, number)
    if not math.isfinite(value):
        return False  # a NaN loss fails the run itself (train stops it)
    trial.report(value, epoch)
    return bool(search.settings.pruning and trial.should_prune())


@dataclass(frozen=True)
class TrialOutcome:
    """How a trial's run ended: "complete" | "pruned" | "failed", with its curves."""

    status: str
    history: dict[str, list[float]] = field(default_factory=dict)
    epoch_seconds: list[float] = field(default_factory=list)
    message: str = ""
    run_id: str = ""


def best_value(history: dict[str, list[float]], objective: str) -> float | None:
    """The best finite value of the objective over the epochs (None: no epoch)."""
    values = [v for v in history.get(objective, []) if math.isfinite(v)]
    if not values:
        return None
    return max(values) if OBJECTIVES.get(objective) == "maximize" else min(values)


def tell_trial(search: SearchStudy, number: int, outcome: TrialOutcome) -> None:
    """Record how a trial ended: its value (the best epoch's objective), state, epochs,
    seconds, message and run id. A complete trial without a finite value is failed."""
    value = best_value(outcome.history, search.settings.objective)
    status = outcome.status
    if status == "complete" and value is None:
        status = "failed"
    trial = _live(search, number)
    for key, attr in (
        ("best", value),
        ("epochs", len(outcome.epoch_seconds)),
        ("seconds", float(sum(outcome.epoch_seconds))),
        ("message", outcome.message),
        ("run_id", outcome.run_id),
    ):
        trial.set_user_attr(key, attr)
    if status == "complete":
        search.study.tell(number, value)
    elif status == "pruned":
        search.study.tell(number, state=TrialState.PRUNED)
    else:
        search.study.tell(number, state=TrialState.FAIL)


def run_study(
    settings: SearchSettings,
    base_config: TrainConfig,
    values: np.ndarray,
    storage_path: Path,
    study_name: str,
    on_trial: Callable[[int, TrialOutcome], None] = lambda number, outcome: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SearchStudy:
    """Run (or resume) a whole study in this process: ask, train, report, tell, until the
    budget is spent or should_stop says so (the running trial is then told failed,
    "cancelled"). The page runs each trial as its own job instead, with the same calls."""
    search = open_study(storage_path, study_name, settings, base_config)
    while not should_stop():
        asked = ask_trial(search)
        if asked is None:
            break
        number, config = asked
        try:
            outcome = train_trial(search, number, config, values, should_stop)
        except Exception as error:  # one bad trial does not end the study
            outcome = TrialOutcome("failed", message=f"Training failed: {error}")
        tell_trial(search, number, outcome)
        on_trial(number, outcome)
    return search


def train_trial(
    search: SearchStudy,
    number: int,
    config: TrainConfig,
    values: np.ndarray,
    should_stop: Callable[[], bool] = lambda: False,
) -> TrialOutcome:
    """Train one trial with dashboard.ml.train, reporting each epoch's objective; the pruner
    or should_stop ends it after the current epoch (pruned, or failed as "cancelled")."""
    from dashboard.ml.train import EpochUpdate, train  # TensorFlow: only when training

    objective = search.settings.objective
    pruned, reported = False, 0

    def on_epoch(update: EpochUpdate) -> None:
        nonlocal pruned, reported
        if update.epoch > reported and update.history.get(objective):
            reported = update.epoch
            pruned = report(search, number, update.epoch, update.history[objective][-1])

    result = train(config, values, on_epoch, lambda: pruned or should_stop())
    if pruned:
        status, message = "pruned", f"Pruned after {len(result.epoch_seconds)} epochs."
    elif result.status == "stopped":
        status, message = "failed", "cancelled"
    else:
        status = "complete" if result.status == "finished" else "failed"
        message = result.message
    return TrialOutcome(status, result.history, result.epoch_seconds, message)


# internals ---------------------------------------------------------------------------
def _live(search: SearchStudy, number: int) -> optuna.trial.Trial:
    """A running trial of the study by number, as Optuna's Trial (report, should_prune)."""
    study_id = search.storage.get_study_id_from_name(search.name)
    trial_id = search.storage.get_trial_id_from_study_id_trial_number(study_id, number)
    return optuna.trial.Trial(search.study, trial_id)


def _storage(path: Path) -> JournalStorage:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return JournalStorage(JournalFileBackend(str(path)))


def _deadline(settings: SearchSettings) -> float | None:
    return None if settings.timeout_s is None else time.time() + float(settings.timeout_s)


def _stored(storage: JournalStorage, name: str) -> dict[str, Any] | None:
    """The study's user attributes; None when it is not there (or not yet set up)."""
    try:
        attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
    except KeyError:
        return None
    return attrs if "settings" in attrs and "base" in attrs else None


def _fixed(settings: SearchSettings) -> SearchSettings:
    """What a resumed study may not change."""
    return replace(settings, n_trials=0, timeout_s=None)


def _load(storage: JournalStorage, name: str, settings: SearchSettings) -> optuna.Study:
    return optuna.load_study(
        study_name=name,
        storage=storage,
        sampler=TrialSeeded(settings),
        pruner=make_pruner(settings),
    )
