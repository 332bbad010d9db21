"""What the HTTP benchmarks share: servers as subprocesses, wrk (or a Python fallback), /proc readings.

Used by bench/http.py and bench/compare.py, so both start, drive and measure
a server the same way. Linux only for the /proc readings (CPU time and RSS of
a server's worker processes).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    # The first wrong answer seen (status and body head), to say what went wrong.
    first_error: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Call:
    """One HTTP request a load generator repeats: a POST of ``body`` with ``headers``."""

    path: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)


# --- servers ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(command: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def post(url: str, body: bytes, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(
    process: subprocess.Popen[bytes], url: str, log: Path, body: bytes | None = None, expected: Any = None
) -> None:
    """Until ``url`` answers 200 (a GET, or a POST of ``body`` answering ``expected``); exits when it never does."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if body is None:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            else:
                status, answer = post(url, body, timeout=2)
                if status == 200:
                    if expected is not None and json.loads(answer) != expected:
                        sys.exit(f"{url} answered {answer[:500]!r}, expected {expected}")
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    stop(process)
    sys.exit(f"{url} was not ready within 60 s:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own group only (start_new_session)
            process.wait()


def statement_totals(base_url: str) -> tuple[float, float]:
    """(sum, count) of the server's SQL-statements-per-GraphQL-request histogram on /metrics (all workers)."""
    with urllib.request.urlopen(base_url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    total = re.search(r"^commerce_sql_statements_per_request_sum (\S+)$", text, re.M)
    count = re.search(r"^commerce_sql_statements_per_request_count (\S+)$", text, re.M)
    return (float(total.group(1)) if total else 0.0), (float(count.group(1)) if count else 0.0)


# --- /proc readings -----------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / _TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(server_pid: int) -> list[int]:
    """The processes that serve requests: uvicorn's spawned workers, or the server itself when it has none."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat_fields(int(entry.name))[1]) != server_pid:
                continue
            if b"spawn_main" in (entry / "cmdline").read_bytes():
                workers.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return sorted(workers) or [server_pid]


# --- load generators ----------------------------------------------------------

_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def _lua_string(value: str | bytes) -> str:
    return json.dumps(value.decode() if isinstance(value, bytes) else value)  # JSON string escapes are Lua's too


def wrk_script(calls: Sequence[Call]) -> str:
    """A wrk script sending ``calls`` in turn and counting answers that are not 200 or carry "errors"."""
    made = []
    for call in calls:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in call.headers)
        made.append(
            f'  reqs[#reqs + 1] = wrk.format("POST", {_lua_string(call.path)}, {{{headers}}}, {_lua_string(call.body)})'
        )
    return "\n".join(
        [
            "local threads = {}",
            "function setup(thread) table.insert(threads, thread) end",
            "function init(args)",
            "  reqs = {}",
            *made,
            "  n = 0",
            "  checked = 0",
            "  bad = 0",
            '  first_bad = ""',
            "end",
            "function request()",
            "  n = n % #reqs + 1",
            "  return reqs[n]",
            "end",
            "function response(status, headers, body)",
            "  checked = checked + 1",
            "  if status ~= 200 or string.find(body, '\"errors\"', 1, true) then",
            "    bad = bad + 1",
            '    if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 300) end',
            "  end",
            "end",
            "function done(summary, latency, requests)",
            "  for _, thread in ipairs(threads) do",
            '    io.write(string.format("CHECKED %d BAD %d\\n", thread:get("checked"), thread:get("bad")))',
            '    if thread:get("first_bad") ~= "" then io.write("FIRST_BAD " .. thread:get("first_bad") .. "\\n") end',
            "  end",
            "end",
            "",
        ]
    )


def run_wrk(base_url: str, calls: Sequence[Call], connections: int, seconds: float, workdir: Path) -> Result:
    """wrk with one thread (the server needs the other core more) sending ``calls`` in turn, answers checked."""
    script = workdir / "calls.lua"
    script.write_text(wrk_script(calls))
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(script),
        base_url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests = int(_search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))
    rps = float(_search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _wrk_ms(_search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _wrk_ms(_search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = sum(int(match.group(1)) for match in re.finditer(r"CHECKED \d+ BAD (\d+)", out))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(n) for n in match.groups())
    first = match.group(1) if (match := re.search(r"^FIRST_BAD (.*)$", out, re.M)) else ""
    return Result(requests, errors, requests / rps if rps else seconds, p50, p99, first)


def _search(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    match = re.search(pattern, text, flags)
    if match is None:
        raise RuntimeError(f"unexpected wrk output (no {pattern!r}):\n{text}")
    return match


async def _python_load(host: str, port: int, calls: Sequence[Call], connections: int, seconds: float) -> Result:
    raw = [
        (
            f"POST {call.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in call.headers)
            + f"Content-Length: {len(call.body)}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        + call.body
        for call in calls
    ]
    latencies: list[float] = []
    errors = 0
    first_error = ""
    end = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal errors, first_error
        reader, writer = await asyncio.open_connection(host, port)
        turn = 0
        try:
            while time.perf_counter() < end:
                sent = time.perf_counter()
                writer.write(raw[turn % len(raw)])
                turn += 1
                head = await reader.readuntil(b"\r\n\r\n")
                length_match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                body = await reader.readexactly(int(length_match.group(1)) if length_match else 0)
                latencies.append(time.perf_counter() - sent)
                if not head.startswith(b"HTTP/1.1 200") or b'"errors"' in body:
                    errors += 1
                    first_error = first_error or (head.split(b"\r\n", 1)[0] + b" " + body[:300]).decode(
                        errors="replace"
                    )
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    return Result(len(latencies), errors, elapsed, pct(0.50), pct(0.99), first_error)


def run_python(base_url: str, calls: Sequence[Call], connections: int, seconds: float, _workdir: Path) -> Result:
    """A small asyncio generator in this process (it shares the cores with the server: a lower bound)."""
    match = re.fullmatch(r"http://([^:/]+):(\d+)/?", base_url)
    if match is None:
        raise ValueError(f"expected http://host:port, got {base_url}")
    host, port = match.group(1), int(match.group(2))
    runner: Callable[..., Result]
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    return runner(_python_load(host, port, calls, connections, seconds))


Driver = Callable[[str, Sequence[Call], int, float, Path], Result]


def driver(generator: str) -> tuple[Driver, str]:
    """The load generator asked for (auto: wrk when installed) and a line that says what it is."""
    import shutil

    use_wrk = generator == "wrk" or (generator == "auto" and shutil.which("wrk"))
    if use_wrk and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk), use --generator python")
    if use_wrk:
        banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        version = match.group(0) if (match := re.match(r"wrk \S+", banner)) else "wrk"
        return run_wrk, f"{version} (separate process, 1 thread)"
    return run_python, "Python asyncio, raw keep-alive HTTP/1.1 (in this process: shares the cores with the server)"


def unloaded_p50_ms(base_url: str, call: Call, requests: int = 200) -> float:
    """Median latency of ``requests`` sent one after another on one keep-alive connection (after 20 unmeasured)."""
    import http.client

    match = re.fullmatch(r"http://([^:/]+):(\d+)/?", base_url)
    assert match is not None
    connection = http.client.HTTPConnection(match.group(1), int(match.group(2)), timeout=30)
    headers = dict(call.headers)
    samples = []
    try:
        for number in range(requests + 20):
            started = time.perf_counter()
            connection.request("POST", call.path, body=call.body, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if number >= 20:
                samples.append(time.perf_counter() - started)
            if response.status != 200 or b'"errors"' in body:
                raise RuntimeError(f"{call.path} answered {response.status}: {body[:300]!r}")
    finally:
        connection.close()
    samples.sort()
    return samples[len(samples) // 2] * 1000
