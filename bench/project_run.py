"""The reference's work, done through the project's own training path.

`dashboard.ml.train.train` on the built-in sine series with the TrainConfig that matches
/work/shared/bench/reference_keras.py: seq_len 50, units 64, 2 layers, dropout 0.2, dense 32,
batch 32, 20 epochs, and the reference's split (80 % train of which 20 % validation, i.e.
train_pct=64, val_pct=16, test 20 %). Prints one `key=value` line with the reference's fields
(import_s fit_s first_epoch_s median_epoch_s total_s val_loss mae rmse) plus a few of its own.

Differences that remain and are part of the project's path: the split is made on rows, not
on windows (590/160/200 windows instead of 608/152/190; both are 19 batches per epoch), the
test part is predicted for the live plot on a time budget (outside `epoch_seconds`, inside
`fit_s`), and `fit_s` covers the `train()` call up to the last epoch's last report, i.e.
about when Keras' fit returns (windowing, model build and compile included, about 0.1 s).

Environment knobs: EPOCHS, SEQ, UNITS (as the reference), and PROJECT_THREADS: `app` (the
default: `runtime.configure_threads` with the server's defaults, intra 1 / inter 2, exactly
as a job does) or `tf` (leave TensorFlow's own thread defaults).
"""

from __future__ import annotations

import itertools
import os
import statistics
import time

T0 = time.perf_counter()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dashboard.ml import runtime  # noqa: E402  (imports TensorFlow; timed as import_s)
from dashboard.ml.config import TrainConfig  # noqa: E402
from dashboard.ml.data import sine_frame  # noqa: E402
from dashboard.ml.train import EpochUpdate, train  # noqa: E402
from dashboard.settings import Settings  # noqa: E402

IMPORT_S = time.perf_counter() - T0


def config_from_env() -> TrainConfig:
    """The reference's settings, with its EPOCHS/SEQ/UNITS knobs."""
    return TrainConfig(
        dataset="builtin:sine",
        seq_len=int(os.environ.get("SEQ", "50")),
        units=int(os.environ.get("UNITS", "64")),
        layers=2,
        dropout=0.2,
        dense_units=32,
        batch_size=32,
        epochs=int(os.environ.get("EPOCHS", "20")),
        train_pct=64,
        val_pct=16,
    )


def upper_median(values: list[float]) -> float:
    """The reference's `sorted(x)[len(x) // 2]` (the upper median for even lengths)."""
    return sorted(values)[len(values) // 2]


def main() -> None:
    """Train once and print the timings as one key=value line."""
    threads = os.environ.get("PROJECT_THREADS", "app")
    if threads == "app":
        settings = Settings()
        runtime.configure_threads(settings.tf_intra_threads, settings.tf_inter_threads)
    config = config_from_env()
    values = sine_frame()[["value"]].to_numpy()
    last_report = [0.0]
    first_report: list[float] = []
    epoch_reports: dict[int, float] = {}

    def on_epoch(update: EpochUpdate) -> None:
        now = time.perf_counter()
        if not first_report:
            first_report.append(now)
        last_report[0] = now  # the last epoch's last report: about when fit() returns
        if update.batch is None:
            epoch_reports.setdefault(update.epoch, now)

    t_train = time.perf_counter()
    result = train(config, values, on_epoch)
    t_end = time.perf_counter()
    seconds = result.epoch_seconds
    order = sorted(epoch_reports)  # the wall time from one epoch's report to the next's
    gaps = [epoch_reports[b] - epoch_reports[a] for a, b in itertools.pairwise(order)]
    fields = {
        "import_s": f"{IMPORT_S:.2f}",
        "fit_s": f"{last_report[0] - t_train:.2f}",
        "first_epoch_s": f"{seconds[0]:.2f}",
        "median_epoch_s": f"{upper_median(seconds):.3f}",
        "epoch_wall_s": f"{statistics.median(gaps):.3f}",
        "total_s": f"{t_end - T0:.2f}",
        "val_loss": f"{result.history['val_loss'][-1]:.5f}",
        "mae": f"{result.scores['model']['mae']:.4f}",
        "rmse": f"{result.scores['model']['rmse']:.4f}",
        "train_call_s": f"{t_end - t_train:.2f}",
        "to_first_point_s": f"{first_report[0] - t_train:.2f}",
        "threads": threads,
        "status": result.status,
    }
    print(" ".join(f"{key}={value}" for key, value in fields.items()), flush=True)


if __name__ == "__main__":
    main()
