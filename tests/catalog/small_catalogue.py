"""Small catalogues built in a test: a category tree and named products, indexed for search."""

from __future__ import annotations

from decimal import Decimal

from app.catalog import search
from app.catalog.search import SearchQuery
from app.db import Database
from app.models.catalog import Category, Product
from tests.catalog.test_search import make_category


async def build(
    database: Database,
    tree: dict[str, str | None],
    products: dict[str, str],
    descriptions: dict[str, str] | None = None,
    stock: dict[str, int] | None = None,
) -> dict[str, int]:
    """Creates the tree (name -> parent) and products (name -> category); returns name -> product id."""
    async with database.transaction() as session:
        categories: dict[str, Category] = {}
        for name, parent in tree.items():
            categories[name] = await make_category(session, name, categories[parent] if parent else None)
        made = [
            Product(
                sku=f"T-{n:04d}",
                name=name,
                description=(descriptions or {}).get(name),
                unit="stk",
                list_price=Decimal("10.00"),
                category_id=categories[category].id,
                stock_quantity=(stock or {}).get(name, 5),
            )
            for n, (name, category) in enumerate(products.items())
        ]
        session.add_all(made)
        await session.flush()
        await search.reindex(session, [p.id for p in made])
        return {p.name: p.id for p in made}


async def found(database: Database, ids: dict[str, int], query: str, **options: object) -> list[str]:
    names = {product_id: name for name, product_id in ids.items()}
    async with database.reader() as session:
        result = await search.search(session, SearchQuery(text=query, limit=50, **options))  # type: ignore[arg-type]
    return [names[i] for i in result.product_ids]
