"""How many rows an UPDATE or DELETE matched: the test of a conditional write."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.ext.asyncio import AsyncSession


async def rows_matched(session: AsyncSession, statement: Update | Delete) -> int:
    """Execute ``statement`` and count the rows its WHERE clause matched.

    ``AsyncSession.execute`` is typed to return ``Result``; for an UPDATE or a
    DELETE without RETURNING it returns a ``CursorResult``, which alone carries
    ``rowcount``, so the cast states a fact SQLAlchemy's annotations cannot.
    """
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount
