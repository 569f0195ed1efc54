"""Many sessions at once: N trainings from N browser sessions plus M plain page loads.

For the issue "Nothing hangs". Everything runs on 127.0.0.1 and is bounded by --timeout.

Each pass starts its own site in a fresh temporary data folder with a clean environment
(tests.server.clean_env):

    embedded  `python -m dashboard` (DiskcacheManager, jobs forked from the warm forkserver;
              LSTM_LAB_MAX_CONCURRENT_JOBS from --max-concurrent, default 1)
    celery    (--celery) a redis-server, TWO celery workers (prefork, --concurrency=1 each)
              and `python -m dashboard` with REDIS_URL set, all sharing the data folder

Once the site is warm, the whole process tree (web server and its forkserver and jobs;
workers and their pool children; redis-server) is sampled every 0.5 s with psutil
(sums of RSS, USS and PSS from memory_full_info) for --rest-seconds: memory at rest. Then
headless Chromium opens N fresh browser contexts (each gets its own server-issued session),
sets the sine series' units, layers and epochs, and presses Train in all of them one after
the other. A script inside each page records, on the page's own clock, the click, the
first loss point and the status "Finished". Meanwhile one thread makes M plain HTTP GETs,
alternating `/` and `/_dash-layout`, one every --page-interval seconds. When every page has
ended (or the time is up) the run records in the store are counted and their states read.

Figures per pass (a table on stdout, JSON at --out):

    finished          pages whose status said "Finished" / trainings pressed
    store             run records in the store / trainings pressed; records in a final state
                      (finished, stopped, cancelled, failed) and any that are not
    memory            sums of RSS, USS and PSS over all the site's processes: peak at rest
                      and peak from the first click to the end of the last training (MB).
                      RSS counts pages shared between processes (the forkserver's preloaded
                      TensorFlow and its jobs) once per process; USS counts none of them,
                      not even pages shared with programs outside the site (other Pythons
                      using the same TensorFlow libraries); PSS splits them
    first point       click -> first loss point drawn, p50 / p95 (s)
    finished time     click -> "Finished", p50 / p95 (s)
    page load         GET `/` and `/_dash-layout`, p50 / p95 (ms), and failed requests

Exit status 1 when a pass did not complete or something did not hold (a page not
"Finished", a press without a run in the store, a run not in a final state, a failed page
load); the JSON has each page's status sequence and times to tell which.

    .venv/bin/python bench/bench_load.py --celery --out bench/results/load.json
    .venv/bin/python bench/bench_load.py --trainings 3 --page-loads 5 --epochs 2   # debug
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.server and tests.browser.helpers

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from tests.browser.helpers import open_app, set_slider  # noqa: E402
from tests.server import SERVERS, clean_env, free_port, running_server, stop_tree  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
FINAL_STATES = {"finished", "stopped", "cancelled", "failed"}
SAMPLE_S = 0.5
ENDED_GRACE_MS = 5000  # Train enabled again this long without "Finished": the run ended so
MB = 1024 * 1024
KINDS = ("rss", "uss", "pss")  # psutil memory_full_info fields summed over the process tree

# Installed in each page before the click: records on the page's clock (performance.now)
# the click on Train, the first loss point, "Finished", and the Train button coming back
# (enabled again after it was disabled: the run ended, whatever way).
RECORDER = """() => {
  const b = window.__bench = {click: null, first: null, finished: null, ended: null,
                              disabled: false, status: '', points: 0, statuses: []};
  document.addEventListener('click', (e) => {
    if (b.click === null && e.target.closest('#train-button')) b.click = performance.now();
  }, true);
  const tick = () => {
    const g = document.querySelector('#loss-graph .js-plotly-plot');
    const n = g && g.data && g.data[0] && g.data[0].x ? g.data[0].x.length : 0;
    const s = document.querySelector('#status-alert');
    const text = s ? s.innerText.trim() : '';
    const button = document.querySelector('#train-button');
    const now = performance.now();
    b.now = now;
    b.points = n;
    b.status = text;
    if (b.click === null) return;
    if (b.statuses.length < 12 && b.statuses[b.statuses.length - 1] !== text) {
      b.statuses.push(text);
    }
    if (n >= 1 && b.first === null) b.first = now;
    if (text.startsWith('Finished') && b.finished === null) b.finished = now;
    if (button && button.disabled) b.disabled = true;
    if (button && !button.disabled && b.disabled && b.ended === null) b.ended = now;
  };
  setInterval(tick, 50);
}"""
READ_RECORDER = "() => window.__bench"


class OutOfTime(Exception):
    """--timeout has passed: everything started is stopped on the way out."""


@dataclass
class Deadline:
    """The one end of the whole script (--timeout)."""

    end: float

    def left(self) -> float:
        """Seconds left (negative once passed)."""
        return self.end - time.monotonic()

    def check(self, what: str) -> None:
        """Raise OutOfTime once the deadline has passed."""
        if self.left() <= 0:
            raise OutOfTime(f"--timeout reached while {what}")


@dataclass
class Site:
    """A running site: its URL, data folder, and the processes we started, by role."""

    url: str
    data_dir: Path
    processes: dict[str, list[subprocess.Popen[bytes]]]
    logs: list[Path] = field(default_factory=list)

    def log_tails(self, chars: int = 2000) -> str:
        """The end of each log of the site's processes."""

        def tail(path: Path) -> str:
            lines = path.read_text(errors="replace").splitlines()
            kept = [line for line in lines if "werkzeug" not in line]  # not the request log
            return "\n".join(kept)[-chars:]

        return "\n".join(f"--- {path.name}\n{tail(path)}" for path in self.logs if path.exists())


