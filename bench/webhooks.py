"""Webhooks: events delivered per second to a local receiver, and what writing events adds to submitCart.

1. submitCart (bench/orders.py's flow, in-process, bulk mode) with no endpoint,
   then with one endpoint subscribed to every event: p50/p99 of submitCart,
   and the time spent inside submitCart's transaction writing its events
   (``app.webhooks.events.emit``, timed around each call). Target: at most
   1 ms p50 added.
2. Throughput: ``--events`` deliveries queued for one endpoint on a local
   receiver (the tests' asyncio receiver, loopback, answering 200 at once and
   verifying nothing, so the sender is what is measured), delivered by one
   sender, then by two senders at once (PostgreSQL; SKIP LOCKED claims).

On a temporary SQLite file and on PostgreSQL (``--postgres``, dropped and
re-created: give it a database of its own).

Usage: .venv/bin/python bench/webhooks.py [--flows 40] [--events 2000] [--products 300]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/commerce_bench_webhooks] [--skip-postgres]
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import importlib.util  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import delete, text  # noqa: E402

from app import clock, migrations  # noqa: E402
from app.admin import create_api_key  # noqa: E402
from app.db import Database  # noqa: E402
from app.http import heap  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import ApiKey, WebhookDelivery, WebhookEndpoint  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.webhooks import events  # noqa: E402
from app.webhooks.endpoints import new_secret  # noqa: E402
from app.webhooks.sender import WebhookSender  # noqa: E402
from tests.webhooks.receiver import Receiver  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_orders", os.path.join(_HERE, "orders.py"))
assert _spec is not None and _spec.loader is not None
orders = importlib.util.module_from_spec(_spec)
sys.modules["bench_orders"] = orders  # dataclasses look their module up there
_spec.loader.exec_module(orders)


def pct(samples: list[float], q: float) -> float:
    return orders.percentile_ms(samples, q)


async def submit_delay(url: str, products: int, flows: int, receiver_url: str) -> None:
    shop = await orders.seed(url, products)
    database = Database(url)
    emit_times: list[float] = []
    round_trips: list[float] = []
    original = events.emit

    async def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        # For scale: one trivial round trip on the same session, just before.
        started = time.perf_counter()
        await args[0].execute(text("SELECT 1"))
        round_trips.append(time.perf_counter() - started)
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            emit_times.append(time.perf_counter() - started)

    events.emit = timed  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as mail:
            settings = Settings(database_url=url, mail_url=f"file://{mail}", mail_worker=False, log_level="warning")
            app = create_app(replace(settings, webhook_allow_private=True), database)
            heap.settle()
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60
            ) as http:
                results = {}
                for label in ("no endpoint", "1 endpoint, all events"):
                    if label != "no endpoint":
                        async with database.transaction() as session:
                            await create_api_key(session, "bench-erp", ["webhooks:write"])
                            key_id = (await session.execute(ApiKey.__table__.select())).first().id
                            session.add(
                                WebhookEndpoint(
                                    api_key_id=key_id,
                                    url=receiver_url,
                                    events=" ".join(events.EVENT_TYPES),
                                    secret=new_secret(),
                                )
                            )
                    rng = random.Random(4711)
                    for _ in range(orders.WARMUP_FLOWS):
                        await orders.flow(http, shop, "bulk", rng, None)
                    emit_times.clear()
                    round_trips.clear()
                    run = orders.Run()
                    for _ in range(flows):
                        await orders.flow(http, shop, "bulk", rng, run)
                    results[label] = (list(run.samples["submitCart"]), list(emit_times), list(round_trips))
        for label, (submits, emits, trips) in results.items():
            # Two emits per flow (submit, approve); the submit's are the even ones.
            submit_emits = emits[0::2]
            print(
                f"  {label:24} submitCart p50 {pct(submits, 0.5):6.2f} ms  p99 {pct(submits, 0.99):6.2f} ms   "
                f"writing its events p50 {pct(submit_emits, 0.5):5.3f} ms  p99 {pct(submit_emits, 0.99):5.3f} ms   "
                f"(a SELECT 1 there: p50 {pct(trips[0::2], 0.5):5.3f} ms)",
                flush=True,
            )
    finally:
        events.emit = original  # type: ignore[assignment]
        await database.dispose()


async def throughput(url: str, count: int, receiver: Receiver, senders: int) -> None:
    database = Database(url)
    settings = Settings(database_url=url, webhook_allow_private=True)
    try:
        async with database.transaction() as session:
            await session.execute(delete(WebhookDelivery))
            await session.execute(delete(WebhookEndpoint))
            await session.execute(delete(ApiKey).where(ApiKey.name == "bench-throughput"))
            await create_api_key(session, "bench-throughput", ["webhooks:write"])
            key_id = (
                (await session.execute(ApiKey.__table__.select().where(ApiKey.name == "bench-throughput"))).first().id
            )
            endpoint = WebhookEndpoint(
                api_key_id=key_id, url=receiver.url, events="order.submitted", secret=new_secret()
            )
            session.add(endpoint)
            await session.flush()
            now = clock.now()
            body = '{"type":"order.submitted","timestamp":"2026-11-29T12:00:00+00:00","data":{"orderNumber":"1000001"}}'
            session.add_all(
                WebhookDelivery(
                    endpoint_id=endpoint.id, event="order.submitted", message_id=events.new_message_id(), body=body,
                    next_attempt_at=now,
                )
                for _ in range(count)
            )  # fmt: skip
        received_before = len(receiver.received)
        workers = [WebhookSender(database, settings) for _ in range(senders)]
        started = time.perf_counter()
        reports = await asyncio.gather(*(w.deliver_pending() for w in workers))
        seconds = time.perf_counter() - started
        for w in workers:
            await w.close()
        delivered = sum(r.delivered for r in reports)
        assert delivered == count and len(receiver.received) - received_before == count, (delivered, reports)
        print(
            f"  {senders} sender(s): {count:,} events in {seconds:.2f} s = {count / seconds:,.0f} events/s", flush=True
        )
    finally:
        await database.dispose()


async def target(url: str, args: argparse.Namespace) -> None:
    receiver = await Receiver().start()
    try:
        await submit_delay(url, args.products, args.flows, receiver.url)
        await throughput(url, args.events, receiver, 1)
        if "postgresql" in url:
            await throughput(url, args.events, receiver, 2)
    finally:
        await receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=40)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/commerce_bench_webhooks")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {args.flows} measured flows per case; {args.events:,} events", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        migrations.upgrade(url)
        print("SQLite:", flush=True)
        asyncio.run(target(url, args))
    if not args.skip_postgres:
        migrations.recreate_postgres(args.postgres)
        print("PostgreSQL:", flush=True)
        asyncio.run(target(args.postgres, args))


if __name__ == "__main__":
    main()
