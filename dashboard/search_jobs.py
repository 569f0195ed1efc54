"""The search job: a hyperparameter study whose trials are ordinary training runs.

Dash-free. `run_search` is what the Search tab's background callback calls: it checks the
search and the server's caps, then asks the study (dashboard.ml.search) for one trial at a
time and trains it with dashboard.jobs.run_training, the Train button's own path: the same
job slots and queue messages, a store record tagged with the study and trial number (so a
trial is a run of the Runs tab like any other), heartbeats. Each epoch's objective goes to
Optuna's pruner through the run's `on_epoch` hook, which stops a pruned run with a
sentence. Every report is the whole SearchState, as a training's reports are whole.

Cancel kills the job process; the running trial's run is then recorded lost (or cancelled
by the page) and `settle` tells the study that trial failed, here or at the next open.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import secrets
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import diskcache
from optuna.trial import TrialState

from dashboard import jobs, lifecycle
from dashboard.ml import params
from dashboard.ml.config import TrainConfig
from dashboard.ml.search import (
    Options,
    Range,
    SearchSettings,
    SearchSpace,
    SearchStudy,
    TrialOutcome,
    ask_trial,
    best_config,
    best_so_far,
    budget_left,
    check_search,
    curves,
    importances,
    journal_path,
    open_study,
    report,
    tell_trial,
    trials_csv,
    trials_table,
)
from dashboard.ml.search.study import NoStudy
from dashboard.ml.search.summary import best_trial
from dashboard.payloads import History, LiveState, SearchState
from dashboard.search_workers import EXIT_S, search_beat, start_helpers
from dashboard.settings import Settings
from dashboard.store import NotFound, Store

log = logging.getLogger(__name__)

SearchReport = Callable[[SearchState], None]
# What the Search tab offers: numeric settings searched on a range, picked ones on options.
SEARCH_RANGES = ("learning_rate", "units", "layers", "dropout", "seq_len", "batch_size")
SEARCH_OPTIONS = ("optimizer", "cell")
STUDIES_KEY = "studies"  # store cache key (STUDIES_KEY, session): the session's studies
STARTING_S = lifecycle.LOST_AFTER_S  # a trial younger than this may not have beaten yet
WAIT_S = 1.0  # how often the search looks at its helpers' trials once its own are done
CANCELLED = "The search was cancelled; the finished trials are kept."


# the form -------------------------------------------------------------------------
def search_settings(
    ranges: dict[str, tuple[bool, Any, Any]],
    options: dict[str, Sequence[Any]],
    *,
    n_trials: Any = 10,
    timeout_s: Any = None,
    sampler: str = "tpe",
    pruning: bool = True,
    warmup_epochs: Any = 2,
    seed: Any = 0,
    objective: str = "val_loss",
) -> SearchSettings:
    """The SearchSettings a form describes: a range per switched-on setting (log where the
    settings table's slider is), options where two or more are ticked. Unreadable numbers
    stay as they are, for check_search to put in a sentence."""
    dims: list[Range | Options] = []
    for name, (on, low, high) in ranges.items():
        if on:
            spec = params.PARAMS[name]
            dims.append(Range(name, _number(low), _number(high), spec.log))
    for name, picked in options.items():
        if len(picked or []) >= 2:
            dims.append(Options(name, tuple(picked)))
    return SearchSettings(
        SearchSpace(tuple(dims)),
        n_trials=_integer(n_trials, 0),
        timeout_s=None if timeout_s in (None, "", 0) else _number(timeout_s),
        sampler=sampler,
        pruning=bool(pruning),
        warmup_epochs=_integer(warmup_epochs, 0),
        seed=_integer(seed, 0),
        objective=objective,
    )


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _integer(value: Any, fallback: int) -> int:
    number = _number(value)
    return int(number) if math.isfinite(number) and number == int(number) else fallback


# the session's studies ------------------------------------------------------------
def new_study_name() -> str:
    """A fresh, unguessable study name (its journal file's)."""
    return secrets.token_urlsafe(12)


def list_studies(store: Store, session: str) -> list[dict[str, Any]]:
    """The session's studies, oldest first: {"name", "number", "created"}."""
    return list(store.cache.get((STUDIES_KEY, session), []))


def owns_study(store: Store, session: str, name: str) -> bool:
    """True when `name` is one of the session's studies."""
    return any(s["name"] == name for s in list_studies(store, session))


def _remember(store: Store, session: str, name: str) -> int:
    """Add a study to the session's list; its number within the session."""
    with store.cache.transact():
        studies = list_studies(store, session)
        number = max((s["number"] for s in studies), default=0) + 1
        studies.append({"name": name, "number": number, "created": time.time()})
        store.cache.set((STUDIES_KEY, session), studies)
    return number


def _number_of(store: Store, session: str, name: str) -> int:
    return next((s["number"] for s in list_studies(store, session) if s["name"] == name), 0)


# trials left running by a killed job ------------------------------------------------
def settle(store: Store, search: SearchStudy, message: str = "") -> int:
    """Tell the study that each RUNNING trial whose run is not active any more failed
    (its job was killed: Cancel, a crash); the run's own message, or `message`, says why.
    Returns how many were settled."""
    settled = 0
    for trial in search.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        run_id = str(trial.user_attrs.get("run_id", ""))
        why = _ended(store, run_id, trial.datetime_start)
        if why is None:
            continue
        # A run that its job finished (or pruned, or cut at its time limit) counts as its
        # job would tell it, which it may be about to do: a helper writes the run's end to
        # the store a moment before it tells the study.
        outcome = _outcome_of(store, run_id, _run_status(store, run_id), why)
        if outcome.status == "failed":
            outcome = replace(outcome, message=message or why)
        with contextlib.suppress(RuntimeError, ValueError):  # told meanwhile by its job
            tell_trial(search, trial.number, outcome)
            settled += 1
    return settled


def _ended(store: Store, run_id: str, started: Any) -> str | None:
    """Why a running trial's run is over (None: it may still be running)."""
    record = None
    with contextlib.suppress(NotFound):
        record = store.get_run(run_id, series=False)
    if record is not None and record["status"] in lifecycle.FINAL:
        return record.get("message") or record["status"]
    young = started is not None and time.time() - started.timestamp() < STARTING_S
    if store.last_beat(run_id) is None and young:
        return None  # asked a moment ago: its job has not beaten yet
    if not lifecycle.is_lost(store, run_id):
        return None
    if record is not None:
        return lifecycle.mark_lost(store, record).get("message", "lost")
    return lifecycle.lost_message(0, started=False)


def _run_status(store: Store, run_id: str) -> str:
    """The stored status of a trial's run ("failed" when there is no record)."""
    try:
        return str(store.get_run(run_id, series=False)["status"])
    except NotFound:
        return "failed"


def _curves_of(store: Store, run_id: str) -> tuple[History, list[float]]:
    try:
        record = store.get_run(run_id, series=False)
    except NotFound:
        return {}, []
    return record.get("history", {}), record.get("epoch_seconds", [])


# the page's view of a study -----------------------------------------------------------
def search_state(
    store: Store,
    search: SearchStudy,
    status: str,
    message: str,
    number: int = 0,
    live: LiveState | None = None,
    found: dict[str, float] | None = None,
) -> SearchState:
    """The whole state of a study as the page draws it."""
    best = best_trial(search)
    config = best_config(search)
    return {
        "study": search.name,
        "number": number,
        "status": status,
        "message": message,
        "objective": search.settings.objective,
        "searched": search.settings.space.names,
        "n_trials": search.settings.n_trials,
        "trials": trials_table(search),
        "best_so_far": [[n, v] for n, v in best_so_far(search)],
        "curves": curves(search),
        "importances": found,
        "live": live,
        "best_run": (str(best.user_attrs.get("run_id", "")) or None) if best else None,
        "best_settings": config.to_dict() if config is not None else None,
    }


def refused(message: str, study: str = "") -> SearchState:
    """The state of a search that did not start, saying why in one sentence."""
    return {
        "study": study,
        "number": 0,
        "status": "refused",
        "message": message,
        "objective": "val_loss",
        "searched": [],
        "n_trials": 0,
        "trials": [],
        "best_so_far": [],
        "curves": [],
        "importances": None,
        "live": None,
        "best_run": None,
        "best_settings": None,
    }


def as_search_state(state: Mapping[str, Any]) -> SearchState:
    """A state the job manager wrote for a press still waiting in the queue (a training's
    shape: dashboard.background.queued_state) as a SearchState; a SearchState as it is."""
    if "trials" in state:
        return state  # type: ignore[return-value]
    waiting = refused(str(state.get("message", "")))
    return {**waiting, "status": str(state.get("status", "queued"))}


def study_state(
    settings: Settings, session: str, name: str, status: str, message: str
) -> SearchState:
    """A session's study as stored (trials left running by a dead job settled first)."""
    store = Store.from_settings(settings)
    if not owns_study(store, session, name):
        return refused("That study is not one of this session's.")
    try:
        search = open_study(journal_path(settings.data_dir, name), name)
    except NoStudy:
        return refused("That study has no trials on this server any more.", name)
    settle(store, search)
    return search_state(
        store, search, status, message, _number_of(store, session, name), None, importances(search)
    )


def cancel_search(settings: Settings, session: str, state: SearchState) -> SearchState:
    """What Cancel leaves: the running trials' runs recorded cancelled (on one machine the
    search's job and its helpers are killed; Celery helpers stop at their next epoch), their
    trials failed ("cancelled"), the finished trials kept."""
    store = Store.from_settings(settings)
    message = CANCELLED
    live = state.get("live")
    running = [live["run_id"]] if live and live.get("status") in lifecycle.ACTIVE else []
    name = state.get("study")
    if name and owns_study(store, session, name):
        with contextlib.suppress(NoStudy):
            search = open_study(journal_path(settings.data_dir, name), name)
            running += [
                str(t.user_attrs.get("run_id", ""))
                for t in search.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            ]
    for run_id in dict.fromkeys(running):
        _cancel_run(store, run_id)
    if not name:
        return {**state, "status": "cancelled", "message": message}
    return study_state(settings, session, name, "cancelled", message)


def _cancel_run(store: Store, run_id: str) -> None:
    """Record a trial's run cancelled with its search, if it is still active."""
    try:
        record = store.get_run(run_id, series=False)
    except NotFound:
        return
    if record["status"] in lifecycle.ACTIVE:
        epoch = len(record.get("history", {}).get("loss", []))
        note = f"Cancelled with its search at epoch {epoch}; the curves so far are kept."
        store.update_run(run_id, status="cancelled", message=note)


def study_csv(settings: Settings, session: str, name: str) -> str | None:
    """The session's study as CSV (None: not one of its studies)."""
    store = Store.from_settings(settings)
    if not owns_study(store, session, name):
        return None
    try:
        return trials_csv(open_study(journal_path(settings.data_dir, name), name))
    except NoStudy:
        return None


# the job --------------------------------------------------------------------------
def run_search(
    settings: Settings,
    search: SearchSettings,
    base: TrainConfig,
    session: str,
    study_name: str,
    report: SearchReport,
    slots_cache: diskcache.Cache | None = None,
) -> SearchState:
    """Run (or resume with `search.n_trials` more trials) the session's study
    `study_name`, each trial a training run; return its final state. Never raises: a
    search that cannot run returns a "refused" state saying why."""

    def send(state: SearchState) -> None:
        try:
            report(state)
        except Exception:  # the queue is down: search on, the journal has the truth
            log.warning("could not report the progress of a search", exc_info=True)

    store = Store.from_settings(settings)
    try:
        opened = start_study(settings, store, search, base, session, study_name)
    except SearchRefused as refusal:
        return refused(str(refusal), study_name if owns_study(store, session, study_name) else "")
    except Exception as error:  # the page gets a sentence; the log the traceback
        log.exception("search %s could not start", study_name)
        return refused(f"The search could not start: {_short(error)}")
    try:
        return _trials(settings, store, opened, session, send, slots_cache)
    except Exception as error:
        log.exception("search %s failed", study_name)
        return search_state(
            store,
            opened,
            "failed",
            f"The search stopped: {_short(error)}",
            _number_of(store, session, study_name),
        )


class SearchRefused(Exception):
    """The search cannot start; the message is one sentence for the page."""


def start_study(
    settings: Settings,
    store: Store,
    search: SearchSettings,
    base: TrainConfig,
    session: str,
    name: str,
) -> SearchStudy:
    """Check the search and the server's caps, then open the session's study `name` with
    its budget (made, and listed as the session's, when new; resumed with `search.n_trials`
    more trials when it is the session's). Raises SearchRefused with one sentence."""
    path = journal_path(settings.data_dir, name)
    resume = owns_study(store, session, name)
    if not resume and path.exists():
        raise SearchRefused("That study is not one of this session's.")
    if not resume and len(list_studies(store, session)) >= settings.max_studies_per_session:
        raise SearchRefused(
            f"This server keeps at most {_studies(settings.max_studies_per_session)} per "
            "session: resume one of yours (pick it under Study) instead of a new one."
        )
    started = 0
    if resume:
        try:
            stored = open_study(path, name)
        except NoStudy:
            stored = None
        if stored is not None:
            settle(store, stored)
            started = len(stored.study.get_trials(deepcopy=False))
            base = stored.base  # a study keeps its space, base settings and seed
            search = replace(stored.settings, timeout_s=search.timeout_s, n_trials=search.n_trials)
    try:
        dataset = store.load_dataset(base.dataset, session)
    except NotFound:
        raise SearchRefused(
            f"The dataset {base.dataset!r} is no longer on the server: pick or upload it again."
        ) from None
    total = replace(search, n_trials=started + search.n_trials)
    problems = check_search(
        total,
        base,
        len(dataset.frame),
        dataset.name,
        settings.limits,
        max_trials=settings.max_trials_per_study,
    )
    if started and search.n_trials < 1:
        problems = ["Resuming a study needs at least one more trial.", *problems]
    if problems:
        raise SearchRefused(" ".join(dict.fromkeys(problems)))
    if not resume:
        _remember(store, session, name)
    return open_study(path, name, total, base)


def _trials(
    settings: Settings,
    store: Store,
    search: SearchStudy,
    session: str,
    send: SearchReport,
    slots_cache: diskcache.Cache | None,
) -> SearchState:
    """Ask, train and tell trials until the budget or the time limit is spent: here, and
    in as many helpers as trials may train at once (dashboard.search_workers)."""
    return _Search(settings, store, search, session, send, slots_cache).run()


class _Trials:
    """One loop of a search: asks the study for a trial, trains it as an ordinary run
    (pruned through the run's epoch hook), tells the study how it ended; again."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        search: SearchStudy,
        session: str,
        slots_cache: diskcache.Cache | None,
        beat: str | None = None,
    ) -> None:
        self.settings, self.store, self.search = settings, store, search
        self.session, self.slots_cache = session, slots_cache
        self.beat = beat  # the search's heartbeat, for a helper; None in the search's job
        self.number = _number_of(store, session, search.name)  # the study's, in its session

    def gone(self) -> bool:
        """True when this loop is a helper whose search has ended or died."""
        return self.beat is not None and lifecycle.is_lost(self.store, self.beat)

    def next(self) -> tuple[int, TrainConfig] | None:
        """The next trial to train, or None (budget or time spent, or the search gone).
        Loops ask one at a time, so that together they never exceed the budget."""
        if self.gone():
            return None
        with diskcache.Lock(self.store.cache, ("study-ask", self.search.name), expire=60):
            return ask_trial(self.search)

    def train(
        self, trial: int, config: TrainConfig, report: jobs.Report
    ) -> tuple[LiveState, TrialOutcome]:
        """Train one trial as a tagged run; its final state and how the study recorded it."""
        run_id = Store.new_run_id()
        _set_attr(self.search, trial, "run_id", run_id)
        _set_attr(self.search, trial, "worker", f"{socket.gethostname()}:{os.getpid()}")
        state = jobs.run_training(
            self.settings,
            config,
            self.session,
            report,
            self.slots_cache,
            on_epoch=lambda epoch, history: self._observe(trial, epoch, history),
            tag={
                "study": self.search.name,
                "trial": trial,
                "label": f"study {self.number} · trial {trial + 1}",
            },
            run_id=run_id,
        )
        outcome = _outcome(self.store, state)
        with contextlib.suppress(RuntimeError, ValueError):  # settled meanwhile (Cancel)
            tell_trial(self.search, trial, outcome)
        return state, outcome

    def _observe(self, trial: int, epoch: int, history: History) -> str | None:
        """After each epoch: a sentence that stops the run (pruned, or its search gone)."""
        if self.gone():
            return f"Stopped with its search after {_epochs(epoch)}: the search ended."
        objective = self.search.settings.objective
        values = history.get(objective) or []
        try:
            prune = bool(values) and report(self.search, trial, epoch, values[-1])
        except (RuntimeError, ValueError):  # the trial was told meanwhile (Cancel)
            return None
        if not prune:
            return None
        return (
            f"Pruned by its search after {_epochs(epoch)}: its {objective} was worse than "
            "the median of the earlier trials at that epoch."
        )


def _ends_the_loop(state: LiveState, outcome: TrialOutcome) -> bool:
    """A run cancelled, or stopped by a SIGTERM or its search ending (not pruned, not cut
    by its time limit): no more trials for this loop."""
    stopped = state["status"] == "stopped" and outcome.status == "failed"
    return state["status"] == "cancelled" or stopped


def trial_loop(
    settings: Settings,
    study: str,
    session: str,
    beat: str,
    slots_cache: diskcache.Cache | None = None,
) -> int:
    """A helper's work (dashboard.search_workers): trials of the session's `study` until
    none is left or the search beating as `beat` is gone; how many it trained."""
    store = Store.from_settings(settings)
    if not owns_study(store, session, study):
        log.warning("a search helper was given study %s, not one of its session's", study)
        return 0
    try:
        search = open_study(journal_path(settings.data_dir, study), study)
    except NoStudy:
        return 0
    loop, trained = _Trials(settings, store, search, session, slots_cache, beat), 0
    with lifecycle.stop_on_sigterm(), contextlib.suppress(lifecycle.Interrupted):
        while (asked := loop.next()) is not None:
            state, outcome = loop.train(*asked, lambda live: None)
            trained += 1
            if _ends_the_loop(state, outcome):
                break
    return trained


class _Search:
    """The search's job: the first trial loop, with helpers for the others, reporting the
    whole SearchState as trials start, stream and end; waits for every trial to end."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        search: SearchStudy,
        session: str,
        send: SearchReport,
        slots_cache: diskcache.Cache | None,
    ) -> None:
        self.settings, self.store, self.search, self.send = settings, store, search, send
        self.session = session
        self.loop = _Trials(settings, store, search, session, slots_cache)
        self.number = _number_of(store, session, search.name)
        self.found = importances(search)
        self.last: LiveState | None = None  # this loop's newest run, as Training shows it

    def state(self, status: str, message: str, live: LiveState | None = None) -> SearchState:
        """The study now, as the page draws it."""
        live = live or self.last
        return search_state(self.store, self.search, status, message, self.number, live, self.found)

    def run(self) -> SearchState:
        """Run the study to its end (or its Cancel, or a SIGTERM); its final state."""
        self.send(self.state("running", "Starting the search…"))
        at_once = min(self.settings.trials_at_once, budget_left(self.search))
        with lifecycle.heartbeat(self.store, search_beat(self.search.name)):
            helpers = start_helpers(
                self.settings,
                self.search.name,
                self.session,
                at_once - 1,
                celery=bool(self.settings.redis_url),
            )
            try:
                with lifecycle.stop_on_sigterm():
                    ended = self._own_trials() or self._others_end()
            except lifecycle.Interrupted:  # a SIGTERM between two trials
                ended = (
                    self.state("cancelled", CANCELLED)
                    if lifecycle.cancel_requested()
                    else self.state("failed", _shut_down())
                )
            except BaseException:
                helpers.stop()
                raise
            helpers.stop(EXIT_S if ended["status"] == "finished" else 0.0)
        return ended

    def _own_trials(self) -> SearchState | None:
        """This loop's trials; a final state when the search ends early."""
        while (asked := self.loop.next()) is not None:
            trial, config = asked
            label = f"Trial {trial + 1} of {self.search.settings.n_trials}"

            def streamed(live: LiveState, label: str = label) -> None:
                message = f"{label}: {live.get('message') or live['status']}"
                self.send(self.state("running", message, live))

            state, outcome = self.loop.train(trial, config, streamed)
            self.found, self.last = importances(self.search), state
            if state["status"] == "cancelled":  # Celery's Cancel is a SIGTERM the run saw
                return self.state("cancelled", CANCELLED)
            if _ends_the_loop(state, outcome):  # a SIGTERM: the server or worker stops
                return self.state("failed", _shut_down(trial))
            self.send(self.state("running", f"{label} ended."))
        return None

    def _others_end(self) -> SearchState:
        """Wait for the helpers' trials to end (lost ones are settled failed); the final
        state."""
        ended = -1
        while running := self._running():
            done = len(trials_table(self.search)) - running
            if done != ended:
                self.found, ended = importances(self.search), done
            waiting = "trial" if running == 1 else f"{running} trials"
            self.send(self.state("running", f"Waiting for the last {waiting} to end…"))
            time.sleep(WAIT_S)
        self.found = importances(self.search)
        return self.state("finished", _summary(self.search))

    def _running(self) -> int:
        settle(self.store, self.search)
        return len(self.search.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))


