"""Counters shared by every process: ERP feed positions, order and return numbers.

``advance`` is one statement, an upsert that adds one and returns the new
value. The counter's row stays locked until the caller's transaction ends, so
two processes never get the same value, and values commit in the order they
were handed out: a reader that has seen position N never later finds a
smaller one appear (what makes the ERP feed safe to resume from a cursor).
That lock makes every order change in the shop queue for the counter, so it
is taken last, just before commit.

Order numbers need only be unique and increasing, not committed in order, so
on PostgreSQL they come from a sequence (``order_number_seq``, made by
migration 0005), which never waits: a submit holds no shop-wide lock while
it writes the order and renders its mail. A submit that fails after taking a
number leaves a gap, as sequences do. SQLite runs one writer at a time
anyway and uses a counter row. Return numbers work the same way
(``return_number_seq``, migration 0008), with an R in front: "R1000001" is
never mistaken for an order number on the phone.
"""

from __future__ import annotations

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from app.models import Counter, Order

ORDER_NUMBER = "order_number"
ORDER_NUMBER_SEQUENCE = "order_number_seq"
ORDER_FEED = "order_feed"
RETURN_NUMBER = "return_number"
RETURN_NUMBER_SEQUENCE = "return_number_seq"
RETURN_NUMBER_PREFIX = "R"

# Order numbers start at 1000001: seven digits for a long time, and never
# mistaken for a customer number (five digits) on the phone.
ORDER_NUMBER_BASE = 1_000_000


def _upsert(session: AsyncSession, name: str) -> ReturningInsert[int]:
    """The counter's one statement: add one (from nothing, 1) and return the new value."""
    insert = postgresql.insert if _on_postgres(session) else sqlite.insert
    return (
        insert(Counter)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )


async def advance(session: AsyncSession, name: str) -> int:
    value: int = (await session.execute(_upsert(session, name))).scalar_one()
    return value


async def _drawn(session: AsyncSession, sequence: str, counter: str) -> int:
    """The next value of a number that need not commit in order: PostgreSQL's sequence, SQLite's counter."""
    if _on_postgres(session):
        value: int = (await session.execute(text(f"SELECT nextval('{sequence}')"))).scalar_one()
        return value
    return await advance(session, counter)


async def next_order_number(session: AsyncSession) -> str:
    return str(ORDER_NUMBER_BASE + await _drawn(session, ORDER_NUMBER_SEQUENCE, ORDER_NUMBER))


async def next_return_number(session: AsyncSession) -> str:
    return f"{RETURN_NUMBER_PREFIX}{ORDER_NUMBER_BASE + await _drawn(session, RETURN_NUMBER_SEQUENCE, RETURN_NUMBER)}"


async def give_feed_position(session: AsyncSession, order_id: int) -> int:
    """Advance the feed counter and store the value as the order's ``feed_position``; returns it.

    On PostgreSQL one statement: the counter's upsert in a data-modifying CTE
    feeding the order's UPDATE. The counter row is locked exactly as by
    ``advance`` (until commit), so the ordering guarantee above is the same.
    SQLite (no DML in CTEs) runs ``advance`` and the UPDATE.
    """
    orders = Order.__table__
    if not _on_postgres(session):
        value = await advance(session, ORDER_FEED)
        await session.execute(update(orders).where(orders.c.id == order_id).values(feed_position=value))
        return value
    counter = _upsert(session, ORDER_FEED).cte("feed_counter")
    statement = (
        update(orders)
        .where(orders.c.id == order_id)
        .values(feed_position=select(counter.c.value).scalar_subquery())
        .returning(orders.c.feed_position)
    )
    position: int = (await session.execute(statement)).scalar_one()
    return position


def _on_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"
