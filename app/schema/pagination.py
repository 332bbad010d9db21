"""Relay connection types shared by every list (first <= 100, default 20)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from app.pagination import Page

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    total_count: int
    edges: list[Edge[NodeT]]
    page_info: PageInfo


def connection(page: Page[Any], to_node: Callable[[Any], Any]) -> Connection[Any]:
    return Connection(
        total_count=page.total,
        edges=[Edge(cursor=c, node=to_node(row)) for c, row in zip(page.cursors, page.rows, strict=True)],
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )
