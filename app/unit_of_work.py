"""One database session per request, never used by two tasks at once.

GraphQL resolves sibling fields concurrently, and dataloaders dispatch their
batches in the same tick; an ``AsyncSession`` is not safe for that. Every use
of the request's session therefore goes through ``session()`` (or, for Core reads,
``connection()``), which holds a lock, so concurrent resolvers take turns on one connection.

When a non-null field fails, graphql-core abandons its siblings: it cancels
them (3.3) or lets them run on in the background (3.2, and a failure raised
while fields are being started). A cancellation that lands inside a statement
makes SQLAlchemy invalidate the connection mid-transaction; on SQLite the
driver is then stopped with its write transaction still open, so every later
write waits for the busy timeout and fails. And a sibling still running when
the request closed its session would open a fresh one that nobody closes (on
PostgreSQL: "idle in transaction" until the pool runs dry). So every resolver
runs through ``finish_even_if_abandoned`` (put on the schema's resolvers by
``app/http/abandoned.py``): a cancelled field stops waiting for it, but the
resolver itself runs to its end, and ``close()`` waits for every such task
before it closes the session. Once closing, a resolver that asks for the
session again gets ``RequestClosed`` instead of a new connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.db import Database

T = TypeVar("T")


class RequestClosed(Exception):
    """The request has answered; its abandoned resolvers may not start new database work."""


class UnitOfWork:
    def __init__(self, database: Database, *, write: bool = False) -> None:
        self.database = database
        self._write = write
        self._factory = database.writer if write else database.reader
        self._session: AsyncSession | None = None
        # A PostgreSQL reader's Core reads go on a connection of their own, without an ORM session
        # (see ``connection``); a session made later is bound to it.
        self._bare = not write and not database.is_sqlite
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._closing = False
        self._running: set[asyncio.Future[Any]] = set()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The request's session, for reads; hold it only around database calls."""
        async with self._lock:
            if self._closing:
                raise RequestClosed("The request has already answered.")
            if self._session is None:
                self._session = self._factory() if self._connection is None else self._factory(bind=self._connection)
            yield self._session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The request's connection, for Core reads; hold it only around database calls.

        A PostgreSQL reader checks one out on its own: no ORM session (its
        transaction bookkeeping, its close) for the many requests that read only in
        Core, the session lookup first. Everything else reads on the session's.
        """
        if not self._bare:
            async with self.session() as session:
                yield await session.connection()
            return
        async with self._lock:
            if self._closing:
                raise RequestClosed("The request has already answered.")
            if self._session is not None:
                yield await self._session.connection()
                return
            if self._connection is None:
                self._connection = await self.database.reader_engine.connect()
            yield self._connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits on success and rolls back on any exception.

        A mutation's change, its audit entries and its outbox mail all go
        through one of these, so they commit together or not at all.
        """
        if not self._write:
            # A reader's session autocommits on PostgreSQL: its writes would not be atomic.
            raise RuntimeError("this unit of work only reads: make it with write=True")
        async with self.session() as session:
            if session.in_transaction():
                if not self.database.is_sqlite:
                    # PostgreSQL under READ COMMITTED: every statement of the open transaction
                    # (so far only reads, such as the viewer's lookup) sees fresh data anyway,
                    # so the write carries on in it: a COMMIT and a BEGIN fewer per mutation.
                    try:
                        yield session
                    except BaseException:
                        await session.rollback()
                        raise
                    await session.commit()
                    return
                # SQLite: end the read transaction so the write starts from fresh data.
                await session.commit()
            async with session.begin():
                yield session

    def finish_even_if_abandoned(self, work: Awaitable[T]) -> Awaitable[T]:
        """Run ``work`` as its own task that cancelling the caller does not stop; ``close()`` waits for it."""
        task: asyncio.Future[T] = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return asyncio.shield(task)

    async def close(self) -> None:
        """Wait for every resolver still running, then close the session (even if the request is cancelled)."""
        if not self._running and self._session is None and self._connection is None:
            # Nothing runs and nothing was opened (most requests of a warm page): no task to shield.
            self._closing = True
            return
        await asyncio.shield(self._close())

    async def _close(self) -> None:
        self._closing = True
        while self._running:
            pending = set(self._running)
            await asyncio.wait(pending)
            for task in pending:
                if not task.cancelled():
                    task.exception()  # an abandoned field's error: nobody reads it, so mark it read
        async with self._lock:
            session, self._session = self._session, None
            connection, self._connection = self._connection, None
            if session is not None:
                await session.close()
            if connection is not None:
                await connection.close()
