"""The ERP order feed: SUBMITTED and later orders, by their last change, resumable.

Every status change gives the order a new ``feed_position`` from a counter
that commits in order (app/ordering/counters.py), so "everything after
position N" never misses a change made by another process.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import InvalidInput
from app.models import Order
from app.pagination import page_size

_PREFIX = "feed:"


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    value = raw.removeprefix(_PREFIX)
    # ASCII digits within the BIGINT column's range: anything else is no cursor we gave out.
    if not raw.startswith(_PREFIX) or not value.isascii() or not value.isdigit() or len(value) > 19:
        raise InvalidInput("after is not a cursor the order feed gave out.")
    if int(value) >= 2**63:
        raise InvalidInput("after is not a cursor the order feed gave out.")
    return int(value)


@dataclass(frozen=True, slots=True)
class FeedPage:
    orders: list[Order]
    has_next: bool
    end_cursor: str | None


async def feed_page(session: AsyncSession, after: str | None, first: int | None) -> FeedPage:
    size = page_size(first)
    position = decode_cursor(after)
    rows = (
        list(
            (
                await session.scalars(
                    select(Order).where(Order.feed_position > position).order_by(Order.feed_position).limit(size + 1)
                )
            ).all()
        )
        if size
        else []
    )
    has_next = len(rows) > size
    rows = rows[:size]
    # An empty page hands back the cursor it was given, so the ERP keeps its place.
    end = encode_cursor(rows[-1].feed_position) if rows else after  # type: ignore[arg-type]
    return FeedPage(rows, has_next, end)
