"""One database session per request, never used by two tasks at once.

GraphQL resolves sibling fields concurrently, and dataloaders dispatch their
batches in the same tick; an ``AsyncSession`` is not safe for that. Every use
of the request's session therefore goes through ``session()``, which holds a
lock, so concurrent resolvers take turns on one connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database


class UnitOfWork:
    def __init__(self, database: Database, *, write: bool = False) -> None:
        self.database = database
        self._factory = database.writer if write else database.reader
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The request's session, for reads; hold it only around database calls."""
        async with self._lock:
            if self._session is None:
                self._session = self._factory()
            yield self._session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits on success and rolls back on any exception.

        A mutation's change, its audit entries and its outbox mail all go
        through one of these, so they commit together or not at all.
        """
        async with self.session() as session:
            if session.in_transaction():
                # End the read transaction so the write starts from fresh data.
                await session.commit()
            async with session.begin():
                yield session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
