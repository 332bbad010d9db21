"""Search speed on a large catalogue: through the GraphQL layer and as the bare query.

Seeds the demo catalogue (100,000 products by default) into a fresh SQLite file
and into a PostgreSQL database (``generate_catalogue``: bulk COPY/inserts with
the search index's own rows, and a year of sales counts so the tie-breaks have
something to read), then runs a set of typical searches many times:

* through GraphQL in-process (the ASGI app via httpx, SearchProducts with 20
  results, price for the demo customer and category, as a frontend sends it);
* as the bare search query alone (``app.catalog.search.search``).

It prints p50/p99 per backend and the ratio, so the cost of our layers shows, each
search's median and worst (which of them make the tail), the
CPU seconds per request (this process; and PostgreSQL's backends, read from /proc:
less noisy than wall-clock time on a loaded machine), and the index's size on disk
per 100,000 products.

With ``--reuse`` the databases are kept between runs (PostgreSQL as named, SQLite
in ``--sqlite-file``) and only what is missing is generated: a 1M catalogue is made once.

Usage: .venv/bin/python bench/search.py [--products 100000] [--rounds 30]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench_search]
       [--reuse] [--sqlite-file /tmp/bench_search.db] [--skip-sqlite] [--skip-postgres]
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
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from app import migrations  # noqa: E402
from app.catalog import sales, search  # noqa: E402
from app.db import Database  # noqa: E402
from app.demo.seed import seed_demo  # noqa: E402
from app.http import heap  # noqa: E402
from app.identity.sessions import open_session  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Customer, CustomerPurchase, Product, ProductSales, User  # noqa: E402
from app.settings import RateLimits, Settings  # noqa: E402

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


# A year of sales for the tie-breaks: every SOLD_EVERY-th product sold in the shop, and the
# demo customer's own purchases of every OWN_EVERY-th.
SOLD_EVERY, OWN_EVERY = 5, 300


async def generate_catalogue(url: str, products: int) -> None:
    """The demo data with its first ``products`` catalogue products and their index rows (only
    what is missing: a database that has them already is left as it is), plus sales counts.

    Bulk loaded (COPY on PostgreSQL) through the demo catalogue's writer, which makes the rows
    with the search index's own ``index_terms``. For other benchmarks too (bench/engines.py
    imports it); the database at ``url`` must be migrated. On PostgreSQL without the statement
    timeout: building the index's primary key over 44M rows takes minutes.
    """
    options: dict[str, object] = {}
    if not url.startswith("sqlite"):
        settings = {"statement_timeout": "0", "maintenance_work_mem": "256MB"}
        options = {"connect_args": {"server_settings": settings}}
    database = Database(url, **options)
    try:
        async with database.transaction() as session:
            started = time.perf_counter()
            await seed_demo(session, products=products)
            print(f"  catalogue of {products:,} products ready in {time.perf_counter() - started:.1f} s", flush=True)
        async with database.transaction() as session:
            if await session.scalar(select(ProductSales.product_id).limit(1)) is None:
                await _add_sales(session)
        if database.engine.dialect.name == "postgresql":
            # Statistics and the visibility map, as autovacuum leaves them soon after a bulk load
            # (PostgreSQL 13+ vacuums after inserts too): without the map, an index-only scan
            # still visits the table for every row.
            async with database.engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await database.dispose()


async def _add_sales(session: AsyncSession) -> None:
    """This month's sales counts: the shop's of every SOLD_EVERY-th product, and the demo
    customer's own of every OWN_EVERY-th (as app.catalog.sales keeps them with orders)."""
    month = sales.month_key(datetime.now(UTC))
    customer_id = await session.scalar(select(Customer.id).where(Customer.number == "10001"))
    ids = list((await session.scalars(select(Product.id).order_by(Product.id))).all())
    shop = [{"product_id": i, "month": month, "units": 1 + i % 37} for i in ids[::SOLD_EVERY]]
    for start in range(0, len(shop), 10_000):
        await session.execute(ProductSales.__table__.insert(), shop[start : start + 10_000])
    if customer_id is not None:
        own = [{"customer_id": customer_id, "product_id": i, "month": month, "units": 2} for i in ids[::OWN_EVERY]]
        await session.execute(CustomerPurchase.__table__.insert(), own)


