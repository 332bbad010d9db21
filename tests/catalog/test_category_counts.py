"""The per-category product counts the database keeps (facets and totals of a shelf without search text)
follow every change of a product, roll back with it, and lose no update under concurrent writers."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import delete, update

from app.db import Database
from app.ids import encode_id
from app.models import Product, Role
from tests.factories import make_category_path, make_customer, make_product, make_user, sign_in
from tests.helpers.db import counted_counts, kept_counts
from tests.helpers.graphql import gql

SHELF = """query($c: ID, $stock: Boolean) { products(categoryId: $c, inStockOnly: $stock, first: 1) {
  totalCount facets { category { name } count } } }"""


async def test_counts_follow_inserts_deactivations_moves_stock_and_deletes(
    client: httpx.AsyncClient, database: Database
) -> None:
    token = await sign_in(database, await make_user(database, (await make_customer(database, "10001"), Role.PURCHASER)))
    nitril = await make_category_path(database, "Forbruksmateriell", "Hansker", "Nitril")
    vinyl = await make_category_path(database, "Forbruksmateriell", "Hansker", "Vinyl")
    products = [await make_product(database, nitril if i % 2 else vinyl, stock=i % 3) for i in range(12)]
    await make_product(database, nitril, active=False)
    assert await kept_counts(database) == await counted_counts(database)

    async with database.transaction() as session:
        await session.execute(update(Product).where(Product.id == products[1].id).values(active=False))
        await session.execute(update(Product).where(Product.id == products[2].id).values(category_id=nitril.id))
        await session.execute(update(Product).where(Product.id == products[4].id).values(stock_quantity=0))
        await session.execute(update(Product).where(Product.id == products[3].id).values(stock_quantity=5))
        await session.execute(
            update(Product).where(Product.id == products[5].id).values(name="Ny navn", list_price=Decimal("1.00"))
        )
        await session.execute(delete(Product).where(Product.id == products[6].id))
    assert await kept_counts(database) == await counted_counts(database)

    # A change that rolls back takes its counts with it.
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await session.execute(update(Product).values(active=False))
            raise RuntimeError("rolled back")
    assert await kept_counts(database) == await counted_counts(database)

    # What the client sees: the totals and facets of the shelf, as counted over the products.
    hansker = await make_category_path(database, "Forbruksmateriell", "Hansker")
    counted = await counted_counts(database)
    for stock, column in ((False, 0), (True, 1)):
        result = await gql(client, SHELF, {"c": encode_id("Category", hansker.id), "stock": stock}, token=token)
        products_ = result["data"]["products"]
        expected = {name: counted[c.id][column] for name, c in (("Nitril", nitril), ("Vinyl", vinyl))}
        assert {f["category"]["name"]: f["count"] for f in products_["facets"]} == {
            name: n for name, n in expected.items() if n
        }
        assert products_["totalCount"] == sum(expected.values())


async def test_concurrent_writers_in_one_category_lose_no_count(pg_database: Database) -> None:
    category = await make_category_path(pg_database, "Forbruksmateriell", "Hansker", "Nitril")
    other = await make_category_path(pg_database, "Forbruksmateriell", "Hansker", "Vinyl")
    products = [await make_product(pg_database, category) for _ in range(10)]

    async def flip(product_id: int) -> None:
        # Each in its own transaction: some deactivate, some move away, at the same moment.
        async with pg_database.transaction() as session:
            change = {"active": False} if product_id % 2 else {"category_id": other.id}
            await session.execute(update(Product).where(Product.id == product_id).values(**change))
            await asyncio.sleep(0.01)  # hold the count row's lock a while

    await asyncio.gather(*(flip(p.id) for p in products))
    assert await kept_counts(pg_database) == await counted_counts(pg_database)