# memory -----------------------------------------------------------------------------
class MemorySampler(threading.Thread):
    """Every 0.5 s: sum of RSS and USS over the trees of the site's processes, by phase."""

    def __init__(self, processes: dict[str, list[subprocess.Popen[bytes]]]) -> None:
        super().__init__(daemon=True)
        self.roots = {role: [p.pid for p in procs] for role, procs in processes.items()}
        self.phase = "warmup"
        self.samples: list[dict[str, Any]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.stopped.is_set():
            started = time.monotonic()
            self.samples.append({"t": time.time(), "phase": self.phase, **self.sample()})
            self.stopped.wait(max(0.0, SAMPLE_S - (time.monotonic() - started)))

    def sample(self) -> dict[str, Any]:
        """One sample: RSS, USS and PSS summed over every process of every tree, and per
        role (bytes)."""
        totals = dict.fromkeys(KINDS, 0)
        count = 0
        by_role: dict[str, dict[str, int]] = {}
        for role, pids in self.roots.items():
            mine = by_role[role] = dict.fromkeys(KINDS, 0)
            for pid in pids:
                try:
                    root = psutil.Process(pid)
                    tree = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                for proc in tree:
                    with suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                        info = proc.memory_full_info()
                        for kind in KINDS:
                            mine[kind] += getattr(info, kind)
                        count += 1
            for kind in KINDS:
                totals[kind] += mine[kind]
        return {**totals, "processes": count, "by_role": by_role}

    def stop(self) -> None:
        """Stop sampling."""
        self.stopped.set()
        self.join(timeout=5)

    def peak(self, phase: str) -> dict[str, Any]:
        """Peak sums (MB) over the samples of one phase, per role too; most processes seen."""
        mine = [s for s in self.samples if s["phase"] == phase]
        if not mine:
            return {"samples": 0}
        peaks: dict[str, Any] = {"samples": len(mine)}
        for kind in KINDS:
            peaks[f"{kind}_mb"] = round(max(s[kind] for s in mine) / MB, 1)
            peaks[f"{kind}_mb_by_role"] = {
                role: round(max(s["by_role"][role][kind] for s in mine) / MB, 1)
                for role in mine[0]["by_role"]
            }
        peaks["processes_max"] = max(s["processes"] for s in mine)
        return peaks

    def settle(self, deadline: Deadline, limit_s: float = 90) -> None:
        """Wait until the total RSS moves less than 3 % over 2 s (imports done)."""
        end = time.monotonic() + min(limit_s, max(0.0, deadline.left()))
        while time.monotonic() < end:
            recent = [s["rss"] for s in self.samples[-5:]]
            if len(recent) == 5 and max(recent) - min(recent) < 0.03 * max(recent):
                return
            time.sleep(SAMPLE_S)


# page loads -------------------------------------------------------------------------
class PageLoader(threading.Thread):
    """M plain GETs, alternating `/` and `/_dash-layout`, one every `interval` seconds."""

    PATHS = ("/", "/_dash-layout")

    def __init__(self, url: str, count: int, interval: float, deadline: Deadline) -> None:
        super().__init__(daemon=True)
        self.url, self.count, self.interval, self.deadline = url, count, interval, deadline
        self.results: list[dict[str, Any]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        """Make the GETs, each timed, until done, stopped or out of time."""
        for i in range(self.count):
            if self.stopped.is_set() or self.deadline.left() <= 0:
                return
            path = self.PATHS[i % len(self.PATHS)]
            started = time.perf_counter()
            entry: dict[str, Any] = {"path": path, "at": time.time()}
            try:
                timeout = max(1.0, min(60.0, self.deadline.left()))
                with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                    body = response.read()
                    entry.update(status=response.status, bytes=len(body))
            except Exception as error:  # a failed load is a figure, not a crash
                entry.update(status=None, error=f"{type(error).__name__}: {error}"[:200])
            entry["ms"] = (time.perf_counter() - started) * 1000
            self.results.append(entry)
            self.stopped.wait(max(0.0, self.interval - (time.perf_counter() - started)))

    def stop(self) -> None:
        """Make no more GETs (the one under way ends on its own timeout)."""
        self.stopped.set()
        self.join(timeout=70)


# sites ------------------------------------------------------------------------------
def wait_until_warm(url: str, deadline: Deadline, limit_s: float = 120) -> float:
    """Poll the layout until the device probe has reported (the badge leaves 'starting')."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        deadline.check("waiting for the forkserver to warm up")
        with suppress(OSError), urllib.request.urlopen(f"{url}/_dash-layout", timeout=10) as r:
            if b"device: starting" not in r.read():
                return time.monotonic() - started
        time.sleep(0.3)
    raise TimeoutError("the server did not warm up")


@contextmanager
def embedded_site(work: Path, args: argparse.Namespace, deadline: Deadline) -> Iterator[Site]:
    """`python -m dashboard` with the DiskcacheManager, its own data folder."""
    data_dir = work / "data"
    data_dir.mkdir()
    env = {"LSTM_LAB_MAX_CONCURRENT_JOBS": str(args.max_concurrent)}
    with running_server(data_dir, env) as url:
        site = Site(url, data_dir, {"web": [SERVERS[url]]}, sorted(work.glob("server-*.log")))
        wait_until_warm(url, deadline)
        yield site


def start_logged(
    argv: list[str], env: dict[str, str] | None, log_path: Path, stack: ExitStack
) -> subprocess.Popen[bytes]:
    """Start a process with its output in `log_path`; the stack stops its tree by pid."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the stack
    stack.callback(log.close)
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    stack.callback(stop_tree, process)
    return process


def start_redis(
    work: Path, stack: ExitStack, deadline: Deadline
) -> tuple[str, subprocess.Popen[bytes]]:
    """A redis-server on a free port of 127.0.0.1, keeping nothing on disk, answering;
    its URL and process."""
    import redis

    port = free_port()
    argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(work)]
    process = start_logged(argv, None, work / "redis.log", stack)
    while True:
        try:
            with redis.Redis(host="127.0.0.1", port=port) as client:
                client.ping()
            return f"redis://127.0.0.1:{port}/0", process
        except redis.ConnectionError:
            if process.poll() is not None:
                raise RuntimeError((work / "redis.log").read_text()) from None
            deadline.check("starting redis-server")
            time.sleep(0.1)


def wait_for_workers(site: Site, redis_url: str, deadline: Deadline) -> None:
    """Every worker says " ready." and a pool child has recorded its device in Redis."""
    import redis

    from dashboard.celery_jobs import DEVICE_KEY

    logs = [path for path in site.logs if path.name.startswith("worker-")]
    with redis.Redis.from_url(redis_url) as client:
        while True:
            deadline.check("waiting for the celery workers")
            if any(worker.poll() is not None for worker in site.processes["workers"]):
                raise RuntimeError(f"a celery worker exited:\n{site.log_tails()}")
            ready = all(" ready." in path.read_text(errors="replace") for path in logs)
            if ready and client.get(DEVICE_KEY):
                return
            time.sleep(0.3)


@contextmanager
def celery_site(work: Path, args: argparse.Namespace, deadline: Deadline) -> Iterator[Site]:
    """redis-server, --workers prefork workers (concurrency 1 each) and the web app."""
    data_dir = work / "data"
    data_dir.mkdir()
    with ExitStack() as stack:  # stops the web app, the workers, then Redis
        redis_url, redis_process = start_redis(work, stack, deadline)
        site_env = {
            "REDIS_URL": redis_url,
            "LSTM_LAB_REDIS_URL": redis_url,
            "LSTM_LAB_MAX_CONCURRENT_JOBS": str(args.max_concurrent),
        }
        env = clean_env(**site_env, LSTM_LAB_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
        workers, worker_logs = [], []
        for i in range(args.workers):  # started before the web app, as the tests do
            log_path = work / f"worker-{i}.log"
            argv = [sys.executable, "-m", "celery", "-A", "dashboard.wsgi:celery_app", "worker"]
            argv += ["-P", "prefork", "--concurrency=1", "--loglevel=INFO"]
            argv += ["-n", f"lstm-lab-load-{i}-{os.getpid()}@%h"]
            workers.append(start_logged(argv, env, log_path, stack))
            worker_logs.append(log_path)
        url = stack.enter_context(running_server(data_dir, site_env))
        processes = {"web": [SERVERS[url]], "workers": workers, "redis": [redis_process]}
        logs = [*sorted(work.glob("server-*.log")), *worker_logs, work / "redis.log"]
        site = Site(url, data_dir, processes, logs)
        wait_for_workers(site, redis_url, deadline)
        yield site
        if any(worker.poll() is not None for worker in workers):
            print(f"  a celery worker exited during the run:\n{site.log_tails()}")


# the trainings ------------------------------------------------------------------------
def prepare_page(browser: Browser, url: str, args: argparse.Namespace) -> BrowserContext:
    """A fresh context (its own session), the app loaded, the small settings set."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(60_000)
    page = context.new_page()
    open_app(page, url)
    set_slider(page, "units", args.units)
    set_slider(page, "layers", args.layers)
    set_slider(page, "epochs", args.epochs)
    page.evaluate(RECORDER)
    return context


def page_ended(state: dict[str, Any] | None) -> bool:
    """Finished, or the Train button has been back for ENDED_GRACE_MS without "Finished"."""
    if not state:
        return False
    if state["finished"] is not None:
        return True
    return state["ended"] is not None and state["now"] - state["ended"] > ENDED_GRACE_MS


def run_trainings(
    browser: Browser,
    site: Site,
    args: argparse.Namespace,
    sampler: MemorySampler,
    deadline: Deadline,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """Open N pages, press Train in each, watch them while the page loader runs."""
    contexts: list[BrowserContext] = []
    loader = PageLoader(site.url, args.page_loads, args.page_interval, deadline)
    try:
        for _ in range(args.trainings):
            deadline.check("opening the pages")
            contexts.append(prepare_page(browser, site.url, args))
        pages: list[Page] = [context.pages[0] for context in contexts]
        sampler.phase = "load"
        started = time.monotonic()
        loader.start()
        for page in pages:
            page.click("#train-button")
        states: list[dict[str, Any] | None] = [None] * len(pages)
        while not all(page_ended(s) for s in states):
            if deadline.left() <= 0:
                print("  --timeout reached: some trainings had not ended", flush=True)
                break
            for i, page in enumerate(pages):
                if not page_ended(states[i]):
                    states[i] = page.evaluate(READ_RECORDER)
            time.sleep(0.5)
        load_s = time.monotonic() - started
        sampler.phase = "after"
        loader.join(timeout=max(0.0, min(args.page_loads * args.page_interval, deadline.left())))
        return [s or {} for s in states], loader.results, load_s
    finally:
        loader.stop()
        for context in contexts:
            with suppress(Exception):
                context.close()


def store_records(data_dir: Path) -> list[dict[str, Any]]:
    """Every run record in the site's store."""
    from dashboard.store import Store

    cache = Store(data_dir / "store").cache
    try:
        return [cache[k] for k in cache if isinstance(k, tuple) and k and k[0] == "run"]
    finally:
        cache.close()


def settled_records(data_dir: Path, expected: int, deadline: Deadline) -> list[dict[str, Any]]:
    """The records once all expected ones are there and final, or after 10 s."""
    end = time.monotonic() + min(10.0, max(0.0, deadline.left()))
    while True:
        records = store_records(data_dir)
        done = len(records) >= expected and all(r["status"] in FINAL_STATES for r in records)
        if done or time.monotonic() >= end:
            return records
        time.sleep(0.5)


# figures ------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def rounded(value: float | None, digits: int) -> float | None:
    """round() that passes None through."""
    return None if value is None else round(value, digits)


def figures(
    states: list[dict[str, Any]],
    loads: list[dict[str, Any]],
    records: list[dict[str, Any]],
    sampler: MemorySampler,
    pressed: int,
    load_s: float,
) -> dict[str, Any]:
    """The pass's figures (see the module docstring) and what explains a shortfall."""
    clicked = [s for s in states if s.get("click") is not None]
    first = [(s["first"] - s["click"]) / 1000 for s in clicked if s.get("first") is not None]
    done = [(s["finished"] - s["click"]) / 1000 for s in clicked if s.get("finished") is not None]
    ok_loads = [entry["ms"] for entry in loads if entry.get("status") == 200]
    statuses: dict[str, int] = {}
    for record in records:
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    not_finished = [
        {"status": s.get("status", ""), "seen": s.get("statuses", [])}
        for s in states
        if s.get("finished") is None
    ]
    return {
        "pressed": pressed,
        "finished": len(done),
        "store_runs": len(records),
        "store_final": sum(r["status"] in FINAL_STATES for r in records),
        "store_statuses": statuses,
        "not_final_runs": [
            {"id": r["id"][:8], "status": r["status"]}
            for r in records
            if r["status"] not in FINAL_STATES
        ],
        "memory_rest": sampler.peak("rest"),
        "memory_load": sampler.peak("load"),
        "first_point_s": {
            "p50": rounded(percentile(first, 50), 2),
            "p95": rounded(percentile(first, 95), 2),
        },
        "finished_s": {
            "p50": rounded(percentile(done, 50), 2),
            "p95": rounded(percentile(done, 95), 2),
        },
        "page_load_ms": {
            "p50": rounded(percentile(ok_loads, 50), 1),
            "p95": rounded(percentile(ok_loads, 95), 1),
            "max": rounded(max(ok_loads, default=None), 1) if ok_loads else None,
            "ok": len(ok_loads),
            "failed": len(loads) - len(ok_loads),
            "errors": sorted({e["error"] for e in loads if "error" in e})[:5],
        },
        "load_phase_s": round(load_s, 1),
        "all_ended": all(page_ended(s) for s in states),
        "pages_not_finished": not_finished,
        "status_sequences": [s.get("statuses", []) for s in states],
        "per_page_s": [
            {
                key: rounded((s[key] - s["click"]) / 1000, 2) if s.get(key) is not None else None
                for key in ("first", "finished", "ended")
            }
            for s in clicked
        ],
    }


def one_pass(
    mode: str, browser: Browser, args: argparse.Namespace, deadline: Deadline
) -> dict[str, Any]:
    """Start the site, measure at rest, run the trainings and page loads, read the store."""
    print(f"\n== {mode}: starting the site", flush=True)
    with tempfile.TemporaryDirectory(prefix=f"lstm-lab-load-{mode}-") as tmp:
        work = Path(tmp)
        make_site = embedded_site if mode == "embedded" else celery_site
        started = time.monotonic()
        with make_site(work, args, deadline) as site:
            print(f"   site up and warm in {time.monotonic() - started:.1f} s: {site.url}")
            sampler = MemorySampler(site.processes)
            sampler.start()
            try:
                sampler.settle(deadline)
                sampler.phase = "rest"
                time.sleep(min(args.rest_seconds, max(0.0, deadline.left())))
                sampler.phase = "setup"
                print(
                    f"   {args.trainings} pages, Train pressed in each; "
                    f"{args.page_loads} page loads",
                    flush=True,
                )
                states, loads, load_s = run_trainings(browser, site, args, sampler, deadline)
            finally:
                sampler.stop()
            records = settled_records(site.data_dir, args.trainings, deadline)
            result = figures(states, loads, records, sampler, args.trainings, load_s)
            if result["finished"] < args.trainings:
                print(site.log_tails(1500))
            return result


def holds(result: dict[str, Any]) -> bool:
    """Nothing hung: every page said Finished, every press is one final run in the store,
    every page load answered."""
    pressed = result["pressed"]
    return (
        result["all_ended"]
        and result["finished"] == pressed
        and result["store_runs"] == pressed
        and result["store_final"] == pressed
        and result["page_load_ms"]["failed"] == 0
    )


# output -------------------------------------------------------------------------------
def pair(block: dict[str, Any], a: str, b: str, unit: str = "") -> str:
    """'a / b' from two keys of a block ('-' for a missing one)."""

    def show(v: Any) -> str:
        return "-" if v is None else f"{v}"

    return f"{show(block.get(a))} / {show(block.get(b))}{unit}"


def table(results: dict[str, dict[str, Any]]) -> str:
    """The figures, one row each, one column per pass."""
    rows: list[tuple[str, ...]] = [("", *results)]
    for label, make in (
        ("all finished (pages)", lambda r: f"{r['finished']} / {r['pressed']}"),
        ("store runs / pressed", lambda r: f"{r['store_runs']} / {r['pressed']}"),
        ("store runs in a final state", lambda r: f"{r['store_final']} / {r['store_runs']}"),
        (
            "store statuses",
            lambda r: ", ".join(f"{k} {v}" for k, v in r["store_statuses"].items()) or "-",
        ),
        ("memory at rest RSS / USS MB", lambda r: pair(r["memory_rest"], "rss_mb", "uss_mb")),
        (
            "memory peak under load RSS / USS MB",
            lambda r: pair(r["memory_load"], "rss_mb", "uss_mb"),
        ),
        (
            "PSS at rest / peak under load MB",
            lambda r: pair(
                {"a": r["memory_rest"].get("pss_mb"), "b": r["memory_load"].get("pss_mb")},
                "a",
                "b",
            ),
        ),
        (
            "processes at rest / peak",
            lambda r: pair(
                {
                    "a": r["memory_rest"].get("processes_max"),
                    "b": r["memory_load"].get("processes_max"),
                },
                "a",
                "b",
            ),
        ),
        ("click -> first loss point p50 / p95 s", lambda r: pair(r["first_point_s"], "p50", "p95")),
        ("click -> Finished p50 / p95 s", lambda r: pair(r["finished_s"], "p50", "p95")),
        ("page load p50 / p95 ms", lambda r: pair(r["page_load_ms"], "p50", "p95")),
        ("page loads ok / failed", lambda r: pair(r["page_load_ms"], "ok", "failed")),
        ("load phase s", lambda r: f"{r['load_phase_s']}"),
    ):
        rows.append((label, *(make(r) for r in results.values())))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def parse_args() -> argparse.Namespace:
    """The command line (see --help)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainings", type=int, default=12, help="sessions pressing Train")
    parser.add_argument("--page-loads", type=int, default=50, help="plain GETs of / and layout")
    parser.add_argument("--page-interval", type=float, default=1.0, help="s between GETs")
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(
        "--max-concurrent", type=int, default=1, help="LSTM_LAB_MAX_CONCURRENT_JOBS (embedded)"
    )
    parser.add_argument("--celery", action="store_true", help="also the Redis + Celery pass")
    parser.add_argument("--no-embedded", action="store_true", help="skip the embedded pass")
    parser.add_argument("--workers", type=int, default=2, help="celery workers (concurrency 1)")
    parser.add_argument("--rest-seconds", type=float, default=5.0, help="memory at rest")
    parser.add_argument("--timeout", type=float, default=1200.0, help="ends everything (s)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    return parser.parse_args()


def main() -> int:
    """Each pass in turn, then the table and the JSON; 1 if a pass did not complete."""
    args = parse_args()
    deadline = Deadline(time.monotonic() + args.timeout)

    def out_of_time(signum: int, frame: FrameType | None) -> None:
        raise OutOfTime("--timeout reached (hard stop)")

    # A hard stop 30 s past the deadline, should anything block: finally blocks stop it all.
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(args.timeout) + 30)
    modes = ([] if args.no_embedded else ["embedded"]) + (["celery"] if args.celery else [])
    results: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding",
                    "--disable-backgrounding-occluded-windows",
                ],
            )
            try:
                for mode in modes:
                    try:
                        results[mode] = one_pass(mode, browser, args, deadline)
                    except (OutOfTime, TimeoutError, RuntimeError, PlaywrightError) as error:
                        errors[mode] = f"{type(error).__name__}: {error}"
                        print(f"   {mode} pass did not complete: {errors[mode]}", flush=True)
                        if isinstance(error, OutOfTime):
                            break
            finally:
                with suppress(Exception):
                    browser.close()
    finally:
        signal.alarm(0)
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    if results:
        print("\n" + table(results))
    for mode, message in errors.items():
        print(f"{mode}: {message}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"params": params, "cpus": os.cpu_count(), "results": results, "errors": errors}
        args.out.write_text(json.dumps(payload, indent=1))
        print(f"written: {args.out}")
    short = [mode for mode, result in results.items() if not holds(result)]
    if short:
        print(f"not everything finished, was kept or loaded in: {', '.join(short)}")
    return 1 if errors or short or not results else 0


if __name__ == "__main__":
    sys.exit(main())
