"""Each challenge's check on crafted run records: what passes, what fails, and the sentence;
and the SimpleRNN challenge's starting point, trained."""

from __future__ import annotations

from typing import Any

from dashboard.ml import challenges
from dashboard.ml.challenges import BY_ID, check_fix, check_memory, check_overfit, check_seasonal
from dashboard.ml.config import TrainConfig
from dashboard.ml.data import BUILTIN_PREFIX, load_builtin
from dashboard.ml.train import train

FALLING = [1.0 - 0.05 * i for i in range(12)]  # loss falls every epoch


def run(
    number: int,
    loss: list[float] | None = None,
    val: list[float] | None = None,
    status: str = "finished",
    scores: dict[str, Any] | None = None,
    **config: Any,
) -> dict[str, Any]:
    """A run record as the store keeps it (only what the checks read)."""
    loss = loss if loss is not None else FALLING
    val = val if val is not None else [0.9 - 0.01 * i for i in range(len(loss))]
    return {
        "id": f"run{number:013d}",
        "number": number,
        "created": float(number),
        "status": status,
        "config": {"dataset": "builtin:sine", "target": "value", **config},
        "history": {"loss": loss, "val_loss": val},
        "scores": scores or {},
    }


def rising(epochs: int, start: int = 3, total: int = 12) -> list[float]:
    """val_loss that falls, then rises `epochs` epochs in a row after epoch `start`, then falls."""
    values, level = [], 1.0
    for epoch in range(1, total + 1):
        level += 0.1 if start < epoch <= start + epochs else -0.1
        values.append(level)
    return values


def test_overfit_needs_five_rising_epochs_while_loss_falls() -> None:
    verdict = check_overfit(run(1, val=rising(6, start=4)))
    assert verdict.passed
    assert verdict.sentence == (
        "val_loss rose for 6 epochs in a row after epoch 4 while loss fell: overfit."
    )
    four = check_overfit(run(2, val=rising(4, start=4)))
    assert not four.passed
    assert "rose for 4 epochs" in four.sentence and "the goal is 5" in four.sentence
    assert four.closeness == 0.8
    # val_loss rises 6 times, but the training loss rises too: not overfitting
    assert not check_overfit(run(3, loss=rising(6, start=4), val=rising(6, start=4))).passed
    assert check_overfit(run(4)).sentence.startswith("val_loss never rose while loss fell")


def test_fix_needs_an_earlier_overfit_run_and_a_remedy() -> None:
    overfit = run(1, val=rising(6))
    calm = run(2, dropout=0.3)
    verdict = check_fix(calm, [overfit, calm])
    assert verdict.passed
    assert verdict.sentence.startswith("Dropout 0.3 after the overfit run #1")
    # no remedy
    plain = run(3, dropout=0.0, early_stopping=False)
    assert check_fix(plain, [overfit, plain]).sentence == (
        "This run uses neither dropout nor early stopping."
    )
    # a remedy, but still overfitting
    still = run(4, val=rising(5), early_stopping=True, restore_best=False)
    assert "still overfit" in check_fix(still, [overfit, still]).sentence
    # early stopping cut the rise short and kept the best epoch's weights: fixed
    cut = run(6, val=rising(5, start=6), early_stopping=True, restore_best=True, epochs=30)
    assert check_fix(cut, [overfit, cut]).sentence.endswith(
        "early stopping ended it at epoch 12 of 30 and kept epoch 6: fixed."
    )
    ran_out = run(7, val=rising(5, start=6), early_stopping=True, restore_best=True, epochs=12)
    assert not check_fix(ran_out, [overfit, ran_out]).passed  # it never stopped early
    # no overfit run before it, or only on another dataset
    elsewhere = run(0, val=rising(6), dataset="builtin:airline")
    lonely = check_fix(calm, [elsewhere, calm])
    assert not lonely.passed and "Make it overfit" in lonely.sentence
    # the overfit run came later: not a fix of it
    later = run(5, val=rising(6))
    assert not check_fix(calm, [calm, later]).passed


