"""Hyperparameter search on Optuna: the space from the settings table, sentences for bad
settings, reproducible proposals, pruning, a study resumed from its journal after a
restart, and a real 4-trial, 2-epoch study on a tiny sine series."""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import optuna
import pytest

from dashboard.ml import params
from dashboard.ml.config import Limits, TrainConfig
from dashboard.ml.data import sine_frame
from dashboard.ml.search import (
    NOT_SEARCHED,
    Options,
    Range,
    SearchSettings,
    SearchSpace,
    TrialOutcome,
    add_trials,
    ask_trial,
    best_config,
    best_so_far,
    check_search,
    curves,
    importances,
    journal_path,
    open_study,
    progress,
    report,
    run_study,
    tell_trial,
    trials_csv,
    trials_table,
)
from dashboard.ml.search import study as study_module

BASE = TrainConfig(units=4, layers=1, dense_units=0, seq_len=10, epochs=2, batch_size=16)
SPACE = SearchSpace(
    (
        Range("units", 4, 8),
        Range("learning_rate", 1e-3, 1e-2, log=True),
        Range("dropout", 0.0, 0.3),
        Options("optimizer", ("adam", "rmsprop")),
    )
)


def fake_history(config: TrainConfig, epochs: int = 2) -> dict[str, list[float]]:
    """A made-up val_loss curve that depends on the trial's values (no training)."""
    level = config.units / 8 + abs(math.log10(config.learning_rate) + 2.5) + config.dropout
    curve = [level * (1 + 0.5 / (e + 1)) for e in range(epochs)]
    return {"loss": curve, "val_loss": curve}


def complete(search: Any, number: int, config: TrainConfig) -> None:
    history = fake_history(config)
    tell_trial(search, number, TrialOutcome("complete", history, [0.1, 0.1]))


def proposals(path: Path, settings: SearchSettings, fresh: bool = False) -> list[dict[str, Any]]:
    """Ask and tell every trial of a study with made-up results; `fresh`: reopen the study
    from its journal for each call, as separate jobs do."""
    search = open_study(path, "s", settings, BASE)
    made: list[dict[str, Any]] = []
    while True:
        if fresh:
            search = open_study(path, "s")
        asked = ask_trial(search)
        if asked is None:
            return made
        number, config = asked
        made.append(search.study.trials[number].user_attrs["trained"])
        complete(open_study(path, "s") if fresh else search, number, config)


# the space comes from the settings table ---------------------------------------------
def test_every_table_setting_is_searchable_or_said_why_not() -> None:
    possible = {d.name: d for d in SearchSpace.possible().dimensions}
    for name, spec in params.SETTINGS.items():
        if name in NOT_SEARCHED or spec.section == "Evaluation":
            assert name not in possible
            continue
        dim = possible[name]
        if isinstance(spec, params.Param):
            assert dim == Range(name, spec.low, spec.high, spec.log)
        else:
            assert dim == Options(name, tuple(v for v, _ in spec.options))
    assert {"units", "layers", "seq_len", "batch_size", "dropout", "learning_rate"} <= set(possible)
    assert isinstance(possible["l2"], Options) and 1e-4 in possible["l2"].values
    assert possible["learning_rate"] == Range("learning_rate", 1e-4, 1e-1, log=True)
    assert SearchSpace.possible().problems() == []


def test_a_new_knob_in_the_table_is_searchable(monkeypatch: pytest.MonkeyPatch) -> None:
    knob = params.Param("new_knob", "New knob", 1, 9, 3, 1, "help", "Model")
    monkeypatch.setitem(params.SETTINGS, "new_knob", knob)
    monkeypatch.setitem(params.PARAMS, "new_knob", knob)
    assert Range("new_knob", 1, 9) in SearchSpace.possible().dimensions
    assert SearchSpace((Range("new_knob", 2, 5),)).problems() == []


def test_settings_are_json_and_back() -> None:
    settings = SearchSettings(SPACE, n_trials=7, timeout_s=60, sampler="grid", seed=3)
    again = SearchSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again == settings


