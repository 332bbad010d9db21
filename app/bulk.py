"""Bulk writes inside the caller's transaction: the one writer of ERP imports and the demo data.

``Writer`` inserts many rows a statement: ``COPY`` on PostgreSQL (asyncpg), on
SQLite one ``INSERT ... SELECT`` over ``json_each``. ``update_by_key`` sends
many single-row UPDATEs as one executemany, in key order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex, ExecutableDDLElement

from app.models import SearchTerm

T = TypeVar("T")

BULK_CACHE_KIB = 512 * 1024  # SQLite page cache while loading (the default is 2 MB)
PG_BUILD_MEMORY = "256MB"

_PG_ARRAY_TYPES = {str: "text", int: "bigint", bool: "boolean"}
_TERM_COLUMNS = ("term", "product_id", "weight")


@dataclass(frozen=True, slots=True)
class Prepared:
    """Rows of one table ready for the driver: JSON for SQLite, tuples otherwise."""

    table: Table
    columns: tuple[str, ...]
    payload: Any
    count: int
    # SQLite: the SELECT that reads the rows out of the JSON parameter (ending in a
    # WHERE or ORDER BY clause, so that an ON CONFLICT clause may follow it).
    source: str = ""


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def _translated(call: Awaitable[T], statement: str) -> T:
    """asyncpg's own errors as SQLAlchemy's, as a statement sent through the session raises them,
    so that callers tell a unique violation (a concurrent batch won) from any other failure."""
    try:
        return await call
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(statement, None, error) from error
    except asyncpg.PostgresError as error:
        raise DBAPIError(statement, None, error) from error


async def _write_asyncpg(raw: Any, prepared: Prepared, ignore_duplicates: bool) -> int:
    """COPY, or with ``ignore_duplicates`` one INSERT over unnest()ed arrays (COPY cannot skip rows)."""
    table, columns = prepared.table.name, prepared.columns
    if not ignore_duplicates:
        copy = raw.copy_records_to_table(table, records=prepared.payload, columns=list(columns))
        await _translated(copy, f"COPY {table}")
        return prepared.count
    types = [_PG_ARRAY_TYPES[prepared.table.c[name].type.python_type] for name in columns]
    arrays = ", ".join(f"${i + 1}::{type_}[]" for i, type_ in enumerate(types))
    statement = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING"
    status = await _translated(
        raw.execute(statement, *[list(column) for column in zip(*prepared.payload, strict=True)]), statement
    )
    return int(status.rsplit(" ", 1)[-1])  # "INSERT 0 <rows>"


class Writer:
    """Bulk inserts on the session's connection, inside its transaction.

    ``prepare`` is pure (any thread may run it): the values go through each
    column's bind processor for the dialect, as Core would do, so they are
    stored exactly as the ORM stores them. ``write`` sends them in one go:
    ``COPY`` on PostgreSQL (asyncpg); on SQLite one ``INSERT ... SELECT`` over
    ``json_each``, which the driver's thread runs without taking Python's GIL
    row by row (as ``executemany`` does), so Python can make the next batch
    meanwhile.
    """

    def __init__(self, connection: AsyncConnection, raw: Any | None) -> None:
        self.connection = connection
        self.dialect: Dialect = connection.dialect
        self.raw = raw  # the asyncpg connection on PostgreSQL, else None

    @classmethod
    async def open(cls, session: AsyncSession) -> Writer:
        connection = await session.connection()
        raw = None
        if connection.dialect.name == "postgresql" and connection.dialect.driver == "asyncpg":
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            if not raw.is_in_transaction():
                # Any statement first, so the asyncpg transaction has begun and COPY runs in it.
                await connection.execute(text("SELECT 1"))
            assert raw.is_in_transaction()
        return cls(connection, raw)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect.name == "sqlite"

    def prepare(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> Prepared:
        processors = [
            (i, processor)
            for i, name in enumerate(columns)
            if (processor := table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)) is not None
        ]
        if processors:
            processed = []
            for row in rows:
                values = list(row)
                for i, processor in processors:
                    values[i] = processor(values[i])
                processed.append(tuple(values))
            rows = processed
        if not self.is_sqlite:
            return Prepared(table, tuple(columns), rows, len(rows))
        fields = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
        source = f"SELECT {fields} FROM json_each(?) WHERE true"
        return Prepared(table, tuple(columns), _json(rows), len(rows), source)

    def prepare_terms(self, terms: list[tuple[int, dict[str, int]]]) -> Prepared:
        """search_terms rows from (product id, {term: weight}) pairs.

        For SQLite as one JSON object {"id": {"term": weight}}: a third smaller
        than rows with the id repeated, and quicker at both ends. They go in
        sorted by term, which spares the (term, product_id) B-tree a fifth of
        its work.
        """
        table, columns = SearchTerm.__table__, _TERM_COLUMNS
        count = sum(len(product_terms) for _, product_terms in terms)
        if self.is_sqlite:
            source = (
                "SELECT t.key, p.key, t.value FROM json_each(?) AS p, json_each(p.value) AS t WHERE true ORDER BY 1"
            )
            return Prepared(table, columns, _json(dict(terms)), count, source)
        rows = [(term, id_, weight) for id_, product_terms in terms for term, weight in product_terms.items()]
        return self.prepare(table, columns, rows)

    async def insert(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        await self.write(self.prepare(table, columns, rows))

    async def insert_dicts(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows as column -> value mappings, all with the same columns."""
        if rows:
            columns = tuple(rows[0])
            await self.insert(table, columns, [tuple(row[name] for name in columns) for row in rows])

    async def write(self, prepared: Prepared, *, ignore_duplicates: bool = False) -> int:
        """Inserts the rows; returns how many were new (some may be there already with ``ignore_duplicates``)."""
        if not prepared.count:
            return 0
        if self.raw is not None:
            return await _write_asyncpg(self.raw, prepared, ignore_duplicates)
        table, names = prepared.table.name, ", ".join(prepared.columns)
        conflict = " ON CONFLICT DO NOTHING" if ignore_duplicates else ""
        if self.is_sqlite:
            result = await self.connection.exec_driver_sql(
                f"INSERT INTO {table} ({names}) {prepared.source}{conflict}", (prepared.payload,)
            )
            return result.rowcount
        marker = "%s" if self.dialect.paramstyle in {"format", "pyformat"} else "?"
        placeholders = ", ".join(marker for _ in prepared.columns)
        result = await self.connection.exec_driver_sql(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}){conflict}", prepared.payload
        )
        return result.rowcount

    @asynccontextmanager
    async def bulk(self, tables: Sequence[Table], rebuilt: Sequence[Table], large: bool) -> AsyncIterator[None]:
        """A load into ``tables``, tuned for the database.

        SQLite: a large page cache meanwhile, since the index B-trees soon
        outgrow the default 2 MB.

        PostgreSQL, for a ``large`` load: the foreign keys of ``tables`` are
        dropped and added again at the end, which checks every row in one join
        instead of a trigger a row; the primary key and indexes of ``rebuilt``
        (nobody refers to it: the search index) likewise, since building a
        B-tree from sorted rows is several times faster than millions of
        random inserts. All of it happens in the transaction, so a failure
        leaves the schema as it was; meanwhile the ALTER TABLEs lock these
        tables (and products) until the transaction ends.
        """
        if self.is_sqlite:
            async with self._large_cache():
                yield
            return
        rebuilding = large and self.dialect.name == "postgresql"
        changes = await self._keys_to_rebuild(tables, rebuilt) if rebuilding else []
        if rebuilding:
            # Sorting for the index builds in memory rather than in temporary files.
            await self.connection.execute(text(f"SET LOCAL maintenance_work_mem = '{PG_BUILD_MEMORY}'"))
        for drop, _ in changes:
            await self.connection.execute(drop)
        yield
        for _, add in reversed(changes):
            await self.connection.execute(add)

    @asynccontextmanager
    async def _large_cache(self) -> AsyncIterator[None]:
        previous = (await self.connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
        await self.connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            await self.connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")

    async def _keys_to_rebuild(
        self, tables: Sequence[Table], rebuilt: Sequence[Table]
    ) -> list[tuple[ExecutableDDLElement, ExecutableDDLElement]]:
        """(drop, add again) for the foreign keys of ``tables`` and the keys and indexes of ``rebuilt``
        that the database has."""
        constraints = set(
            (
                await self.connection.execute(
                    text(
                        "SELECT conname FROM pg_constraint JOIN pg_class ON pg_class.oid = conrelid"
                        " WHERE relname = ANY(:tables) AND pg_class.relnamespace = current_schema()::regnamespace"
                    ),
                    {"tables": [table.name for table in tables]},
                )
            ).scalars()
        )
        indexes = set(
            (
                await self.connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
                )
            ).scalars()
        )
        changes: list[tuple[ExecutableDDLElement, ExecutableDDLElement]] = [
            (DropConstraint(key), AddConstraint(key))
            for table in tables
            for key in table.foreign_key_constraints
            if key.name in constraints
        ]
        for table in rebuilt:
            if table.primary_key.name in constraints:
                changes.append((DropConstraint(table.primary_key), AddConstraint(table.primary_key)))
            changes += [(DropIndex(index), CreateIndex(index)) for index in table.indexes if index.name in indexes]
        return changes

    async def reserve_ids(self, table: Table, count: int) -> list[int]:
        """``count`` fresh ids for ``table``: its sequence's on PostgreSQL, max(id)+1.. on SQLite.

        SQLite: the caller's write transaction (BEGIN IMMEDIATE) holds the
        write lock, so nobody else takes ids meanwhile. PostgreSQL: the ids
        come from the table's own sequence, so later ordinary inserts do not
        collide with them.
        """
        if count == 0:
            return []
        if self.dialect.name == "postgresql":
            result = await self.connection.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                {"table": table.name, "count": count},
            )
            return sorted(result.scalars())
        top = await self.connection.scalar(select(func.max(table.c.id))) or 0
        return list(range(top + 1, top + 1 + count))


async def insert(session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts ``rows`` (column -> value, all with the same columns) in bulk, in the session's transaction."""
    if rows:
        await (await Writer.open(session)).insert_dicts(table, rows)


async def update_by_key(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """One UPDATE per row by primary key, in key order (so that concurrent batches lock rows in
    the same order). Rows that set the same columns go out as one executemany; each row holds
    its key and the columns to set. The identity map is not involved."""
    if not rows:
        return
    keys = [column.name for column in table.primary_key.columns]
    where = [table.c[key] == bindparam(f"key_{key}") for key in keys]
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: tuple(row[key] for key in keys)):
        groups[frozenset(row)].append(row)
    for group in groups.values():
        parameters = [
            {**{f"key_{key}": row[key] for key in keys}, **{k: v for k, v in row.items() if k not in keys}}
            for row in group
        ]
        await session.execute(update(table).where(*where), parameters)
