"""Search relevance on a judged set: mean nDCG@10, zero-result queries, the worst ten.

Loads the catalogue of bench/relevance_catalogue.py (a medical-supplies
wholesaler's product lines with sizes, brands and categories; not the demo
data) into a fresh, migrated database, runs every judged query through
``app.catalog.search.search`` (first page of 10, relevance order, no customer)
and scores it with graded judgments (0-3; gain 2^grade - 1, log2 discount).

Usage: .venv/bin/python bench/relevance.py [--postgres URL] [--verbose]
  SQLite by default (a temporary file); --postgres recreates that database.
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's ``http``: keep this folder off sys.path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import importlib.util  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
from decimal import Decimal  # noqa: E402
from types import ModuleType  # noqa: E402

from app import migrations  # noqa: E402
from app.catalog import search  # noqa: E402
from app.db import Database  # noqa: E402
from app.models.catalog import Category, Product  # noqa: E402


def _load_catalogue() -> ModuleType:
    spec = importlib.util.spec_from_file_location("relevance_catalogue", os.path.join(_HERE, "relevance_catalogue.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


CATALOGUE = _load_catalogue()
K = 10


async def load(database: Database) -> dict[int, tuple[str, str]]:
    """Creates the catalogue; returns product id -> (family key, name)."""
    products: dict[int, tuple[str, str]] = {}
    async with database.transaction() as session:
        categories: dict[str, Category] = {}
        for name, parent_name in CATALOGUE.TREE.items():
            parent = categories[parent_name] if parent_name else None
            category = Category(
                name=name, slug=re.sub(r"\W+", "-", name.lower()), parent_id=parent and parent.id, path="", depth=0
            )
            session.add(category)
            await session.flush()
            category.path = f"{parent.path if parent else '/'}{category.id}/"
            category.depth = parent.depth + 1 if parent else 0
            categories[name] = category
        number = 0
        rows: list[tuple[Product, str]] = []
        for family in CATALOGUE.FAMILIES:
            for name in family.names:
                number += 1
                product = Product(
                    sku=f"{100000 + number * 7}",
                    name=name,
                    description=family.description,
                    manufacturer=family.manufacturer,
                    unit="pk",
                    list_price=Decimal("99.00"),
                    category_id=categories[family.category].id,
                    stock_quantity=10,
                    active=True,
                )
                session.add(product)
                rows.append((product, family.key))
        await session.flush()
        await search.reindex(session, [product.id for product, _ in rows])
        products = {product.id: (key, product.name) for product, key in rows}
    return products


def grade(spec_grades: dict[str, int], family: str, name: str) -> int:
    best = 0
    for spec, value in spec_grades.items():
        key, _, pattern = spec.partition("@")
        if key == family and (not pattern or re.search(pattern, name.lower())):
            best = max(best, value)
    return best


def ndcg(gains: list[int], ideal: list[int]) -> float:
    def dcg(values: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(values[:K]))

    best = dcg(sorted(ideal, reverse=True))
    return dcg(gains) / best if best else 0.0


async def evaluate(url: str, verbose: bool) -> None:
    database = Database(url)
    try:
        products = await load(database)
        scores: list[tuple[float, str, list[str]]] = []
        zero = 0
        for query, judged in CATALOGUE.JUDGMENTS.items():
            async with database.reader() as session:
                result = await search.search(session, search.SearchQuery(text=query, limit=K))
            found = [products[i] for i in result.product_ids]
            gains = [grade(judged, family, name) for family, name in found]
            ideal = [grade(judged, family, name) for family, name in products.values()]
            if not found and any(ideal):
                zero += 1
            score = ndcg(gains, ideal)
            shown = [f"{g}:{name}" for g, (_, name) in zip(gains, found, strict=True)]
            scores.append((score, query, shown))
            if verbose:
                print(f"{score:5.3f}  {query!r}: {shown[:5]}")
        mean = sum(score for score, _, _ in scores) / len(scores)
        print(f"{len(products)} products, {len(scores)} judged queries ({database.engine.dialect.name})")
        print(f"mean nDCG@{K}: {mean:.3f}")
        print(f"queries with relevant products that return nothing: {zero}")
        print("worst ten:")
        for score, query, shown in sorted(scores)[:10]:
            print(f"  {score:5.3f}  {query!r}: {', '.join(shown[:4]) or '(nothing)'}")
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL to recreate and use instead of SQLite")
    parser.add_argument("--verbose", action="store_true", help="every query with its first results")
    args = parser.parse_args()
    if args.postgres:
        migrations.recreate_postgres(args.postgres)
        asyncio.run(evaluate(args.postgres, args.verbose))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/relevance.db"
        migrations.upgrade(url)
        asyncio.run(evaluate(url, args.verbose))


if __name__ == "__main__":
    main()
