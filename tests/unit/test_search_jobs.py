"""The search job: each trial is an ordinary training run (a tagged record in the store),
the reported states carry the trials table as it grows, pruned trials and their runs say
so, the server's caps refuse in sentences, a killed search leaves no trial running, and a
resumed study numbers on. Real tiny trainings (4 units, a 200-point sine)."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import diskcache
import optuna
import psutil
import pytest

from dashboard import lifecycle, search_jobs
from dashboard import runs as runs_module
from dashboard.jobs import live_state
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import Dataset, sine_frame
from dashboard.ml.search import (
    Options,
    Range,
    SearchSettings,
    SearchSpace,
    SearchStudy,
    ask_trial,
    journal_path,
    open_study,
    trials_table,
)
from dashboard.ml.search import study as study_module
from dashboard.payloads import RunRecord, SearchState
from dashboard.search_jobs import (
    cancel_search,
    list_studies,
    run_search,
    search_settings,
    settle,
    study_csv,
    study_state,
)
from dashboard.search_workers import search_beat
from dashboard.settings import Settings
from dashboard.store import Beat, Store
from tests.trials import trained_together

SESSION = "session-1"
TINY = "upload:tiny-sine"
BASE = TrainConfig(
    dataset=TINY, units=4, layers=1, dense_units=0, seq_len=10, epochs=2, batch_size=16
)
SPACE = SearchSpace((Range("units", 4, 8), Range("learning_rate", 1e-3, 1e-2, log=True)))
SEARCH = SearchSettings(SPACE, n_trials=3, sampler="random", pruning=False, seed=0)


class PruneSecond(optuna.pruners.BasePruner):
    """Prunes trial 1 at its first report: pruning made certain."""

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        return trial.number == 1


def with_tiny_data(settings: Settings) -> Store:
    store = Store.from_settings(settings)
    store.save_dataset(SESSION, Dataset(TINY, "Tiny sine", sine_frame(points=200), "value"))
    return store


def test_trials_are_tagged_runs_and_the_table_grows_live(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(study_module, "make_pruner", lambda s: PruneSecond())
    store = with_tiny_data(settings)
    states: list[SearchState] = []
    search = SearchSettings(SPACE, n_trials=3, sampler="random", warmup_epochs=0, seed=0)
    final = run_search(settings, search, BASE, SESSION, "study-a", states.append)

    assert final["status"] == "finished", final["message"]
    assert [t["state"] for t in final["trials"]] == ["complete", "pruned", "complete"]
    assert "Best val_loss" in final["message"] and final["message"].endswith(".")
    # the table grows as the trials end, and the running trial streams its run
    counts = [len(s["trials"]) for s in states]
    assert counts == sorted(counts) and counts[-1] == 3 and 1 in counts
    running = [s for s in states if s["live"] and s["live"]["status"] == "running"]
    assert running and all(s["trials"][-1]["state"] == "running" for s in running)
    assert {s["live"]["run_id"] for s in running if s["live"]} == {
        t["run_id"] for t in final["trials"]
    }
    assert any(len(s["curves"][-1]["values"]) == 1 for s in running)  # epoch by epoch
    for state in [*states[::5], final]:
        assert json.loads(json.dumps(state, allow_nan=False)) == state

    # every trial is an ordinary run of the session, tagged with its study and number
    runs = store.list_runs(SESSION)
    assert [r.get("tag") for r in runs] == [
        {"study": "study-a", "trial": n, "label": f"study 1 · trial {n + 1}"} for n in range(3)
    ]
    # the Runs tab says which study and trial a run is
    names = runs_module.table_settings(runs)
    assert runs_module.table_row(runs[2], names)["search"] == "study 1 · trial 3"
    assert "search" in [c["id"] for c in runs_module.table_columns(names, searched=True)]
    assert "search" not in [c["id"] for c in runs_module.table_columns(names)]
    assert [r["id"] for r in runs] == [t["run_id"] for t in final["trials"]]
    assert [r["status"] for r in runs] == ["finished", "stopped", "finished"]
    assert runs[1]["message"].startswith("Pruned by its search after 1 epoch:")
    assert len(runs[1]["history"]["loss"]) == 1 and final["trials"][1]["epochs"] == 1
    assert [len(c["values"]) for c in final["curves"]] == [2, 1, 2]
    best = min((t for t in final["trials"] if t["state"] == "complete"), key=lambda t: t["best"])
    assert final["best_run"] == best["run_id"]
    assert final["best_settings"] is not None
    assert final["best_settings"]["units"] == best["params"]["units"]
    assert final["best_settings"]["epochs"] == BASE.epochs  # the sliders' for the rest
    assert [s["name"] for s in list_studies(store, SESSION)] == ["study-a"]
    csv = study_csv(settings, SESSION, "study-a")
    assert csv is not None and "PRUNED" in csv
    assert study_csv(settings, "someone-else", "study-a") is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"n_trials": 3, "cap": 2}, "at most 2 trials per study"),
        ({"studies": 1}, "at most 1 study per session: resume one"),
        ({"space": SearchSpace()}, "at least one setting"),
        ({"space": SearchSpace((Range("units", 8, 4),))}, "is above the highest"),
        ({"space": SearchSpace((Options("cell", ("lstm",)),))}, "at least two options"),
        ({"dataset": "upload:gone"}, "no longer on the server"),
    ],
)
def test_refusals_are_sentences_and_train_nothing(
    tmp_path: Path, change: dict[str, Any], words: str
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        max_trials_per_study=change.get("cap", 50),
        max_studies_per_session=change.get("studies", 10),
    )
    store = with_tiny_data(settings)
    if "studies" in change:
        search_jobs._remember(store, SESSION, "older")
    search = SearchSettings(change.get("space", SPACE), n_trials=change.get("n_trials", 1))
    base = TrainConfig.from_dict({**BASE.to_dict(), "dataset": change.get("dataset", TINY)})
    state = run_search(settings, search, base, SESSION, "refused", lambda s: None)
    assert state["status"] == "refused" and words in state["message"], state["message"]
    assert state["message"].endswith(".") and state["trials"] == []
    assert store.list_runs(SESSION) == []
    assert not journal_path(settings.data_dir, "refused").exists()


def test_another_sessions_study_is_refused(settings: Settings) -> None:
    with_tiny_data(settings)
    search = SearchSettings(SPACE, n_trials=1, pruning=False)
    open_study(journal_path(settings.data_dir, "theirs"), "theirs", search, BASE)
    state = run_search(settings, search, BASE, SESSION, "theirs", lambda s: None)
    assert state["status"] == "refused" and "not one of this session's" in state["message"]
    assert study_state(settings, SESSION, "theirs", "x", "")["status"] == "refused"


def test_the_form_makes_search_settings() -> None:
    made = search_settings(
        {"learning_rate": (True, 1e-4, 1e-2), "units": (True, "4", 16), "layers": (False, 1, 4)},
        {"optimizer": ["adam", "sgd"], "cell": ["lstm"]},
        n_trials="3",
        timeout_s="",
        sampler="random",
        pruning=True,
        warmup_epochs=1,
        seed=7,
    )
    assert made.space == SearchSpace(
        (
            Range("learning_rate", 1e-4, 1e-2, log=True),
            Range("units", 4.0, 16.0),
            Options("optimizer", ("adam", "sgd")),
        )
    )
    assert (made.n_trials, made.timeout_s, made.seed, made.warmup_epochs) == (3, None, 7, 1)
    bad = search_settings({"units": (True, None, "x")}, {}, n_trials="two")
    problems = bad.space.problems()
    assert bad.n_trials == 0 and "two finite numbers" in problems[0]


def trial_with_run(
    settings: Settings, name: str, run_id: str, run: dict[str, Any]
) -> tuple[Store, SearchStudy]:
    """A study `name` with one running trial whose run `run_id` is stored as `run` says
    (status, history, ...)."""
    store = with_tiny_data(settings)
    search_jobs._remember(store, SESSION, name)
    search = open_study(journal_path(settings.data_dir, name), name, SEARCH, BASE)
    asked = ask_trial(search)
    assert asked is not None
    search_jobs._set_attr(search, asked[0], "run_id", run_id)
    record = {
        "id": run_id,
        "session": SESSION,
        "config": BASE.to_dict(),
        "dataset_name": "Tiny sine",
    }
    store.save_run(cast(RunRecord, record | run))
    return store, search


def test_a_trial_whose_run_finished_is_settled_complete(settings: Settings) -> None:
    """A helper writes its run's end to the store a moment before it tells the study; a
    search that settles its running trials in that moment counts the trial as its helper
    would (complete, with its best value), not as failed."""
    finished = {
        "status": "finished",
        "message": "Finished 2 epochs.",
        "history": {"loss": [0.5, 0.4], "val_loss": [0.6, 0.3]},
        "epoch_seconds": [0.1, 0.1],
    }
    store, search = trial_with_run(settings, "race", "B" * 16, finished)
    assert settle(store, search) == 1
    state = study_state(settings, SESSION, "race", "finished", "")
    assert [t["state"] for t in state["trials"]] == ["complete"]
    assert state["trials"][0]["message"] == "Finished 2 epochs."
    assert state["best_settings"] is not None


def test_a_lost_trial_is_settled_failed_on_the_next_open(settings: Settings) -> None:
    running = {
        "status": "running",
        "history": {"loss": [0.5], "val_loss": [0.6]},
        "epoch_seconds": [0.1],
    }
    store, search = trial_with_run(settings, "lost", "A" * 16, running)
    store.cache.set(("beat", "A" * 16), Beat(time.time() - 100, False))  # its job died
    young = ask_trial(search)  # asked a moment ago, not beaten yet: left alone
    assert young is not None
    state = study_state(settings, SESSION, "lost", "finished", "")
    assert [t["state"] for t in state["trials"]] == ["failed", "running"]
    assert "stopped unexpectedly at epoch 1" in state["trials"][0]["message"]
    assert state["trials"][0]["epochs"] == 1
    assert store.get_run("A" * 16)["status"] == "failed"  # the run says so too
    assert settle(store, open_study(journal_path(settings.data_dir, "lost"), "lost")) == 0


def _search_in_a_process(data_dir: str) -> None:
    """A search job (what the background callback runs), to be killed mid-trial."""
    settings = Settings(data_dir=Path(data_dir))
    with_tiny_data(settings)
    base = TrainConfig.from_dict({**BASE.to_dict(), "epochs": 10})
    run_search(settings, SEARCH, base, SESSION, "killed", lambda state: None)


def test_cancel_keeps_finished_trials_and_a_resumed_study_numbers_on(settings: Settings) -> None:
    store = with_tiny_data(settings)
    process = multiprocessing.get_context("spawn").Process(
        target=_search_in_a_process, args=(str(settings.data_dir),)
    )
    process.start()
    deadline = time.monotonic() + 120
    while True:  # Cancel during the second trial's training
        runs = store.list_runs(SESSION)
        if len(runs) == 2 and runs[1]["history"]["loss"]:
            break
        assert time.monotonic() < deadline and process.is_alive(), "no second trial"
        time.sleep(0.05)
    process.kill()  # what Dash's cancel does to the job process
    process.join()
    page_state = study_state(settings, SESSION, "killed", "running", "")
    page_state["live"] = live_state(runs[1]["id"], "running", epochs=10)
    state = cancel_search(settings, SESSION, page_state)
    assert state["status"] == "cancelled" and "finished trials are kept" in state["message"]
    assert [t["state"] for t in state["trials"]] == ["complete", "failed"]
    assert state["trials"][1]["message"].startswith("Cancelled with its search")
    assert store.get_run(runs[1]["id"])["status"] == "cancelled"
    assert state["best_settings"] is not None

    # resumed with one more trial: numbered after the two it had, on the study's settings
    more = SearchSettings(SearchSpace((Range("layers", 1, 2),)), n_trials=1, seed=99)
    final = run_search(settings, more, BASE, SESSION, "killed", lambda s: None)
    assert final["status"] == "finished", final["message"]
    assert [t["number"] for t in final["trials"]] == [0, 1, 2]
    assert [t["state"] for t in final["trials"]] == ["complete", "failed", "complete"]
    assert set(final["trials"][2]["params"]) == {"units", "learning_rate"}  # its own space
    assert final["n_trials"] == 3
    tag = store.list_runs(SESSION)[-1].get("tag")
    assert tag == {"study": "killed", "trial": 2, "label": "study 1 · trial 3"}
    assert trials_table(open_study(journal_path(settings.data_dir, "killed"), "killed"))
    assert len(list_studies(store, SESSION)) == 1  # resumed, not a new study


@pytest.mark.parametrize(
    ("status", "said", "ends", "words"),
    [
        ("stopped", lifecycle.interrupted_message(1), "failed", "server shut down during trial 1"),
        ("cancelled", "Cancelled at epoch 1 of 2.", "cancelled", "finished trials are kept"),
    ],
)
def test_a_sigterm_ends_the_search_keeping_its_trials(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    status: str,
    said: str,
    ends: str,
    words: str,
) -> None:
    """SIGTERM (a server shutting down, or Celery's Cancel) stops the running trial's run:
    that trial failed, and no next one starts."""
    with_tiny_data(settings)

    def stopped(settings: Settings, config: TrainConfig, *args: Any, **hooks: Any) -> Any:
        return live_state(hooks["run_id"], status, said)

    monkeypatch.setattr(search_jobs.jobs, "run_training", stopped)
    state = run_search(settings, SEARCH, BASE, SESSION, "down", lambda s: None)
    assert state["status"] == ends and words in state["message"]
    assert [t["state"] for t in state["trials"]] == ["failed"]
    assert state["trials"][0]["message"] == said


def test_two_slots_train_two_trials_of_one_study_at_once(settings: Settings) -> None:
    """With two job slots the search starts a helper process: two loops, two trials at
    once, the budget kept exactly, and no helper left behind."""
    # the helper process trains on TensorFlow, as this process does (the default would be
    # JAX here): what is tested is two loops training at once, not a backend
    settings = replace(settings, max_concurrent_jobs=2, keras_backend="tensorflow")
    with_tiny_data(settings)
    search = SearchSettings(SPACE, n_trials=4, sampler="random", pruning=False, seed=0)
    slots = diskcache.Cache(str(settings.cache_dir))
    before = {p.pid for p in psutil.Process().children(recursive=True)}  # e.g. a forkserver
    final = run_search(
        settings, search, replace(BASE, epochs=8), SESSION, "two", lambda s: None, slots
    )

    assert final["status"] == "finished", final["message"]
    assert [t["state"] for t in final["trials"]] == ["complete"] * 4
    trials = open_study(journal_path(settings.data_dir, "two"), "two").study.trials
    workers = {t.user_attrs["worker"] for t in trials}
    assert len(workers) == 2, workers  # this process and its helper
    assert trained_together(trials)
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert after <= before  # the helper ended with the search


def test_a_helper_stops_its_trial_when_its_search_is_gone(settings: Settings) -> None:
    """A helper whose search ended (Cancel elsewhere, a dead job) stops its running trial
    at the next epoch with a sentence, and asks for no more."""
    store = with_tiny_data(settings)
    search_jobs._remember(store, SESSION, "orphan")
    open_study(
        journal_path(settings.data_dir, "orphan"), "orphan", SEARCH, replace(BASE, epochs=50)
    )
    beat = search_beat("orphan")
    store.beat(beat)

    def end_the_search_after_an_epoch() -> None:
        while not any(
            len(r.get("history", {}).get("loss", [])) >= 1 for r in store.list_runs(SESSION)
        ):
            time.sleep(0.1)
        store.beat(beat, ended=True)

    watcher = threading.Thread(target=end_the_search_after_an_epoch, daemon=True)
    watcher.start()
    assert search_jobs.trial_loop(settings, "orphan", SESSION, beat) == 1
    watcher.join(timeout=10)
    [row] = trials_table(open_study(journal_path(settings.data_dir, "orphan"), "orphan"))
    assert row["state"] == "failed"
    assert row["message"].startswith("Stopped with its search after ")
    assert search_jobs.trial_loop(settings, "orphan", SESSION, beat) == 0  # gone: no more
