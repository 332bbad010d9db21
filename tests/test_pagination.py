"""The one connection builder: pages cut from look-ahead rows, keyset cursors, totals counted when asked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from sqlalchemy import select

from app.db import Database
from app.errors import InvalidInput
from app.models import Customer
from app.pagination import LazyTotal, Page, SortKey, cursor_of, page_of, paginate
from app.schema.pagination import Connection, connection
from app.unit_of_work import UnitOfWork
from tests.factories import make_customer
from tests.helpers.sql import count_statements

BY_NUMBER = (SortKey(Customer.number), SortKey(Customer.id))


def test_a_page_shows_size_rows_and_knows_whether_more_follow() -> None:
    page = page_of([1, 2, 3], 2, str, 7)
    assert (page.rows, page.cursors, page.has_next, page.total, page.end_cursor) == ([1, 2], ["1", "2"], True, 7, "2")
    last = page_of([1, 2], 2, str, 2)
    assert last.has_next is False and last.end_cursor == "2"
    # A loader that read a parent's whole list (more than one row ahead) cuts it the same way.
    assert page_of(list(range(10)), 3, str, 10).rows == [0, 1, 2]


def test_an_empty_page_ends_at_none_or_where_it_was_asked_to_resume() -> None:
    assert page_of([], 5, str, 0).end_cursor is None
    assert page_of([], 0, str, 0, resume="kept").end_cursor == "kept"
    assert page_of([1], 0, str, 1, resume="kept") == Page([], [], True, 1, "kept")


def test_a_rows_cursor_holds_its_sort_values() -> None:
    row = Customer(id=7, number="10001", name="x")
    assert cursor_of(BY_NUMBER, row) == "WyIxMDAwMSIsN10"  # ["10001",7], as the lists always gave out


def _schema(page: Page[int]) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def numbers(self) -> Connection[int]:
            return connection(page, lambda n: n)

    return strawberry.Schema(query=Query)


async def test_a_lazy_total_is_counted_only_when_a_client_selects_total_count_and_once() -> None:
    counted = 0

    async def count() -> int:
        nonlocal counted
        counted += 1
        await asyncio.sleep(0.01)  # a real count takes a while: the alias must not start a second one
        return 42

    page = page_of([1, 2, 3], 2, str, LazyTotal(count))
    schema = _schema(page)
    without = await schema.execute("{ numbers { edges { cursor node } pageInfo { hasNextPage endCursor } } }")
    assert without.errors is None and counted == 0
    assert without.data == {
        "numbers": {
            "edges": [{"cursor": "1", "node": 1}, {"cursor": "2", "node": 2}],
            "pageInfo": {"hasNextPage": True, "endCursor": "2"},
        }
    }
    selected = await schema.execute("{ numbers { totalCount again: totalCount } }")
    assert selected.errors is None and selected.data == {"numbers": {"totalCount": 42, "again": 42}}
    assert counted == 1


async def test_a_counted_total_is_shown_as_it_is() -> None:
    result = await _schema(page_of([1], 5, str, 1)).execute("{ numbers { totalCount } }")
    assert result.data == {"numbers": {"totalCount": 1}}


async def _walk(uow: UnitOfWork, first: int, lazy_total: bool) -> tuple[list[str], list[Any]]:
    seen: list[str] = []
    pages: list[Any] = []
    after = None
    while True:
        page = await paginate(uow, select(Customer), BY_NUMBER, first, after, lazy_total=lazy_total)
        pages.append(page)
        seen += [c.number for c in page.rows]
        if not page.has_next:
            return seen, pages
        after = page.end_cursor


@pytest.mark.parametrize("lazy_total", [False, True], ids=["counted", "lazy"])
async def test_paginate_walks_every_row_once_and_counts_when_told(database: Database, lazy_total: bool) -> None:
    numbers = sorted(f"{n:05d}" for n in [30, 10, 50, 20, 40, 60, 70])
    for number in numbers:
        await make_customer(database, number)
    uow = UnitOfWork(database)
    try:
        with count_statements(database) as log:
            seen, pages = await _walk(uow, 3, lazy_total)
        assert seen == numbers
        # Each page: its rows, and its count unless that waits for totalCount.
        assert log.count == len(pages) * (1 if lazy_total else 2)
        with count_statements(database) as log:
            assert [await page.total_count() for page in pages] == [7] * len(pages)
            assert await pages[0].total_count() == 7
        assert log.count == (len(pages) if lazy_total else 0)
    finally:
        await uow.close()


async def test_a_forged_cursor_is_invalid_input_before_any_statement(database: Database) -> None:
    uow = UnitOfWork(database)
    try:
        with count_statements(database) as log, pytest.raises(InvalidInput):
            await paginate(uow, select(Customer), BY_NUMBER, 3, "WyIxMDAwMSIsN10=")
        assert log.count == 0
        page = await paginate(uow, select(Customer), BY_NUMBER, 0, None)
        assert (page.rows, page.has_next, page.total) == ([], False, 0)
    finally:
        await uow.close()
