"""Running the real server (`commerce serve`) as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.helpers.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str

    def stderr_tail(self) -> str:
        return ""


@contextmanager
def running_server(
    database_url: str, *extra_args: str, env: dict[str, str] | None = None, timeout: float = 30.0
) -> Iterator[Server]:
    """Start `commerce serve` and wait until /healthz answers; stop it with SIGINT after."""
    port = free_port()
    environment = {
        **os.environ,
        "COMMERCE_DATABASE_URL": database_url,
        "COMMERCE_LOG_LEVEL": "warning",
        "COMMERCE_MAIL_WORKER": "false",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited early:\n{process.stderr.read() if process.stderr else ''}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not answer /healthz in time")
            time.sleep(0.1)
        yield Server(process, url)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
