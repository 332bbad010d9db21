"""Returns under simultaneous requests over two server processes sharing one PostgreSQL.

One real ``commerce serve --workers 2`` (shared by the module). Requests are
fired together over separate connections, so they meet at the order's row
lock in the database, not in one process. The server runs on the real clock,
so the order here was delivered yesterday, well inside the 8-day window.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from app import clock
from app.db import Database
from app.ids import encode_id
from app.models import AuditEntry, OrderLine, OutboxMessage, ReturnLine, ReturnRequest
from tests.conftest import POSTGRES_URL
from tests.factories import World, make_category_path, make_product, make_world
from tests.helpers.db import count, rows
from tests.helpers.server import Server, running_server
from tests.ordering.returns_shop import REQUEST_RETURN, Delivered, delivered_order, return_input
from tests.ordering.shop import add_address
from tests.ordering.test_concurrency import burst, call

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

WHO = ("main", "purchaser", "assistant")


@pytest.fixture(scope="module")
def server(postgres_ready: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if postgres_ready is not None:
        pytest.skip(postgres_ready)
    with running_server(tmp_path_factory.mktemp("returns"), "--workers", "2", database_url=POSTGRES_URL) as running:
        yield running


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30, limits=limits) as client:
        yield client


@pytest.fixture
async def delivered(pg_database: Database) -> tuple[World, Delivered]:
    world = await make_world(pg_database)
    address = await add_address(pg_database, world.customer, "A-1", "Solsiden sykehjem, avd. 2")
    category = await make_category_path(pg_database, "Forbruksmateriell", "Hansker")
    gloves = await make_product(pg_database, category, sku="NH-100", name="Nitrilhanske pudderfri M")
    compress = await make_product(pg_database, category, sku="KO-200", name="Kompress 10x10 cm steril")
    order = await delivered_order(
        pg_database,
        world.customer,
        encode_id("DeliveryAddress", address.id),
        (gloves, 5),
        (compress, 12),
        delivered_at=clock.now() - timedelta(days=1),
    )
    return world, order


async def returned(database: Database, sku: str) -> int:
    """Units of ``sku`` in stored returns."""
    total = await rows(
        database,
        select(func.coalesce(func.sum(ReturnLine.quantity), 0))
        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
        .where(OrderLine.sku == sku),
    )
    return int(total[0][0])


async def test_two_simultaneous_requests_for_the_last_units_one_wins(
    http: httpx.AsyncClient, delivered: tuple[World, Delivered], pg_database: Database
) -> None:
    world, order = delivered
    first = await call(http, REQUEST_RETURN, return_input(order, (0, 2)), world.token("main"))
    assert first["errors"] == [], first  # 3 of 5 gloves left

    payloads = await burst(
        http,
        [
            (REQUEST_RETURN, return_input(order, (0, 3)), world.token("purchaser")),
            (REQUEST_RETURN, return_input(order, (0, 3)), world.token("assistant")),
        ],
    )
    winners = [p for p in payloads if p["errors"] == []]
    losers = [p for p in payloads if p["errors"]]
    assert len(winners) == 1 and len(losers) == 1, payloads
    assert [(e["code"], e["field"]) for e in losers[0]["errors"]] == [
        ("QUANTITY_EXCEEDS_DELIVERED", "input.lines.0.quantity")
    ]
    assert losers[0]["returnRequest"] is None
    assert winners[0]["returnRequest"]["lines"] == [
        {"orderLine": {"id": order.line_ids[0], "sku": "NH-100"}, "quantity": 3}
    ]

    assert await returned(pg_database, "NH-100") == 5
    assert await count(pg_database, ReturnRequest) == 2
    assert await count(pg_database, OutboxMessage, OutboxMessage.template == "return_requested") == 2
    assert await count(pg_database, AuditEntry, AuditEntry.action == "return.requested") == 2


async def test_a_burst_of_requests_never_returns_more_than_was_delivered(
    http: httpx.AsyncClient, delivered: tuple[World, Delivered], pg_database: Database
) -> None:
    """Sixteen requests at once: gloves one each (5 delivered), compresses two each (12 delivered)."""
    world, order = delivered
    requests = [
        (
            REQUEST_RETURN,
            return_input(order, (0, 1)) if i % 2 == 0 else return_input(order, (1, 2)),
            world.token(WHO[i % 3]),
        )
        for i in range(16)
    ]
    payloads = await burst(http, requests)

    gloves_won = sum(1 for i, p in enumerate(payloads) if i % 2 == 0 and p["errors"] == [])
    compress_won = sum(1 for i, p in enumerate(payloads) if i % 2 == 1 and p["errors"] == [])
    assert (gloves_won, compress_won) == (5, 6), payloads
    for payload in payloads:
        if payload["errors"]:
            assert [e["code"] for e in payload["errors"]] == ["QUANTITY_EXCEEDS_DELIVERED"], payload
    numbers = [p["returnRequest"]["number"] for p in payloads if p["errors"] == []]
    assert sorted(numbers) == [f"R{1_000_000 + n}" for n in range(1, 12)]  # unique, from the sequence

    assert await returned(pg_database, "NH-100") == 5
    assert await returned(pg_database, "KO-200") == 12
    assert await count(pg_database, ReturnRequest) == 11
    assert await count(pg_database, OutboxMessage, OutboxMessage.template == "return_requested") == 11
