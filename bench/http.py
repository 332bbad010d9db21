"""HTTP benchmark: the real ``commerce serve`` against a bare Starlette app.

Starts two uvicorn processes on loopback, each with one worker, uvloop and
httptools and warning-level logs:

* the service itself (``python -m app.cli serve``, SQLite in a temp dir), hit with
  ``POST /graphql`` and ``{ __typename }``;
* a bare Starlette app whose one route reads the same POST body and answers the
  same JSON, without GraphQL, middleware or database.

Each is driven for a fixed time after a warm-up with 8 keep-alive connections,
by ``wrk`` when it is installed and otherwise by a small asyncio load generator
in this process (which then competes with the server for the CPU: its figures
are lower bounds). Prints req/s, p50 and p99 latency, and GraphQL's req/s as a
percentage of the bare route's.

    .venv/bin/python bench/http.py [--duration 10] [--warmup 2] [--connections 8]
        [--generator auto|wrk|python] [--rounds 1] [--rate-limits counted|off]
"""

from __future__ import annotations

# This file is called http.py: keep its folder off sys.path, or it would shadow
# the standard library's ``http`` package for everything imported below.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(_HERE).parent
QUERY_BODY = json.dumps({"query": "{ __typename }"}).encode()
EXPECTED = {"data": {"__typename": "Query"}}

BARE_APP = """
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

async def plain(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"data": {"__typename": "Query"}})

app = Starlette(routes=[Route("/plain", plain, methods=["POST"])])
"""


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


# --- servers ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, body: bytes | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    if body is not None:
                        answer = json.loads(response.read())
                        if answer != EXPECTED:
                            sys.exit(f"{url} answered {answer}, expected {EXPECTED}")
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    stop(process)
    sys.exit(f"{url} was not ready within 30 s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- load generators ----------------------------------------------------------

_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def run_wrk(url: str, body: bytes, connections: int, seconds: float, workdir: Path) -> Result:
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body.decode())}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    # One wrk thread: the server needs the other core more than wrk needs two.
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(n) for n in match.groups())
    return Result(requests, errors, requests / rps if rps else seconds, p50, p99)


async def _python_load(host: str, port: int, path: str, body: bytes, connections: int, seconds: float) -> Result:
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < end:
                sent = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head).group(1))
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - sent)
                if not head.startswith(b"HTTP/1.1 200"):
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    return Result(len(latencies), errors, elapsed, pct(0.50), pct(0.99))


def run_python(url: str, body: bytes, connections: int, seconds: float, _workdir: Path) -> Result:
    match = re.fullmatch(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    return runner(_python_load(host, port, path, body, connections, seconds))


# --- main ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the targets this many times; report the best")
    parser.add_argument(
        "--rate-limits",
        choices=["counted", "off"],
        default="counted",
        help="counted: the per-client check runs on every request but never refuses; off: no check",
    )
    args = parser.parse_args()

    use_wrk = args.generator == "wrk" or (args.generator == "auto" and shutil.which("wrk"))
    if use_wrk and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk), use --generator python")
    drive = run_wrk if use_wrk else run_python
    if use_wrk:
        banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        version = match.group(0) if (match := re.match(r"wrk \S+", banner)) else "wrk"
        generator = f"{version} (separate process, 1 thread)"
    else:
        generator = (
            "Python asyncio + uvloop, raw keep-alive HTTP/1.1 (in this process: shares the 2 cores with the server)"
        )

    with tempfile.TemporaryDirectory(prefix="commerce-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "bare_app.py").write_text(BARE_APP)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")}
        env.update(
            COMMERCE_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'commerce.db'}",
            COMMERCE_MAIL_URL=f"file://{workdir / 'mail'}",
            COMMERCE_LOG_LEVEL="warning",
        )
        if args.rate_limits == "off":
            env.update(COMMERCE_RATE_LIMITS="false")
        else:  # counted on every request as always, in a window (like the real one) too large to refuse the load
            env.update(COMMERCE_RATE_LIMIT_REQUESTS_PER_ANONYMOUS_CLIENT="1000000000/second")
        api_port, bare_port = free_port(), free_port()
        api_log, bare_log = workdir / "api.log", workdir / "bare.log"
        api = start(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(api_port)], env, api_log
        )
        bare = start(
            [sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(workdir), "--host", "127.0.0.1",
             "--port", str(bare_port), "--workers", "1", "--loop", "uvloop", "--http", "httptools",
             "--no-access-log", "--log-level", "warning", "--lifespan", "on"],
            env,
            bare_log,
        )  # fmt: skip
        try:
            targets = [
                ("POST /graphql { __typename }", f"http://127.0.0.1:{api_port}/graphql", api, api_log),
                ("POST /plain (bare Starlette)", f"http://127.0.0.1:{bare_port}/plain", bare, bare_log),
            ]
            for _, url, process, log in targets:
                wait_ready(process, url, log, QUERY_BODY)
            print(f"load generator: {generator}")
            print(
                f"{args.connections} keep-alive connections, {args.warmup:g} s warm-up then {args.duration:g} s "
                f"per target; servers: uvicorn, 1 worker, uvloop + httptools, log level warning"
            )
            print(f"{'target':<32}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
            # Several rounds alternate the targets, so a noisy neighbour hurts both alike;
            # each target's best round is the one least disturbed.
            best: dict[str, Result] = {}
            for round_ in range(args.rounds):
                for name, url, _, _ in targets:
                    if round_ == 0 and args.warmup > 0:
                        drive(url, QUERY_BODY, args.connections, args.warmup, workdir)
                    result = drive(url, QUERY_BODY, args.connections, args.duration, workdir)
                    label = f"{name} #{round_ + 1}" if args.rounds > 1 else name
                    print(
                        f"{label:<32}{result.rps:>10.0f}{result.p50_ms:>10.2f}{result.p99_ms:>10.2f}{result.errors:>8}"
                    )
                    if name not in best or result.rps > best[name].rps:
                        best[name] = result
            graphql, plain = (best[name] for name, *_ in targets)
            summary = "best rounds: " if args.rounds > 1 else ""
            print(f"{summary}GraphQL req/s as % of bare: {100 * graphql.rps / plain.rps:.1f}% (target >= 30%)")
        finally:
            stop(api)
            stop(bare)


if __name__ == "__main__":
    main()