def _shut_down(trial: int | None = None) -> str:
    during = "" if trial is None else f" during trial {trial + 1}"
    return (
        f"The server shut down{during}; the finished trials are kept: pick the study under "
        "Study to resume it."
    )


def _set_attr(search: SearchStudy, number: int, key: str, value: Any) -> None:
    study_id = search.storage.get_study_id_from_name(search.name)
    trial_id = search.storage.get_trial_id_from_study_id_trial_number(study_id, number)
    search.storage.set_trial_user_attr(trial_id, key, value)


def _outcome(store: Store, state: LiveState) -> TrialOutcome:
    """How a trial's run ended, as the study records it."""
    return _outcome_of(store, state["run_id"], state["status"], state.get("message", ""), state)


def _outcome_of(
    store: Store, run_id: str, status: str, message: str, state: LiveState | None = None
) -> TrialOutcome:
    """How a run that ended with `status` and `message` counts as a trial (its curves from
    the store, else from `state`)."""
    history, seconds = _curves_of(store, run_id)
    if status == "finished":
        kind = "complete"
    elif status == "stopped" and message.startswith("Pruned"):
        kind = "pruned"
    elif status == "stopped" and message.startswith("Stopped after"):  # the time limit
        kind = "complete"  # a complete run, shorter
    else:  # failed, or stopped by a server shutting down (SIGTERM)
        kind = "failed"
    kept = history or (state.get("history", {}) if state else {})
    return TrialOutcome(kind, kept, seconds, message, run_id)


def _epochs(count: int) -> str:
    return f"{count} epoch" if count == 1 else f"{count} epochs"


def _studies(count: int) -> str:
    return f"{count} study" if count == 1 else f"{count} studies"


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


def _summary(search: SearchStudy) -> str:
    """The finished search in one sentence."""
    rows = trials_table(search)
    counts = {k: sum(r["state"] == k for r in rows) for k in ("complete", "pruned", "failed")}
    parts = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    best = best_trial(search)
    if best is None:
        return f"Search finished: {len(rows)} trials ({parts}); none completed."
    value = best.value if best.value is not None else math.nan
    return (
        f"Search finished: {len(rows)} trials ({parts}). Best {search.settings.objective} "
        f"{value:.4g} at trial {best.number + 1}: press Use best to set the sliders to it."
    )


__all__ = [
    "SEARCH_OPTIONS",
    "SEARCH_RANGES",
    "SearchRefused",
    "as_search_state",
    "cancel_search",
    "list_studies",
    "new_study_name",
    "owns_study",
    "refused",
    "run_search",
    "search_settings",
    "search_state",
    "settle",
    "start_study",
    "study_csv",
    "study_state",
    "trial_loop",
]
