"""The sales counts the search's tie-breaks read (app.catalog.sales): kept with the orders, in
their transactions; concurrent orders both count (both databases)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from app.catalog import sales
from app.db import Database
from app.models import CustomerPurchase, Order, Product, ProductSales
from tests.erp.helpers import make_key
from tests.helpers.db import rows
from tests.helpers.graphql import gql
from tests.ordering.shop import Shop, filled_cart, submit
from tests.ordering.test_approval_api import REJECT
from tests.ordering.test_order_feed import move


async def _counts(database: Database) -> tuple[dict[str, int], dict[tuple[int, str], int]]:
    """(shop units by SKU, own units by (customer id, SKU)) over every month."""
    shop_rows = await rows(
        database, select(Product.sku, ProductSales.units).join(Product, Product.id == ProductSales.product_id)
    )
    own_rows = await rows(
        database,
        select(CustomerPurchase.customer_id, Product.sku, CustomerPurchase.units).join(
            Product, Product.id == CustomerPurchase.product_id
        ),
    )
    shop: dict[str, int] = {}
    for sku, units in shop_rows:
        shop[sku] = shop.get(sku, 0) + units
    own: dict[tuple[int, str], int] = {}
    for customer_id, sku, units in own_rows:
        own[(customer_id, sku)] = own.get((customer_id, sku), 0) + units
    return shop, own


async def test_placing_rejecting_and_cancelling_keep_the_counts(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    erp = await make_key(database, "orders:write", name="erp-write")
    # Placed (3 x NH-100, 10 x KO-200): counted for the shop and for this customer.
    placed = await submit(client, shop, await filled_cart(client, shop))
    assert placed["errors"] == []
    customer_id = (await rows(database, select(Order.customer_id)))[0][0]
    assert await _counts(database) == (
        {"NH-100": 3, "KO-200": 10},
        {(customer_id, "NH-100"): 3, (customer_id, "KO-200"): 10},
    )
    # Pending approval counts too, until rejected.
    pending = await submit(client, shop, await filled_cart(client, shop, "assistant"), "assistant")
    assert pending["order"]["status"] == "PENDING_APPROVAL"
    assert (await _counts(database))[0] == {"NH-100": 6, "KO-200": 20}
    reject = await gql(client, REJECT, {"orderId": pending["order"]["id"], "reason": "Nei"}, token=shop.token("main"))
    assert reject["data"]["rejectOrder"]["errors"] == []
    assert (await _counts(database))[0] == {"NH-100": 3, "KO-200": 10}
    # Cancelled by the ERP: off again; once, however often it is told.
    assert (await move(client, erp, placed["order"]["number"], "CANCELLED"))["errors"] == []
    await move(client, erp, placed["order"]["number"], "CANCELLED")
    assert await _counts(database) == (
        {"NH-100": 0, "KO-200": 0},
        {(customer_id, "NH-100"): 0, (customer_id, "KO-200"): 0},
    )


async def test_concurrent_orders_of_one_product_both_count(shop: Shop, database: Database) -> None:
    at = datetime(2026, 11, 15, tzinfo=UTC)

    async def order(units: int) -> None:
        async with database.transaction() as session:
            # What checkout does with a new order's lines (the order row itself is not needed).
            placed = Order(customer_id=shop.customer.id, placed_at=at)
            await sales.record(session, placed, [(shop.gloves.id, units)], 1)
            await asyncio.sleep(0.05)  # both transactions open at once

    await asyncio.gather(*(order(n) for n in (1, 2, 4, 8)))
    assert await rows(database, select(ProductSales.month, ProductSales.units)) == [(202611, 15)]
    assert await rows(database, select(CustomerPurchase.customer_id, CustomerPurchase.units)) == [
        (shop.customer.id, 15)
    ]
