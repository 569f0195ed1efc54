"""The Search tab's callbacks called directly: a real 2-trial search streamed, drawn, its
best trial set on the sliders, its CSV, resumed from the study picker; refusals."""

from __future__ import annotations

from typing import Any

import pytest
from dash import no_update

from callbacks.search import FORM_SIZE, form_settings
from dashboard.app import create_app
from dashboard.background import queued_state
from dashboard.control_state import SETTINGS, control_value
from dashboard.ml.config import TrainConfig
from dashboard.ml.search import Range
from dashboard.payloads import SearchState
from dashboard.search_jobs import SEARCH_OPTIONS, SEARCH_RANGES
from dashboard.settings import Settings
from dashboard.store import Store
from tests.callbacks.tokens import T1, T2


@pytest.fixture
def functions(settings: Settings) -> dict[str, Any]:
    app = create_app(settings, warm_up=False)
    return app.callback_functions


def form(
    searched: dict[str, tuple[float, float]], trials: int = 2, pruning: bool = False
) -> list[Any]:
    """The search form's values (callbacks.search.form_deps order)."""
    values: list[Any] = []
    for name in SEARCH_RANGES:
        low, high = searched.get(name, (1, 2))
        values += [name in searched, low, high]
    values += [[] for _ in SEARCH_OPTIONS]
    return [*values, trials, None, "random", pruning, 0, 3, "val_loss"]


def sliders(**values: Any) -> list[Any]:
    config = TrainConfig(**values)
    return [control_value(name, getattr(config, name)) for name in SETTINGS]


def test_the_form_is_read_in_its_order() -> None:
    values = form({"units": (4, 8), "learning_rate": (1e-3, 1e-2)}, trials=4)
    assert len(values) == FORM_SIZE
    made = form_settings(tuple(values))
    assert made.space.names == ["learning_rate", "units"]
    assert made.space.dimensions[0] == Range("learning_rate", 1e-3, 1e-2, log=True)
    assert (made.n_trials, made.sampler, made.pruning, made.seed) == (4, "random", False, 3)


def test_a_search_streams_draws_and_use_best_sets_the_sliders(
    functions: dict[str, Any], settings: Settings
) -> None:
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    raw = sliders(units=4, layers=1, dense_units=0, seq_len=10, epochs=2, batch_size=64)
    reports: list[SearchState] = []
    final = functions["search"](
        lambda values: reports.append(values[0]),
        1,
        T1,
        "p1",
        "new",
        *form({"units": (4, 8), "learning_rate": (1e-3, 1e-2)}),
        meta,
        "value",
        [70, 85],
        *raw,
    )
    assert final["status"] == "finished", final["message"]
    assert [t["state"] for t in final["trials"]] == ["complete", "complete"]
    assert len(reports) > 4 and any(r["trials"] and r["live"] for r in reports)

    view = functions["show_search"](final)
    assert view.status.startswith("Search finished: 2 trials")
    assert view.progress == 100 and view.progress_text.startswith("trial 2/2")
    assert [r["trial"] for r in view.rows] == [1, 2] and "p_units" in view.rows[0]
    assert [c["field"] for c in view.columns][:4] == [
        "trial",
        "state",
        "p_learning_rate",
        "p_units",
    ]
    assert view.use_best_disabled is False and view.csv_disabled is False
    assert view.best_run_href == f"/runs/{final['best_run']}/train.zip"
    assert view.best_run_disabled is False
    assert len(view.curves.data) == 2

    # Use best: every control, the searched ones at the best trial's values
    *controls, note = functions["use_best"](1, final)
    best = final["best_settings"]
    assert controls[SETTINGS.index("units")] == best["units"]
    assert controls[SETTINGS.index("epochs")] == 2  # the sliders' value for the rest
    assert note.startswith("The sliders hold the best trial's settings: Learning rate")

    # the Training tab shows the trial's run; Train stays off while the search runs
    running = next(r for r in reports if r["live"] and r["status"] == "running")
    forwarded = functions["forward_trial"](running, None)
    assert forwarded.live == running["live"] and forwarded.train_disabled is True
    assert functions["forward_trial"](running, running["live"]).live is no_update

    # the CSV, and the study picker offers it to resume; picking it shows it as kept
    sent = functions["download_csv"](1, final, T1)
    assert sent["filename"] == "lstm-lab-study-1-trials.csv" and "params_units" in sent["content"]
    assert functions["download_csv"](1, final, T2) is no_update  # not that session's
    options = functions["study_options"](None, T1)
    assert [o["value"] for o in options] == ["new", final["study"]]
    kept = functions["show_study"](final["study"], None, T1)
    assert kept["status"] == "kept" and len(kept["trials"]) == 2
    assert functions["cancel_search"](1, kept, T1) is no_update  # nothing runs

    resumed = functions["search"](
        lambda values: None,
        2,
        T1,
        "p1",
        final["study"],
        *form({"units": (4, 8), "learning_rate": (1e-3, 1e-2)}, trials=1),
        meta,
        "value",
        [70, 85],
        *raw,
    )
    assert [t["number"] for t in resumed["trials"]] == [0, 1, 2]
    runs = Store.from_settings(settings).list_runs("s1")
    assert [r.get("tag", {}).get("trial") for r in runs] == [0, 1, 2]


def test_a_search_waiting_in_the_queue_says_its_place(functions: dict[str, Any]) -> None:
    waiting = queued_state("q0123", "queued", "Queued: another training is running.")
    view = functions["show_search"](waiting)  # what the job manager writes while it waits
    assert view.status == "Queued: another training is running." and view.rows == []
    assert functions["forward_trial"](waiting, None).train_disabled is True


def test_a_bad_search_is_refused_in_a_sentence(functions: dict[str, Any]) -> None:
    meta = functions["pick_dataset"]("builtin:sine", T1)[0]
    final = functions["search"](
        lambda values: None, 1, T1, "p1", "new", *form({}), meta, "value", [70, 85], *sliders()
    )
    assert final["status"] == "refused"
    assert final["message"] == "Choose at least one setting to search."
    view = functions["show_search"](final)
    assert view.status_color == "warning" and view.rows == [] and view.use_best_disabled
    forged = functions["search"](
        lambda values: None,
        1,
        "forged",
        "p1",
        "new",
        *form({"units": (4, 8)}),
        meta,
        "value",
        [70, 85],
        *sliders(),
    )
    assert forged["status"] == "refused" and forged["trials"] == []
    theirs = functions["search"](
        lambda values: None,
        1,
        T1,
        "p1",
        "someone-elses",
        *form({"units": (4, 8)}),
        meta,
        "value",
        [70, 85],
        *sliders(),
    )
    assert theirs["message"] == "That study is not one of this session's."
