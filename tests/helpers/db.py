"""Reading the database directly in tests, to check what a request changed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import DBAPIError

from app.db import Database
from app.models import Base, Category, CategoryProductCount, OutboxMessage, Product


async def rows(database: Database, query: Select[Any]) -> list[Any]:
    async with database.reader() as session:
        return list((await session.execute(query)).all())


async def scalar(database: Database, query: Select[Any]) -> Any:
    async with database.reader() as session:
        return await session.scalar(query)


async def count(database: Database, model: Any, *where: Any) -> int:
    return await scalar(database, select(func.count()).select_from(model).where(*where)) or 0


async def outbox(database: Database, to: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    async with database.reader() as session:
        return list((await session.scalars(query)).all())


# --- emptying PostgreSQL between tests ----------------------------------------------------

# deadlock_detected, lock_not_available (our lock_timeout): both mean "someone else holds a lock; try again".
_RETRY_SQLSTATES = {"40P01", "55P03"}
_OTHERS_IN_TRANSACTION = """
SELECT pid, state, now() - state_change AS idle_for FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
AND backend_type = 'client backend'
"""
_TERMINATE = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(CAST(:pids AS integer[]))"


def _sqlstate(error: BaseException) -> str | None:
    for candidate in (error, getattr(error, "orig", None), getattr(getattr(error, "orig", None), "__cause__", None)):
        code = getattr(candidate, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


async def truncate_postgres(
    database: Database,
    *,
    settle_seconds: float = 10.0,
    leaked_after: timedelta = timedelta(seconds=5),
    attempts: int = 40,
) -> None:
    """Empty every table of our PostgreSQL database, without ever deadlocking.

    TRUNCATE takes ACCESS EXCLUSIVE locks table by table, parents first. A
    transaction still running from the previous test (a request of a
    module-scoped server, its mail worker, a task the previous test left
    behind) takes its locks children first: an INSERT into order_lines checks
    its foreign key on orders. Each then waits for the other, and PostgreSQL
    kills one of the two, sometimes the TRUNCATE. So: first wait (bounded)
    until no other session of this database is inside a transaction; then
    TRUNCATE with a short lock_timeout, so it gives up and frees what it holds
    long before a deadlock could form, and try again. A session idle in a
    transaction for seconds is a leak of the previous test: it is terminated.
    """
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    loop = asyncio.get_running_loop()
    for attempt in range(attempts):
        deadline = loop.time() + (settle_seconds if attempt == 0 else 1.0)
        async with database.engine.connect() as connection:
            while True:
                others = (await connection.execute(text(_OTHERS_IN_TRANSACTION))).all()
                leaked = [pid for pid, state, idle_for in others if _is_leaked(state, idle_for, leaked_after)]
                if leaked:
                    await connection.execute(text(_TERMINATE), {"pids": leaked})
                    await connection.commit()
                if not others or loop.time() > deadline:
                    break
                await connection.rollback()  # a fresh snapshot of pg_stat_activity next round
                await asyncio.sleep(0.05)
        try:
            async with database.engine.begin() as connection:
                await connection.execute(text("SET LOCAL lock_timeout = '300ms'"))
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            return
        except DBAPIError as error:
            if _sqlstate(error) not in _RETRY_SQLSTATES:
                raise
    raise RuntimeError(f"Could not empty the test database in {attempts} attempts: its tables stay locked.")


def _is_leaked(state: str | None, idle_for: timedelta | None, leaked_after: timedelta) -> bool:
    return bool(state and state.startswith("idle in transaction") and idle_for and idle_for > leaked_after)


async def kept_counts(database: Database) -> dict[int, tuple[int, int]]:
    """Category id -> (active, in stock) products as the database keeps them (CategoryProductCount)."""
    async with database.reader() as session:
        found = await session.execute(
            select(CategoryProductCount.category_id, CategoryProductCount.active, CategoryProductCount.in_stock)
        )
        return {category_id: (active, in_stock) for category_id, active, in_stock in found}


async def counted_counts(database: Database) -> dict[int, tuple[int, int]]:
    """The same counted over the products, as the kept counts must always be."""
    async with database.reader() as session:
        categories = (await session.scalars(select(Category.id))).all()
        active = dict(
            (
                await session.execute(
                    select(Product.category_id, func.count()).where(Product.active).group_by(Product.category_id)
                )
            ).all()
        )
        stocked = dict(
            (
                await session.execute(
                    select(Product.category_id, func.count())
                    .where(Product.active, Product.stock_quantity > 0)
                    .group_by(Product.category_id)
                )
            ).all()
        )
    return {c: (active.get(c, 0), stocked.get(c, 0)) for c in categories}
