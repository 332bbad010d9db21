"""The ordering flow end to end: cart, lines, read, submit, approve; per operation and per flow.

One flow is what an assistant and a purchaser do for one order, with the
contract's operations (../shared/contract/storefront-carts.graphql and
storefront-orders.graphql):

1. CreateCart (assistant);
2. AddToCart: 20 different products, either in ONE call with 20 lines
   ("bulk") or in 20 calls of one line each ("per-line");
3. Cart: the cart with its lines and totals (assistant);
4. SubmitCart (assistant: the order waits for approval, the main user is mailed);
5. ApproveOrder (purchaser: the order is submitted, the assistant is mailed).

Targets, each on a freshly seeded database (the demo customers and users,
``--products`` demo products with agreement prices, customer 10001's schedule
replaced by every day with a cut-off at 23:59 on the day, so the real clock
always has a date two days ahead to order for):

* in-process: the ASGI app (app.main.create_app) through httpx.ASGITransport,
  on a temporary SQLite file and on PostgreSQL, ``--inproc-clients`` flows at
  a time (default 1: the cost of each operation alone);
* over HTTP: ``commerce serve --workers 2`` on PostgreSQL with
  ``--http-clients`` concurrent flows (default 12).

No mail leaves the machine: in-process the app has ``mail_worker=False`` and a
file:// mail URL; the server runs with COMMERCE_MAIL_WORKER=false and a file://
mail URL in a temp dir (the outbox only fills up).

Per target and mode it prints: operation, count, ops/s (completed operations
of that kind per second of the measured run's wall time), p50 and p99 latency
in ms, and the whole flow (flows/s, p50/p99 of a flow's duration). A few
warm-up flows are not counted.

Usage: .venv/bin/python bench/orders.py [--flows 40] [--http-flows 96] [--products 2000]
       [--inproc-clients 1] [--http-clients 12] [--modes bulk,per-line]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/commerce_bench_orders]
       [--skip-sqlite] [--skip-postgres] [--skip-http]
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
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app import clock, migrations  # noqa: E402
from app.db import Database  # noqa: E402
from app.demo.seed import seed_demo  # noqa: E402
from app.http import heap  # noqa: E402
from app.identity.sessions import open_session  # noqa: E402
from app.ids import encode_id  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Customer, DeliveryAddress, DeliverySchedule, Product, User  # noqa: E402
from app.ordering import calendar  # noqa: E402
from app.settings import RateLimits, Settings  # noqa: E402
from bench import loadgen  # noqa: E402

CUSTOMER = "10001"
LINES = 20
WARMUP_FLOWS = 3

# The contract's operations, as the storefront sends them.
CREATE_CART = """mutation CreateCart($customerNumber: String!, $name: String) {
  createCart(customerNumber: $customerNumber, name: $name) {
    cart { id name version }
    errors { code field message }
  }
}"""
ADD_TO_CART = """mutation AddToCart($cartId: ID!, $lines: [CartLineInput!]!, $expectedVersion: Int) {
  addToCart(cartId: $cartId, lines: $lines, expectedVersion: $expectedVersion) {
    cart { id version lines { id quantity product { sku } } total { amount } }
    errors { code field message }
  }
}"""
CART = """query Cart($id: ID!) {
  cart(id: $id) {
    id name status version
    customer { number }
    lines {
      id quantity
      product { sku name unit }
      unitPrice { amount currency }
      lineTotal { amount currency }
    }
    subtotal { amount currency }
    vat { amount currency }
    total { amount currency }
  }
}"""
SUBMIT_CART = """mutation SubmitCart($cartId: ID!, $input: SubmitCartInput!, $expectedVersion: Int) {
  submitCart(cartId: $cartId, input: $input, expectedVersion: $expectedVersion) {
    order { id number status deliveryDate total { amount currency } }
    errors { code field message }
  }
}"""
APPROVE_ORDER = """mutation ApproveOrder($orderId: ID!, $deliveryDate: Date) {
  approveOrder(orderId: $orderId, deliveryDate: $deliveryDate) {
    order { id status deliveryDate approvedBy { name } approvedAt }
    errors { code message }
  }
}"""

OPERATIONS = ("createCart", "addToCart", "Cart", "submitCart", "approveOrder")


@dataclass(frozen=True)
class Shop:
    assistant: str  # tokens
    purchaser: str
    address: str  # DeliveryAddress id
    day: date
    skus: list[str]


@dataclass
class Run:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    flows: list[float] = field(default_factory=list)
    seconds: float = 0.0
    # Over HTTP: CPU time the server's workers spent on the measured flows, and the SQL statements
    # they sent (warm-up flows included; None in-process).
    server_cpu: float | None = None
    statements: float | None = None


# --- data ---------------------------------------------------------------------


def order_date() -> date:
    """The first date two days or more ahead that the every-day schedule accepts (never a holiday)."""
    schedule = calendar.DeliverySchedule.from_stored(range(1, 8), 0, "23:59", [])
    now = clock.now()
    day = calendar.next_delivery_date(schedule, now + timedelta(days=2))
    assert day is not None and calendar.why_not_deliverable(schedule, day, now) is None
    return day


async def seed(url: str, products: int) -> Shop:
    database = Database(url)
    started = time.perf_counter()
    async with database.transaction() as session:
        await seed_demo(session, products=products)
    async with database.transaction() as session:
        customer = await session.scalar(select(Customer).where(Customer.number == CUSTOMER))
        assert customer is not None
        await session.merge(
            DeliverySchedule(
                customer_id=customer.id,
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                cutoff_days_before=0,
                cutoff_time="23:59",
                closed_dates=[],
            )
        )
        address_id = await session.scalar(
            select(DeliveryAddress.id).where(DeliveryAddress.customer_id == customer.id, DeliveryAddress.is_default)
        )
        tokens = {}
        for who in ("assistant", "purchaser"):
            user_id = await session.scalar(select(User.id).where(User.email_key == f"{who}@demo.test"))
            tokens[who], _ = await open_session(session, user_id)
        skus = list((await session.scalars(select(Product.sku).where(Product.active.is_(True)))).all())
    if database.engine.dialect.name == "postgresql":
        async with database.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    await database.dispose()
    print(f"  seeded {len(skus):,} active products in {time.perf_counter() - started:.1f} s", flush=True)
    assert len(skus) >= LINES
    return Shop(tokens["assistant"], tokens["purchaser"], encode_id("DeliveryAddress", address_id), order_date(), skus)


# --- the flow -------------------------------------------------------------------


async def call(
    http: httpx.AsyncClient, run: Run | None, op: str, query: str, variables: dict[str, Any], token: str
) -> dict[str, Any]:
    started = time.perf_counter()
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    result = response.json()
    assert "errors" not in result, result
    (payload,) = result["data"].values()
    if isinstance(payload, dict) and payload.get("errors"):
        raise AssertionError(f"{op}: {payload['errors']}")
    if run is not None:
        run.samples[op].append(elapsed)
    return payload


async def flow(http: httpx.AsyncClient, shop: Shop, mode: str, rng: random.Random, run: Run | None) -> None:
    started = time.perf_counter()
    lines = [{"sku": sku, "quantity": rng.randint(1, 20)} for sku in rng.sample(shop.skus, LINES)]
    cart = await call(http, run, "createCart", CREATE_CART, {"customerNumber": CUSTOMER, "name": None}, shop.assistant)
    cart_id = cart["cart"]["id"]
    batches = [lines] if mode == "bulk" else [[line] for line in lines]
    for batch in batches:
        await call(http, run, "addToCart", ADD_TO_CART, {"cartId": cart_id, "lines": batch}, shop.assistant)
    read = await call(http, run, "Cart", CART, {"id": cart_id}, shop.assistant)
    assert len(read["lines"]) == LINES, read
    submit_input = {"deliveryAddressId": shop.address, "deliveryDate": shop.day.isoformat()}
    submitted = await call(
        http, run, "submitCart", SUBMIT_CART, {"cartId": cart_id, "input": submit_input}, shop.assistant
    )
    assert submitted["order"]["status"] == "PENDING_APPROVAL", submitted
    approved = await call(
        http, run, "approveOrder", APPROVE_ORDER, {"orderId": submitted["order"]["id"]}, shop.purchaser
    )
    assert approved["order"]["status"] == "SUBMITTED", approved
    if run is not None:
        run.flows.append(time.perf_counter() - started)


async def drive(http: httpx.AsyncClient, shop: Shop, mode: str, flows: int, clients: int) -> Run:
    rng = random.Random(4711)
    for _ in range(WARMUP_FLOWS):
        await flow(http, shop, mode, rng, None)
    run = Run()
    remaining = flows

    async def client() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await flow(http, shop, mode, rng, run)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    run.seconds = time.perf_counter() - started
    return run


# --- targets ----------------------------------------------------------------------


async def in_process(url: str, products: int, modes: list[str], flows: int, clients: int) -> dict[str, Run]:
    shop = await seed(url, products)
    database = Database(url)
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory() as mail:
        # Rate limits off, as over HTTP (the e2e server helper turns them off): one token sends every flow.
        settings = Settings(
            database_url=url,
            mail_url=f"file://{mail}",
            mail_worker=False,
            log_level="warning",
            rate_limits=RateLimits(enabled=False),
        )
        app = create_app(settings, database)
        heap.settle()  # as app/asgi.py does for the server
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as http:
            for mode in modes:
                runs[mode] = await drive(http, shop, mode, flows, clients)
    await database.dispose()
    return runs


async def over_http(
    base_url: str, shop: Shop, modes: list[str], flows: int, clients: int, workers: list[int]
) -> dict[str, Run]:
    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
    runs: dict[str, Run] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        for mode in modes:
            # Includes the warm-up flows' CPU: a few of many, and the machine may be shared anyway.
            cpu_before = loadgen.cpu_seconds(workers)
            statements_before = loadgen.statement_totals(base_url)[0]
            runs[mode] = await drive(http, shop, mode, flows, clients)
            runs[mode].server_cpu = loadgen.cpu_seconds(workers) - cpu_before
            runs[mode].statements = loadgen.statement_totals(base_url)[0] - statements_before
    return runs


def http_target(url: str, products: int, modes: list[str], flows: int, clients: int, workers: int) -> dict[str, Run]:
    from tests.helpers.server import running_server  # the e2e tests' way of starting `commerce serve`

    migrations.recreate_postgres(url)
    shop = asyncio.run(seed(url, products))
    with tempfile.TemporaryDirectory() as folder:
        with running_server(
            Path(folder), "--workers", str(workers), database_url=url, env={"COMMERCE_MAIL_WORKER": "false"}
        ) as server:
            deadline = time.monotonic() + 30  # every worker up, or the first flows measure fewer
            while len(loadgen.worker_pids(server.process.pid)) < workers and time.monotonic() < deadline:
                time.sleep(0.2)
            pids = loadgen.worker_pids(server.process.pid)
            return asyncio.run(over_http(server.base_url, shop, modes, flows, clients, pids))


# --- report ---------------------------------------------------------------------


def percentile_ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def report(title: str, mode: str, run: Run) -> None:
    add = "addToCart (20 lines)" if mode == "bulk" else "addToCart (1 line)"
    print(f"\n{title}, {mode}: {len(run.flows)} flows in {run.seconds:.1f} s")
    print(f"  {'operation':24s} {'count':>6s} {'ops/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s}")
    for op in OPERATIONS:
        samples = run.samples[op]
        label = add if op == "addToCart" else op
        print(
            f"  {label:24s} {len(samples):6d} {len(samples) / run.seconds:8.1f} "
            f"{percentile_ms(samples, 0.5):8.1f} {percentile_ms(samples, 0.99):8.1f}"
        )
    print(
        f"  {'whole flow':24s} {len(run.flows):6d} {len(run.flows) / run.seconds:8.1f} "
        f"{percentile_ms(run.flows, 0.5):8.1f} {percentile_ms(run.flows, 0.99):8.1f}",
        flush=True,
    )
    if run.server_cpu is not None:
        flows = len(run.flows) + WARMUP_FLOWS
        print(
            f"  server CPU (all workers): {run.server_cpu / flows * 1000:.1f} ms per flow; "
            f"SQL statements: {(run.statements or 0) / flows:.1f} per flow",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=40, help="measured flows per mode, in-process")
    parser.add_argument("--http-flows", type=int, default=96, help="measured flows per mode, over HTTP")
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--inproc-clients", type=int, default=1)
    parser.add_argument("--http-clients", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default="bulk,per-line")
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/commerce_bench_orders")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if not modes or any(mode not in {"bulk", "per-line"} for mode in modes):
        parser.error("--modes takes bulk and/or per-line")
    print(
        f"{args.products:,} products; a flow: createCart, {LINES} lines (bulk: 1 addToCart with {LINES} lines; "
        f"per-line: {LINES} addToCart calls), Cart, submitCart (assistant), approveOrder (purchaser); "
        f"{os.cpu_count()} cores",
        flush=True,
    )
    reports: list[tuple[str, dict[str, Run]]] = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/bench.db"
            migrations.upgrade(url)
            print("SQLite, in-process:", flush=True)
            title = f"SQLite in-process, {args.inproc_clients} client(s)"
            reports.append((title, asyncio.run(in_process(url, args.products, modes, args.flows, args.inproc_clients))))
    if not args.skip_postgres:
        migrations.recreate_postgres(args.postgres)
        print("PostgreSQL, in-process:", flush=True)
        title = f"PostgreSQL in-process, {args.inproc_clients} client(s)"
        runs = asyncio.run(in_process(args.postgres, args.products, modes, args.flows, args.inproc_clients))
        reports.append((title, runs))
    if not args.skip_http:
        print(f"PostgreSQL, commerce serve --workers {args.workers}:", flush=True)
        title = f"PostgreSQL HTTP, {args.workers} workers, {args.http_clients} concurrent flows"
        runs = http_target(args.postgres, args.products, modes, args.http_flows, args.http_clients, args.workers)
        reports.append((title, runs))
    for title, runs in reports:
        for mode, run in runs.items():
            report(title, mode, run)


if __name__ == "__main__":
    main()
