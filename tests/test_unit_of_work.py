"""The unit of work closes only when no resolver is using its session any more.

graphql-core 3.2 lets the siblings of a failed non-null field run on in the
background (3.3 cancels them); these tests make both situations directly and
check that the connection comes back and no new one is opened after closing.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from app.db import Database
from app.models import Customer
from app.unit_of_work import RequestClosed, UnitOfWork


async def _reader(uow: UnitOfWork, started: asyncio.Event, rounds: int = 5) -> int:
    found = 0
    for _ in range(rounds):
        async with uow.session() as session:
            started.set()
            found += len((await session.scalars(select(Customer.id))).all())
        await asyncio.sleep(0)
    return found


def _abandon(uow: UnitOfWork, started: asyncio.Event, how: str) -> list[asyncio.Future[int]]:
    if how == "background":
        # graphql-core 3.2: the siblings run on as plain tasks that nobody awaits.
        return [asyncio.ensure_future(_reader(uow, started)) for _ in range(10)]
    # graphql-core 3.3: the siblings are cancelled; through the middleware the resolvers still finish.
    return [asyncio.ensure_future(uow.finish_even_if_abandoned(_reader(uow, started))) for _ in range(10)]


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
@pytest.mark.parametrize("how", ["background", "cancelled"])
async def test_close_waits_for_resolvers_still_using_the_session(database: Database, write: bool, how: str) -> None:
    uow = UnitOfWork(database, write=write)
    started = asyncio.Event()
    abandoned = _abandon(uow, started, how)
    await started.wait()
    if how == "cancelled":
        for outer in abandoned:
            outer.cancel()
    await uow.close()

    assert database.engine.pool.checkedout() == 0
    with pytest.raises(RequestClosed):
        async with uow.session():
            pass
    assert database.engine.pool.checkedout() == 0
    await asyncio.gather(*abandoned, return_exceptions=True)
    # The database takes a write at once: no transaction was left open.
    async with asyncio.timeout(5), database.transaction() as session:
        session.add(Customer(number="55555", name="Etterpå"))
    if not database.is_sqlite:
        async with database.engine.connect() as connection:
            idle = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
        assert idle == 0


async def test_a_resolver_that_comes_back_after_closing_gets_no_new_connection(database: Database) -> None:
    uow = UnitOfWork(database)
    async with uow.session() as session:
        await session.execute(select(1))
    await uow.close()
    with pytest.raises(RequestClosed):
        async with uow.session():
            pass
    assert database.engine.pool.checkedout() == 0
