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

sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from bench import loadgen  # noqa: E402
from bench.loadgen import Call, Result  # noqa: E402

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

    drive, generator = loadgen.driver(args.generator)

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
        api_port, bare_port = loadgen.free_port(), loadgen.free_port()
        api_log, bare_log = workdir / "api.log", workdir / "bare.log"
        api = loadgen.start(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(api_port)], env, api_log
        )
        bare = loadgen.start(
            [sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(workdir), "--host", "127.0.0.1",
             "--port", str(bare_port), "--workers", "1", "--loop", "uvloop", "--http", "httptools",
             "--no-access-log", "--log-level", "warning", "--lifespan", "on"],
            env,
            bare_log,
        )  # fmt: skip
        try:
            targets = [
                ("POST /graphql { __typename }", f"http://127.0.0.1:{api_port}", "/graphql", api, api_log),
                ("POST /plain (bare Starlette)", f"http://127.0.0.1:{bare_port}", "/plain", bare, bare_log),
            ]
            for _, base, path, process, log in targets:
                loadgen.wait_ready(process, base + path, log, QUERY_BODY, EXPECTED)
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
                for name, base, path, _, _ in targets:
                    calls = [Call(path, QUERY_BODY)]
                    if round_ == 0 and args.warmup > 0:
                        drive(base, calls, args.connections, args.warmup, workdir)
                    result = drive(base, calls, args.connections, args.duration, workdir)
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
            loadgen.stop(api)
            loadgen.stop(bare)


if __name__ == "__main__":
    main()
