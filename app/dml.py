"""Conditional writes: how many rows an UPDATE or DELETE matched, and claiming due rows once."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Select, Update, select
from sqlalchemy.ext.asyncio import AsyncSession


async def rows_matched(session: AsyncSession, statement: Update | Delete) -> int:
    """Execute ``statement`` and count the rows its WHERE clause matched.

    ``AsyncSession.execute`` is typed to return ``Result``; for an UPDATE or a
    DELETE without RETURNING it returns a ``CursorResult``, which alone carries
    ``rowcount``, so the cast states a fact SQLAlchemy's annotations cannot.
    """
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount


def claimable(due: Select[Any], name: str = "due") -> Select[Any]:
    """``SELECT id FROM due`` for ``UPDATE ... WHERE id IN (...)``, with ``due`` run exactly once.

    ``due`` selects the ids to claim with ``LIMIT n FOR UPDATE SKIP LOCKED``. Used directly as
    ``IN (subquery)``, PostgreSQL may plan a semi-join that runs it again for every outer row, so
    one claim leases every due row instead of ``n`` (seen with the outbox: 30 rows for a batch of
    5). A ``MATERIALIZED`` CTE is evaluated once, which keeps the LIMIT; SQLite has no row locks
    (its ``BEGIN IMMEDIATE`` serialises claims) and no such plan, so there the CTE is a plain one.
    """
    cte = due.cte(name).prefix_with("MATERIALIZED", dialect="postgresql")
    return select(cte.c.id)
