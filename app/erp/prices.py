"""Values set on what exists: stock levels by SKU, agreement prices by customer number and SKU.

An item naming a product or customer that does not exist is skipped
(UNKNOWN_SKU, NOT_FOUND); ``updated`` counts what changed, an item already as
sent is applied but not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import bulk, clock
from app.erp.batch import LATER, Batch, BatchResult, Transaction, chunks, rows_by_key, run, unknown_sku
from app.erp.checks import Fields, Money, Text, Whole
from app.erp.customers import MAX_CUSTOMER_NUMBER
from app.erp.products import MAX_SKU
from app.errors import ErrorCode, Problem
from app.models import AgreementPrice, Customer, Product
from app.viewer import Viewer
from app.webhooks import events

MAX_STOCK = 10_000_000

Key = tuple[int, int]  # (customer id, product id)


@dataclass(frozen=True, slots=True)
class StockItem:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class AgreementPriceItem:
    customer_number: str
    sku: str
    price: Decimal | None  # None removes the agreement


STOCK = Fields[StockItem](
    (("sku", Text("An SKU", MAX_SKU)), ("quantity", Whole("The quantity", 0, MAX_STOCK))),
    key=("sku",),
    duplicate="SKU {sku} " + LATER,
)
AGREEMENT_PRICE = Fields[AgreementPriceItem](
    (
        ("customer_number", Text("A customer number", MAX_CUSTOMER_NUMBER)),
        ("sku", Text("An SKU", MAX_SKU)),
        ("price", Money("The price")),
    ),
    key=("customer_number", "sku"),
    duplicate="SKU {sku} for customer number {customer_number} " + LATER,
)


async def set_stock(transaction: Transaction, actor: Viewer, items: Sequence[StockItem]) -> BatchResult:
    """Stock levels by SKU. ``updated`` counts products whose quantity changed."""
    return await run(SET_STOCK, transaction, actor, items)


async def set_agreement_prices(
    transaction: Transaction, actor: Viewer, items: Sequence[AgreementPriceItem]
) -> BatchResult:
    """Agreement prices by customer number and SKU; a None price removes the agreement.

    ``updated`` counts agreements made, changed or removed.
    """
    return await run(SET_AGREEMENT_PRICES, transaction, actor, items)


async def _products(session: AsyncSession, skus: Sequence[str]) -> dict[str, Any]:
    """sku -> (sku, id, stock quantity), for the skus that exist."""
    return await rows_by_key(session, Product.sku, (Product.sku, Product.id, Product.stock_quantity), skus)


async def _apply_stock(session: AsyncSession, good: list[tuple[int, StockItem]]) -> BatchResult:
    result = BatchResult()
    products = await _products(session, [item.sku for _, item in good])
    result.problems = [unknown_sku(index, item.sku) for index, item in good if item.sku not in products]
    changes = []
    emptied: list[tuple[int, str]] = []
    for _, item in good:
        product = products.get(item.sku)
        if product is None:
            continue
        if product.stock_quantity == item.quantity:
            result.unchanged += 1
            continue
        changes.append({"id": product.id, "stock_quantity": item.quantity})
        if product.stock_quantity > 0 and item.quantity == 0:
            emptied.append((product.id, item.sku))
    await bulk.update_by_key(session, Product.__table__, changes)
    if emptied:
        await events.emit_out_of_stock(session, emptied)
    result.updated = len(changes)
    return result


def _unknown_customer(index: int, number: str) -> Problem:
    return Problem(ErrorCode.NOT_FOUND, f"No customer number {number}.", f"items.{index}.customerNumber")


async def _wanted(
    session: AsyncSession, good: list[tuple[int, AgreementPriceItem]]
) -> tuple[dict[Key, Decimal | None], list[Problem]]:
    """(customer id, product id) -> the price sent, and the problems of the items naming what does not exist."""
    customers = await rows_by_key(
        session, Customer.number, (Customer.number, Customer.id), (item.customer_number for _, item in good)
    )
    products = await _products(session, [item.sku for _, item in good])
    unknown: list[Problem] = []
    wanted: dict[Key, Decimal | None] = {}
    for index, item in good:
        customer, product = customers.get(item.customer_number), products.get(item.sku)
        if customer is None:
            unknown.append(_unknown_customer(index, item.customer_number))
        if product is None:
            unknown.append(unknown_sku(index, item.sku))
        if customer is not None and product is not None:
            wanted[(customer.id, product.id)] = item.price
    return wanted, unknown


async def _existing(session: AsyncSession, keys: Sequence[Key]) -> dict[Key, Decimal]:
    """The stored agreement prices among ``keys``' customers and products."""
    existing: dict[Key, Decimal] = {}
    customer_ids = sorted({c for c, _ in keys})
    product_ids = sorted({p for _, p in keys})
    for customer_chunk in chunks(customer_ids):
        for product_chunk in chunks(product_ids):
            rows = await session.execute(
                select(AgreementPrice.customer_id, AgreementPrice.product_id, AgreementPrice.price).where(
                    AgreementPrice.customer_id.in_(customer_chunk), AgreementPrice.product_id.in_(product_chunk)
                )
            )
            for customer_id, product_id, stored_price in rows:
                existing[(customer_id, product_id)] = stored_price
    return existing


async def _apply_prices(session: AsyncSession, good: list[tuple[int, AgreementPriceItem]]) -> BatchResult:
    result = BatchResult()
    wanted, result.problems = await _wanted(session, good)
    existing = await _existing(session, list(wanted))
    now = clock.now()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[dict[str, int]] = []
    for key in sorted(wanted):
        price, old = wanted[key], existing.get(key)
        row = {"customer_id": key[0], "product_id": key[1], "price": price, "updated_at": now}
        if price is not None and old is None:
            inserts.append(row)
        elif price is not None and old != price:
            updates.append(row)
        elif price is None and old is not None:
            deletes.append({"c": key[0], "p": key[1]})
        else:
            result.unchanged += 1
    if deletes:
        table = AgreementPrice.__table__
        await session.execute(
            delete(table).where(table.c.customer_id == bindparam("c"), table.c.product_id == bindparam("p")), deletes
        )
    await bulk.update_by_key(session, AgreementPrice.__table__, updates)
    await bulk.insert(session, AgreementPrice.__table__, inserts)
    result.updated = len(inserts) + len(updates) + len(deletes)
    return result


SET_STOCK = Batch[StockItem]("erp.stock_set", STOCK, _apply_stock)
SET_AGREEMENT_PRICES = Batch[AgreementPriceItem]("erp.agreement_prices_set", AGREEMENT_PRICE, _apply_prices)
