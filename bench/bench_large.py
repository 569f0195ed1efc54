"""Memory and time to the first batch of a run on a large series (1M rows x 5 columns).

For the issue "Your data, any shape" (large data, never silent). Each pass is a fresh
Python process that builds the series (a sine target and four noisy inputs), calls
dashboard.ml.train.train on it with the default settings (2 x LSTM(64), windows of 50,
batches of 32) and stops at the first batch report (the end of the second batch: the
first carries the tracing). It prints the seconds from calling train to that report, the process's
peak resident memory (ru_maxrss) then, and the pace of the next TIMED_BATCHES batches (ms
per batch: gathering batches from views must not slow the epoch down).

Two ways, alternating in one run:

    views    the project's path: windows are read-only views into one float32 copy of the
             rows, and past FIT_WHOLE_BYTES fit gathers them batch by batch (WindowBatches)
    copied   the path before: every part's windows copied out into its own array and
             handed to fit whole (FIT_WHOLE_BYTES raised past them)

    .venv/bin/python bench/bench_large.py --rounds 2 --out bench/results/large.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMED_BATCHES = 400  # batches timed after the first report: the pace of an epoch


def one_pass(way: str, rows: int) -> None:
    """In a child process: train until the first batch report, print the figures as JSON."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from dashboard.ml import train as train_module
    from dashboard.ml.config import TrainConfig
    from dashboard.ml.windows import Windows

    rng = np.random.default_rng(0)
    t = np.arange(rows, dtype=np.float64)
    values = np.column_stack(
        [np.sin(t / 50)] + [np.sin(t / (30 + 7 * k)) + rng.normal(0, 0.1, rows) for k in range(4)]
    )
    train_module.BATCH_REPORT_S = 0.0
    if way == "copied":  # as before: each part's windows copied out, fit given them whole
        train_module.FIT_WHOLE_BYTES = 2**62
        made = train_module.prepare

        def copied(config: TrainConfig, data: np.ndarray) -> Windows:
            windows = made(config, data)
            assert isinstance(windows, Windows)
            parts = {
                name: np.array(getattr(windows, name))
                for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
            }
            return Windows(
                **parts,
                train_rows=windows.train_rows,
                val_rows=windows.val_rows,
                test_rows=windows.test_rows,
                target_scaler=windows.target_scaler,
                train_end=windows.train_end,
                val_end=windows.val_end,
                last_window=windows.last_window,
            )

        train_module.prepare = copied  # type: ignore[assignment]
    config = TrainConfig(epochs=1, features=("x1", "x2", "x3", "x4"))
    started = time.perf_counter()
    figures: dict[str, object] = {"way": way, "rows": rows}

    def first_batch(update: train_module.EpochUpdate) -> None:
        if update.batch is None:
            return
        done, steps, _ = update.batch
        now = time.perf_counter()
        if "first_batch_s" not in figures:
            figures["first_batch_s"] = round(now - started, 2)
            figures["peak_rss_mb"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            )
            figures["batches_per_epoch"] = steps
            figures["_from"] = (done, now)
        elif done >= TIMED_BATCHES:
            first_done, first_at = figures.pop("_from")  # type: ignore[misc]
            figures["ms_per_batch"] = round(1000 * (now - first_at) / (done - first_done), 2)
            print(json.dumps(figures), flush=True)
            os._exit(0)  # the figures are out; scoring the rest is not what is measured

    train_module.train(config, values, on_epoch=first_batch)


def main() -> int:
    """Alternate the two ways in child processes; print a table; write JSON with --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", choices=("views", "copied"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        one_pass(args.child, args.rows)
        return 1  # one_pass exits at the first batch report
    passes = []
    for _ in range(args.rounds):
        for way in ("views", "copied"):
            command = [sys.executable, __file__, "--child", way, "--rows", str(args.rows)]
            out = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            if not lines:
                print(out.stderr[-3000:], file=sys.stderr)
                return 1
            passes.append(json.loads(lines[-1]))
            print(passes[-1], flush=True)
    print(f"\n{'way':>8} {'first batch s':>14} {'peak RSS MB':>12} {'ms/batch':>9}")
    for way in ("views", "copied"):
        mine = [p for p in passes if p["way"] == way]
        seconds = statistics.median(p["first_batch_s"] for p in mine)
        memory = statistics.median(p["peak_rss_mb"] for p in mine)
        pace = statistics.median(p["ms_per_batch"] for p in mine)
        print(f"{way:>8} {seconds:>14.2f} {memory:>12.0f} {pace:>9.2f}")
    if args.out:
        args.out.write_text(json.dumps({"passes": passes}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
