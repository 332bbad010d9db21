"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite is set up for real use: WAL so readers never wait for the writer,
foreign keys enforced, a busy timeout, and write transactions that take the
write lock up front (``BEGIN IMMEDIATE``) so two writers queue instead of one
failing halfway with "database is locked".

No statement runs longer than ``STATEMENT_TIMEOUT_MS``: PostgreSQL enforces
its ``statement_timeout`` (set per connection at connect, so it costs no
round trip, as is ``jit`` = off); SQLite has no such setting, so a progress handler, called every
few thousand virtual-machine steps, interrupts a statement past its budget
(the statement fails with "interrupted"). Waiting for SQLite's write lock is
the busy timeout's business, not this one's.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from app import settings as limits

# Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE.
WRITE_OPTION = "commerce_write"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        _ensure_sqlite_directory(url)
        engine = create_async_engine(
            url,
            connect_args={"timeout": limits.SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if make_url(url).get_backend_name() == "postgresql" and make_url(url).get_driver_name() == "asyncpg":
        connect_args = dict(kwargs.pop("connect_args", {}))
        server_settings = dict(connect_args.get("server_settings", {}))
        server_settings.setdefault("statement_timeout", str(limits.STATEMENT_TIMEOUT_MS))
        # No JIT compilation: our statements are short, and a large catalogue's estimates pass
        # jit_above_cost, so a search spent 75 of its 95 ms compiling ('sprøyte 10 ml' at 100k).
        server_settings.setdefault("jit", "off")
        connect_args["server_settings"] = server_settings
        kwargs["connect_args"] = connect_args
    kwargs.setdefault("pool_size", limits.PG_POOL_SIZE)
    kwargs.setdefault("max_overflow", limits.PG_MAX_OVERFLOW)
    # No pre-ping: it costs a round trip on every checkout (about 2 ms a request
    # here). A connection the server dropped is invalidated on first use instead,
    # and connections are recycled before typical idle timeouts.
    kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(url, **kwargs)


# SQLite's VM steps between two calls of the progress handler (a few ms at most).
_PROGRESS_STEPS = 20_000


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine
    budget = limits.STATEMENT_TIMEOUT_MS / 1000

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # When the running statement started (None between statements); read by the
        # handler on aiosqlite's thread, written here around each statement.
        started: list[float | None] = [None]
        record.info["statement_started"] = started

        def over_budget() -> bool:
            began = started[0]
            return began is not None and time.monotonic() - began > budget

        await_only(dbapi_connection.driver_connection.set_progress_handler(over_budget, _PROGRESS_STEPS))
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={limits.SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _statement_starts(connection: Any, *_args: Any) -> None:
        if (started := connection.info.get("statement_started")) is not None:
            started[0] = time.monotonic()

    @event.listens_for(sync_engine, "after_cursor_execute")
    def _statement_ends(connection: Any, *_args: Any) -> None:
        if (started := connection.info.get("statement_started")) is not None:
            started[0] = None

    @event.listens_for(sync_engine, "handle_error")
    def _statement_failed(context: Any) -> None:
        connection = context.connection
        if connection is not None and (started := connection.info.get("statement_started")) is not None:
            started[0] = None

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def writer_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for transactions that will write (mutations, the mail sender)."""
    return async_sessionmaker(
        engine.execution_options(**{WRITE_OPTION: True}),
        expire_on_commit=False,
        autoflush=False,
    )


def reader_engine(engine: AsyncEngine) -> AsyncEngine:
    """Connections and sessions that only read: on PostgreSQL without a transaction (autocommit).

    Under READ COMMITTED every statement sees its own snapshot, in a
    transaction or not, so a reader's BEGIN and ROLLBACK bought nothing but two
    round trips per request (the most expensive thing a request does here: a
    statement round trip costs more server CPU than resolving a page of 20).
    Anything that writes uses ``writer`` sessions, which always run in a
    transaction (app/unit_of_work.py refuses a transaction on a reader).
    SQLite keeps its transaction: its BEGIN is no round trip, and a reader's
    deferred transaction keeps the WAL snapshot steady across statements.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


class Database:
    """One engine with its session factories; one per process."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.reader_engine = reader_engine(self.engine)
        self.reader = session_factory(self.reader_engine)
        self.writer = writer_factory(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction on a fresh session: commits, or rolls back on error."""
        async with self.writer() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