# bad search settings get a sentence --------------------------------------------------
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"space": SearchSpace()}, "at least one setting"),
        ({"space": SearchSpace((Range("units", 64, 64),))}, "single value"),
        ({"space": SearchSpace((Range("units", 64, 32),))}, "lowest value (64) is above"),
        ({"space": SearchSpace((Range("units", 2, 600),))}, "outside the setting's range"),
        ({"space": SearchSpace((Range("dropout", 0, 0.2, log=True),))}, "above 0"),
        ({"space": SearchSpace((Options("cell", ()),))}, "at least two options"),
        ({"space": SearchSpace((Options("cell", ("lstm", "tcn")),))}, "'tcn' is not one"),
        ({"space": SearchSpace((Range("cell", 1, 2),))}, "not a range"),
        ({"space": SearchSpace((Range("seed", 0, 9),))}, "Seed is not searched"),
        ({"space": SearchSpace((Range("colour", 0, 9),))}, "not a setting"),
        ({"space": SearchSpace((Range("units", 4, 8), Range("units", 4, 9)))}, "twice"),
        ({"n_trials": 0}, "at least one trial"),
        ({"n_trials": 51}, "at most 50 trials per study"),
        ({"timeout_s": -5}, "positive number of seconds"),
        ({"sampler": "annealing"}, "random, grid or TPE"),
        ({"objective": "val_accuracy"}, "accuracy is for classification"),
        ({"warmup_epochs": 2}, "leaves no epoch to prune"),
        ({"space": SearchSpace((Range("seq_len", 10, 200),))}, "At the top of the searched"),
        ({"space": SearchSpace((Range("units", 4, 512), Range("layers", 1, 4)))}, "at most 1024"),
    ],
)
def test_bad_search_settings_get_a_sentence(change: dict[str, Any], words: str) -> None:
    settings = replace(SearchSettings(SPACE, n_trials=4), **change)
    problems = check_search(settings, BASE, 200, "Sine", Limits(500, 1024, 0), max_trials=50)
    assert problems and any(words in p for p in problems), problems
    assert all(p.endswith(".") for p in problems)


def test_good_search_settings_pass() -> None:
    settings = SearchSettings(SPACE, n_trials=4, warmup_epochs=1)
    assert check_search(settings, BASE, 200, "Sine", Limits(500, 1024, 0), max_trials=50) == []


def test_a_study_name_is_a_safe_file_name(tmp_path: Path) -> None:
    assert journal_path(tmp_path, "abc_1") == tmp_path / "studies" / "abc_1.journal"
    with pytest.raises(ValueError, match="study name"):
        journal_path(tmp_path, "../x")


# proposals: seeded, per trial, in any process ------------------------------------------
@pytest.mark.parametrize("sampler", ["random", "tpe", "grid"])
def test_the_same_seed_proposes_the_same_trials(tmp_path: Path, sampler: str) -> None:
    settings = SearchSettings(SPACE, n_trials=8, sampler=sampler, seed=5, grid_points=2)
    first = proposals(tmp_path / "a.journal", settings)
    second = proposals(tmp_path / "b.journal", settings)
    reopened = proposals(tmp_path / "c.journal", settings, fresh=True)  # one job per trial
    assert len(first) == 8 and first == second == reopened
    assert len({json.dumps(p, sort_keys=True) for p in first}) == 8  # no trial repeated
    other = proposals(tmp_path / "d.journal", replace(settings, seed=6))
    assert other != first


def test_a_grid_study_ends_with_its_grid(tmp_path: Path) -> None:
    space = SearchSpace((Options("cell", ("lstm", "gru")), Range("layers", 1, 2)))
    settings = SearchSettings(space, n_trials=10, sampler="grid", grid_points=5)
    made = proposals(tmp_path / "g.journal", settings)
    assert sorted((p["cell"], p["layers"]) for p in made) == [
        ("gru", 1),
        ("gru", 2),
        ("lstm", 1),
        ("lstm", 2),
    ]


def test_no_trial_starts_after_the_time_limit(tmp_path: Path) -> None:
    search = open_study(tmp_path / "t.journal", "t", SearchSettings(SPACE, timeout_s=0.05), BASE)
    assert ask_trial(search) is not None
    time.sleep(0.1)
    assert ask_trial(open_study(tmp_path / "t.journal", "t")) is None


def test_trained_values_are_the_cleaned_ones(tmp_path: Path) -> None:
    search = open_study(tmp_path / "c.journal", "c", SearchSettings(SPACE, seed=1), BASE)
    asked = ask_trial(search)
    assert asked is not None
    number, config = asked
    trained = search.study.trials[number].user_attrs["trained"]
    assert trained["learning_rate"] == config.learning_rate == float(f"{config.learning_rate:.2g}")
    assert config.seq_len == BASE.seq_len and config.epochs == BASE.epochs  # the sliders'


