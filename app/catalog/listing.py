"""The shelf: a category's active products without search text, by name, SKU or newest.

One statement reads the page with what the response needs of each product
(``product_rows``), and one row more than the page: whether there is a next
page costs no count. The total and the per-category counts are separate
reads, made only when the client asks for them, of the counts the database
keeps per category (``CategoryProductCount``): one row per category, however
many products there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from app.catalog.product_rows import ProductRow, Shape, Wanted, read_products, select_shape, shape
from app.catalog.search import ProductSort
from app.models import Category, CategoryProductCount, Product


@dataclass(frozen=True, slots=True)
class ShelfQuery:
    # products.category path prefix ("/1/5/"), descendants included; None: all.
    category_path: str | None = None
    in_stock_only: bool = False
    sort: ProductSort = ProductSort.NAME  # RELEVANCE means NAME here: there is no text to rank by
    offset: int = 0
    limit: int = 20


def _filters(in_category: bool, in_stock_only: bool) -> list[ColumnElement[bool]]:
    # "= true", not "IS true": the shelf indexes are partial on it (migration 0013).
    filters: list[ColumnElement[bool]] = [Product.active == true()]
    if in_category:
        # Its own alias: a Category joined for the page's columns must not correlate into this.
        subtree = aliased(Category, name="subtree")
        path = bindparam("category_path", type_=Category.path.type)
        filters.append(
            Product.category_id.in_(select(subtree.id).where(func.substr(subtree.path, 1, func.length(path)) == path))
        )
    if in_stock_only:
        filters.append(Product.stock_quantity > 0)
    return filters


def _order(sort: ProductSort) -> list[Any]:
    # Names and SKUs in code point order on both databases, as search sorts them: the columns' own
    # collation (COLLATE "C" on PostgreSQL, migration 0013), so ix_products_shelf_* read the page in order.
    if sort is ProductSort.SKU:
        return [Product.sku, Product.id]
    if sort is ProductSort.NEWEST:
        return [Product.created_at.desc(), Product.id.desc()]
    return [Product.name, Product.id]


@cache
def _shelf_statement(wanted: Shape, in_category: bool, in_stock_only: bool, sort: ProductSort) -> Select[Any]:
    """Built once per shape, the path and the page bound (see ``app.catalog.product_rows``)."""
    return (
        select_shape(*wanted)
        .where(*_filters(in_category, in_stock_only))
        .order_by(*_order(sort))
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )


async def shelf(connection: AsyncConnection, query: ShelfQuery, wanted: Wanted) -> list[ProductRow]:
    """The page's products in order, and the next one if there is one (for ``page_of``)."""
    statement = _shelf_statement(shape(wanted), bool(query.category_path), query.in_stock_only, query.sort)
    bound: dict[str, Any] = {"page_limit": max(query.limit, 0) + 1, "page_offset": max(query.offset, 0)}
    if query.category_path:
        bound["category_path"] = query.category_path
    return await read_products(connection, wanted, statement, **bound)


def _counts(query: ShelfQuery) -> Select[int, int]:
    """(category id, the shelf's products directly in it) for the categories of the query's subtree."""
    counted = CategoryProductCount.in_stock if query.in_stock_only else CategoryProductCount.active
    statement = select(CategoryProductCount.category_id, counted).where(counted > 0)
    if query.category_path:
        path = query.category_path
        statement = statement.join(Category, Category.id == CategoryProductCount.category_id).where(
            func.substr(Category.path, 1, len(path)) == path
        )
    return statement


async def shelf_total(connection: AsyncConnection, query: ShelfQuery) -> int:
    return sum(count for _, count in await connection.execute(_counts(query)))


async def shelf_facets(connection: AsyncConnection, query: ShelfQuery) -> dict[int, int]:
    """category id -> the shelf's products directly in it."""
    return {category_id: count for category_id, count in await connection.execute(_counts(query))}
