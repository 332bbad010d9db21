"""Carts, checkout, approval and the order feed under simultaneous requests over two server processes.

One real ``commerce serve --workers 2`` on PostgreSQL (shared by the module;
each test's ``pg_database`` truncates the tables, and the server keeps no state
of its own between requests). Requests are fired together with
``asyncio.gather`` over separate connections, so the kernel spreads them over
both workers and they meet at the database's row locks, not in one process.

The server runs on the real clock, so the customer here gets a schedule with
every weekday and a cut-off at 23:59 on the day itself, and the tests order
for a deliverable date at least two days ahead (never a holiday, never near
its cut-off).

Each test checks what a user sees (the payloads) and what was stored.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from app import clock
from app.db import Database
from app.ids import encode_id
from app.models import (
    AuditEntry,
    Cart,
    CartLine,
    CartStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    OutboxMessage,
)
from app.models import Counter as CounterRow
from app.ordering import calendar
from app.ordering.counters import ORDER_FEED, ORDER_NUMBER_BASE, ORDER_NUMBER_SEQUENCE
from tests.conftest import POSTGRES_URL
from tests.erp.helpers import make_key
from tests.factories import World, make_category_path, make_product, make_world, set_agreement_price
from tests.helpers.db import count, outbox, rows, scalar
from tests.helpers.server import Server, running_server
from tests.ordering.shop import ADD_TO_CART, CREATE_CART, FEED_QUERY, SUBMIT_CART, add_address, set_schedule

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

# The contract's operations (../shared/contract/storefront-*.graphql, erp.graphql).
CART = """query Cart($id: ID!) {
  cart(id: $id) {
    id name status version lineCount
    customer { number }
    lines { id quantity product { sku name unit } unitPrice { amount currency } lineTotal { amount currency } }
    subtotal { amount currency }
    vat { amount currency }
    total { amount currency }
  }
}"""

APPROVE_ORDER = """mutation ApproveOrder($orderId: ID!, $deliveryDate: Date) {
  approveOrder(orderId: $orderId, deliveryDate: $deliveryDate) {
    order { id status deliveryDate approvedBy { name } approvedAt }
    errors { code message }
  }
}"""

GLOVES = "NH-100"  # list 100.00, agreement price 80.00
GLOVES_PRICE = Decimal("80.00")
SKUS = [f"CC-{i:02d}" for i in range(20)]  # list prices 10.01, 10.02, ...


def price_of(sku: str) -> Decimal:
    return GLOVES_PRICE if sku == GLOVES else Decimal("10.00") + Decimal(int(sku[3:]) + 1) / 100


# --- the server and the data -------------------------------------------------------------


@pytest.fixture(scope="module")
def server(postgres_ready: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if postgres_ready is not None:
        pytest.skip(postgres_ready)
    with running_server(tmp_path_factory.mktemp("concurrency"), "--workers", "2", database_url=POSTGRES_URL) as running:
        yield running


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    # Enough connections for every request of a burst to have its own.
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30, limits=limits) as client:
        yield client


def deliverable_date(now: datetime) -> date:
    """A date the every-day schedule below accepts now and still at any moment of the next day."""
    schedule = calendar.DeliverySchedule.from_stored(range(1, 8), 0, "23:59", [])
    day = calendar.next_delivery_date(schedule, now + timedelta(days=2))
    assert day is not None
    assert calendar.why_not_deliverable(schedule, day, now) is None
    return day


@dataclass(frozen=True)
class Place:
    world: World
    address: str  # the customer's delivery address (id)
    day: date  # a delivery date the real clock accepts

    def token(self, who: str) -> str:
        return self.world.token(who)


@pytest.fixture
async def place(pg_database: Database) -> Place:
    world = await make_world(pg_database)
    address = await add_address(pg_database, world.customer, "A-1", "Solsiden sykehjem, avd. 2")
    await set_schedule(
        pg_database, world.customer, weekdays=[1, 2, 3, 4, 5, 6, 7], cutoff_days_before=0, cutoff_time="23:59"
    )
    category = await make_category_path(pg_database, "Forbruksmateriell", "Hansker")
    gloves = await make_product(pg_database, category, sku=GLOVES, name="Nitrilhanske pudderfri M", price="100.00")
    await set_agreement_price(pg_database, world.customer, gloves, str(GLOVES_PRICE))
    for sku in SKUS:
        await make_product(pg_database, category, sku=sku, name=f"Kompress {sku}", price=str(price_of(sku)))
    return Place(world, encode_id("DeliveryAddress", address.id), deliverable_date(clock.now()))


# --- talking to the server -------------------------------------------------------------------


async def post(http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )


def payload_of(response: httpx.Response) -> dict[str, Any]:
    """The operation's only payload; a top-level error (masked crash, timeout) fails the test."""
    assert response.status_code == 200, response.text
    result = response.json()
    assert "errors" not in result, result
    (payload,) = result["data"].values()
    return payload


