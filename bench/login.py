"""Login throughput, and what a burst of logins does to other requests.

Starts the real server (one uvicorn worker, uvloop + httptools) on a fresh
SQLite database (or COMMERCE_DATABASE_URL), signs a user in, and prints:

* logins per second with 1 and with 8 concurrent clients;
* p50/p99 of ``{ me { id } }`` with nothing else running, and again while 20
  logins run at once, over and over.

Usage: .venv/bin/python bench/login.py [--seconds 8]
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's ``http``: keep this folder off sys.path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.identity import passwords  # noqa: E402
from tests.helpers.server import running_server  # noqa: E402

LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token errors { code } } }"
ME = {"query": "{ me { id } }"}
EMAIL, PASSWORD = "bench@demo.test", "bench-password-1"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def login_loop(http: httpx.AsyncClient, stop: float) -> int:
    done = 0
    while time.perf_counter() < stop:
        response = await http.post("/graphql", json={"query": LOGIN, "variables": {"e": EMAIL, "p": PASSWORD}})
        assert response.json()["data"]["login"]["errors"] == [], response.text
        done += 1
    return done


async def me_loop(http: httpx.AsyncClient, token: str, stop: float) -> list[float]:
    latencies: list[float] = []
    while time.perf_counter() < stop:
        started = time.perf_counter()
        response = await http.post("/graphql", json=ME, headers={"authorization": f"Bearer {token}"})
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200
        await asyncio.sleep(0.005)
    return latencies


async def measure(url: str, seconds: float) -> None:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        token = (await http.post("/graphql", json={"query": LOGIN, "variables": {"e": EMAIL, "p": PASSWORD}})).json()[
            "data"
        ]["login"]["token"]
        for clients in (1, 8):
            stop = time.perf_counter() + seconds
            counts = await asyncio.gather(*(login_loop(http, stop) for _ in range(clients)))
            print(f"logins/s with {clients} client(s): {sum(counts) / seconds:8.1f}")
        quiet = await me_loop(http, token, time.perf_counter() + seconds)
        stop = time.perf_counter() + seconds
        busy, *_ = await asyncio.gather(me_loop(http, token, stop), *(login_loop(http, stop) for _ in range(20)))
        print(
            f"me {{ id }} alone:           p50 {percentile(quiet, 0.5):7.2f} ms   p99 {percentile(quiet, 0.99):7.2f} ms   (n={len(quiet)})"
        )
        print(
            f"me {{ id }} with 20 logins:  p50 {percentile(busy, 0.5):7.2f} ms   p99 {percentile(busy, 0.99):7.2f} ms   (n={len(busy)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    print(
        f"argon2id: time_cost={passwords.TIME_COST} memory_cost={passwords.MEMORY_COST_KIB} KiB parallelism={passwords.PARALLELISM}; {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("COMMERCE_DATABASE_URL", f"sqlite+aiosqlite:///{folder}/bench.db")
        from app import migrations

        migrations.upgrade(url)
        import subprocess

        subprocess.run(
            [
                sys.executable,
                "-m",
                "app.cli",
                "--database-url",
                url,
                "--log-level",
                "warning",
                "customer",
                "create",
                "--number",
                "90001",
                "--name",
                "Bench",
            ],
            check=False,
            capture_output=True,
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "app.cli",
                "--database-url",
                url,
                "--log-level",
                "warning",
                "user",
                "create",
                "--email",
                EMAIL,
                "--name",
                "Bench",
                "--password",
                PASSWORD,
                "--customer",
                "90001",
                "--role",
                "PURCHASER",
            ],
            check=False,
            capture_output=True,
        )
        print(f"database: {url.split('://')[0]}")
        with running_server(Path(folder) / "server", database_url=url, env={"COMMERCE_MAIL_WORKER": "false"}) as server:
            asyncio.run(measure(server.base_url, args.seconds))


if __name__ == "__main__":
    main()
