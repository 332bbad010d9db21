"""Reading the database directly in tests, to check what a request changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from app.db import Database
from app.models import OutboxMessage


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
