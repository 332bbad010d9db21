"""Live carts: latency from commit to subscriber, and memory per open subscription.

Setup: ``commerce serve --workers 2`` on a freshly migrated PostgreSQL, one
customer with ``--carts`` carts and enough users that no per-user limit is
reached. ``--subscriptions`` cartChanged subscriptions (default 200) are opened
over ``--subscriptions / 5`` WebSocket connections (five each), spread evenly
over the carts, on whichever worker the kernel gives each connection.

Latency: this process commits ``--changes`` cart changes one after another
(``carts.lock_for_change`` in a transaction, exactly the path a mutation takes,
so the NOTIFY leaves with the commit), each on a random cart. The writer is
a third process, so every subscriber sits on another process than the commit.
For each change it measures, per subscriber of that cart, the time from just
before ``COMMIT`` to the arrival of the WebSocket message with the new version
(the worker's LISTEN, the re-check of reach, the cart read, the send). It waits
for all of them before the next change. Prints p50, p99 and max.

Memory: the workers' RSS (``/proc/<pid>/status``) with the connections open
and initialised but no subscription, then with all subscriptions open; the
difference divided by the number of subscriptions.

Usage: .venv/bin/python bench/live.py [--subscriptions 200] [--carts 20] [--changes 100]
       [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/commerce_bench_live]
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
import json  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import websockets  # noqa: E402

from app import migrations  # noqa: E402
from app.db import Database  # noqa: E402
from app.ids import encode_id  # noqa: E402
from app.models import Role  # noqa: E402
from app.ordering import carts  # noqa: E402
from tests.factories import make_customer, make_user, sign_in  # noqa: E402
from tests.live.helpers import CART_CHANGED, PROTOCOL  # noqa: E402

PER_CONNECTION = 5
PER_USER = 20  # well under the per-user limit, however the connections fall on the workers


async def seed(url: str, cart_count: int, subscriptions: int) -> tuple[list[int], list[str]]:
    database = Database(url)
    customer = await make_customer(database, "10001", "Solsiden sykehjem")
    tokens = []
    for index in range(-(-subscriptions // PER_USER)):
        user = await make_user(database, (customer, Role.ASSISTANT), email=f"skift{index}@bench.test")
        tokens.append(await sign_in(database, user))
    cart_ids = []
    async with database.transaction() as session:
        for index in range(cart_count):
            cart_ids.append((await carts.create_cart(session, customer.id, None, f"Kurv {index}")).id)
    await database.dispose()
    return cart_ids, tokens


def rss_kib(pid: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


class Clients:
    def __init__(self) -> None:
        self.connections: list[websockets.ClientConnection] = []
        self.pids: set[str] = set()
        # (cart id, version) -> arrival times
        self.arrivals: dict[tuple[str, int], list[float]] = defaultdict(list)
        self.arrived = asyncio.Event()
        self.readers: list[asyncio.Task[None]] = []

    async def connect(self, url: str, token: str) -> websockets.ClientConnection:
        ws = await websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=30, max_queue=None)
        assert ws.response is not None
        self.pids.add(ws.response.headers["x-served-by"])
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        self.connections.append(ws)
        return ws

    def start_reading(self) -> None:
        self.readers = [asyncio.create_task(self._read(ws)) for ws in self.connections]

    async def _read(self, ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            now = time.perf_counter()
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send('{"type":"pong"}')
            elif message["type"] == "next":
                cart = message["payload"]["data"]["cartChanged"]
                self.arrivals[(cart["id"], cart["version"])].append(now)
                self.arrived.set()
            else:
                raise RuntimeError(f"unexpected message {message}")

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.connections), return_exceptions=True)


async def every_worker_accepting(ws_url: str, workers: int) -> None:
    """Waits until each worker has taken a connection: /healthz answering proves only one is up."""
    seen: set[str] = set()
    deadline = time.perf_counter() + 30
    while len(seen) < workers and time.perf_counter() < deadline:
        async with websockets.connect(ws_url, subprotocols=[PROTOCOL], open_timeout=30) as ws:
            assert ws.response is not None
            seen.add(ws.response.headers["x-served-by"])
    if len(seen) < workers:
        print(f"  warning: only workers {sorted(seen)} took connections", flush=True)


async def measure(url: str, ws_url: str, cart_ids: list[int], tokens: list[str], args: argparse.Namespace) -> None:
    await every_worker_accepting(ws_url, args.workers)
    clients = Clients()
    connection_count = -(-args.subscriptions // PER_CONNECTION)
    served_by: dict[str, int] = defaultdict(int)
    for index in range(connection_count):
        ws = await clients.connect(ws_url, tokens[index * PER_CONNECTION // PER_USER])
        assert ws.response is not None
        served_by[ws.response.headers["x-served-by"]] += 1
    await asyncio.sleep(1.0)
    before = {pid: rss_kib(pid) for pid in clients.pids}

    subscribers: dict[str, int] = defaultdict(int)
    opaque = [encode_id("Cart", pk) for pk in cart_ids]
    clients.start_reading()
    for number in range(args.subscriptions):
        ws = clients.connections[number // PER_CONNECTION]
        cart = opaque[number % len(opaque)]
        subscribers[cart] += 1
        payload = {"query": CART_CHANGED, "variables": {"cartId": cart}}
        await ws.send(json.dumps({"id": str(number), "type": "subscribe", "payload": payload}))
    # Every subscription answers with the cart as it is (version 1): then all are open.
    while sum(len(clients.arrivals[(cart, 1)]) for cart in opaque) < args.subscriptions:
        clients.arrived.clear()
        await asyncio.wait_for(clients.arrived.wait(), 30)
    await asyncio.sleep(1.0)
    after = {pid: rss_kib(pid) for pid in clients.pids}
    grown = sum(after.values()) - sum(before.values())
    print(
        f"  {connection_count} connections per worker {dict(served_by)}; RSS with connections only "
        f"{sum(before.values()) / 1024:.1f} MiB, with {args.subscriptions} subscriptions "
        f"{sum(after.values()) / 1024:.1f} MiB: {grown / args.subscriptions:.1f} KiB per subscription",
        flush=True,
    )

    database = Database(url)
    rng = random.Random(15)
    versions = {cart: 1 for cart in opaque}
    latencies: list[float] = []
    missing = 0
    for _ in range(args.changes):
        index = rng.randrange(len(cart_ids))
        cart = opaque[index]
        async with database.writer() as session:
            await session.begin()
            changed = await carts.lock_for_change(session, cart_ids[index], None, None)
            versions[cart] = changed.version
            started = time.perf_counter()
            await session.commit()
        key = (cart, versions[cart])
        deadline = time.perf_counter() + 10
        while len(clients.arrivals[key]) < subscribers[cart] and time.perf_counter() < deadline:
            clients.arrived.clear()
            try:
                await asyncio.wait_for(clients.arrived.wait(), 0.5)
            except TimeoutError:
                pass
        missing += subscribers[cart] - len(clients.arrivals[key])
        latencies.extend(arrival - started for arrival in clients.arrivals[key])
        await asyncio.sleep(0.01)
    await database.dispose()
    await clients.close()

    ordered = sorted(latencies)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    print(
        f"  {args.changes} changes, {len(latencies)} deliveries ({missing} missing): commit -> subscriber "
        f"p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {ordered[-1] * 1000:.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=200)
    parser.add_argument("--carts", type=int, default=20)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/commerce_bench_live")
    args = parser.parse_args()
    from tests.helpers.server import running_server  # the e2e tests' way of starting `commerce serve`

    migrations.recreate_postgres(args.postgres)
    cart_ids, tokens = asyncio.run(seed(args.postgres, args.carts, args.subscriptions))
    print(
        f"{args.subscriptions} cartChanged subscriptions over {args.carts} carts, commerce serve --workers "
        f"{args.workers}, PostgreSQL; {os.cpu_count()} cores",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        env = {"COMMERCE_MAIL_WORKER": "false"}
        with running_server(
            Path(folder), "--workers", str(args.workers), database_url=args.postgres, env=env
        ) as server:
            ws_url = server.base_url.replace("http://", "ws://") + "/graphql"
            asyncio.run(measure(args.postgres, ws_url, cart_ids, tokens, args))


if __name__ == "__main__":
    main()