async def call(http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    return payload_of(await post(http, query, variables, token))


async def burst(http: httpx.AsyncClient, requests: list[tuple[str, dict[str, Any], str]]) -> list[dict[str, Any]]:
    """All requests at once; every answer is in before any is judged, so none is left running.

    A warm-up opens one keep-alive connection per request first (accepted by
    either worker), so the burst itself is not staggered by TCP handshakes.
    """
    await asyncio.gather(*(http.get("/healthz") for _ in requests))
    responses = await asyncio.gather(*(post(http, *request) for request in requests))
    return [payload_of(response) for response in responses]


async def new_cart(http: httpx.AsyncClient, place: Place, who: str, *lines: tuple[str, int]) -> str:
    payload = await call(http, CREATE_CART, {"customerNumber": "10001", "name": None}, place.token(who))
    assert payload["errors"] == [], payload
    cart_id = payload["cart"]["id"]
    if lines:
        added = await call(http, ADD_TO_CART, add_variables(cart_id, lines), place.token(who))
        assert added["errors"] == [], added
    return cart_id


def add_variables(cart_id: str, lines: Any, expected_version: int | None = None) -> dict[str, Any]:
    return {
        "cartId": cart_id,
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        "expectedVersion": expected_version,
    }


def submit_variables(place: Place, cart_id: str, expected_version: int | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "cartId": cart_id,
        "input": {"deliveryAddressId": place.address, "deliveryDate": place.day.isoformat(), **extra},
        "expectedVersion": expected_version,
    }


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def money(value: dict[str, Any]) -> Decimal:
    return Decimal(value["amount"])


def vat_of(subtotal: Decimal) -> Decimal:
    return (subtotal * Decimal("0.25")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def counter(database: Database, name: str) -> int | None:
    return await scalar(database, select(CounterRow.value).where(CounterRow.name == name))


async def order_numbers_taken(database: Database) -> int:
    """How many order numbers PostgreSQL's sequence has handed out."""
    async with database.reader() as session:
        last, called = (await session.execute(text(f"SELECT last_value, is_called FROM {ORDER_NUMBER_SEQUENCE}"))).one()
    return last if called else 0


# --- 1. one cart, ten submits --------------------------------------------------------------------


async def test_ten_simultaneous_submits_of_one_cart_make_one_order(
    http: httpx.AsyncClient, place: Place, pg_database: Database
) -> None:
    cart_id = await new_cart(http, place, "purchaser", (GLOVES, 3), (SKUS[0], 10))  # version 2
    # Main user and purchaser alike; every third request names the version it saw (2).
    attempts = [("main" if i % 2 else "purchaser", 2 if i % 3 == 0 else None) for i in range(10)]
    payloads = await burst(
        http,
        [
            (SUBMIT_CART, submit_variables(place, cart_id, version, reference=f"PO-{i}"), place.token(who))
            for i, (who, version) in enumerate(attempts)
        ],
    )

    winners = [i for i, payload in enumerate(payloads) if payload["errors"] == []]
    assert len(winners) == 1, payloads
    (winner,) = winners
    order = payloads[winner]["order"]
    subtotal = 3 * GLOVES_PRICE + 10 * price_of(SKUS[0])
    assert order["status"] == "SUBMITTED"
    assert order["number"] == str(ORDER_NUMBER_BASE + 1)
    assert order["deliveryDate"] == place.day.isoformat()
    assert order["total"] == {"amount": str(subtotal + vat_of(subtotal)), "currency": "NOK"}
    for i, payload in enumerate(payloads):
        if i == winner:
            continue
        assert payload["order"] is None, payload
        allowed = {"INVALID_STATE", "CONFLICT"} if attempts[i][1] is not None else {"INVALID_STATE"}
        assert len(payload["errors"]) == 1 and payload["errors"][0]["code"] in allowed, (attempts[i], payload)

    # The cart now shows as sent, changed once more than before the submits.
    cart = await call(http, CART, {"id": cart_id}, place.token("main"))
    assert (cart["status"], cart["version"], cart["lineCount"]) == ("SUBMITTED", 3, 2)

    [(order_id, number, reference, status, cart_pk)] = await rows(
        pg_database, select(Order.id, Order.number, Order.reference, Order.status, Order.cart_id)
    )
    assert (number, reference, status) == (order["number"], f"PO-{winner}", OrderStatus.SUBMITTED)
    assert encode_id("Cart", cart_pk) == cart_id
    assert await count(pg_database, OrderLine, OrderLine.order_id == order_id) == 2
    assert await count(pg_database, OrderEvent) == 1
    assert [(s, v) for s, v in await rows(pg_database, select(Cart.status, Cart.version))] == [
        (CartStatus.SUBMITTED, 3)
    ]
    winner_email = f"{attempts[winner][0]}@example.test"
    mails = await outbox(pg_database)
    assert [(m.template, m.to_address) for m in mails] == [("order_confirmation", winner_email)]
    assert order["number"] in mails[0].subject
    assert [
        a for (a,) in await rows(pg_database, select(AuditEntry.action).where(AuditEntry.action.like("order.%")))
    ] == ["order.submitted"]
    assert await order_numbers_taken(pg_database) == 1
    assert await counter(pg_database, ORDER_FEED) == 1


# --- 2. one pending order, eight approvers ---------------------------------------------------------


async def test_simultaneous_approvals_approve_once(
    http: httpx.AsyncClient, place: Place, pg_database: Database
) -> None:
    cart_id = await new_cart(http, place, "assistant", (GLOVES, 2), (SKUS[1], 5))
    submitted = await call(http, SUBMIT_CART, submit_variables(place, cart_id), place.token("assistant"))
    assert submitted["errors"] == [], submitted
    pending = submitted["order"]
    assert pending["status"] == "PENDING_APPROVAL"
    assert await counter(pg_database, ORDER_FEED) is None  # not in the ERP's feed while it waits

    approvers = ["main", "purchaser"] * 4
    payloads = await burst(http, [(APPROVE_ORDER, {"orderId": pending["id"]}, place.token(who)) for who in approvers])

    winners = [i for i, payload in enumerate(payloads) if payload["errors"] == []]
    assert len(winners) == 1, payloads
    (winner,) = winners
    approved = payloads[winner]["order"]
    names = {"main": "Mari Main", "purchaser": "Per Purchaser"}
    assert approved["status"] == "SUBMITTED"
    assert approved["deliveryDate"] == place.day.isoformat()
    assert approved["approvedBy"] == {"name": names[approvers[winner]]}
    assert approved["approvedAt"]
    losers = [payload for i, payload in enumerate(payloads) if i != winner]
    assert all(payload["order"] is None and error_codes(payload) == ["INVALID_STATE"] for payload in losers), losers

    [(status, approved_by, feed_position)] = await rows(
        pg_database, select(Order.status, Order.approved_by_id, Order.feed_position)
    )
    winner_user = getattr(place.world, approvers[winner])
    assert (status, approved_by, feed_position) == (OrderStatus.SUBMITTED, winner_user.id, 1)
    events = await rows(pg_database, select(OrderEvent.status, OrderEvent.user_id).order_by(OrderEvent.id))
    assert [tuple(e) for e in events] == [
        (OrderStatus.PENDING_APPROVAL, place.world.assistant.id),
        (OrderStatus.SUBMITTED, winner_user.id),
    ]
    mails = await outbox(pg_database)
    assert sorted((m.template, m.to_address) for m in mails) == [
        ("order_awaiting_approval", "main@example.test"),
        ("order_confirmation", "assistant@example.test"),
    ]
    approvals = await rows(pg_database, select(AuditEntry.actor_user_id).where(AuditEntry.action == "order.approved"))
    assert [actor for (actor,) in approvals] == [winner_user.id]
    assert await counter(pg_database, ORDER_FEED) == 1


# --- 3. twenty adds to one cart, no expectedVersion ------------------------------------------------


async def test_simultaneous_adds_lose_no_update(http: httpx.AsyncClient, place: Place, pg_database: Database) -> None:
    cart_id = await new_cart(http, place, "purchaser")  # version 1, empty
    who = ["main", "purchaser", "assistant"]
    # Every request adds one box of gloves and one of five other products, so
    # five new lines are each created by the first of four racing requests.
    requests = [[(GLOVES, 1), (SKUS[i % 5], 1)] for i in range(20)]
    payloads = await burst(
        http,
        [(ADD_TO_CART, add_variables(cart_id, lines), place.token(who[i % 3])) for i, lines in enumerate(requests)],
    )

    assert all(payload["errors"] == [] for payload in payloads), [p["errors"] for p in payloads if p["errors"]]
    # Every change was applied on top of the previous one: the versions 2..21 each once.
    assert sorted(payload["cart"]["version"] for payload in payloads) == list(range(2, 22))
    for payload in payloads:
        gloves = next(line for line in payload["cart"]["lines"] if line["product"]["sku"] == GLOVES)
        assert gloves["quantity"] >= payload["cart"]["version"] - 1, payload

    expected = {GLOVES: 20, **{sku: 4 for sku in SKUS[:5]}}
    subtotal = sum((price_of(sku) * quantity for sku, quantity in expected.items()), Decimal("0"))
    cart = await call(http, CART, {"id": cart_id}, place.token("main"))
    assert {line["product"]["sku"]: line["quantity"] for line in cart["lines"]} == expected
    assert len(cart["lines"]) == len(expected)
    assert (cart["status"], cart["version"], cart["lineCount"]) == ("OPEN", 21, len(expected))
    for line in cart["lines"]:
        assert money(line["unitPrice"]) == price_of(line["product"]["sku"])
        assert money(line["lineTotal"]) == money(line["unitPrice"]) * line["quantity"]
    assert money(cart["subtotal"]) == subtotal == sum(money(line["lineTotal"]) for line in cart["lines"])
    assert money(cart["vat"]) == vat_of(subtotal)
    assert money(cart["total"]) == subtotal + vat_of(subtotal)

    stored = await rows(pg_database, select(CartLine.quantity, CartLine.unit_price, CartLine.product_id))
    assert len(stored) == len(expected)  # one row per product, never two
    assert sorted(q for q, _, _ in stored) == sorted(expected.values())
    [(version, line_count, stored_subtotal)] = await rows(
        pg_database, select(Cart.version, Cart.line_count, Cart.subtotal)
    )
    assert (version, line_count, stored_subtotal) == (21, len(expected), subtotal)
    assert stored_subtotal == sum(q * p for q, p, _ in stored)


# --- 4. ten adds with the same expectedVersion -------------------------------------------------------


async def test_simultaneous_adds_at_one_expected_version_let_one_through(
    http: httpx.AsyncClient, place: Place, pg_database: Database
) -> None:
    cart_id = await new_cart(http, place, "purchaser", (GLOVES, 1))  # version 2
    payloads = await burst(
        http,
        [
            (ADD_TO_CART, add_variables(cart_id, [(SKUS[i], i + 1)], 2), place.token(who))
            for i, who in enumerate(["main", "purchaser"] * 5)
        ],
    )

    winners = [i for i, payload in enumerate(payloads) if payload["errors"] == []]
    assert len(winners) == 1, payloads
    (winner,) = winners
    assert payloads[winner]["cart"]["version"] == 3
    for i, payload in enumerate(payloads):
        if i != winner:
            assert payload["cart"] is None, payload
            assert [(e["code"], e["field"]) for e in payload["errors"]] == [("CONFLICT", "expectedVersion")], payload

    expected = {GLOVES: 1, SKUS[winner]: winner + 1}
    subtotal = GLOVES_PRICE + price_of(SKUS[winner]) * (winner + 1)
    cart = await call(http, CART, {"id": cart_id}, place.token("main"))
    assert {line["product"]["sku"]: line["quantity"] for line in cart["lines"]} == expected
    assert (cart["version"], cart["lineCount"], money(cart["subtotal"])) == (3, 2, subtotal)

    stored = await rows(pg_database, select(CartLine.quantity))
    assert sorted(q for (q,) in stored) == sorted(expected.values())
    [(version, line_count, stored_subtotal)] = await rows(
        pg_database, select(Cart.version, Cart.line_count, Cart.subtotal)
    )
    assert (version, line_count, stored_subtotal) == (3, 2, subtotal)


# --- 5. many carts submitted at once, and the ERP reading the feed meanwhile -----------------------


async def read_feed(http: httpx.AsyncClient, key: str, after: str | None, first: int = 3) -> dict[str, Any]:
    return await call(http, FEED_QUERY, {"after": after, "first": first}, key)


async def test_simultaneous_submits_and_approvals_get_unique_numbers_and_a_complete_feed(
    http: httpx.AsyncClient, place: Place, pg_database: Database
) -> None:
    """Twelve carts submitted and six pending orders approved in one burst, while the ERP polls the feed.

    Approvals take a feed position without an order number, submits take both:
    only if each position is held until its transaction commits can a reader
    resuming from its cursor never skip one.
    """
    pending, fresh = 6, 12
    total = pending + fresh
    key = await make_key(pg_database, "orders:read")
    approvers = ["main", "purchaser"]
    pending_ids = []
    for i in range(pending):
        cart_id = await new_cart(http, place, "assistant", (GLOVES, i + 1), (SKUS[i], 1))
        waiting = await call(
            http, SUBMIT_CART, submit_variables(place, cart_id, reference=f"PO-{i}"), place.token("assistant")
        )
        assert waiting["errors"] == [] and waiting["order"]["status"] == "PENDING_APPROVAL", waiting
        pending_ids.append(waiting["order"]["id"])
    cart_ids = [
        await new_cart(http, place, approvers[i % 2], (GLOVES, i + 1), (SKUS[i], 1)) for i in range(pending, total)
    ]
    requests = [
        (SUBMIT_CART, submit_variables(place, cart_id, reference=f"PO-{i}"), place.token(approvers[i % 2]))
        for i, cart_id in enumerate(cart_ids, start=pending)
    ]
    for i, order_id in enumerate(pending_ids):  # the approvals interleaved with the submits
        requests.insert(2 * i + 1, (APPROVE_ORDER, {"orderId": order_id}, place.token(approvers[i % 2])))

    # Three ERP readers poll the feed while the orders arrive, each resuming
    # from its cursor with pages of three.
    done = asyncio.Event()
    polled: list[list[str]] = [[], [], []]

    async def poll(numbers: list[str]) -> None:
        cursor: str | None = None
        while True:
            finished = done.is_set()  # read before the page: a page read after all commits misses nothing
            page = await read_feed(http, key, cursor)
            numbers.extend(edge["node"]["number"] for edge in page["edges"])
            cursor = page["pageInfo"]["endCursor"]
            if finished and not page["pageInfo"]["hasNextPage"]:
                return
            await asyncio.sleep(0 if page["pageInfo"]["hasNextPage"] else 0.002)

    async def send_all() -> list[dict[str, Any]]:
        try:
            return await burst(http, requests)
        finally:
            done.set()

    # Both run to their end before either's failure is reported (nothing left running into the next test).
    sent, *polling = await asyncio.gather(send_all(), *(poll(seen) for seen in polled), return_exceptions=True)
    for outcome in (sent, *polling):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(sent, list)

    assert all(payload["errors"] == [] for payload in sent), [p["errors"] for p in sent]
    assert all(payload["order"]["status"] == "SUBMITTED" for payload in sent), sent
    numbers = [payload["order"]["number"] for payload in sent if "number" in payload["order"]]
    assert sorted(numbers) == [str(ORDER_NUMBER_BASE + n) for n in range(pending + 1, total + 1)]  # unique, no gaps
    stored = dict(await rows(pg_database, select(Order.number, Order.reference)))
    assert sorted(stored) == [str(ORDER_NUMBER_BASE + n) for n in range(1, total + 1)]

    # Each reader saw every order exactly once, though it read while they committed.
    for numbers_seen in polled:
        assert sorted(numbers_seen) == sorted(stored), numbers_seen

    # A fresh read of the whole feed, three at a time, resumed by cursor.
    seen: list[dict[str, Any]] = []
    cursors: list[str] = []
    cursor = None
    while True:
        page = await read_feed(http, key, cursor)
        assert len(page["edges"]) <= 3
        seen.extend(edge["node"] for edge in page["edges"])
        cursors.extend(edge["cursor"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
        assert cursor == cursors[-1]
    assert len(seen) == total and len(set(cursors)) == total
    by_position = await rows(pg_database, select(Order.number, Order.feed_position).order_by(Order.feed_position))
    assert [node["number"] for node in seen] == [number for number, _ in by_position]
    assert [position for _, position in by_position] == list(range(1, total + 1))
    # The feed follows commit order (positions are taken last, under the counter's lock);
    # order numbers come from a sequence that never waits, so they need not follow it.
    for node in seen:
        i = int(stored[node["number"]].removeprefix("PO-"))
        assert node["reference"] == f"PO-{i}"
        assert node["status"] == "SUBMITTED"
        assert node["deliveryAddress"] == {"externalId": "A-1"}
        assert sorted((line["sku"], line["quantity"]) for line in node["lines"]) == sorted(
            [(GLOVES, i + 1), (SKUS[i], 1)]
        )

    assert await scalar(pg_database, select(func.count(func.distinct(Order.number)))) == total
    assert await count(pg_database, Order, Order.status == OrderStatus.SUBMITTED) == total
    assert await count(pg_database, Cart, Cart.status == CartStatus.SUBMITTED) == total
    confirmations = await outbox_templates(pg_database, "order_confirmation")
    assert Counter(confirmations) == Counter(
        {"assistant@example.test": pending, "main@example.test": fresh // 2, "purchaser@example.test": fresh // 2}
    )
    assert await count(pg_database, OutboxMessage, OutboxMessage.template == "order_awaiting_approval") == pending
    assert await order_numbers_taken(pg_database) == total
    assert await counter(pg_database, ORDER_FEED) == total


async def outbox_templates(database: Database, template: str) -> list[str]:
    return [m.to_address for m in await outbox(database) if m.template == template]
