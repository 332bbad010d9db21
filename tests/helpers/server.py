"""Running the real server (`commerce serve`) as a subprocess on a free loopback port.

Each server gets its own SQLite file unless a database URL is given, is
awaited on ``/healthz`` and, with ``--workers N``, until each of its N
workers has taken a connection, and is stopped with SIGINT, which must end
it cleanly (exit status 0).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.helpers.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
# A deadline, not a wait: a healthy server answers within a second or two, but two workers
# migrating on a loaded 2-core machine were seen to need over 20 s.
STARTUP_SECONDS = 60.0
SHUTDOWN_SECONDS = 10.0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    stdout_path: Path
    stderr_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def output(self) -> str:
        return f"--- stdout ---\n{self.stdout()[-4000:]}\n--- stderr ---\n{self.stderr()[-8000:]}"

    def stop(self) -> int | None:
        """SIGINT, then wait; None (after killing the group) when it would not stop."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            # Only our own process group: the server and its workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            return None


def _start(workdir: Path, database_url: str | None, args: tuple[str, ...], env: dict[str, str]) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if not key.startswith("COMMERCE_")}
    environ.update(
        COMMERCE_DATABASE_URL=database_url or f"sqlite+aiosqlite:///{workdir / 'commerce.db'}",
        COMMERCE_MAIL_URL=f"file://{workdir / 'mail'}",
        COMMERCE_LOG_LEVEL="warning",
        # As in tests/conftest.py: the rate limits only where a test is about them (env turns them on).
        COMMERCE_RATE_LIMITS="false",
        PYTHONUNBUFFERED="1",
    )
    environ.update(env)
    stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=ROOT,
            env=environ,
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # our own group, so a stuck server and its workers can be killed together
        )
    return Server(process, port, stdout_path, stderr_path)


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode} before it was healthy\n{server.output()}")
        try:
            response = httpx.get(f"{server.base_url}/healthz", timeout=2)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.1)
    server.stop()
    pytest.fail(f"/healthz did not answer 200 within {STARTUP_SECONDS:.0f} s (last: {last})\n{server.output()}")


def _wait_for_every_worker(server: Server, workers: int) -> None:
    """Until each of the ``workers`` processes has taken a connection.

    ``/healthz`` answers as soon as the first worker serves; the others may still
    be starting (about a second here, more on a loaded machine), and until they
    are, the first takes every connection: a test meant for several processes
    would run on one, and one that needs a connection on each failed (40 quick
    WebSockets all on one worker). Only the WebSocket handshake names its worker
    (``x-served-by``, the pid); once all serve, the kernel spreads new
    connections between them.
    """
    url = server.base_url.replace("http://", "ws://", 1) + "/graphql"
    deadline = time.monotonic() + STARTUP_SECONDS
    seen: set[str] = set()
    while time.monotonic() < deadline:
        try:
            with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=2) as websocket:
                assert websocket.response is not None
                seen.add(websocket.response.headers["x-served-by"])
        except (OSError, WebSocketException):
            pass  # a worker starting or stopping; the deadline decides
        if len(seen) >= workers:
            return
        time.sleep(0.02)
    server.stop()
    pytest.fail(f"only {len(seen)} of {workers} workers took a connection within {STARTUP_SECONDS:.0f} s")


@contextlib.contextmanager
def running_server(
    workdir: Path, *args: str, database_url: str | None = None, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """A healthy server; on the way out, SIGINT must stop it with status 0."""
    server = _start(workdir, database_url, args, env or {})
    _wait_healthy(server)
    if "--workers" in args:
        _wait_for_every_worker(server, int(args[args.index("--workers") + 1]))
    try:
        yield server
    except BaseException:
        server.stop()
        raise
    started = time.monotonic()
    code = server.stop()
    assert code is not None, f"the server ignored SIGINT for {SHUTDOWN_SECONDS:.0f} s\n{server.output()}"
    assert code == 0, f"the server exited with {code} after SIGINT\n{server.output()}"
    assert time.monotonic() - started < SHUTDOWN_SECONDS
