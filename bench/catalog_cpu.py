"""In-process cost of the catalogue queries: CPU time and SQL statements per request.

Wall-clock figures are noisy on a shared machine; this measures what a change
to the query side buys regardless of load: the process's CPU time (all threads,
so aiosqlite's too) per request, and the statements each request sends. The
app is called as an ASGI callable directly (no sockets, no HTTP client), so
almost all of the CPU counted is the server's: middleware, GraphQL, resolvers,
SQLAlchemy and the database driver. The database server's own CPU is not
counted (PostgreSQL runs in its own process); the statement count stands for it.

    .venv/bin/python bench/catalog_cpu.py [--database-url URL] [--products 2000]
        [--requests 400] [--rounds 3] [--only page,light,...]

Without --database-url a SQLite file in a temporary folder is used. The
database is migrated and the demo data loaded when it holds no products.
"""

from __future__ import annotations

# bench/http.py would shadow the standard library's ``http``: keep this folder off sys.path.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import event, func, select  # noqa: E402

from app import migrations  # noqa: E402
from app.db import Database  # noqa: E402
from app.demo.accounts import DEMO_PASSWORD  # noqa: E402
from app.demo.seed import load_demo  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Category, Product  # noqa: E402
from app.settings import RateLimits, Settings  # noqa: E402

PAGE = (
    "{ products(first: 20) { edges { node { id name sku category { name } thumbnailUrl "
    'price(customerNumber: "10001") { amount currency } } } } }'
)
LIGHT = "{ products(first: 100) { edges { node { id name sku } } } }"
SEARCH = (
    '{ products(search: "hansker", first: 20) { edges { node { id name sku thumbnailUrl '
    'price(customerNumber: "10001") { amount currency } } } } }'
)
PRODUCT = (
    "query($sku: String!) { product(sku: $sku) { id name sku thumbnailUrl "
    'price(customerNumber: "10001") { amount currency } } }'
)
CONTRACT = Path(__file__).resolve().parent.parent.parent / "shared" / "contract"


def queries(sku: str, category_id: str, contract: Path) -> dict[str, tuple[str, dict[str, Any], str | None]]:
    document = (contract / "storefront-catalog.graphql").read_text()
    return {
        "me": ("{ me { id } }", {}, None),
        "page": (PAGE, {}, None),
        "light": (LIGHT, {}, None),
        "search": (SEARCH, {}, None),
        "product": (PRODUCT, {"sku": sku}, None),
        "contract-search": (document, {"search": "hansker", "customerNumber": "10001", "first": 20}, "SearchProducts"),
        "contract-category": (
            document,
            {"categoryId": category_id, "customerNumber": "10001", "first": 20},
            "SearchProducts",
        ),
    }


class Asgi:
    """Calls the app the way a server would, for one POST /graphql."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def post(self, body: bytes, token: str | None) -> tuple[int, bytes]:
        headers = [(b"content-type", b"application/json"), (b"host", b"bench")]
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        status = 0
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def run(args: argparse.Namespace) -> None:
    url = args.database_url
    database = Database(url)
    async with database.reader() as session:
        count = await session.scalar(select(func.count()).select_from(Product))
    if not count:
        async with database.transaction() as session:
            await load_demo(session, args.products)
    async with database.reader() as session:
        sku = await session.scalar(select(Product.sku).where(Product.active).order_by(Product.id).limit(1))
        category = await session.scalar(select(Category.id).where(Category.depth == 1).order_by(Category.id).limit(1))
        total = await session.scalar(select(func.count()).select_from(Product))
    from app.ids import encode_id

    # The rate limits would refuse a loop this fast; their cost is the HTTP layer's, not the queries'.
    settings = Settings(database_url=url, mail_worker=False, log_level="warning", rate_limits=RateLimits(enabled=False))
    app = Asgi(create_app(settings, database))
    async with _lifespan(app.app):
        login = json.dumps(
            {
                "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                "variables": {"e": "purchaser@demo.test", "p": DEMO_PASSWORD},
            }
        ).encode()
        _, answer = await app.post(login, None)
        token = json.loads(answer)["data"]["login"]["token"]
        statements = 0

        def counted(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(database.engine.sync_engine, "before_cursor_execute", counted)
        import app as package

        print(
            f"{package.__file__}: {url.split('://')[0]}, {total} products, {args.requests} requests x {args.rounds} rounds"
        )
        print(f"{'query':<18} {'statements':>10} {'CPU µs/req':>11} {'min':>8} {'wall µs':>8}")
        assert sku is not None and category is not None, "the demo data has products and categories"
        chosen = queries(sku, encode_id("Category", category), Path(args.contract))
        for extra in args.query or []:
            name, _, document = extra.partition("=")
            chosen[name] = (document, {}, None)
        for name, (query, variables, operation) in chosen.items():
            if args.only and name not in args.only.split(","):
                continue
            body = json.dumps({"query": query, "variables": variables, "operationName": operation}).encode()
            status, answer = await app.post(body, token)
            parsed = json.loads(answer)
            if status != 200 or parsed.get("errors"):
                raise SystemExit(f"{name}: {status} {answer[:500]!r}")
            for _ in range(args.requests // 4):
                await app.post(body, token)
            cpu: list[float] = []
            wall: list[float] = []
            statements = 0
            for _ in range(args.rounds):
                started, started_wall = time.process_time(), time.perf_counter()
                for _ in range(args.requests):
                    await app.post(body, token)
                cpu.append((time.process_time() - started) / args.requests * 1e6)
                wall.append((time.perf_counter() - started_wall) / args.requests * 1e6)
            per_request = statements / (args.requests * args.rounds)
            print(
                f"{name:<18} {per_request:>10.1f} {statistics.median(cpu):>11.0f} {min(cpu):>8.0f} "
                f"{statistics.median(wall):>8.0f}"
            )
        if args.profile:
            import cProfile
            import pstats

            name = args.profile
            query, variables, operation = chosen[name]
            body = json.dumps({"query": query, "variables": variables, "operationName": operation}).encode()
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(args.requests):
                await app.post(body, token)
            profiler.disable()
            with open(f"/tmp/perfq-{name}.txt", "w") as out:
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("tottime").print_stats(45)
                stats.sort_stats("cumulative").print_stats(80)
            print(f"profile (CPU time) in /tmp/perfq-{name}.txt")
    await database.dispose()


class _lifespan:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __aenter__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.started = asyncio.Event()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}

        async def receive() -> dict[str, Any]:
            return await self.queue.get()

        async def send(message: dict[str, Any]) -> None:
            if message["type"].startswith("lifespan.startup") or message["type"].startswith("lifespan.shutdown"):
                self.started.set()

        self.task = asyncio.create_task(self.app(scope, receive, send))
        await self.queue.put({"type": "lifespan.startup"})
        await self.started.wait()

    async def __aexit__(self, *_: Any) -> None:
        self.started.clear()
        await self.queue.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self.started.wait(), 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated query names")
    parser.add_argument("--query", action="append", help="NAME=DOCUMENT: one more query to measure")
    parser.add_argument("--contract", default=str(CONTRACT), help="the folder of the client contract")
    parser.add_argument("--profile", help="a query name: profile its CPU time with cProfile into /tmp/perfq-NAME.txt")
    args = parser.parse_args()
    if args.database_url is None:
        args.database_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='catalog-cpu-')}/bench.db"
    migrations.upgrade(args.database_url)
    try:
        import uvloop

        uvloop.run(run(args))
    except ImportError:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
