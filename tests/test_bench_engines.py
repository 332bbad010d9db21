"""bench/engines.py's engines build and answer on a tiny catalogue, on both databases (fast: a few products).

Not a relevance test (bench/engines.py measures that): it checks that each
engine's index is built from our normalisation and that its query builder
(readings, Nynorsk, compound split, typo correction) runs and finds what ours finds.
"""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

from sqlalchemy import text

from app.catalog import search, synonyms
from app.db import Database
from app.models.catalog import Category, Product


def _engines() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "engines.py"
    spec = importlib.util.spec_from_file_location("bench_engines", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


PRODUCTS = [
    ("Nitrilhansker", "Nitrilhanske pudderfri blå str M", "Abena", "Undersøkelseshanske av nitril."),
    ("Nitrilhansker", "Nitrilhanske pudderfri blå str L", "Abena", "Undersøkelseshanske av nitril."),
    ("Kompresser", "Gasbindkompress 10x10 cm steril", "Mölnlycke", "Kompress av bomull til sår."),
    ("Urinkatetre", "Kateteriseringssett med hansker", "Coloplast", "Sett til engangs kateterisering."),
]


async def _load(database: Database) -> dict[str, int]:
    async with database.transaction() as session:
        categories: dict[str, Category] = {}
        for n, name in enumerate(dict.fromkeys(category for category, *_ in PRODUCTS)):
            category = Category(name=name, slug=f"c{n}", parent_id=None, path="", depth=0)
            session.add(category)
            await session.flush()
            category.path = f"/{category.id}/"
            categories[name] = category
        products = [
            Product(
                sku=f"SKU-{n}",
                name=name,
                description=description,
                manufacturer=maker,
                unit="pk",
                list_price=Decimal("10.00"),
                category_id=categories[category].id,
                stock_quantity=5,
                active=True,
            )
            for n, (category, name, maker, description) in enumerate(PRODUCTS)
        ]
        session.add_all(products)
        await session.flush()
        await search.reindex(session, [product.id for product in products])
        return {product.name: product.id for product in products}


async def test_every_engine_builds_and_finds_what_ours_finds(database: Database) -> None:
    engines = _engines()
    ids = await _load(database)
    await engines.build(database)
    dialect = database.engine.dialect.name
    gloves = {ids["Nitrilhanske pudderfri blå str M"], ids["Nitrilhanske pudderfri blå str L"]}
    try:
        for query, wanted in [
            ("hansker", gloves | {ids["Kateteriseringssett med hansker"]}),
            ("hanskane", gloves | {ids["Kateteriseringssett med hansker"]}),  # Nynorsk plural
            ("nitrilhanske str m", {ids["Nitrilhanske pudderfri blå str M"]}),
            ("engangshansker", {ids["Kateteriseringssett med hansker"]}),  # split: engang(s) + hansker
            ("gasbindkompresser", {ids["Gasbindkompress 10x10 cm steril"]}),
            ("kompreser", {ids["Gasbindkompress 10x10 cm steril"]}),  # one letter left out
        ]:
            for name, runner in engines.ENGINES[dialect].items():
                async with database.reader() as session:
                    found, total = await runner(session, query, synonyms.Expansions(), 10)
                if name in ("fts5-trigram", "pg-trgm") and query == "nitrilhanske str m":
                    wanted = gloves  # a trigram index cannot match the one-letter size "m"
                assert set(found) == wanted and total == len(wanted), (name, query, found)
    finally:
        async with database.transaction() as session:
            for table in ("eng_docs", "eng_vocab", "eng_trgm", "eng_fts", "eng_tri", "eng_vocab_tri"):
                await session.execute(text(f"DROP TABLE IF EXISTS {table}"))
