"""Start and stop a real LSTM Lab server process for browser tests (stopped by its pid)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil


def clean_env(**wanted: str) -> dict[str, str]:
    """os.environ without LSTM_LAB_* and REDIS_URL (a stray one would change what a test
    tests), plus exactly the variables a test wants.

    Servers and workers train on TensorFlow unless a test asks for JAX (the default, "auto",
    is JAX on a machine without a GPU): the stories test the page, and one backend keeps
    their timing as measured; tests/browser/test_cells.py and tests/unit/test_backend.py
    train on JAX."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LSTM_LAB_") and key != "REDIS_URL"
    }
    return {**kept, "LSTM_LAB_KERAS_BACKEND": "tensorflow", **wanted}


SERVERS: dict[str, subprocess.Popen[bytes]] = {}  # url -> the server process, while it runs


def job_processes(url: str) -> list[psutil.Process]:
    """The running jobs of the server at `url`: processes below its direct children (the
    forkserver's children), which Cancel kills."""
    try:
        server = psutil.Process(SERVERS[url].pid)
        children = server.children()
        return [p for child in children for p in child.children(recursive=True) if p.is_running()]
    except psutil.NoSuchProcess:
        return []


def issued_session(url: str) -> str:
    """A session token the server at `url` issues, as a page load gets it (from the layout)."""
    with urllib.request.urlopen(url + "/_dash-layout", timeout=30) as response:
        layout = json.loads(response.read())

    def find(node: Any) -> str | None:
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props, dict) and props.get("id") == "session-id":
                return str(props["data"])
            return next((f for f in map(find, node.values()) if f), None)
        if isinstance(node, list):
            return next((f for f in map(find, node) if f), None)
        return None

    token = find(layout)
    assert token, "the layout carries no session token"
    return token


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_tree(process: subprocess.Popen[bytes]) -> None:
    """Stop a process we started and every process it started (jobs, forkserver)."""
    try:
        parent = psutil.Process(process.pid)
        children = parent.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for proc in [parent, *children]:
        with suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs([parent, *children], timeout=5)
    for proc in alive:
        proc.kill()


@contextmanager
def running_server(
    data_dir: Path,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """Run `python -m dashboard` (or `command`) on `port` (default: a free one); yield its URL.

    The server sees a clean environment (`clean_env`) with only `env` and its data folder set.
    """
    port = port or free_port()
    full_env = clean_env(LSTM_LAB_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **(env or {}))
    log = open(data_dir.parent / f"server-{port}.log", "wb")  # noqa: SIM115
    argv = command or [sys.executable, "-m", "dashboard", "--port", str(port)]
    argv = [a.replace("{port}", str(port)) for a in argv]
    process = subprocess.Popen(argv, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        SERVERS[url] = process
        yield url
    finally:
        SERVERS.pop(url, None)
        stop_tree(process)
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def redis_skipped() -> bool:
    """Whether tests that need redis-server skip themselves: it is missing and this is not
    CI (on CI, CI=true, a missing redis-server fails them: `start_redis`)."""
    return not Path(REDIS_SERVER).exists() and os.environ.get("CI") != "true"


def start_redis(
    directory: Path, stack: ExitStack, port: int | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """A redis-server on 127.0.0.1 (on `port`, or a free one), ready, stopped by `stack`;
    its URL and process. A missing redis-server fails the test in a sentence."""
    if not Path(REDIS_SERVER).exists():
        import pytest

        pytest.fail(
            f"redis-server is not installed ({REDIS_SERVER}), and on CI the tests that need "
            "it fail instead of skipping: install it (apt-get install redis-server, or "
            "`make system-deps` as root).",
            pytrace=False,
        )
    import redis

    port = port or free_port()
    log = open(directory / "redis.log", "wb")  # noqa: SIM115 - closed by the stack
    stack.callback(log.close)
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(stop_tree, process)
    deadline = time.monotonic() + 20
    while True:
        try:
            with redis.Redis(host="127.0.0.1", port=port) as client:
                client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not start: {(directory / 'redis.log').read_text()}"
                ) from None
            time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0", process
