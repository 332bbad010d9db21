"""ERP sync speed: one UpsertProducts batch of 1,000 items, through the GraphQL endpoint in-process.

For SQLite (a fresh file) and a PostgreSQL database, optionally on top of a
demo catalogue (``--catalogue N`` products, so the tables and the search
index are not empty), it sends the same kind of batch an ERP sends: 1,000 new
products with images and data sheets (made by the demo generator, under SKUs
of their own), then the same batch again with new names and descriptions
(every product updated and reindexed), then the same batch once more
(unchanged). Each is timed from request to response and printed.

With ``--reuse`` the PostgreSQL database is kept and only what is missing of the
catalogue is made (``bench/search.py``'s ``generate_catalogue``): a 1M catalogue made
once serves both benchmarks (``--catalogue 1000000 --reuse --postgres .../h_sspeed_1m``).
Each run's SKUs are its own, so a kept database takes any number of runs.

Usage: .venv/bin/python bench/sync.py [--items 1000] [--catalogue 0] [--rounds 3]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench_sync] [--skip-postgres]
       [--skip-sqlite] [--reuse]
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's ``http``: keep this folder off sys.path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from app import migrations  # noqa: E402
from app.admin import create_api_key  # noqa: E402
from app.db import Database  # noqa: E402
from app.demo.products import demo_products  # noqa: E402
from app.http import heap  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import RateLimits, Settings  # noqa: E402
from bench.search import database_exists, generate_catalogue  # noqa: E402

UPSERT_PRODUCTS = """mutation UpsertProducts($items: [ProductInput!]!) {
  upsertProducts(items: $items) { created updated unchanged errors { code field message } }
}"""


RUN = f"{int(time.time()) % 1_000_000:06d}"  # this run's SKUs differ from a kept database's


def items(count: int, round_number: int, edition: int) -> list[dict[str, Any]]:
    """``count`` ERP items from the demo generator, under SKUs of this round; ``edition`` changes the texts."""
    found = []
    for p in demo_products(0, count):
        suffix = f" (utgave {edition})" if edition else ""
        found.append(
            {
                "sku": f"ERP-{RUN}-{round_number}-{p.number:06d}",
                "name": p.name + suffix,
                "description": p.description + suffix,
                "manufacturer": p.manufacturer,
                "unit": p.unit,
                "packSize": p.pack_size,
                "listPrice": str(p.list_price),
                "productType": p.product_type.value,
                "categoryPath": list(p.category_names),
                "active": p.active,
                "images": [{"url": url, "alt": alt} for url, alt in p.images],
                "documents": [{"kind": kind.value, "title": title, "url": url} for kind, title, url in p.documents],
            }
        )
    return found


async def prepare(url: str, catalogue: int) -> tuple[Database, str]:
    if catalogue:
        await generate_catalogue(url, catalogue)  # bulk, without the statement timeout; VACUUM ANALYZE
    database = Database(url)
    async with database.transaction() as session:
        token = await create_api_key(session, f"bench-erp-{RUN}", ["catalog:write"])
    return database, token


async def measure(url: str, count: int, catalogue: int, rounds: int) -> dict[str, list[float]]:
    database, token = await prepare(url, catalogue)
    settings = Settings(database_url=url, mail_worker=False, log_level="warning", rate_limits=RateLimits(enabled=False))
    app = create_app(settings, database)
    heap.settle()
    timings: dict[str, list[float]] = {"created": [], "updated": [], "unchanged": []}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120) as http:
        headers = {"authorization": f"Bearer {token}"}
        for round_number in range(rounds):
            for edition, expected in ((0, "created"), (1, "updated"), (1, "unchanged")):
                body = {"query": UPSERT_PRODUCTS, "variables": {"items": items(count, round_number, edition)}}
                started = time.perf_counter()
                response = await http.post("/graphql", json=body, headers=headers)
                elapsed = time.perf_counter() - started
                payload = response.json()["data"]["upsertProducts"]
                assert payload[expected] == count and not payload["errors"], payload
                timings[expected].append(elapsed)
    await database.dispose()
    return timings


def report(label: str, count: int, timings: dict[str, list[float]]) -> None:
    parts = [
        f"{kind} median {statistics.median(values):5.2f} s, worst {max(values):5.2f} s"
        for kind, values in timings.items()
    ]
    print(f"{label:10s} UpsertProducts, {count:,} items: " + " | ".join(parts), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--catalogue", type=int, default=0, help="demo products loaded first")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench_sync")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the PostgreSQL database; make only what is missing")
    args = parser.parse_args()
    print(f"{args.items:,} items a batch, {args.catalogue:,} demo products first, {args.rounds} rounds")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        if not args.skip_sqlite:
            migrations.upgrade(url)
            results.append(("SQLite", asyncio.run(measure(url, args.items, args.catalogue, args.rounds))))
    if not args.skip_postgres:
        if args.reuse and database_exists(args.postgres):
            migrations.upgrade(args.postgres)
        else:
            migrations.recreate_postgres(args.postgres)
        results.append(("PostgreSQL", asyncio.run(measure(args.postgres, args.items, args.catalogue, args.rounds))))
    print()
    for label, timings in results:
        report(label, args.items, timings)


if __name__ == "__main__":
    main()
