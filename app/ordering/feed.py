"""The ERP order feed: SUBMITTED and later orders, by their last change, resumable.

Every status change gives the order a new ``feed_position`` from a counter
that commits in order (app/ordering/counters.py), so "everything after
position N" never misses a change made by another process.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import opaque
from app.errors import InvalidInput
from app.models import Order
from app.pagination import Page, page_of, page_size

_TAG = "feed"
_MAX_POSITION = 2**63 - 1  # the BIGINT column's range
_MAX_DIGITS = len(str(_MAX_POSITION))


def encode_cursor(position: int) -> str:
    return opaque.encode_number(_TAG, position)


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    position = opaque.decode_number(_TAG, cursor, _MAX_DIGITS)
    if position is None or position > _MAX_POSITION:
        raise InvalidInput("after is not a cursor the order feed gave out.")
    return position


def _cursor(order: Order) -> str:
    # Every order in the feed has its position: the feed is read by it.
    return encode_cursor(order.feed_position or 0)


async def feed_page(session: AsyncSession, after: str | None, first: int | None) -> Page[Order]:
    """The feed has no totalCount: the page's total is never shown."""
    size = page_size(first)
    position = decode_cursor(after)
    rows: list[Order] = []
    if size:
        query = select(Order).where(Order.feed_position > position).order_by(Order.feed_position).limit(size + 1)
        rows = list((await session.scalars(query)).all())
    # An empty page hands back the cursor it was given, so the ERP keeps its place.
    return page_of(rows, size, _cursor, 0, resume=after)
