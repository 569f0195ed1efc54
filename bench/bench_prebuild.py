"""The suggested change, tried on the real training path without editing it.

bench/README.md suggests building the optimizer's and the metrics' state before `fit`
(`model._symbolic_build(data_batch=(x[:batch], y[:batch], None))`), so that Keras' train
step is traced once instead of twice. This script tries that on `dashboard.ml.train.train`
as it is: in the `patched` runs, `keras.Model.fit` is wrapped (in this process only) to make
that call first, with the arrays `train()` passes to fit. `plain` runs leave everything alone.

For several configurations (the default forecast, stateful, bidirectional, recurrent
dropout, a 3-step horizon, 3-class and 2-class sequence classification), every run is a
fresh subprocess, plain and patched alternate, and each run reports the status, how often
the train/test steps were traced (`step_traces`: 3 as the app is, 2 with the change) and the
first epoch (`EpochUpdate.epoch_seconds[0]`, 2 epochs per run).

    .venv/bin/python bench/bench_prebuild.py                 # 2 rounds, about 2-3 min
    ROUNDS=3 .venv/bin/python bench/bench_prebuild.py --only forecast,classify3
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

CASES = (
    "forecast",
    "stateful",
    "bidirectional",
    "recurrent_dropout",
    "horizon3",
    "classify3",
    "classify2",
)


def case_data(name: str) -> tuple[Any, np.ndarray]:
    """(TrainConfig, values) of one case; 2 epochs each."""
    from dashboard.ml.config import TrainConfig
    from dashboard.ml.data import sine_frame

    base = TrainConfig(epochs=2)
    sine = sine_frame()[["value"]].to_numpy()
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 300).astype(float)
    waves = np.sin(np.linspace(0, 6, 40))[None, :] * (labels[:, None] + 1)
    series = waves + rng.normal(0, 0.1, (300, 40))
    changes: dict[str, dict[str, Any]] = {
        "forecast": {},
        "stateful": {"stateful": True},
        "bidirectional": {"bidirectional": True},
        "recurrent_dropout": {"recurrent_dropout": 0.1},
        "horizon3": {"horizon": 3},
        "classify3": {"task": "classify"},
        "classify2": {"task": "classify"},
    }
    values = sine
    if name == "classify3":
        values = np.column_stack([labels, series])
    elif name == "classify2":
        values = np.column_stack([labels % 2, series])
    return replace(base, **changes[name]), values


def worker(name: str, patched: bool) -> dict[str, Any]:
    """Train one case through dashboard.ml.train.train; its timings and trace count."""
    import keras
    from tensorflow.python.eager.polymorphic_function.polymorphic_function import Function

    from dashboard.ml.train import train

    if patched:
        original_fit = keras.Model.fit

        def fit(self: Any, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
            batch = kwargs.get("batch_size") or 32
            self._symbolic_build(data_batch=(x[:batch], y[:batch], None))
            return original_fit(self, x, y, *args, **kwargs)

        keras.Model.fit = fit

    config, values = case_data(name)
    started = time.perf_counter()
    result = train(config, values)
    train_s = time.perf_counter() - started
    traces = sum(
        f.experimental_get_tracing_count()
        for f in gc.get_objects()
        if isinstance(f, Function) and f.__name__ == "one_step_on_data"
    )
    return {
        "status": result.status,
        "step_traces": traces,
        "first_epoch_s": round(result.epoch_seconds[0], 3),
        "second_epoch_s": round(result.epoch_seconds[1], 3),
        "train_call_s": round(train_s, 3),
    }


def run_worker(name: str, patched: bool) -> dict[str, Any]:
    """This script in worker mode, in a fresh process; its JSON line."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    if patched:
        argv.append("--patched")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} patched={patched} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Alternate plain and patched runs of every case; print each run, medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "2")))
    parser.add_argument("--only", default="", help=f"comma-separated, from {', '.join(CASES)}")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--patched", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.patched)))
        return

    names = [n for n in args.only.split(",") if n] or list(CASES)
    runs: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for round_no in range(1, args.rounds + 1):
        for name in names:
            order = (False, True) if round_no % 2 else (True, False)
            for patched in order:
                result = run_worker(name, patched)
                runs.setdefault((name, patched), []).append(result)
                label = "patched" if patched else "plain"
                print(
                    f"round={round_no} case={name} {label} "
                    + " ".join(f"{k}={v}" for k, v in result.items()),
                    flush=True,
                )

    print("\n# medians: first epoch plain -> patched (ratio), step traces, statuses")
    for name in names:
        plain, patched = runs[(name, False)], runs[(name, True)]
        first = [statistics.median(r["first_epoch_s"] for r in rs) for rs in (plain, patched)]
        traces = [statistics.median(r["step_traces"] for r in rs) for rs in (plain, patched)]
        statuses = {r["status"] for r in plain + patched}
        print(
            f"{name:<18} {first[0]:.2f} -> {first[1]:.2f} s ({first[1] / first[0]:.2f})  "
            f"traces {traces[0]:g} -> {traces[1]:g}  {','.join(sorted(statuses))}"
        )


if __name__ == "__main__":
    main()
