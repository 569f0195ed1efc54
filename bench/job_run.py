"""The reference's run through the job a server runs: `dashboard.jobs.run_training`.

The same settings as bench/project_run.py (the reference's model, data and epochs), but
through everything a job does around the training path: its slot, its heartbeat, the run
record written after every epoch, the predictions saved at each refresh, and every report
written to a diskcache as Dash's `set_progress` does. Set against project_run.py's bare
`train()` in the same bench run, this is the job's own per-epoch overhead (the page's
polling and drawing are not in it: bench_backends.py's app rounds have those).

Prints one `key=value` line: `epoch_wall_s` is the median time between two consecutive
epochs' first reports (epochs 2..N: the wall time an epoch costs, reports included), as
project_run.py prints it for the bare path.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import diskcache  # noqa: E402
from project_run import config_from_env  # noqa: E402

from dashboard import jobs  # noqa: E402
from dashboard.ml import runtime  # noqa: E402, F401  (imports Keras: timed as import_s)
from dashboard.payloads import LiveState  # noqa: E402
from dashboard.settings import Settings  # noqa: E402

IMPORT_S = time.perf_counter() - T0


def main() -> None:
    """Train once through the job and print the timings as one key=value line."""
    config = config_from_env()
    with tempfile.TemporaryDirectory(prefix="lstm-lab-job-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        progress = diskcache.Cache(str(Path(tmp) / "progress"))
        seen: dict[int, float] = {}

        def report(state: LiveState) -> None:
            progress.set("progress", state)  # as the job manager keeps it for the page
            if state["status"] == "running" and state["epoch"] and "batch" not in state:
                seen.setdefault(state["epoch"], time.perf_counter())

        started = time.perf_counter()
        final = jobs.run_training(settings, config, "bench", report, progress)
        ended = time.perf_counter()
    gaps = [seen[e] - seen[e - 1] for e in sorted(seen) if e - 1 in seen]
    fields = {
        "import_s": f"{IMPORT_S:.2f}",
        "first_point_s": f"{min(seen.values()) - started:.2f}",
        "epoch_wall_s": f"{statistics.median(gaps):.3f}",
        "job_s": f"{ended - started:.2f}",
        "total_s": f"{ended - T0:.2f}",
        "status": final["status"],
    }
    print(" ".join(f"{key}={value}" for key, value in fields.items()), flush=True)


if __name__ == "__main__":
    main()
