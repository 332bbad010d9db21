"""The one way a list is paged: keyset cursors, and ``Page``, what every connection is built from.

A list is ordered by some columns with the primary key as the last tie-break;
a row's cursor is the opaque encoding (app/opaque.py) of its values of those
columns, so a page is stable under inserts and never an OFFSET scan.

Every list reads one row more than it shows, to know whether there is a next
page, and hands the rows to ``page_of``, whether it read them with
``paginate``, in a dataloader batch for many parents at once, or in the order
feed's own order. A page's total is a number or a ``LazyTotal``, counted only
when a client selects ``totalCount``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from app import opaque
from app import settings as limits
from app.errors import InvalidInput
from app.http.input_hygiene import string_problem
from app.unit_of_work import UnitOfWork

T = TypeVar("T")

NOT_OUR_CURSOR = "after is not a cursor this list gave out."
# A sort value a cursor may hold (a longer string is no value of ours), and as
# JSON at most 12 characters per character ("\ud83d\ude00") plus its quotes and comma.
_MAX_VALUE_CHARS = 1_000
_MAX_JSON_CHARS_PER_VALUE = 12 * _MAX_VALUE_CHARS + 3


@dataclass(frozen=True, slots=True)
class SortKey:
    column: InstrumentedAttribute[Any]
    descending: bool = False


class LazyTotal:
    """A count run only when asked (a client selected ``totalCount``), and once however often it is asked.

    Like ``Context.memo``: the first caller starts it, aliases of the field await the same task.
    """

    __slots__ = ("_count", "_task")

    def __init__(self, count: Callable[[], Awaitable[int]]) -> None:
        self._count = count
        self._task: asyncio.Future[int] | None = None

    def value(self) -> Awaitable[int]:
        if self._task is None:
            self._task = asyncio.ensure_future(self._count())
        return self._task


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    cursors: list[str]
    has_next: bool
    total: int | LazyTotal
    # The endCursor of an empty page: None, or (the order feed) the cursor it was given, to keep the place.
    resume: str | None = None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else self.resume

    async def total_count(self) -> int:
        return self.total if isinstance(self.total, int) else await self.total.value()

    def total_now_or_later(self) -> int | Awaitable[int]:
        """The total as it is, or (a ``LazyTotal``) the awaitable of its count: for a resolver graphql awaits."""
        return self.total if isinstance(self.total, int) else self.total.value()


def page_size(first: int | None) -> int:
    if first is None:
        return limits.DEFAULT_PAGE_SIZE
    if first < 0 or first > limits.MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 0 and {limits.MAX_PAGE_SIZE}.")
    return first


def empty_page(first: int | None) -> Page[Any]:
    """A list with nothing to show (e.g. to a viewer out of its reach); a bad ``first`` is still INVALID_INPUT."""
    page_size(first)
    return Page([], [], False, 0)


def page_of(
    rows: Sequence[T], size: int, cursor: Callable[[T], str], total: int | LazyTotal, resume: str | None = None
) -> Page[T]:
    """The first ``size`` of ``rows`` (read with at least one more, to tell whether a next page exists)."""
    shown = list(rows[:size])
    return Page(shown, [cursor(row) for row in shown], len(rows) > size, total, resume)


def encode_cursor(values: Sequence[Any]) -> str:
    return opaque.encode(json.dumps(list(values), separators=(",", ":")))


def cursor_of(keys: Sequence[SortKey], row: Any) -> str:
    """The cursor of ``row`` in a list ordered by ``keys``."""
    return encode_cursor([getattr(row, key.column.key) for key in keys])


def _fits(key: SortKey, value: Any) -> bool:
    """A value a cursor of ours can hold for ``key``: one the database can compare with its column."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):  # INTEGER columns (a string here would fail the query on PostgreSQL)
        return key.column.type.python_type is int and -(2**31) <= value < 2**31
    return (
        isinstance(value, str)
        and key.column.type.python_type is str
        and len(value) <= _MAX_VALUE_CHARS
        and string_problem(value) is None
    )


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    """The sort values in ``cursor``, one per key and of its column's type; else INVALID_INPUT."""
    text = opaque.decode(cursor, opaque.encoded_length(2 + len(keys) * _MAX_JSON_CHARS_PER_VALUE))
    if text is None:
        raise InvalidInput(NOT_OUR_CURSOR)
    try:
        values = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" deeper than the parser goes
        raise InvalidInput(NOT_OUR_CURSOR) from None
    if (
        not isinstance(values, list)
        or len(values) != len(keys)
        or not all(_fits(key, value) for key, value in zip(keys, values, strict=True))
    ):
        raise InvalidInput(NOT_OUR_CURSOR)
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
    uow: UnitOfWork,
    query: Select[Any],
    keys: Sequence[SortKey],
    first: int | None,
    after: str | None,
    *,
    lazy_total: bool = False,
) -> Page[Any]:
    """One page of ``query`` (which selects one entity) in the order of ``keys``.

    The total is counted with the page unless ``lazy_total``: then only when a
    client selects ``totalCount``. The API's lists pass ``lazy_total`` (a page
    without totalCount costs one statement less); counting at once is for a
    caller that needs the number itself.
    """
    size = page_size(first)
    paged = query
    if after:
        paged = paged.where(_after(keys, decode_cursor(after, keys)))
    paged = paged.order_by(*[(k.column.desc() if k.descending else k.column.asc()) for k in keys]).limit(size + 1)
    counting = select(func.count()).select_from(query.order_by(None).subquery())

    async def count() -> int:
        async with uow.session() as session:
            return int((await session.execute(counting)).scalar_one())

    total: int | LazyTotal = LazyTotal(count) if lazy_total else await count()
    rows: list[Any] = []
    if size:
        async with uow.session() as session:
            rows = list((await session.scalars(paged)).all())
    return page_of(rows, size, lambda row: cursor_of(keys, row), total)
