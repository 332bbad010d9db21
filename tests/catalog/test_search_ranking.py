"""Ranking: what a product is beats what it mentions; ties by the customer's own purchases, the
shop's sales, stock; never by name; no other customer's purchases (both databases)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app import clock
from app.catalog import sales, search
from app.db import Database
from app.models import Customer, Order, OrderLine, OrderStatus, Role
from app.models.delivery import DeliveryAddress
from tests.catalog.small_catalogue import build, found
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.graphql import gql

TREE = {"Hansker": None, "Katetre": None}
# Six gloves whose names say the same: equal scores for "hansker". Names run against id order.
GLOVES = [f"Nitrilhanske {letter}" for letter in "FEDCBA"]
PRODUCTS = {**{name: "Hansker" for name in GLOVES}, "Kateteriseringssett med hansker": "Katetre"}
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
_serial = itertools.count(1)
SEARCH = 'query($c: String) { products(search: "hansker", first: 20, customerNumber: $c) { edges { node { name } } } }'


async def _order(
    database: Database, customer: Customer, product_ids: list[int], at: datetime, status: OrderStatus
) -> None:
    serial = next(_serial)
    async with database.transaction() as session:
        address = DeliveryAddress(
            customer_id=customer.id,
            external_id=f"a-{serial}",
            label="Hoved",
            line1="Gata 1",
            postal_code="0150",
            city="Oslo",
        )
        session.add(address)
        await session.flush()
        order = Order(
            number=f"T-{serial}",
            customer_id=customer.id,
            status=status,
            placed_at=at,
            delivery_date=date(2026, 12, 1),
            delivery_address_id=address.id,
            line_count=len(product_ids),
            subtotal=Decimal(1),
            vat=Decimal(0),
            total=Decimal(1),
        )
        session.add(order)
        await session.flush()
        session.add_all(
            OrderLine(
                order_id=order.id,
                position=n,
                product_id=pid,
                sku="x",
                product_name="x",
                unit="stk",
                quantity=1,
                unit_price=Decimal(1),
                line_total=Decimal(1),
            )
            for n, pid in enumerate(product_ids)
        )
        # As checkout, rejection and cancellation keep them: the counts the tie-breaks read.
        if sales.counted(status):
            await sales.record(session, order, [(pid, 1) for pid in product_ids], 1)


async def test_ties_by_own_purchases_then_shop_sales_then_stock(client: httpx.AsyncClient, database: Database) -> None:
    clock.set_now(NOW)
    ids = await build(database, TREE, PRODUCTS, stock={"Nitrilhanske E": 0})
    home = await make_customer(database, "30001")
    other = await make_customer(database, "30002")
    nurse = await sign_in(database, await make_user(database, (home, Role.PURCHASER)))
    g = {name[-1]: ids[name] for name in GLOVES}
    # This customer: C last month, and A 13 months ago (too old to count).
    await _order(database, home, [g["C"]], NOW - timedelta(days=30), OrderStatus.DELIVERED)
    await _order(database, home, [g["A"]], NOW - timedelta(days=400), OrderStatus.DELIVERED)
    # The other customer buys B a lot: shop sales, but never this customer's own history.
    for n in range(3):
        await _order(database, other, [g["B"]], NOW - timedelta(days=10 + n), OrderStatus.SUBMITTED)
    await _order(database, other, [g["D"]], NOW - timedelta(days=5), OrderStatus.SUBMITTED)
    # Rejected and cancelled orders are no sales.
    for status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
        for _ in range(2):
            await _order(database, other, [g["F"]], NOW - timedelta(days=3), status)

    result = await gql(client, SEARCH, {"c": None}, token=nurse)
    names = [edge["node"]["name"] for edge in result["data"]["products"]["edges"]]
    # This customer's own recent purchase, then the shop's orders, then in stock, then the older;
    # the kit, which only mentions gloves, last.
    assert names == [
        "Nitrilhanske C",  # this customer's own order last month
        "Nitrilhanske B",  # the shop's best seller (3 orders)
        "Nitrilhanske D",  # 1 order
        "Nitrilhanske F",  # no sales (rejected, cancelled), in stock, older than A
        "Nitrilhanske A",  # bought by this customer, but 13 months ago
        "Nitrilhanske E",  # out of stock
        "Kateteriseringssett med hansker",
    ]

    # The other customer's own view: its purchases first (B, then D), never this customer's C.
    buyer = await sign_in(database, await make_user(database, (other, Role.PURCHASER)))
    result = await gql(client, SEARCH, {"c": None}, token=buyer)
    names = [edge["node"]["name"] for edge in result["data"]["products"]["edges"]]
    assert names[:3] == ["Nitrilhanske B", "Nitrilhanske D", "Nitrilhanske C"]

    # Naming a customer number out of reach changes nothing: no leak of its purchases.
    result = await gql(client, SEARCH, {"c": "30002"}, token=nurse)
    names_other = [edge["node"]["name"] for edge in result["data"]["products"]["edges"]]
    assert names_other[0] == "Nitrilhanske B" and names_other.index("Nitrilhanske C") > 1


async def test_ties_the_same_on_the_plan_that_joins_only_the_page(
    client: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plan of large catalogues (two cuts: score, then score, mine and sales) on this small one.
    monkeypatch.setattr(search, "FAST_FROM", 0)
    await test_ties_by_own_purchases_then_shop_sales_then_stock(client, database)


async def test_a_large_tied_group_is_tie_broken_within_a_bound(
    client: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plan of large catalogues looks up the tie-breaks of TIE_BOUND more than the page of a
    # tied group: the customer's own purchases first, then the lowest ids (search._tied_candidates).
    monkeypatch.setattr(search, "FAST_FROM", 0)
    clock.set_now(NOW)
    ids = await build(database, TREE, PRODUCTS)
    home, other = await make_customer(database, "30011"), await make_customer(database, "30012")
    nurse = await sign_in(database, await make_user(database, (home, Role.PURCHASER)))
    g = {name[-1]: ids[name] for name in GLOVES}
    await _order(database, home, [g["A"]], NOW - timedelta(days=30), OrderStatus.DELIVERED)  # the highest id
    for n in range(3):
        await _order(database, other, [g["B"]], NOW - timedelta(days=10 + n), OrderStatus.SUBMITTED)
    query = 'query { products(search: "hansker", first: 2, customerNumber: "30011") { edges { node { name } } } }'

    async def page() -> list[str]:
        result = await gql(client, query, token=nurse)
        return [edge["node"]["name"] for edge in result["data"]["products"]["edges"]]

    # Within the bound (six tie): the own purchase, then the shop's best seller.
    assert await page() == ["Nitrilhanske A", "Nitrilhanske B"]
    # No room beyond the page: the own purchase still first, then the lowest id (F), not the best seller.
    monkeypatch.setattr(search, "TIE_BOUND", 0)
    assert await page() == ["Nitrilhanske A", "Nitrilhanske F"]


async def test_a_user_of_two_customers_names_one(client: httpx.AsyncClient, database: Database) -> None:
    clock.set_now(NOW)
    ids = await build(database, TREE, PRODUCTS)
    first, second = await make_customer(database, "40001"), await make_customer(database, "40002")
    token = await sign_in(database, await make_user(database, (first, Role.PURCHASER), (second, Role.ASSISTANT)))
    await _order(database, first, [ids["Nitrilhanske A"]], NOW - timedelta(days=2), OrderStatus.SUBMITTED)
    await _order(database, second, [ids["Nitrilhanske B"]], NOW - timedelta(days=2), OrderStatus.SUBMITTED)
    await _order(database, second, [ids["Nitrilhanske B"]], NOW - timedelta(days=3), OrderStatus.SUBMITTED)

    async def top(number: str | None) -> str:
        result = await gql(client, SEARCH, {"c": number}, token=token)
        return result["data"]["products"]["edges"][0]["node"]["name"]

    assert await top("40001") == "Nitrilhanske A"  # its own purchase beats the shop's best seller
    assert await top("40002") == "Nitrilhanske B"
    assert await top(None) == "Nitrilhanske B"  # two customers, none named: the shop's sales only


async def test_what_a_product_is_beats_what_it_mentions(database: Database) -> None:
    ids = await build(database, TREE, PRODUCTS)
    assert (await found(database, ids, "hansker"))[-1] == "Kateteriseringssett med hansker"
    assert (await found(database, ids, "kateter"))[0] == "Kateteriseringssett med hansker"
