"""Keyset pagination for every connection: stable under inserts, no OFFSET scans.

A page is ordered by some columns with the primary key as the last tie-break;
the cursor is the opaque encoding of the last row's values of those columns.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app import settings as limits
from app.errors import InvalidInput
from app.http.input_hygiene import string_problem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SortKey:
    column: InstrumentedAttribute[Any]
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    cursors: list[str]
    has_next: bool
    total: int

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def page_size(first: int | None) -> int:
    if first is None:
        return limits.DEFAULT_PAGE_SIZE
    if first < 0 or first > limits.MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 0 and {limits.MAX_PAGE_SIZE}.")
    return first


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), separators=(",", ":")).encode()).decode().rstrip("=")


def _plain(value: Any) -> bool:
    """A value a cursor of ours can hold: the database can compare it with a column."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**31) <= value < 2**31  # INTEGER columns
    return isinstance(value, str) and len(value) <= 1_000 and string_problem(value) is None


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise InvalidInput("after is not a cursor this list gave out.") from None
    if not isinstance(values, list) or len(values) != width or not all(_plain(v) for v in values):
        raise InvalidInput("after is not a cursor this list gave out.")
    return values


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> Any:
    """Rows strictly after ``values`` in the order of ``keys`` (lexicographic)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


async def paginate(
    session: AsyncSession,
    query: Select[Any],
    keys: Sequence[SortKey],
    first: int | None,
    after: str | None,
    *,
    count: bool = True,
) -> Page[Any]:
    """One page of ``query`` (which selects one entity) in the order of ``keys``."""
    size = page_size(first)
    total = 0
    if count:
        total = (await session.execute(select(func.count()).select_from(query.order_by(None).subquery()))).scalar_one()
    paged = query
    if after:
        paged = paged.where(_after(keys, decode_cursor(after, len(keys))))
    paged = paged.order_by(*[(k.column.desc() if k.descending else k.column.asc()) for k in keys]).limit(size + 1)
    rows = list((await session.scalars(paged)).all()) if size else []
    has_next = len(rows) > size
    rows = rows[:size]
    cursors = [encode_cursor([getattr(row, k.column.key) for k in keys]) for row in rows]
    return Page(rows, cursors, has_next, total)
