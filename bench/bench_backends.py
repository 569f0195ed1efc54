"""Which Keras backend the app should train on: every contender alternated in one run.

Each round runs, in an order that alternates between rounds:

- `torch`: ../shared/bench/reference_torch.py, the hand-written PyTorch loop, in the bench's
  own environment (`make bench-env` makes bench/.venv-torch; torch is never a dependency of
  the project). TORCH_PYTHON names another interpreter.
- `keras`: ../shared/bench/reference_keras.py, plain Keras on TensorFlow, as a user writes it.
- `keras-jax`: the same script with KERAS_BACKEND=jax (its `tf.keras` is Keras 3, which
  then trains on JAX with compiled steps): plain Keras on JAX, as a user would run it.
- `step-jax`: bench/step_run.py, the floor: the project's model trained by calling Keras'
  compiled JAX train and test steps directly, batch after batch (no fit loop, no callbacks).
- `project-tensorflow`, `project-jax`: bench/project_run.py, the same run through the app's
  own training path (`dashboard.ml.train.train`) on each backend, in a fresh process. JAX
  keeps its compiled steps in a cache folder made for this bench, as a server does in its
  data folder: round 1 compiles, later rounds find the steps compiled.
- `job-tensorflow`, `job-jax`: bench/job_run.py, the same run through the job a server
  runs (`dashboard.jobs.run_training`: slot, heartbeat, run record and predictions kept,
  every report written to a diskcache): its per-epoch wall time against the bare path's is
  the job's own overhead.
- `app-tensorflow`, `app-jax`: the app as served, one server per backend (both started
  first and warmed up), driven by headless Chromium: a fresh page opened with the reference's
  settings in its URL, Train clicked, the page polled for the first loss point and the final
  state (bench_browser.train_once); the run's epoch seconds are read from the store.

With `--baseline REV`, one more contender, `app-jax@REV`: the app as served on JAX from a
git worktree of an earlier commit (made for the run, removed after), alternated with the
others, so that a change to the app is measured against what it replaced in the same run.

Figures per contender (medians over the rounds; round 1 also on its own, where compilation
shows): first epoch, median epoch, the whole run (script: start to end of the process;
app: click to the final state), and for the app the click to the first point. Ratios are
against the PyTorch loop of the same run.

    make bench-env && .venv/bin/python bench/bench_backends.py --rounds 3
    .venv/bin/python bench/bench_backends.py --only torch,app-jax --baseline HEAD~1
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_browser import CHROMIUM, job_epoch_seconds, train_once, wait_until_warm  # noqa: E402
from bench_training import parse_line  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from project_run import config_from_env  # noqa: E402

from dashboard.ml.backend import job_environment  # noqa: E402
from dashboard.urls import settings_query  # noqa: E402
from tests.server import running_server  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
TORCH_PYTHON = os.environ.get("TORCH_PYTHON", str(HERE / ".venv-torch" / "bin" / "python"))
BACKENDS = ("tensorflow", "jax")
FIELDS = ("first_point_s", "first_epoch_s", "median_epoch_s", "epoch_wall_s", "whole_s")


def run_script(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a reference-style script once; its fields, `whole_s` its wall time from here."""
    import subprocess

    started = time.perf_counter()
    done = subprocess.run(
        argv, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env}, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv[-1]} exited {done.returncode}:\n{done.stderr[-3000:]}")
    fields = parse_line(done.stdout)
    out = {"whole_s": wall}
    keys = ("first_epoch_s", "median_epoch_s", "epoch_wall_s", "first_point_s", "mae")
    for key in (*keys, "to_first_point_s", "val_loss"):
        if key in fields:
            out[key] = float(fields[key])
    if "to_first_point_s" in out:  # the project's path: from train() to its first report
        out["first_point_s"] = out.pop("to_first_point_s")
    return out


def app_round(browser: Browser, url: str, store: Path, query: str) -> dict[str, float]:
    """One click-to-final in the page; the job's own epoch times from the store."""
    marks = train_once(browser, url + "/" + query)
    seconds = job_epoch_seconds(store) or [float("nan")]
    return {
        "first_point_s": marks["first_point_s"],
        "whole_s": marks["final_s"],
        "first_epoch_s": seconds[0],
        "median_epoch_s": sorted(seconds)[len(seconds) // 2],  # as the scripts take it
    }


def baseline_server(stack: ExitStack, tmp: Path, revision: str) -> tuple[str, Path]:
    """The app on JAX as of `revision`, served from a worktree made for this run."""
    tree = tmp / "baseline-tree"
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(tree), revision], check=True)
    stack.callback(subprocess.run, [*git, "worktree", "remove", "--force", str(tree)], check=False)
    data_dir = tmp / "baseline"
    data_dir.mkdir()
    serve = f"cd {shlex.quote(str(tree))} && exec {shlex.quote(sys.executable)} -m dashboard"
    command = ["bash", "-c", serve + " --port {port}"]
    env = {"LSTM_LAB_KERAS_BACKEND": "jax"}
    url = stack.enter_context(running_server(data_dir, env=env, command=command))
    return url, data_dir / "store"


