"""What a user waits for in the browser, next to the reference script's wall time.

Starts a real server (tests.server.running_server, temporary data folder), waits until its
forkserver has warmed up (the device probe has reported: the page's device badge no longer
says "device: starting"), then drives headless Debian Chromium with Playwright. Each round
opens a fresh page (own browser context), sets epochs to 20, clicks Train and, through a
recorder put into the page (RECORDER: it notes the page state whenever the page changes;
nothing polls the page meanwhile), times from the click:

    status_s        click -> the status line first changes (whatever the page shows first)
    job_report_s    click -> the status line shows "Building the model", which the job
                    reports once it holds a training slot and has loaded the dataset
    first_point_s   click -> first loss point drawn
    last_point_s    click -> 20th loss point drawn
    final_s         click -> status "Finished ..." (final state, metrics and prediction plot)
    final_pred_s    click -> prediction plot titled with the last epoch

Every change of the status line is printed as a timeline. It also reads the run record
that the job stored (epoch_seconds), so the page's wait can be set against the job's own
compute. Between app rounds it times
`python /work/shared/bench/reference_keras.py` end to end (subprocess wall time), alternating,
and prints the ratio app click-to-final / script wall time.

The app trains with its defaults: sine, 70/15/15 split (the reference: 64/16/20), and it
predicts the test part for the live plot on a time budget (ml/train.py). The browser runs
on the same 2-core machine as the server here, so its rendering competes with training.

    .venv/bin/python bench/bench_browser.py              # 3 rounds
    ROUNDS=5 .venv/bin/python bench/bench_browser.py
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.server and tests.browser.helpers

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from tests.browser.helpers import open_app  # noqa: E402
from tests.server import running_server  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "bench" / "reference_keras.py"  # ../shared beside the repo
CHROMIUM = "/usr/bin/chromium"
EPOCHS = 20
MILESTONES = (
    "status_s",
    "job_report_s",
    "first_point_s",
    "last_point_s",
    "final_s",
    "final_pred_s",
)
JOB_REPORTS = re.compile(r"Building the model", re.IGNORECASE)
PRED_GRACE_S = 10.0  # how long to wait for the last prediction plot after 'Finished'
PAGE_STATE = """() => {
  const g = document.querySelector('#loss-graph .js-plotly-plot');
  const p = document.querySelector('#prediction-graph .js-plotly-plot');
  const s = document.querySelector('#status-alert');
  return [g && g.data && g.data[0].x ? g.data[0].x.length : 0,
          s ? s.innerText : '',
          p && p.layout && p.layout.title ? (p.layout.title.text || '') : ''];
}"""


def wait_until_warm(url: str, timeout: float = 120) -> float:
    """Poll the layout until the forkserver's device probe has reported; seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with urllib.request.urlopen(f"{url}/_dash-layout", timeout=10) as response:
            if b"device: starting" not in response.read():
                return time.perf_counter() - started
        time.sleep(0.2)
    raise TimeoutError("the forkserver did not warm up")


def set_epochs(page: Page, value: int) -> None:
    """Type the epoch count into the slider's input (or its number box) and press Tab."""
    box = page.locator("#epochs-slider input")
    if box.count() == 0:  # the slider has no input of its own: use the number box beside it
        box = page.locator("#epochs-input")
    if box.count() == 0 or not box.first.is_visible():
        print(f"  (no visible epochs box: keeping the default, {value} in the app's params)")
        return
    box.first.fill(str(value))
    box.first.press("Tab")
    page.wait_for_function(
        "() => { const s = document.querySelector('#epochs-slider [role=slider]');"
        "  const b = document.querySelector('#epochs-input');"
        f"  return s ? s.getAttribute('aria-valuenow') == '{value}'"
        f"           : !!b && b.value == '{value}'; }}",
        timeout=10_000,
    )


def note_milestones(
    marks: dict[str, float], now: float, state: tuple[int, str, str], idle_status: str
) -> None:
    """Record the first time each milestone shows in the page state (points, status, title)."""
    points, status, pred_title = state
    seen = {
        "status_s": status != idle_status,
        "job_report_s": bool(JOB_REPORTS.search(status)),
        "first_point_s": points >= 1,
        "last_point_s": points >= EPOCHS,
        "final_pred_s": bool(re.search(rf"epoch\D{{0,3}}{EPOCHS}\b", pred_title)),
        "final_s": status.startswith("Finished"),
    }
    for key, happened in seen.items():
        if happened:
            marks.setdefault(key, now)
    late = "final_s" in marks and now - marks["final_s"] > PRED_GRACE_S
    if late and "final_pred_s" not in marks:
        marks["final_pred_s"] = float("nan")  # no prediction plot of the last epoch


# Put into the page before the click: a MutationObserver notes the page state (PAGE_STATE,
# read with textContent, which forces no layout) with the time since the click whenever the
# page changes. Nothing polls the page while the run trains: a poll from here every 20 ms
# (this bench until 2026-12-03) made Chromium lay out the page 50 times a second, on the
# same two cores as the training it measured.
RECORDER = """() => {
  const read = (PAGE_STATE);
  const rec = window.__benchMarks = {t0: null, log: []};
  const note = () => {
    if (rec.t0 === null) return;
    const state = read();
    const last = rec.log[rec.log.length - 1];
    if (!last || JSON.stringify(last.state) !== JSON.stringify(state))
      rec.log.push({t: (performance.now() - rec.t0) / 1000, state});
  };
  document.querySelector('#train-button')
    .addEventListener('click', () => { rec.t0 = performance.now(); note(); }, {capture: true});
  new MutationObserver(note).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
}""".replace("(PAGE_STATE)", "(" + PAGE_STATE.replace("innerText", "textContent") + ")")
LAST = "(window.__benchMarks.log.slice(-1)[0] || {}).state"  # the newest state noted
ENDED = f"() => /^(Finished|Training failed|Cancelled)/.test(({LAST} || [])[1])"
FINAL_PRED = f"() => /epoch\\D{{0,3}}{EPOCHS}\\b/.test(({LAST} || [])[2])"


