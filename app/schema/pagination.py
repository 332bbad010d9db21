"""Relay connection types shared by every list (first <= 100, default 20), built from a ``Page``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

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


async def _total_count(self: Connection[Any]) -> int:
    # A page may count only now, when a client has selected totalCount (pagination.LazyTotal).
    return await self.page.total_count()


@strawberry.type
class Connection(Generic[NodeT]):
    total_count: int = strawberry.field(resolver=_total_count)
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    page: strawberry.Private[Page[Any]]


def edges(page: Page[Any], to_node: Callable[[Any], Any], edge: Callable[..., EdgeT]) -> list[EdgeT]:
    return [edge(cursor=c, node=to_node(row)) for c, row in zip(page.cursors, page.rows, strict=True)]


def connection(page: Page[Any], to_node: Callable[[Any], Any]) -> Connection[Any]:
    return Connection(edges=edges(page, to_node, Edge), page_info=PageInfo.of(page), page=page)