def contenders(
    browser: Browser, servers: dict[str, tuple[str, Path]], jax_cache: Path
) -> dict[str, Callable[[], dict[str, float]]]:
    """Every contender as a call that runs it once."""
    query = settings_query(config_from_env())
    found: dict[str, Callable[[], dict[str, float]]] = {}
    if Path(TORCH_PYTHON).exists():
        found["torch"] = lambda: run_script([TORCH_PYTHON, str(SHARED / "reference_torch.py")], {})
    else:
        print(f"# no {TORCH_PYTHON}: run `make bench-env` for the PyTorch loop", flush=True)
    keras_script = [sys.executable, str(SHARED / "reference_keras.py")]
    found["keras"] = lambda: run_script(keras_script, {})
    jax_env = job_environment("jax", jax_cache.parent)
    found["keras-jax"] = lambda: run_script(keras_script, {"KERAS_BACKEND": "jax"})
    step = [sys.executable, str(HERE / "step_run.py")]
    found["step-jax"] = lambda: run_script(step, jax_env)
    for name in BACKENDS:
        env = jax_env if name == "jax" else {"KERAS_BACKEND": name}
        argv = [sys.executable, str(HERE / "project_run.py")]
        found[f"project-{name}"] = lambda argv=argv, env=env: run_script(argv, env)
        job = [sys.executable, str(HERE / "job_run.py")]
        found[f"job-{name}"] = lambda job=job, env=env: run_script(job, env)
    for name, (url, store) in servers.items():
        found[f"app-{name}"] = lambda url=url, store=store: app_round(browser, url, store, query)
    return found


def summarise(runs: dict[str, list[dict[str, float]]]) -> None:
    """Round 1 alone, the medians of the later rounds, and the ratios to the PyTorch loop."""

    def row(name: str, values: dict[str, float]) -> str:
        return f"{name:<20}" + "".join(f"{values.get(k, float('nan')):>16.3f}" for k in FIELDS)

    header = f"{'contender':<20}" + "".join(f"{k:>16}" for k in FIELDS)
    print("\n# round 1 (cold: first run of each process kind and server)\n" + header)
    for name, results in runs.items():
        print(row(name, results[0]))
    later = {name: results[1:] or results for name, results in runs.items()}
    med = {
        name: {k: statistics.median(r[k] for r in rs if k in r) for k in FIELDS if k in rs[0]}
        for name, rs in later.items()
    }
    print(f"\n# medians of rounds 2..{len(next(iter(runs.values())))}\n" + header)
    for name, values in med.items():
        print(row(name, values))
    print_ratios(med)


def print_ratios(med: dict[str, dict[str, float]]) -> None:
    """The ratios to the PyTorch loop, the job's overhead and the app against the script."""
    if "torch" in med:
        print("\n# ratios to the PyTorch loop (medians; > 1 = slower)")
        base = med["torch"]
        for name, values in med.items():
            if name != "torch":
                ratios = " ".join(
                    f"{k}={values[k] / base[k]:.2f}" for k in FIELDS if k in values and k in base
                )
                print(f"{name}/torch {ratios}")
    print("\n# the job's own per-epoch overhead: job / bare training path, wall per epoch")
    for name in BACKENDS:
        job, bare = med.get(f"job-{name}", {}), med.get(f"project-{name}", {})
        if "epoch_wall_s" in job and "epoch_wall_s" in bare:
            print(f"{name}: {job['epoch_wall_s'] / bare['epoch_wall_s']:.3f}")
    if "keras" in med:
        print("\n# the app's click-to-final / the Keras script's whole run")
        for name in (n for n in med if n.startswith("app-")):
            print(f"{name}: {med[name]['whole_s'] / med['keras']['whole_s']:.2f}")


def main() -> None:
    """Two servers up and warm, then every contender once per round, alternating."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    parser.add_argument("--only", default="", help="comma-separated contenders (default: all)")
    parser.add_argument("--baseline", default="", help="a revision: also its app on JAX")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lstm-lab-backends-") as tmp, ExitStack() as stack:
        servers: dict[str, tuple[str, Path]] = {}
        for name in BACKENDS:
            data_dir = Path(tmp) / name
            data_dir.mkdir()
            env = {"LSTM_LAB_KERAS_BACKEND": name}
            url = stack.enter_context(running_server(data_dir, env=env))
            servers[name] = (url, data_dir / "store")
        if args.baseline:
            servers[f"jax@{args.baseline}"] = baseline_server(stack, Path(tmp), args.baseline)
        for name, (url, _) in servers.items():
            print(f"# server {name} warm after {wait_until_warm(url):.1f} s", flush=True)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )  # fmt: skip
        stack.callback(browser.close)
        calls = contenders(browser, servers, Path(tmp) / "bench-jax" / "jax-cache")
        if args.only:
            wanted = args.only.split(",") + [f"app-jax@{args.baseline}"] * bool(args.baseline)
            calls = {name: calls[name] for name in wanted}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in calls}
        names = list(calls)
        for round_no in range(1, args.rounds + 1):
            order = names if round_no % 2 else list(reversed(names))
            for name in order:
                result = calls[name]()
                runs[name].append(result)
                shown = " ".join(f"{k}={v:.3f}" for k, v in result.items())
                print(f"round={round_no} {name} {shown}", flush=True)
        summarise(runs)


if __name__ == "__main__":
    main()