def train_once(browser: Browser, url: str, timeout: float = 180) -> dict[str, float]:
    """Open a fresh page, click Train, wait until Finished; the milestones in seconds, as
    the page's own recorder (RECORDER) timed them from the click."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        open_app(page, url)
        set_epochs(page, EPOCHS)
        idle_status = page.evaluate(PAGE_STATE)[1]
        page.evaluate(RECORDER)
        page.click("#train-button")
        page.wait_for_function(ENDED, polling=250, timeout=timeout * 1000)
        with contextlib.suppress(PlaywrightTimeout):  # no plot of the last epoch: nan
            page.wait_for_function(FINAL_PRED, polling=250, timeout=PRED_GRACE_S * 1000)
        log = page.evaluate("() => window.__benchMarks.log")
    finally:
        context.close()
    marks: dict[str, float] = {}
    timeline: list[tuple[float, str]] = []
    for entry in log:
        state = (int(entry["state"][0]), str(entry["state"][1]), str(entry["state"][2]))
        if not timeline or timeline[-1][1] != state[1]:
            timeline.append((entry["t"], state[1]))
        note_milestones(marks, entry["t"], state, idle_status)
    status = timeline[-1][1] if timeline else ""
    if status.startswith(("Training failed", "Cancelled")):
        raise RuntimeError(f"run ended with: {status}")
    print(
        "  status timeline: "
        + " | ".join(f"{t:.2f}s {text.strip()[:50]!r}" for t, text in timeline[:8]),
        flush=True,
    )
    marks.setdefault("final_pred_s", float("nan"))
    return {key: marks.get(key, float("nan")) for key in MILESTONES}


def job_epoch_seconds(store_dir: Path) -> list[float]:
    """epoch_seconds of the newest run record the server's jobs stored ([] if none found)."""
    from dashboard.store import Store

    cache = Store(store_dir).cache
    runs = [
        cache.get(key) for key in cache.iterkeys() if isinstance(key, tuple) and key[0] == "run"
    ]
    runs = [run for run in runs if isinstance(run, dict) and run.get("epoch_seconds")]
    if not runs:
        return []
    return list(max(runs, key=lambda run: run.get("created", 0))["epoch_seconds"])


def time_reference() -> tuple[float, dict[str, str]]:
    """Wall time of the reference script, end to end, and its key=value fields."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(REFERENCE)], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    fields = dict(item.split("=", 1) for item in done.stdout.split() if "=" in item)
    return wall, fields


def main() -> None:
    """Server up and warm, then alternate app rounds and reference runs; print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    args = parser.parse_args()
    app_runs: list[dict[str, float]] = []
    ref_walls: list[float] = []
    with tempfile.TemporaryDirectory(prefix="lstm-lab-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        server_started = time.perf_counter()
        with running_server(data_dir) as url, sync_playwright() as playwright:
            answered = time.perf_counter() - server_started
            warm = wait_until_warm(url)
            print(f"server answered after {answered:.1f} s, forkserver warm {warm:.1f} s later")
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            for round_no in range(1, args.rounds + 1):
                steps = ("app", "reference") if round_no % 2 else ("reference", "app")
                for step in steps:
                    if step == "app":
                        marks = train_once(browser, url)
                        seconds = job_epoch_seconds(data_dir / "store") or [float("nan")]
                        marks["job_first_epoch_s"] = seconds[0]
                        marks["job_median_epoch_s"] = statistics.median(seconds[1:] or seconds)
                        marks["job_epochs_sum_s"] = sum(seconds)
                        app_runs.append(marks)
                        print(
                            f"round={round_no} app "
                            + " ".join(f"{k}={v:.2f}" for k, v in marks.items()),
                            flush=True,
                        )
                    else:
                        wall, fields = time_reference()
                        ref_walls.append(wall)
                        print(
                            f"round={round_no} reference wall_s={wall:.2f} "
                            + " ".join(f"{k}={v}" for k, v in fields.items()),
                            flush=True,
                        )
            browser.close()
    summarise(app_runs, ref_walls)


def summarise(app_runs: list[dict[str, float]], ref_walls: list[float]) -> None:
    """Round 1 on its own (first job after start), the medians, and the ratio."""
    keys = list(app_runs[0])
    print(
        "\n# app, round 1 (first job after server start): "
        + " ".join(f"{k}={app_runs[0][k]:.2f}" for k in keys)
    )
    later = app_runs[1:] or app_runs
    med = {k: statistics.median(r[k] for r in later) for k in keys}
    print(
        f"# app, median of rounds {'2..' if len(app_runs) > 1 else '1..'}{len(app_runs)}: "
        + " ".join(f"{k}={v:.2f}" for k, v in med.items())
    )
    ref = statistics.median(ref_walls)
    print(f"# reference script wall time, median of {len(ref_walls)}: {ref:.2f} s")
    all_final = statistics.median(r["final_s"] for r in app_runs)
    print(
        f"# ratio app click-to-final / script wall: {med['final_s'] / ref:.2f} "
        f"(all rounds: {all_final / ref:.2f})"
    )
    print(
        f"# page overhead beyond the job's epochs (final_s - job_epochs_sum_s): "
        f"{med['final_s'] - med['job_epochs_sum_s']:.2f} s; first point - job first epoch: "
        f"{med['first_point_s'] - med['job_first_epoch_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
