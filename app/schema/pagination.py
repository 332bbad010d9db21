"""Relay connection types shared by every list (first <= 100, default 20), built from a ``Page``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar, cast

import strawberry

from app.pagination import Page

NodeT = TypeVar("NodeT")
EdgeT = TypeVar("EdgeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(has_next_page=page.has_next, end_cursor=page.end_cursor)


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


class _Paged(Protocol):
    page: Page[Any]


def total_count(self: _Paged) -> int:
    """The page's total: a number it came with, or a ``LazyTotal`` counted now that a client selected it.

    Not ``async``: graphql-core awaits an awaitable result, and the usual counted
    total then costs no coroutine (the cast says only that it resolves to an int).
    """
    return cast(int, self.page.total_now_or_later())


@strawberry.type
class Connection(Generic[NodeT]):
    total_count: int = strawberry.field(resolver=total_count)
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    page: strawberry.Private[Page[Any]]


def edges(page: Page[Any], to_node: Callable[[Any], Any], edge: Callable[..., EdgeT]) -> list[EdgeT]:
    return [edge(cursor=c, node=to_node(row)) for c, row in zip(page.cursors, page.rows, strict=True)]


def connection(page: Page[Any], to_node: Callable[[Any], Any]) -> Connection[Any]:
    return Connection(edges=edges(page, to_node, Edge), page_info=PageInfo.of(page), page=page)