async def index_size(database: Database) -> int:
    """Bytes on disk of the search index (search_terms and search_words, with their indexes);
    negative: SQLite without dbstat, the whole database file's size instead."""
    async with database.engine.connect() as connection:
        if database.engine.dialect.name == "postgresql":
            found = await connection.scalar(
                text("SELECT pg_total_relation_size('search_terms') + pg_total_relation_size('search_words')")
            )
            return int(found or 0)
        try:
            found = await connection.scalar(
                text(
                    "SELECT sum(pgsize) FROM dbstat WHERE name IN ('search_terms', 'search_words') "
                    "OR tbl_name IN ('search_terms', 'search_words')"
                )
            )
        except Exception:  # SQLite built without dbstat: the whole file (an upper bound)
            path = database.engine.url.database or ""
            return -os.path.getsize(path) if os.path.exists(path) else 0
        return int(found or 0)


def _cpu_of(pids: list[int]) -> float:
    """utime + stime of those processes (seconds), from /proc; 0 for any that is gone or unreadable."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


async def _backend_pids(database: Database) -> list[int]:
    if database.engine.dialect.name != "postgresql":
        return []
    async with database.engine.connect() as connection:
        rows = await connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
        return [row[0] for row in rows]


async def prepare(url: str, products: int) -> tuple[Database, str, list[str]]:
    await generate_catalogue(url, products)
    database = Database(url)
    async with database.transaction() as session:
        user_id = await session.scalar(select(User.id).where(User.email_key == "purchaser@demo.test"))
        token, _ = await open_session(session, user_id)
        skus = list((await session.scalars(select(Product.sku).order_by(Product.id).limit(3))).all())
    return database, token, skus


@dataclass
class Figures:
    graphql: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    suggest: list[float] = field(default_factory=list)
    requests: int = 0  # GraphQL requests and bare searches timed
    cpu: float = 0.0  # this process's CPU seconds over them
    database_cpu: float = 0.0  # PostgreSQL's backends' CPU seconds over them
    suggest_cpu: float = 0.0  # ... of which the suggestions' (this process)
    suggest_database_cpu: float = 0.0  # ... and the database backends'
    index_bytes: int = 0
    by_text: dict[str, list[float]] = field(default_factory=dict)  # GraphQL seconds per search text


async def measure(url: str, products: int, rounds: int) -> Figures:
    database, token, skus = await prepare(url, products)
    terms = [*SEARCHES, skus[0], skus[1][:4]]
    settings = Settings(database_url=url, mail_worker=False, log_level="warning", rate_limits=RateLimits(enabled=False))
    app = create_app(settings, database)
    heap.settle()  # as app/asgi.py does for the server
    figures = Figures(index_bytes=await index_size(database))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        headers = {"authorization": f"Bearer {token}"}
        for round_number in range(rounds + 2):
            if round_number == 2:  # the first rounds warm caches (and open the pool's connections)
                pids = await _backend_pids(database)
                cpu, database_cpu = time.process_time(), _cpu_of(pids)
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
                if round_number >= 2:
                    figures.graphql.append(elapsed)
                    figures.bare.append(bare_elapsed)
                    figures.by_text.setdefault(term, []).append(elapsed)
            suggest_started = time.process_time(), _cpu_of(pids) if round_number >= 2 else 0.0
            for prefix in PREFIXES:
                body = {"query": SUGGEST, "variables": {"prefix": prefix, "customerNumber": "10001"}}
                started = time.perf_counter()
                response = await http.post("/graphql", json=body, headers=headers)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200 and "errors" not in response.json(), response.text[:500]
                if round_number >= 2:
                    figures.suggest.append(elapsed)
            if round_number >= 2:
                figures.suggest_cpu += time.process_time() - suggest_started[0]
                figures.suggest_database_cpu += _cpu_of(pids) - suggest_started[1]
        figures.requests = len(figures.graphql) * 2 + len(figures.suggest)
        figures.cpu = time.process_time() - cpu
        figures.database_cpu = _cpu_of(pids) - database_cpu
    await database.dispose()
    return figures


def report(label: str, products: int, figures: Figures) -> None:
    graphql, bare, suggest = figures.graphql, figures.bare, figures.suggest
    print(f"{label:10s} searchSuggestions p50 {ms(suggest, 0.5):6.1f} ms  p99 {ms(suggest, 0.99):6.1f} ms")
    print(
        f"{label:10s} GraphQL p50 {ms(graphql, 0.5):6.1f} ms  p99 {ms(graphql, 0.99):6.1f} ms | "
        f"bare search p50 {ms(bare, 0.5):6.1f} ms  p99 {ms(bare, 0.99):6.1f} ms | "
        f"ratio p50 {statistics.median(graphql) / statistics.median(bare):4.2f}x",
    )
    print(
        f"{label:10s} CPU per request (searches, bare searches, suggestions alike): "
        f"this process {figures.cpu / figures.requests * 1000:5.1f} ms, "
        f"database backends {figures.database_cpu / figures.requests * 1000:5.1f} ms | "
        f"{'index' if figures.index_bytes >= 0 else 'whole database file (no dbstat)'} "
        f"{abs(figures.index_bytes) / 2**20:7.1f} MiB, {abs(figures.index_bytes) / 2**20 / products * 100_000:6.1f} MiB "
        "per 100k products",
        flush=True,
    )
    searches, suggested = len(figures.graphql) * 2, len(figures.suggest)
    print(
        f"{label:10s} CPU per request apart: searches (GraphQL and bare) this process "
        f"{(figures.cpu - figures.suggest_cpu) / searches * 1000:5.1f} ms, database backends "
        f"{(figures.database_cpu - figures.suggest_database_cpu) / searches * 1000:5.1f} ms | suggestions this process "
        f"{figures.suggest_cpu / suggested * 1000:5.1f} ms, database backends "
        f"{figures.suggest_database_cpu / suggested * 1000:5.1f} ms",
        flush=True,
    )
    # Which searches make the tail: each text's median and worst through GraphQL.
    print(
        f"{label:10s} per search (GraphQL median / worst ms): "
        + ", ".join(f"{text} {ms(times, 0.5):.0f}/{max(times) * 1000:.0f}" for text, times in figures.by_text.items()),
        flush=True,
    )
    limits = (25, 80, 15) if products <= 100_000 else (50, 150, None)
    verdict = [
        f"GraphQL p50 <= {limits[0]} ms: {'yes' if ms(graphql, 0.5) <= limits[0] else 'NO'}",
        f"p99 <= {limits[1]} ms: {'yes' if ms(graphql, 0.99) <= limits[1] else 'NO'}",
    ]
    if limits[2] is not None:
        verdict.append(f"suggestions p50 < {limits[2]} ms: {'yes' if ms(suggest, 0.5) < limits[2] else 'NO'}")
    print(f"{label:10s} targets: " + ", ".join(verdict), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench_search")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the databases; generate only what is missing")
    parser.add_argument("--sqlite-file", default=None, help="with --reuse: the SQLite file kept")
    parser.add_argument("--generate-only", action="store_true", help="make the catalogue(s), measure nothing")
    args = parser.parse_args()
    print(
        f"{args.products:,} products; searches: {', '.join(SEARCHES)} + an exact SKU + a SKU prefix; {args.rounds} rounds; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    results: list[tuple[str, Figures]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = args.sqlite_file if args.reuse and args.sqlite_file else f"{folder}/bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        if not args.skip_sqlite:
            migrations.upgrade(url)
            print("SQLite:", flush=True)
            if args.generate_only:
                asyncio.run(generate_catalogue(url, args.products))
            else:
                results.append(("SQLite", asyncio.run(measure(url, args.products, args.rounds))))
    if not args.skip_postgres:
        if args.reuse and database_exists(args.postgres):
            migrations.upgrade(args.postgres)
        else:
            migrations.recreate_postgres(args.postgres)
        print("PostgreSQL:", flush=True)
        if args.generate_only:
            asyncio.run(generate_catalogue(args.postgres, args.products))
        else:
            results.append(("PostgreSQL", asyncio.run(measure(args.postgres, args.products, args.rounds))))
    print(f"\nload average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for label, figures in results:
        report(label, args.products, figures)


def database_exists(url: str) -> bool:
    """Whether the PostgreSQL database of ``url`` exists."""
    base, _, name = url.rpartition("/")

    async def look() -> bool:
        admin = Database(f"{base}/postgres")
        try:
            async with admin.engine.connect() as connection:
                found = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                return found is not None
        finally:
            await admin.dispose()

    return asyncio.run(look())


if __name__ == "__main__":
    main()
