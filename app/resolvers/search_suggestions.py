"""searchSuggestions: products and categories for the search box, the customer's own purchases first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.catalog import search as search_engine
from app.catalog import suggestions
from app.catalog.tree import CategoryNode
from app.context import Info
from app.errors import InvalidInput
from app.models import Product
from app.resolvers.access import require_user
from app.resolvers.catalog import MAX_SEARCH_CHARS, PURCHASE_HISTORY, THUMBNAIL, category_tree, ranking_customer


@dataclass(frozen=True)
class Suggestions:
    categories: list[CategoryNode]
    products: list[tuple[Product, str | None]]


async def search_suggestions(info: Info, prefix: str, customer_number: str | None, first: int | None) -> Suggestions:
    viewer = require_user(info)
    size = suggestions.DEFAULT_FIRST if first is None else first
    if not 0 <= size <= suggestions.MAX_FIRST:
        raise InvalidInput(f"first must be 0 to {suggestions.MAX_FIRST}.")
    if len(prefix) > MAX_SEARCH_CHARS:
        raise InvalidInput(f"prefix can be at most {MAX_SEARCH_CHARS} characters.")
    if suggestions.letters(prefix) < suggestions.MIN_LETTERS or size == 0:
        return Suggestions([], [])
    customer_id = ranking_customer(viewer, customer_number)
    since = clock.now() - PURCHASE_HISTORY
    tree = await category_tree(info.context)
    async with info.context.uow.session() as session:
        own = await suggestions.own_purchases(session, customer_id, since, prefix, size) if customer_id else []
        result = await search_engine.search(
            session,
            search_engine.SearchQuery(
                text=prefix, limit=size + len(own), customer_id=customer_id, since=since, typing=True
            ),
        )
        ids = (own + [i for i in result.product_ids if i not in own])[:size]
        rows = (await session.execute(select(Product, THUMBNAIL).where(Product.id.in_(ids)))).all() if ids else []
    by_id = {row[0].id: (row[0], row[1]) for row in rows}
    return Suggestions(
        categories=suggestions.categories(tree.by_id.values(), prefix, size),
        products=[by_id[i] for i in ids if i in by_id],
    )