# pruning with Optuna's median pruner, on crafted reports --------------------------------
def test_the_median_pruner_prunes_a_worse_trial_after_warm_up(tmp_path: Path) -> None:
    settings = SearchSettings(SPACE, sampler="random", pruning=True, warmup_epochs=1)
    search = open_study(tmp_path / "p.journal", "p", settings, BASE)
    for _ in range(2):  # PRUNE_AFTER finished trials to compare with
        asked = ask_trial(search)
        assert asked is not None
        number = asked[0]
        assert report(search, number, 1, 0.1) is False
        assert report(search, number, 2, 0.05) is False
        tell_trial(search, number, TrialOutcome("complete", {"val_loss": [0.1, 0.05]}, [1, 1]))
    asked = ask_trial(search)
    assert asked is not None
    number = asked[0]
    assert report(search, number, 1, 9.0) is False  # warm-up: never pruned
    assert report(search, number, 2, 9.0) is True  # worse than the median: pruned
    tell_trial(search, number, TrialOutcome("pruned", {"val_loss": [9.0, 9.0]}, [1, 1]))
    rows = trials_table(open_study(tmp_path / "p.journal", "p"))
    assert [r["state"] for r in rows] == ["complete", "complete", "pruned"]
    assert rows[2]["best"] == 9.0 and rows[2]["epochs"] == 2


def test_pruning_off_never_prunes(tmp_path: Path) -> None:
    settings = SearchSettings(SPACE, sampler="random", pruning=False)
    search = open_study(tmp_path / "n.journal", "n", settings, BASE)
    for value in (0.1, 0.1, 50.0):
        asked = ask_trial(search)
        assert asked is not None
        assert report(search, asked[0], 5, value) is False
        tell_trial(search, asked[0], TrialOutcome("complete", {"val_loss": [value]}, [1]))


# summaries ---------------------------------------------------------------------------
def test_best_so_far_never_rises_and_importances_come_with_enough_trials(
    tmp_path: Path,
) -> None:
    settings = SearchSettings(SPACE, n_trials=12, sampler="random", seed=2)
    proposals(tmp_path / "b.journal", settings)
    search = open_study(tmp_path / "b.journal", "s")
    curve = best_so_far(search)
    values = [v for _, v in curve]
    assert len(curve) == 12 and values == sorted(values, reverse=True)
    assert values[-1] == search.study.best_value
    found = importances(search)
    assert found is not None and set(found) <= set(SPACE.names)
    assert sum(found.values()) == pytest.approx(1.0)


def test_failed_and_empty_trials(tmp_path: Path) -> None:
    search = open_study(tmp_path / "f.journal", "f", SearchSettings(SPACE), BASE)
    for outcome in (TrialOutcome("failed", message="boom"), TrialOutcome("complete")):
        asked = ask_trial(search)
        assert asked is not None
        tell_trial(search, asked[0], outcome)
    rows = trials_table(search)
    assert [r["state"] for r in rows] == ["failed", "failed"]  # no value: not complete
    assert rows[0]["message"] == "boom"
    assert best_so_far(search) == [] and best_config(search) is None
    assert importances(search) is None
    assert progress(search)["failed"] == 2


# a real study: 4 trials of 2 epochs on a tiny sine series ------------------------------
class PruneOdd(optuna.pruners.BasePruner):
    """Prunes every odd-numbered trial at its first report: pruning made certain."""

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        return trial.number % 2 == 1


