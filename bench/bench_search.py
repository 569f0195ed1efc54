"""Trials per minute of one search on one and on two Celery workers.

For the issue "Let the search choose". A 12-trial study of 3-epoch trials (random sampler,
pruning off, so every trial trains all its epochs and both passes train the same 12
settings: a trial's proposal depends only on the seed and its number) on the default sine
series, its units and learning rate searched. Loopback only, bounded by --timeout.

Each pass starts a redis-server and N prefork workers (`--concurrency=1` each, as in
tests/browser/test_celery.py) on a fresh data folder, waits until every worker is ready
(a pool child has imported TensorFlow), makes the study as the Search button does
(dashboard.search_jobs.start_study), and then stands in for the search's job: it beats as
the search and queues one helper task (dashboard.search_workers.TRIALS_TASK) per worker.
Those tasks run the trial loop a search runs in its own job and in its helpers: ask the
shared journal for a trial, train it as an ordinary run, tell it, again. The clock runs
from queueing the tasks to the 12th trial told; trials/minute = 12 / that.

Passes alternate (1, 2, 1, 2, ... workers; --rounds of each) because the machine is noisy;
the figure is the ratio of the two medians.

    .venv/bin/python bench/bench_search.py --out bench/results/search.json
    .venv/bin/python bench/bench_search.py --rounds 1 --trials 4   # quick check
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_load import Deadline, start_logged, start_redis  # noqa: E402

from dashboard import lifecycle, search_jobs  # noqa: E402
from dashboard.celery_jobs import WARM_LOG  # noqa: E402
from dashboard.ml.config import TrainConfig  # noqa: E402
from dashboard.ml.search import Range, SearchSettings, SearchSpace, trials_table  # noqa: E402
from dashboard.search_workers import TRIALS_TASK, search_beat  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from dashboard.store import Store  # noqa: E402
from tests.server import clean_env  # noqa: E402

log = logging.getLogger("bench_search")
SESSION = "bench-session"
SPACE = SearchSpace((Range("units", 16, 64), Range("learning_rate", 1e-3, 1e-2, log=True)))
WORKER_READY_S = 180


def start_workers(
    work: Path, env: dict[str, str], count: int, stack: ExitStack, deadline: Deadline
) -> None:
    """`count` prefork workers (concurrency 1), each ready (its pool child has TensorFlow)."""
    logs = []
    for i in range(count):
        log_path = work / f"worker-{i}.log"
        argv = [sys.executable, "-m", "celery", "-A", "dashboard.wsgi:celery_app", "worker"]
        argv += ["-P", "prefork", "--concurrency=1", "--loglevel=INFO", "-n", f"bench-{i}@%h"]
        start_logged(argv, env, log_path, stack)
        logs.append(log_path)
    until = time.monotonic() + WORKER_READY_S
    # ready: the main process says so, and the pool child's warm-up (TensorFlow) has ended
    while not all(WARM_LOG in path.read_text(errors="replace") for path in logs):
        deadline.check("waiting for the workers")
        if time.monotonic() > until:
            raise RuntimeError("the workers were not ready in time")
        time.sleep(0.3)


def one_pass(workers: int, args: argparse.Namespace, deadline: Deadline) -> dict[str, Any]:
    """Start a site of `workers` workers, run the study on it; the pass's figures."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder, ExitStack() as stack:
        work = Path(folder)
        redis_url, _ = start_redis(work, stack, deadline)
        settings = Settings(data_dir=work / "data", redis_url=redis_url)
        env = clean_env(**settings.as_env(), PYTHONUNBUFFERED="1")
        start_workers(work, env, workers, stack, deadline)

        store = Store.from_settings(settings)
        base = replace(TrainConfig(), epochs=args.epochs)
        search = SearchSettings(
            SPACE, n_trials=args.trials, sampler="random", pruning=False, seed=args.seed
        )
        name = f"bench{workers}"
        study = search_jobs.start_study(settings, store, search, base, SESSION, name)
        app = _producer(redis_url)
        with lifecycle.heartbeat(store, search_beat(name)):
            started = time.monotonic()
            for _ in range(workers):
                app.send_task(TRIALS_TASK, args=[name, SESSION, search_beat(name)])
            while True:
                rows = trials_table(study)
                ended = [r for r in rows if r["state"] != "running"]
                if len(ended) >= args.trials:
                    break
                deadline.check(f"the {workers}-worker pass")
                time.sleep(0.2)
            elapsed = time.monotonic() - started
        app.close()
    states = [r["state"] for r in rows]
    trial_s = [r["seconds"] for r in rows]
    figures = {
        "workers": workers,
        "trials": len(rows),
        "states": {s: states.count(s) for s in set(states)},
        "elapsed_s": round(elapsed, 2),
        "trials_per_minute": round(60 * len(rows) / elapsed, 2),
        "trial_train_s_median": round(statistics.median(trial_s), 2),
    }
    log.info("pass: %s", figures)
    return figures


def _producer(redis_url: str) -> Any:
    from celery import Celery

    return Celery("lstm_lab", broker=redis_url, backend=redis_url)


def main() -> int:
    """Run the alternating passes; print the table; write JSON with --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="passes of each worker count")
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800, help="for the whole script, s")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    deadline = Deadline(time.monotonic() + args.timeout)
    passes = [one_pass(n, args, deadline) for _ in range(args.rounds) for n in (1, 2)]
    medians = {
        n: statistics.median(p["trials_per_minute"] for p in passes if p["workers"] == n)
        for n in (1, 2)
    }
    ratio = medians[2] / medians[1]
    print(f"\n{'workers':>8} {'trials':>7} {'elapsed s':>10} {'trials/min':>11} {'trial s':>8}")
    for p in passes:
        print(
            f"{p['workers']:>8} {p['trials']:>7} {p['elapsed_s']:>10} "
            f"{p['trials_per_minute']:>11} {p['trial_train_s_median']:>8}"
        )
    print(f"\nmedian trials/min: 1 worker {medians[1]:.2f}, 2 workers {medians[2]:.2f}")
    print(f"ratio (2 workers / 1): {ratio:.2f}")
    if args.out:
        result = {"passes": passes, "median_trials_per_minute": medians, "ratio": ratio}
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
