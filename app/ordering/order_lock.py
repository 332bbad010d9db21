"""Reading an order in order to change it: one way, for approval, returns and the ERP's status updates.

The row stays locked (``FOR UPDATE``) until the transaction ends, so of two
simultaneous changes of one order the second waits and then reads what the
first wrote; ``populate_existing`` makes it so even when the session already
holds the order (it is read again, not taken from the identity map).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import DomainError, ErrorCode
from app.models import Order


async def lock_order(
    session: AsyncSession, which: ColumnElement[bool], field: str, missing: str = "No such order."
) -> Order:
    """The order ``which`` selects, its row locked; NOT_FOUND on ``field`` (with ``missing``) when there is none."""
    statement = select(Order).where(which).with_for_update().execution_options(populate_existing=True)
    order = (await session.scalars(statement)).one_or_none()
    if order is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, missing, field)
    return order
