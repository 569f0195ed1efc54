"""Upload speed: the reader against bare pandas, the whole ingest, and drop-to-preview.

Part 1, no server. Writes CSVs of 100,000 and 1,000,000 rows x 5 columns (an ISO minute
timestamp and 4 float columns, as tests.unit.test_reader.make_big_csv; ~5 and ~54 MB) into a
temporary folder and times each way, interleaved, best of --rounds rounds (the minimum: the
machine is shared, and interference only ever adds time):

    pandas        pd.read_csv(path): bare, the time column left as text
    pandas+dates  pd.read_csv(path, parse_dates=["time"]): what the reader's result holds
    read_table    path.read_bytes() + dashboard.ingest.reader.read_table: sniffing, parsing, time
                  axis, numbers, report (what the upload route calls)
    ingest        dashboard.ingest.uploads.ingest: sha256, read_table, the default cleaning and two
                  diskcache writes (everything the route does after Werkzeug spooled the body)

Part 2, browser (skip with --no-browser). A real server (tests.server.running_server) whose
job forkserver has warmed up, and headless Debian Chromium. For each file, a fresh page whose
first callbacks are done: set_input_files on the upload box, then, timed in the page from the
file input's change event (Playwright's own copying of the file into the browser is not
counted):
    message_s   drop -> "Read <file>: N rows" next to the box (route answered, callback ran)
    preview_s   drop -> the preview table captioned "First 10 of N rows" (summary and plot
                are drawn by the same round of callbacks)
    longest_task_ms  the longest main-thread task in the page meanwhile (PerformanceObserver
                'longtask'): the page stays responsive while the server parses
    other_max_ms     the slowest GET of a small asset polled every 200 ms from another
                thread meanwhile: other requests are served while the upload is parsed

    .venv/bin/python bench/bench_upload.py                 # 3 rounds, both parts (medians)
    .venv/bin/python bench/bench_upload.py --rounds 5 --no-browser
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.server and tests.browser.helpers

from dashboard.ingest.reader import read_table  # noqa: E402
from dashboard.ingest.uploads import ingest  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from dashboard.store import Store  # noqa: E402

SIZES = (100_000, 1_000_000)
CHROMIUM = "/usr/bin/chromium"
ASSET = "/assets/upload.css"  # a cheap request: it measures waiting, not work
WATCH = """() => {
  window.__longest = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__longest = Math.max(window.__longest, entry.duration);
    }
  }).observe({type: "longtask", buffered: false});
  window.addEventListener("change", () => { window.__dropped = performance.now(); }, true);
}"""
SINCE_DROP = """([selector, text]) => {
  const element = document.querySelector(selector);
  const done = window.__dropped && element && element.innerText.includes(text);
  return done ? (performance.now() - window.__dropped) / 1000 : false;
}"""


def write_csv(path: Path, rows: int) -> Path:
    """rows x 5: an ISO minute timestamp, then 4 float columns (as the reader's own test)."""
    rng = np.random.default_rng(0)
    minutes = np.datetime64("2000-01-01T00:00") + np.arange(rows).astype("timedelta64[m]")
    frame = pd.DataFrame({"time": np.datetime_as_string(minutes).astype(object)})
    for i in range(1, 5):
        frame[f"x{i}"] = rng.normal(100.0, 10.0, rows).round(4)
    frame.to_csv(path, index=False)
    return path


def timed(action: Callable[[], Any]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def parse_rounds(path: Path, rounds: int, work: Path) -> dict[str, float]:
    """Best seconds of each way to read `path`, interleaved round by round."""
    settings = Settings(data_dir=work / "data")
    store = Store(settings.store_dir)
    ways: dict[str, Callable[[int], Any]] = {
        "pandas": lambda _: pd.read_csv(path),
        "pandas+dates": lambda _: pd.read_csv(path, parse_dates=["time"]),
        "read_table": lambda _: read_table(path.read_bytes(), path.name),
        "ingest": lambda i: ingest(
            store, settings, f"bench{i:04d}session", path.read_bytes(), path.name
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for i in range(rounds):
        for name, way in ways.items():
            times[name].append(timed(lambda way=way, i=i: way(i)))  # type: ignore[misc]
    return {name: min(values) for name, values in times.items()}


def wait_for_warm_up(url: str, timeout: float = 120) -> None:
    """Wait until the job forkserver has imported TensorFlow (it competes for the CPU)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with urllib.request.urlopen(f"{url}/_dash-layout", timeout=10) as response:
            if b"device: starting" not in response.read():
                return
        time.sleep(0.5)
    raise TimeoutError("the forkserver did not warm up")


def browser_round(url: str, path: Path, rows: int) -> dict[str, float]:
    """Drop `path` into a fresh page; time the message and the preview; watch the page and
    the server's other requests meanwhile."""
    from playwright.sync_api import sync_playwright

    from tests.browser.helpers import open_app

    latencies: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            latencies.append(timed(lambda: urllib.request.urlopen(url + ASSET).read()))
            time.sleep(0.2)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        open_app(page, url)
        page.wait_for_load_state("networkidle")  # the page's own first callbacks are done
        page.evaluate(WATCH)
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        page.set_input_files("#upload input[type=file]", str(path))
        message = ["#upload-message", f"Read {path.name}"]
        message_s = page.wait_for_function(SINCE_DROP, arg=message, timeout=120_000).json_value()
        preview = ["#data-preview", f"First 10 of {rows:,} rows"]
        preview_s = page.wait_for_function(SINCE_DROP, arg=preview, timeout=120_000).json_value()
        stop.set()
        poller.join()
        longest = float(page.evaluate("() => window.__longest"))
        browser.close()
    return {
        "message_s": message_s,
        "preview_s": preview_s,
        "longest_task_ms": longest,
        "other_max_ms": 1000 * max(latencies),
    }


def main() -> None:
    """Run both parts and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        files = {rows: write_csv(work / f"rows_{rows}.csv", rows) for rows in SIZES}
        print(
            "| rows x 5 cols | MB | pandas s | pandas+dates s | read_table s | ingest s "
            "| read_table / pandas |"
        )
        print("|---|---|---|---|---|---|---|")
        for rows, path in files.items():
            t = parse_rounds(path, args.rounds, work)
            size = path.stat().st_size / 2**20
            print(
                f"| {rows:,} | {size:.1f} | {t['pandas']:.3f} | {t['pandas+dates']:.3f} | "
                f"{t['read_table']:.3f} | {t['ingest']:.3f} | {t['read_table'] / t['pandas']:.2f} |"
            )
        if args.no_browser:
            return
        from tests.server import running_server

        data_dir = work / "server" / "data"
        data_dir.mkdir(parents=True)
        print(
            "\n| file | drop -> message s | drop -> preview s | longest page task ms "
            "| slowest other request ms |"
        )
        print("|---|---|---|---|---|")
        with running_server(data_dir) as url:
            wait_for_warm_up(url)
            for rows, path in files.items():
                results = [browser_round(url, path, rows) for _ in range(args.rounds)]
                med = {k: statistics.median(r[k] for r in results) for k in results[0]}
                print(
                    f"| {rows:,} rows | {med['message_s']:.2f} | {med['preview_s']:.2f} | "
                    f"{med['longest_task_ms']:.0f} | {med['other_max_ms']:.0f} |"
                )


if __name__ == "__main__":
    main()
