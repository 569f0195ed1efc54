"""What one watching page costs the web server: callback requests and CPU seconds per run.

Serves the app on JAX twice, as it is and as of an earlier commit (`--baseline REV`, from a
git worktree: bench_backends.baseline_server), and alternates default runs of 20 epochs
between them in headless Chromium. Per run: the page's `_dash-update-component` requests
from the click to a second after "Finished" (of which polls of the training job), and the
CPU seconds (user + system) the web server's own process spent meanwhile (its jobs run in
other processes and are not counted).

    .venv/bin/python bench/bench_requests.py --baseline 593f2a9 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import psutil  # noqa: E402
from bench_backends import baseline_server  # noqa: E402
from bench_browser import CHROMIUM, EPOCHS, set_epochs, wait_until_warm  # noqa: E402
from playwright.sync_api import Browser, Request, expect, sync_playwright  # noqa: E402

from tests.browser.helpers import open_app  # noqa: E402
from tests.server import SERVERS, running_server  # noqa: E402


def one_run(browser: Browser, url: str) -> dict[str, float]:
    """A default run of EPOCHS epochs in a fresh page; what it cost the web process."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        open_app(page, url)
        set_epochs(page, EPOCHS)
        asked: list[str] = []

        def record(request: Request) -> None:
            if request.method == "POST" and "/_dash-update-component" in request.url:
                asked.append(request.url)

        page.on("request", record)
        web = psutil.Process(SERVERS[url].pid)
        before = sum(web.cpu_times()[:2])
        page.click("#train-button")
        expect(page.locator("#status-alert")).to_contain_text(
            f"Finished {EPOCHS} epochs", timeout=180_000
        )
        page.wait_for_timeout(1000)  # the views the end of the run asks for
        cpu = sum(web.cpu_times()[:2]) - before
    finally:
        context.close()
    polls = sum("cacheKey=" in address for address in asked)
    return {"requests": len(asked), "polls": polls, "web_cpu_s": cpu}


def main() -> None:
    """Both servers up and warm, then one run on each per round, the order alternating."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="the earlier revision to compare")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lstm-lab-requests-") as tmp, ExitStack() as stack:
        here = Path(tmp) / "now"
        here.mkdir()
        env = {"LSTM_LAB_KERAS_BACKEND": "jax"}
        servers = {"now": stack.enter_context(running_server(here, env=env))}
        servers[args.baseline] = baseline_server(stack, Path(tmp), args.baseline)[0]
        for url in servers.values():
            wait_until_warm(url)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        stack.callback(browser.close)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
        for round_no in range(1, args.rounds + 1):
            names = list(servers) if round_no % 2 else list(reversed(servers))
            for name in names:
                result = one_run(browser, servers[name])
                runs[name].append(result)
                shown = " ".join(f"{key}={value:g}" for key, value in result.items())
                print(f"round={round_no} {name} {shown}", flush=True)
        print("\n# medians")
        for name, results in runs.items():
            medians = {key: statistics.median(r[key] for r in results) for key in results[0]}
            print(name, " ".join(f"{key}={value:g}" for key, value in medians.items()))


if __name__ == "__main__":
    main()
