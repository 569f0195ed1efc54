"""Project training path vs the hand-written Keras reference, alternated in one run.

Each round runs every contender once, in turn, each as a fresh subprocess:

- `reference`: /work/shared/bench/reference_keras.py, unchanged, from its own path.
- `project`: bench/project_run.py, the same work through `dashboard.ml.train.train`, with
  the thread counts a server job uses (intra 1 / inter 2).
- `project-tf` (opt-in): the same, leaving TensorFlow's default thread counts.

Each prints a `key=value` line; this script parses it and prints, per contender, the median
of every field over the rounds, then the ratio of medians project / reference for fit_s,
first_epoch_s, median_epoch_s and total_s (above 1: the project is slower).

    .venv/bin/python bench/bench_training.py                   # 3 rounds
    ROUNDS=5 .venv/bin/python bench/bench_training.py --contenders reference,project,project-tf
    EPOCHS=5 SEQ=30 UNITS=32 .venv/bin/python bench/bench_training.py   # the reference's knobs

EPOCHS, SEQ and UNITS are passed to both sides through the environment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = (
    HERE.parent.parent / "shared" / "bench" / "reference_keras.py"
)  # ../shared beside the repo
COMMANDS = {
    "reference": ([sys.executable, str(REFERENCE)], {}),
    "project": ([sys.executable, str(HERE / "project_run.py")], {"PROJECT_THREADS": "app"}),
    "project-tf": ([sys.executable, str(HERE / "project_run.py")], {"PROJECT_THREADS": "tf"}),
}
RATIO_FIELDS = ("fit_s", "first_epoch_s", "median_epoch_s", "total_s")


def parse_line(output: str) -> dict[str, str]:
    """The last line of `output` that looks like `a=1 b=2 ...`, as a dict."""
    for line in reversed(output.strip().splitlines()):
        pairs = [item.split("=", 1) for item in line.split() if "=" in item]
        if pairs and len(pairs) == len(line.split()):
            return dict(pairs)
    raise ValueError(f"no key=value line in output:\n{output[-2000:]}")


def run_one(name: str) -> dict[str, str]:
    """Run contender `name` once; its key=value fields plus the wall time seen from here."""
    argv, extra_env = COMMANDS[name]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **extra_env}
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{name} exited {done.returncode}:\n{done.stderr[-3000:]}")
    fields = parse_line(done.stdout)
    fields["wall_s"] = f"{wall:.2f}"
    return fields


def medians(runs: list[dict[str, str]]) -> dict[str, float]:
    """Median of every numeric field over `runs`."""
    result: dict[str, float] = {}
    for key in runs[0]:
        try:
            result[key] = statistics.median(float(run[key]) for run in runs)
        except ValueError:
            continue
    return result


def main() -> None:
    """Alternate the contenders for N rounds; print each run, the medians and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    parser.add_argument(
        "--contenders",
        default="reference,project",
        help=f"comma-separated, from {', '.join(COMMANDS)}",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.contenders.split(",") if n.strip()]
    knobs = {k: os.environ[k] for k in ("EPOCHS", "SEQ", "UNITS") if k in os.environ}
    print(f"# {args.rounds} rounds, contenders {names}, knobs {knobs or 'defaults'}", flush=True)

    runs: dict[str, list[dict[str, str]]] = {name: [] for name in names}
    for round_no in range(1, args.rounds + 1):
        # alternate the order too, so neither side always runs on a freshly idle machine
        order = names if round_no % 2 else list(reversed(names))
        for name in order:
            fields = run_one(name)
            runs[name].append(fields)
            line = " ".join(f"{k}={v}" for k, v in fields.items())
            print(f"round={round_no} contender={name} {line}", flush=True)

    print("\n# medians")
    table = {name: medians(results) for name, results in runs.items()}
    keys = [*RATIO_FIELDS, "import_s", "wall_s", "val_loss", "mae"]
    print(f"{'contender':<12}" + "".join(f"{k:>16}" for k in keys))
    for name, row in table.items():
        print(f"{name:<12}" + "".join(f"{row.get(k, float('nan')):>16.3f}" for k in keys))

    if "reference" in table:
        print("\n# ratios (median / reference median; > 1 = slower than the reference)")
        for name, row in table.items():
            if name == "reference":
                continue
            ratios = " ".join(
                f"{k}={row[k] / table['reference'][k]:.2f}" for k in (*RATIO_FIELDS, "wall_s")
            )
            print(f"{name}/reference {ratios}")


if __name__ == "__main__":
    main()
