"""Start and stop a real LSTM Lab server process for browser tests (stopped by its pid)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil


def clean_env(**wanted: str) -> dict[str, str]:
    """os.environ without LSTM_LAB_* and REDIS_URL (a stray one would change what a test
    tests), plus exactly the variables a test wants."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LSTM_LAB_") and key != "REDIS_URL"
    }
    return {**kept, **wanted}


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
