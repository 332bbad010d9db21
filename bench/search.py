"""Search speed on a large catalogue: through the GraphQL layer and as the bare query.

Seeds the demo catalogue (100,000 products by default) into a fresh SQLite file
and into a PostgreSQL database, then runs a set of typical searches many times:

* through GraphQL in-process (the ASGI app via httpx, SearchProducts with 20
  results, price for the demo customer and category, as a frontend sends it);
* as the bare search query alone (``app.catalog.search.search``).

It prints p50/p99 per backend and the ratio, so the cost of our layers shows.

Usage: .venv/bin/python bench/search.py [--products 100000] [--rounds 30]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench_search]
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

import httpx  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app import migrations  # noqa: E402
from app.catalog import search  # noqa: E402
from app.db import Database  # noqa: E402
from app.demo.seed import seed_demo  # noqa: E402
from app.http import heap  # noqa: E402
from app.identity.sessions import open_session  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Product, User  # noqa: E402
from app.settings import Settings  # noqa: E402

QUERY = """query SearchProducts($search: String, $customerNumber: String, $first: Int) {
  products(search: $search, first: $first) {
    totalCount
    edges { node { id sku name unit packSize manufacturer thumbnailUrl inStock
      category { id name } price(customerNumber: $customerNumber) { amount currency } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

SEARCHES = ["hansker", "nitrilhanske", "kompress", "kompreser", "sprøyte 10 ml", "kateter", "desinfeksjon", "bleie"]
# Typed compounds and Nynorsk (split into the catalogue's words, read as every form).
SEARCHES += ["engangshansker", "sårkompresser", "hanskar"]
# The search box as the user types (searchSuggestions), for the demo customer.
PREFIXES = ["ha", "han", "nitr", "kom", "sprø", "kat", "de", "ble"]
SUGGEST = """query SearchSuggestions($prefix: String!, $customerNumber: String) {
  searchSuggestions(prefix: $prefix, customerNumber: $customerNumber) {
    categories { id name productCount } products { id sku name thumbnailUrl } } }"""


def ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def prepare(url: str, products: int) -> tuple[Database, str, list[str]]:
    database = Database(url)
    async with database.transaction() as session:
        started = time.perf_counter()
        await seed_demo(session, products=products)
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
    async with database.transaction() as session:
        user_id = await session.scalar(select(User.id).where(User.email_key == "purchaser@demo.test"))
        token, _ = await open_session(session, user_id)
        skus = list((await session.scalars(select(Product.sku).order_by(Product.id).limit(3))).all())
    if database.engine.dialect.name == "postgresql":
        # Statistics and the visibility map, as autovacuum leaves them soon after a bulk load
        # (PostgreSQL 13+ vacuums after inserts too): without the map, an index-only scan
        # still visits the table for every row.
        async with database.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    return database, token, skus


async def measure(url: str, products: int, rounds: int) -> tuple[list[float], list[float], list[float]]:
    database, token, skus = await prepare(url, products)
    terms = [*SEARCHES, skus[0], skus[1][:4]]
    app = create_app(Settings(database_url=url, mail_worker=False, log_level="warning"), database)
    heap.settle()  # as app/asgi.py does for the server
    graphql: list[float] = []
    bare: list[float] = []
    suggest: list[float] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        headers = {"authorization": f"Bearer {token}"}
        for round_number in range(rounds + 2):
            for term in terms:
                body = {"query": QUERY, "variables": {"search": term, "customerNumber": "10001", "first": 20}}
                started = time.perf_counter()
                response = await http.post("/graphql", json=body, headers=headers)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200 and "errors" not in response.json(), response.text[:500]
                started = time.perf_counter()
                async with database.reader() as session:
                    await search.search(session, search.SearchQuery(text=term, limit=20))
                bare_elapsed = time.perf_counter() - started
                if round_number >= 2:  # the first rounds warm caches
                    graphql.append(elapsed)
                    bare.append(bare_elapsed)
            for prefix in PREFIXES:
                body = {"query": SUGGEST, "variables": {"prefix": prefix, "customerNumber": "10001"}}
                started = time.perf_counter()
                response = await http.post("/graphql", json=body, headers=headers)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200 and "errors" not in response.json(), response.text[:500]
                if round_number >= 2:
                    suggest.append(elapsed)
    await database.dispose()
    return graphql, bare, suggest


def report(label: str, graphql: list[float], bare: list[float], suggest: list[float]) -> None:
    print(f"{label:10s} searchSuggestions p50 {ms(suggest, 0.5):6.1f} ms  p99 {ms(suggest, 0.99):6.1f} ms")
    print(
        f"{label:10s} GraphQL p50 {ms(graphql, 0.5):6.1f} ms  p99 {ms(graphql, 0.99):6.1f} ms | "
        f"bare search p50 {ms(bare, 0.5):6.1f} ms  p99 {ms(bare, 0.99):6.1f} ms | "
        f"ratio p50 {statistics.median(graphql) / statistics.median(bare):4.2f}x",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench_search")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(
        f"{args.products:,} products; searches: {', '.join(SEARCHES)} + an exact SKU + a SKU prefix; {args.rounds} rounds"
    )
    results: list[tuple[str, list[float], list[float], list[float]]] = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        if not args.skip_sqlite:
            migrations.upgrade(url)
            print("SQLite:", flush=True)
            results.append(("SQLite", *asyncio.run(measure(url, args.products, args.rounds))))
    if not args.skip_postgres:
        migrations.recreate_postgres(args.postgres)
        print("PostgreSQL:", flush=True)
        results.append(("PostgreSQL", *asyncio.run(measure(args.postgres, args.products, args.rounds))))
    print()
    for label, graphql, bare, suggest in results:
        report(label, graphql, bare, suggest)


if __name__ == "__main__":
    main()
