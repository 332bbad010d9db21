"""The fixture that empties PostgreSQL between tests never deadlocks.

A transaction of the previous test may still be running when the next test
starts (a request of a module-scoped server, a mail worker). It holds a lock
on a child table and is about to read a parent one, the opposite order to
TRUNCATE's: a plain TRUNCATE then deadlocks with it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, text

from app.db import Database
from app.models import Customer
from tests.factories import make_customer
from tests.helpers.db import count, truncate_postgres


async def test_emptying_waits_for_a_transaction_still_running(pg_database: Database) -> None:
    await make_customer(pg_database)
    async with pg_database.engine.connect() as leftover:
        await leftover.execute(text("LOCK TABLE memberships IN ROW EXCLUSIVE MODE"))
        emptying = asyncio.ensure_future(truncate_postgres(pg_database))
        # Long enough for a plain TRUNCATE to hold customers and wait for memberships.
        await asyncio.sleep(0.5)
        # The leftover reads a parent table: a plain TRUNCATE makes this a deadlock.
        await leftover.execute(select(Customer.id))
        await leftover.commit()
    await asyncio.wait_for(emptying, timeout=30)
    assert await count(pg_database, Customer) == 0


async def test_emptying_ends_a_transaction_left_idle(pg_database: Database) -> None:
    await make_customer(pg_database)
    leftover = await pg_database.engine.connect()
    try:
        await leftover.execute(text("LOCK TABLE memberships IN ROW EXCLUSIVE MODE"))
        await asyncio.wait_for(truncate_postgres(pg_database, leaked_after=timedelta(milliseconds=200)), timeout=30)
        assert await count(pg_database, Customer) == 0
    finally:
        await leftover.invalidate()
        await leftover.close()
