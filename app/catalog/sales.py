"""Sales counts the search's tie-breaks read instead of counting order lines at query time.

Two tables of units per calendar month (``month``: year * 100 + month, UTC):
``product_sales`` (the whole shop, per product) and ``customer_purchases`` (per
customer and product). An order counts from the moment it is placed (pending
approval included) until it is rejected or cancelled, as ``COUNTED`` says.

``record`` is called in the same transaction as the order change that causes it:
placing an order adds its lines' quantities, rejecting or cancelling it takes
them off again. Each row changes by one atomic ``INSERT ... ON CONFLICT DO UPDATE
SET units = units + :n``: the database takes the row's lock and adds to the value
it holds then, so two orders of the same product committing at once both count
(a read-then-write in Python would lose one). The order row itself is locked by
the status change (``lock_order``), so a rejection or cancellation is taken off once.

The search reads them by primary key, for the candidate products only: the shop's
units over the months since ``since`` (at most 13 rows a product), and whether
*this* customer has a row of its own in that time (the key starts with its id, so
no other customer's purchases can be read).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Order, OrderLine, OrderStatus
from app.models.sales import CustomerPurchase, ProductSales

NOT_COUNTED = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})


def month_key(moment: datetime) -> int:
    """The calendar month (UTC) as year * 100 + month: 2026-11-29 -> 202611."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.year * 100 + moment.month


def counted(status: OrderStatus) -> bool:
    return status not in NOT_COUNTED


def _upsert(session: AsyncSession, table: type[ProductSales] | type[CustomerPurchase], keys: list[str]) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table.__table__)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={"units": table.__table__.c.units + statement.excluded.units}
    )


async def record(session: AsyncSession, order: Order, lines: Iterable[tuple[int | None, int]], sign: int) -> None:
    """Adds (sign 1) or takes off (sign -1) the order's lines ``(product id, quantity)``;
    two statements at most, in the caller's transaction."""
    shop: dict[int, int] = defaultdict(int)
    for product_id, quantity in lines:
        if product_id is not None:
            shop[product_id] += sign * quantity
    if not shop:
        return
    month = month_key(order.placed_at)
    await session.execute(
        _upsert(session, ProductSales, ["product_id", "month"]),
        [{"product_id": p, "month": month, "units": n} for p, n in sorted(shop.items())],
    )
    await session.execute(
        _upsert(session, CustomerPurchase, ["customer_id", "product_id", "month"]),
        [
            {"customer_id": order.customer_id, "product_id": p, "month": month, "units": n}
            for p, n in sorted(shop.items())
        ],
    )


async def take_off(session: AsyncSession, order: Order) -> None:
    """The order is no longer a sale (rejected, cancelled): its lines come off the counts.
    Call before changing the status, with the order row locked."""
    if not counted(order.status):
        return  # never counted (or already taken off)
    lines = (
        await session.execute(select(OrderLine.product_id, OrderLine.quantity).where(OrderLine.order_id == order.id))
    ).all()
    await record(session, order, [(row.product_id, row.quantity) for row in lines], -1)