def test_a_real_study_prunes_records_and_resumes_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(study_module, "make_pruner", lambda settings: PruneOdd())
    values = sine_frame(points=200).to_numpy()
    path = journal_path(tmp_path, "sine")
    settings = SearchSettings(SPACE, n_trials=4, sampler="tpe", warmup_epochs=0, seed=0)
    assert check_search(settings, BASE, len(values), "Sine") == []
    seen: list[tuple[int, str]] = []
    search = run_study(
        settings, BASE, values, path, "sine", on_trial=lambda n, o: seen.append((n, o.status))
    )
    assert seen == [(0, "complete"), (1, "pruned"), (2, "complete"), (3, "pruned")]
    rows = trials_table(search)
    assert [r["state"] for r in rows] == ["complete", "pruned", "complete", "pruned"]
    assert [r["epochs"] for r in rows] == [2, 1, 2, 1]  # pruned after its first epoch
    assert all(r["best"] > 0 and r["seconds"] > 0 for r in rows)
    assert [len(c["values"]) for c in curves(search)] == [2, 1, 2, 1]
    points = [v for _, v in best_so_far(search)]
    assert len(points) == 2 and points[1] <= points[0]
    best = best_config(search)
    assert best is not None and best.epochs == BASE.epochs and best.seq_len == BASE.seq_len
    assert best.units == rows[search.study.best_trial.number]["params"]["units"]
    assert importances(search) is None  # fewer than MIN_FOR_IMPORTANCE complete trials
    csv = trials_csv(search)
    assert csv.splitlines()[0].startswith("number,value") and "PRUNED" in csv

    # "restart": new Python objects on the same journal file, two more trials
    del search
    resumed = open_study(path, "sine")
    assert len(resumed.study.trials) == 4 and ask_trial(resumed) is None  # budget spent
    more = add_trials(resumed, 2)
    assert open_study(path, "sine").settings.n_trials == 6
    again = run_study(more.settings, BASE, values, path, "sine")
    rows = trials_table(again)
    assert [r["number"] for r in rows] == [0, 1, 2, 3, 4, 5]
    assert [r["state"] for r in rows[:4]] == ["complete", "pruned", "complete", "pruned"]
    assert rows[4]["state"] == "complete" and rows[5]["state"] == "pruned"
    assert rows[4]["params"] not in [r["params"] for r in rows[:4]]  # a new proposal


def test_a_resumed_study_keeps_its_space(tmp_path: Path) -> None:
    open_study(tmp_path / "k.journal", "k", SearchSettings(SPACE), BASE)
    with pytest.raises(ValueError, match="resumes with"):
        open_study(tmp_path / "k.journal", "k", SearchSettings(SPACE, seed=9), BASE)


def test_cancel_stops_the_running_trial_and_keeps_finished_ones(tmp_path: Path) -> None:
    values = sine_frame(points=200).to_numpy()
    told: list[int] = []
    asked_since = [0]

    def cancel() -> bool:  # pressed during the first epoch of the second trial
        if told:
            asked_since[0] += 1
        return asked_since[0] >= 2

    settings = SearchSettings(SPACE, n_trials=4, sampler="random", pruning=False)
    path = tmp_path / "x.journal"
    run_study(settings, BASE, values, path, "x", lambda n, o: told.append(n), cancel)
    rows = trials_table(open_study(path, "x"))
    assert [(r["state"], r["epochs"]) for r in rows] == [("complete", 2), ("failed", 1)]
    assert rows[1]["message"] == "cancelled"


def _worker(path: str, rounds: int) -> list[int]:
    """One process running trials of a shared study (what a Celery worker will do)."""
    numbers = []
    for _ in range(rounds):
        search = open_study(Path(path), "shared")
        asked = ask_trial(search)
        if asked is None:
            break
        numbers.append(asked[0])
        complete(search, *asked)
    return numbers


def test_two_processes_run_trials_of_one_study(tmp_path: Path) -> None:
    import multiprocessing

    path = tmp_path / "shared.journal"
    open_study(path, "shared", SearchSettings(SPACE, n_trials=40, sampler="tpe"), BASE)
    with multiprocessing.get_context("spawn").Pool(2) as pool:  # no fork after TensorFlow
        done = pool.starmap(_worker, [(str(path), 6), (str(path), 6)])
    assert sorted(done[0] + done[1]) == list(range(12))  # no trial number given twice
    rows = trials_table(open_study(path, "shared"))
    assert [r["state"] for r in rows] == ["complete"] * 12


def test_val_accuracy_is_maximised(tmp_path: Path) -> None:
    classify = replace(BASE, task="classify")
    settings = SearchSettings(
        SPACE, n_trials=4, objective="val_accuracy", sampler="random", pruning=False
    )
    assert check_search(settings, classify, 500, "ECG") == []
    search = open_study(tmp_path / "acc.journal", "acc", settings, classify)
    for accuracy in (0.5, 0.8, 0.6, 0.9):
        asked = ask_trial(search)
        assert asked is not None
        history = {"val_accuracy": [accuracy - 0.1, accuracy], "val_loss": [1.0, 0.9]}
        tell_trial(search, asked[0], TrialOutcome("complete", history, [1, 1]))
    assert [v for _, v in best_so_far(search)] == [0.5, 0.8, 0.8, 0.9]
    best = best_config(search)
    assert best is not None and best.task == "classify"
    assert search.study.best_trial.number == 3
