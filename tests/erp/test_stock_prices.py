"""setStock and setAgreementPrices through the endpoint, on both databases."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select, text

from app.db import Database
from app.models import AgreementPrice, Product
from tests.erp.helpers import (
    SET_AGREEMENT_PRICES,
    SET_STOCK,
    UPSERT_PRODUCTS,
    audit_entries,
    codes,
    product,
    send,
)
from tests.factories import make_customer
from tests.helpers.db import rows


@pytest.fixture
async def products(client: httpx.AsyncClient, erp: str) -> None:
    await send(client, UPSERT_PRODUCTS, [product("S-1"), product("S-2"), product("S-3", active=False)], erp)


async def _stock(database: Database) -> dict[str, int]:
    return dict(await rows(database, select(Product.sku, Product.stock_quantity)))


# ---------------------------------------------------------------- stock


async def test_sets_stock_by_sku(client: httpx.AsyncClient, database: Database, erp: str, products: None) -> None:
    items = [{"sku": "S-1", "quantity": 250}, {"sku": "S-2", "quantity": 0}, {"sku": "S-3", "quantity": 10_000_000}]
    payload = await send(client, SET_STOCK, items, erp)
    # S-2 was already 0: applied, but nothing changed.
    assert payload == {"updated": 2, "errors": []}
    assert await _stock(database) == {"S-1": 250, "S-2": 0, "S-3": 10_000_000}


async def test_same_stock_twice_updates_nothing_the_second_time(
    client: httpx.AsyncClient, database: Database, erp: str, products: None
) -> None:
    items = [{"sku": "S-1", "quantity": 5}, {"sku": "S-2", "quantity": 7}]
    assert (await send(client, SET_STOCK, items, erp))["updated"] == 2
    updated_at = dict(await rows(database, select(Product.sku, Product.updated_at)))
    assert await send(client, SET_STOCK, items, erp) == {"updated": 0, "errors": []}
    assert dict(await rows(database, select(Product.sku, Product.updated_at))) == updated_at
    assert (await send(client, SET_STOCK, [{"sku": "S-1", "quantity": 4}], erp))["updated"] == 1


async def test_bad_stock_items_are_reported_and_the_good_ones_applied(
    client: httpx.AsyncClient, database: Database, erp: str, products: None
) -> None:
    items = [
        {"sku": "S-1", "quantity": 3},
        {"sku": "NOPE", "quantity": 3},
        {"sku": "S-2", "quantity": -1},
        {"sku": "S-3", "quantity": 10_000_001},
        {"sku": " ", "quantity": 1},
        {"sku": "S-1", "quantity": 9},
        {"sku": "X" * 65, "quantity": 1},
        {"sku": "S-3", "quantity": 8},
    ]
    payload = await send(client, SET_STOCK, items, erp)
    assert codes(payload) == [
        ("UNKNOWN_SKU", "items.1.sku"),
        ("INVALID_INPUT", "items.2.quantity"),
        ("INVALID_INPUT", "items.3.quantity"),
        ("INVALID_INPUT", "items.4.sku"),
        ("INVALID_INPUT", "items.5.sku"),
        ("INVALID_INPUT", "items.6.sku"),
        ("INVALID_INPUT", "items.7.sku"),  # S-3 came earlier (with a bad quantity)
    ]
    assert payload["updated"] == 1
    assert await _stock(database) == {"S-1": 3, "S-2": 0, "S-3": 0}
    (entry,) = await audit_entries(database, "erp.stock_set")
    assert entry.details == {"updated": 1, "unchanged": 0, "rejected": 7}
    assert entry.actor_api_key_id is not None


# ---------------------------------------------------------------- agreement prices


async def _prices(database: Database) -> dict[tuple[str, str], Decimal]:
    from app.models import Customer

    found = await rows(
        database,
        select(Customer.number, Product.sku, AgreementPrice.price)
        .join(Customer, Customer.id == AgreementPrice.customer_id)
        .join(Product, Product.id == AgreementPrice.product_id),
    )
    return {(number, sku): price for number, sku, price in found}


@pytest.fixture
async def customers(database: Database) -> None:
    await make_customer(database, "10001")
    await make_customer(database, "10002")


async def test_sets_changes_and_removes_agreement_prices(
    client: httpx.AsyncClient, database: Database, erp: str, products: None, customers: None
) -> None:
    items = [
        {"customerNumber": "10001", "sku": "S-1", "price": "99.50"},
        {"customerNumber": "10001", "sku": "S-2", "price": "0"},
        {"customerNumber": "10002", "sku": "S-1", "price": 120.1},
    ]
    assert await send(client, SET_AGREEMENT_PRICES, items, erp) == {"updated": 3, "errors": []}
    assert await _prices(database) == {
        ("10001", "S-1"): Decimal("99.50"),
        ("10001", "S-2"): Decimal("0.00"),
        ("10002", "S-1"): Decimal("120.10"),
    }
    async with database.reader() as session:
        raw = sorted((await session.execute(text("SELECT price FROM agreement_prices"))).scalars().all())
    assert raw == [0, 9950, 12010]

    # The same again: nothing changes.
    assert await send(client, SET_AGREEMENT_PRICES, items, erp) == {"updated": 0, "errors": []}

    change = [
        {"customerNumber": "10001", "sku": "S-1", "price": "89.00"},
        {"customerNumber": "10001", "sku": "S-2", "price": None},
        {"customerNumber": "10002", "sku": "S-1"},  # price left out: also null, removes
        {"customerNumber": "10002", "sku": "S-2", "price": None},  # nothing to remove
        {"customerNumber": "10002", "sku": "S-3", "price": "1.00"},  # an inactive product may have one
    ]
    assert await send(client, SET_AGREEMENT_PRICES, change, erp) == {"updated": 4, "errors": []}
    assert await _prices(database) == {("10001", "S-1"): Decimal("89.00"), ("10002", "S-3"): Decimal("1.00")}
    entries = await audit_entries(database, "erp.agreement_prices_set")
    assert [e.details for e in entries] == [
        {"updated": 3, "unchanged": 0, "rejected": 0},
        {"updated": 0, "unchanged": 3, "rejected": 0},
        {"updated": 4, "unchanged": 1, "rejected": 0},
    ]


async def test_bad_agreement_prices_are_reported_and_the_good_ones_applied(
    client: httpx.AsyncClient, database: Database, erp: str, products: None, customers: None
) -> None:
    items = [
        {"customerNumber": "10001", "sku": "S-1", "price": "10.00"},
        {"customerNumber": "99999", "sku": "S-1", "price": "10.00"},
        {"customerNumber": "10001", "sku": "NOPE", "price": "10.00"},
        {"customerNumber": "99999", "sku": "NOPE", "price": None},
        {"customerNumber": "10001", "sku": "S-2", "price": "-1"},
        {"customerNumber": "10001", "sku": "S-3", "price": "1.234"},
        {"customerNumber": "10002", "sku": "S-1", "price": "NaN"},
        {"customerNumber": "10002", "sku": "S-2", "price": "10000000.01"},
        {"customerNumber": "", "sku": "S-2", "price": "1"},
        {"customerNumber": "1" * 33, "sku": "S-2", "price": "1"},
        {"customerNumber": "10001", "sku": "S-1", "price": "11.00"},
        {"customerNumber": "10002", "sku": "S-3", "price": "5.00"},
    ]
    payload = await send(client, SET_AGREEMENT_PRICES, items, erp)
    assert codes(payload) == [
        ("NOT_FOUND", "items.1.customerNumber"),
        ("UNKNOWN_SKU", "items.2.sku"),
        ("NOT_FOUND", "items.3.customerNumber"),
        ("UNKNOWN_SKU", "items.3.sku"),
        ("INVALID_INPUT", "items.4.price"),
        ("INVALID_INPUT", "items.5.price"),
        ("INVALID_INPUT", "items.6.price"),
        ("INVALID_INPUT", "items.7.price"),
        ("INVALID_INPUT", "items.8.customerNumber"),
        ("INVALID_INPUT", "items.9.customerNumber"),
        ("INVALID_INPUT", "items.10.sku"),
    ]
    assert payload["updated"] == 2
    assert await _prices(database) == {("10001", "S-1"): Decimal("10.00"), ("10002", "S-3"): Decimal("5.00")}
    (entry,) = await audit_entries(database, "erp.agreement_prices_set")
    assert entry.details == {"updated": 2, "unchanged": 0, "rejected": 10}
