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

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Counter

ORDER_NUMBER = "order_number"
ORDER_FEED = "order_feed"

# Order numbers start at 1000001: seven digits for a long time, and never
# mistaken for a customer number (five digits) on the phone.
ORDER_NUMBER_BASE = 1_000_000


async def advance(session: AsyncSession, name: str) -> int:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Counter)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    return (await session.execute(statement)).scalar_one()


ORDER_NUMBER_SEQUENCE = "order_number_seq"


async def next_order_number(session: AsyncSession) -> str:
    if session.get_bind().dialect.name == "postgresql":
        value = (await session.execute(text(f"SELECT nextval('{ORDER_NUMBER_SEQUENCE}')"))).scalar_one()
    else:
        value = await advance(session, ORDER_NUMBER)
    return str(ORDER_NUMBER_BASE + value)


RETURN_NUMBER = "return_number"
RETURN_NUMBER_SEQUENCE = "return_number_seq"
RETURN_NUMBER_PREFIX = "R"


async def next_return_number(session: AsyncSession) -> str:
    if session.get_bind().dialect.name == "postgresql":
        value = (await session.execute(text(f"SELECT nextval('{RETURN_NUMBER_SEQUENCE}')"))).scalar_one()
    else:
        value = await advance(session, RETURN_NUMBER)
    return f"{RETURN_NUMBER_PREFIX}{ORDER_NUMBER_BASE + value}"


async def next_feed_position(session: AsyncSession) -> int:
    return await advance(session, ORDER_FEED)