def airline(number: int, model: float, seasonal: float | None) -> dict[str, Any]:
    baselines = {"last_value": {"mae": 40.0}}
    if seasonal is not None:
        baselines["seasonal_naive"] = {"mae": seasonal}
    scores = {"model": {"mae": model}, "baselines": baselines, "skill": 10.0}
    return run(number, scores=scores, dataset="builtin:airline", target="Passengers")


def test_seasonal_compares_with_the_seasonal_naive_on_airline_only() -> None:
    verdict = check_seasonal(airline(1, 21.0, 28.0))
    assert verdict.passed and verdict.skill == 25.0
    assert verdict.sentence == (
        "Test MAE 21.0 against the seasonal naive's 28.0: 25 % better. Beaten."
    )
    worse = check_seasonal(airline(2, 32.2, 28.0))
    assert not worse.passed and "15 % worse" in worse.sentence
    assert "Season length" in check_seasonal(airline(3, 21.0, None)).sentence
    other = run(4, scores={"model": {"mae": 1.0}, "baselines": {"seasonal_naive": {"mae": 2.0}}})
    assert check_seasonal(other).sentence == "This run is not on the Airline passengers dataset."


def cell_run(number: int, cell: str, skill: float, seq_len: int = 60) -> dict[str, Any]:
    return run(number, scores={"skill": skill}, cell=cell, seq_len=seq_len)


def test_memory_needs_both_cells_at_one_sequence_length() -> None:
    rnn, lstm = cell_run(1, "simple_rnn", -12.0), cell_run(2, "lstm", 18.0)
    verdict = check_memory(lstm, [rnn, lstm])
    assert verdict.passed and verdict.skill == 18.0
    assert verdict.sentence.startswith(
        "Sequence length 60: SimpleRNN #1 skill -12 %, LSTM #2 skill +18 % over the last value"
    )
    assert check_memory(rnn, [rnn, lstm]).passed  # from either side
    # another sequence length, or another learning rate, does not pair
    short = cell_run(3, "lstm", 18.0, seq_len=20)
    assert "no SimpleRNN run" in check_memory(short, [rnn, short]).sentence
    faster = {**lstm, "config": {**lstm["config"], "learning_rate": 0.05}}
    assert not check_memory(faster, [rnn, faster]).passed
    # the SimpleRNN beats the last value too
    good_rnn = cell_run(4, "simple_rnn", 3.0)
    assert "SimpleRNN beats it too" in check_memory(lstm, [good_rnn, lstm]).sentence
    # the LSTM fails as well
    bad = cell_run(5, "lstm", -1.0)
    assert not check_memory(bad, [rnn, bad]).passed
    gru = cell_run(6, "gru", 50.0)
    assert not check_memory(gru, [rnn, gru]).passed


def test_the_memory_setup_fails_a_simplernn_and_passes_an_lstm_when_trained() -> None:
    """The hint's measurement, for the seed a Set up loads: the starting point trained as a
    SimpleRNN, then with Cell LSTM and nothing else changed, passes the check."""
    setup = dict(BY_ID["memory"].setup)
    values = load_builtin(setup["dataset"].removeprefix(BUILTIN_PREFIX)).values("value")
    trained = []
    for number, cell in enumerate((setup["cell"], challenges.LSTM), start=1):
        config = TrainConfig(**{**setup, "cell": cell})
        result = train(config, values)
        assert result.status == "finished"
        trained.append(run(number, scores=result.scores, **config.to_dict()))
    verdict = check_memory(trained[1], trained)
    assert verdict.passed, verdict.sentence


def test_progress_picks_the_best_finished_attempt() -> None:
    runs = [
        run(1, val=rising(4)),
        run(2, val=rising(5)),
        run(3, val=rising(7), status="failed"),  # not finished: does not count
    ]
    attempts = {a.challenge.id: a for a in challenges.progress(runs)}
    assert [c.id for c in challenges.CHALLENGES] == ["overfit", "fix", "seasonal", "memory"]
    assert attempts["overfit"].verdict is not None and attempts["overfit"].verdict.passed
    assert attempts["overfit"].number == 2
    assert attempts["seasonal"].verdict is not None and not attempts["seasonal"].verdict.passed
    assert challenges.progress([])[0].verdict is None
    assert BY_ID["seasonal"].dataset == "builtin:airline"
