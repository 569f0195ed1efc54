"""Where the time goes between a Train press and the first epoch point, job side.

Mimics a server job with the project's own pieces: a multiprocess forkserver that preloads
the same modules as the app (dashboard.background.JOB_PRELOAD: TensorFlow imported, no op
run), warmed up once by a probe process as the app does at start, then a few job processes
forked from it, one after another. Each job does what dashboard.jobs._train and
dashboard.ml.train.train do (app defaults: sine, 70/15/15, seq 50, 2 x LSTM(64), batch 32),
with a timestamp after every step:

    start        parent calls Process.start() -> first line of the job (fork via forkserver)
    threads      runtime.configure_threads(1, 2), as with the server's default settings
    first_op     the first TensorFlow op of the process (runtime and thread pools start)
    windows      train.prepare: split, scale, window the series
    build        model.build_model: Sequential, 2 x LSTM(64), compile
    trace_train  first training batch: tracing + graph optimisation of the train step, 1 step
    train_rest   the other 20 training batches of epoch 1
    val          validation of epoch 1 (tracing of the test step + 5 batches)
    epoch1       fit start -> end of epoch 1 = what EpochUpdate.epoch_seconds[0] reports
    epoch2       the second epoch, for comparison (nothing left to trace)
    predict1     first model.predict_on_batch of the 150 test windows (traces the predict
                 step; the app does it after epoch 2 for the live prediction plot)
    to_first_point  start + threads + first_op + windows + build + epoch1

Then, in the same process, a second model with the same settings is built and fitted the
same way (`m2` columns): what a long-lived job process that has already trained once
would pay (Python-side caches warm, but every new model is traced again).

Jobs alternate between `app` (build_model as the app calls it) and `prebuilt` (the same,
plus `model._symbolic_build(...)` right after compile, which creates the Adam slots and the
mae metric's variables up front; without it Keras' TensorFlow trainer creates them inside
the first trace of the train step, and tf.function then traces that step a second time).

What the page adds on top (the click's request, the job's progress write, the page's poll
every 250 ms and the redraw) is measured as a whole by bench_browser.py.

    .venv/bin/python bench/bench_first_point.py          # 6 jobs, 3 of each
    JOBS=10 .venv/bin/python bench/bench_first_point.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import multiprocess

from dashboard.background import JOB_PRELOAD

SETUP = ("start", "threads", "first_op")
MODEL_PHASES = (
    "windows",
    "build",
    "trace_train",
    "train_rest",
    "val",
    "epoch1",
    "epoch2",
    "predict1",
)


def timed_model(runtime: Any, prebuild: bool) -> dict[str, float]:
    """Window, build, fit 2 epochs and predict once, as train() does; seconds per phase.

    `prebuild`: create the optimizer's and the metrics' variables before fit (Keras'
    `_symbolic_build`), so that the train step is traced once instead of twice.
    """
    from dashboard.ml.config import TrainConfig
    from dashboard.ml.data import sine_frame
    from dashboard.ml.model import build_model
    from dashboard.ml.train import prepare

    marks: dict[str, float] = {}
    t = time.perf_counter()
    config = TrainConfig()
    runtime.keras.utils.set_random_seed(config.seed)
    windows = prepare(config, sine_frame()[["value"]].to_numpy())
    marks["windows"] = time.perf_counter() - t
    t = time.perf_counter()
    model = build_model(config, windows.x_train.shape[2])
    if prebuild:
        model._symbolic_build(data_batch=(windows.x_train[:1], windows.y_train[:1], None))
    marks["build"] = time.perf_counter() - t

    stamps: dict[str, float] = {}

    class Stamps(runtime.keras.callbacks.Callback):  # type: ignore[misc]
        epoch = 0

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.epoch = epoch
            stamps[f"epoch_begin_{epoch}"] = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if self.epoch == 0:
                stamps.setdefault("batch0_end", time.perf_counter())
                stamps["train_end_0"] = time.perf_counter()

        def on_test_begin(self, logs: Any = None) -> None:
            stamps.setdefault("test_begin", time.perf_counter())

        def on_test_end(self, logs: Any = None) -> None:
            stamps.setdefault("test_end", time.perf_counter())

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            stamps[f"epoch_end_{epoch}"] = time.perf_counter()

    model.fit(
        windows.x_train,
        windows.y_train,
        validation_data=(windows.x_val, windows.y_val),
        epochs=2,
        batch_size=config.batch_size,
        callbacks=[Stamps()],
        verbose=0,
    )
    begin = stamps["epoch_begin_0"]
    marks["trace_train"] = stamps["batch0_end"] - begin
    marks["train_rest"] = stamps["train_end_0"] - stamps["batch0_end"]
    marks["val"] = stamps["test_end"] - stamps["test_begin"]
    marks["epoch1"] = stamps["epoch_end_0"] - begin
    marks["epoch2"] = stamps["epoch_end_1"] - stamps["epoch_begin_1"]
    t = time.perf_counter()
    model.predict_on_batch(windows.x_test)
    marks["predict1"] = time.perf_counter() - t
    return marks


def job(started_at: float, prebuild: bool, queue: Any) -> None:
    """A job process: the steps of dashboard.jobs._train, timed; then a second model."""
    marks = {"start": time.time() - started_at}
    t = time.perf_counter()
    from dashboard.ml import runtime

    runtime.configure_threads(1, 2)
    marks["threads"] = time.perf_counter() - t
    t = time.perf_counter()
    runtime.tf.zeros((1,)).numpy()
    marks["first_op"] = time.perf_counter() - t
    marks.update(timed_model(runtime, prebuild))
    marks.update({f"{k}_m2": v for k, v in timed_model(runtime, prebuild).items()})
    queue.put(marks)


def main() -> None:
    """Start a preloaded forkserver, warm it up, run the jobs; print each and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("JOBS", "6")),
        help="jobs in all, alternating as-the-app and prebuilt",
    )
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    context = multiprocess.get_context("forkserver")
    context.set_forkserver_preload(JOB_PRELOAD)
    queue = context.Queue()
    t0 = time.perf_counter()
    warm = context.Process(target=lambda: None)
    warm.start()
    warm.join()
    print(f"forkserver_warm_up_s={time.perf_counter() - t0:.2f} (TensorFlow import included)")

    runs: dict[str, list[dict[str, float]]] = {"app": [], "prebuilt": []}
    for number in range(args.jobs):
        variant = "app" if number % 2 == 0 else "prebuilt"
        process = context.Process(target=job, args=(time.time(), variant == "prebuilt", queue))
        process.start()
        marks = queue.get(timeout=300)
        process.join()
        setup = sum(marks[k] for k in (*SETUP, "windows", "build"))
        marks["to_first_point"] = setup + marks["epoch1"]
        marks["to_first_point_m2"] = marks["windows_m2"] + marks["build_m2"] + marks["epoch1_m2"]
        runs[variant].append(marks)
        print(
            f"job={number + 1} variant={variant} "
            + " ".join(f"{k}={v:.3f}" for k, v in marks.items()),
            flush=True,
        )

    print("\n# medians (s); m2: a second model in the same process")
    print(f"{'phase':<16}{'app':>10}{'app m2':>10}{'prebuilt':>10}{'prebuilt m2':>13}")
    for key in (*SETUP, *MODEL_PHASES, "to_first_point"):
        cells = []
        for variant in ("app", "prebuilt"):
            for suffix in ("", "_m2"):
                values = [r[key + suffix] for r in runs[variant] if key + suffix in r]
                cells.append(f"{statistics.median(values):.3f}" if values else "")
        print(f"{key:<16}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}{cells[3]:>13}")


if __name__ == "__main__":
    main()
