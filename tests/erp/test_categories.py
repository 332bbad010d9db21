"""Categories made from the ERP's category paths: slugs, the materialized path, races."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from app.catalog import categories
from app.db import Database
from app.models import Category, Product
from tests.erp.helpers import UPSERT_PRODUCTS, make_key, product, send, stored_product
from tests.helpers.db import count, rows, scalar


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Forbruksmateriell", "forbruksmateriell"),
        ("Sårbehandling og bandasjer", "sarbehandling-og-bandasjer"),
        ("Ærfugl, Øl & Ål", "aerfugl-ol-al"),
        ("ÆØÅ æøå", "aeoa-aeoa"),
        ("Café Müller", "cafe-muller"),
        ("  --Hansker (nitril)!! ", "hansker-nitril"),
        ("Str. 7½", "str-71-2"),
        ("???", ""),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert categories.slugify(name) == slug


def test_normalize_name() -> None:
    assert categories.normalize_name("  Forbruks \t  materiell ") == "Forbruks materiell"


async def _category(database: Database, *names: str) -> Category:
    parent_id = None
    found = None
    for name in names:
        parent = Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
        found = await scalar(database, select(Category).where(parent, Category.name == name))
        assert found is not None, names
        parent_id = found.id
    assert found is not None
    return found


async def test_missing_categories_are_made_with_path_depth_and_slug(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_PRODUCTS, [product("C-1", categoryPath=["Forbruksmateriell", "Hansker", "Nitril"])], erp)
    root = await _category(database, "Forbruksmateriell")
    middle = await _category(database, "Forbruksmateriell", "Hansker")
    leaf = await _category(database, "Forbruksmateriell", "Hansker", "Nitril")
    assert (root.parent_id, root.depth, root.path, root.slug) == (None, 0, f"/{root.id}/", "forbruksmateriell")
    assert (middle.parent_id, middle.depth, middle.path, middle.slug) == (
        root.id,
        1,
        f"/{root.id}/{middle.id}/",
        "forbruksmateriell-hansker",
    )
    assert (leaf.parent_id, leaf.depth, leaf.path, leaf.slug) == (
        middle.id,
        2,
        f"/{root.id}/{middle.id}/{leaf.id}/",
        "forbruksmateriell-hansker-nitril",
    )
    assert (await stored_product(database, "C-1")).category_id == leaf.id  # type: ignore[union-attr]


async def test_existing_categories_are_reused(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_PRODUCTS, [product("C-1", categoryPath=["Forbruksmateriell", "Hansker"])], erp)
    assert await count(database, Category) == 2
    batch = [
        product("C-2", categoryPath=["Forbruksmateriell", "Hansker"]),
        product("C-3", categoryPath=["Forbruksmateriell", "Sprøyter"]),
        product("C-4", categoryPath=["Forbruksmateriell"]),
    ]
    await send(client, UPSERT_PRODUCTS, batch, erp)
    assert await count(database, Category) == 3
    sproyter = await _category(database, "Forbruksmateriell", "Sprøyter")
    assert sproyter.slug == "forbruksmateriell-sproyter"
    hansker = await _category(database, "Forbruksmateriell", "Hansker")
    ids = dict(await rows(database, select(Product.sku, Product.category_id)))
    assert ids["C-1"] == ids["C-2"] == hansker.id
    assert ids["C-4"] == (await _category(database, "Forbruksmateriell")).id


async def test_moving_a_product_to_another_category(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_PRODUCTS, [product("C-1", categoryPath=["A", "B"])], erp)
    payload = await send(client, UPSERT_PRODUCTS, [product("C-1", categoryPath=["A", "C"])], erp)
    assert payload["updated"] == 1
    assert (await stored_product(database, "C-1")).category_id == (await _category(database, "A", "C")).id  # type: ignore[union-attr]


async def test_same_name_under_different_parents(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    batch = [product("C-1", categoryPath=["Medisinsk", "Hansker"]), product("C-2", categoryPath=["Renhold", "Hansker"])]
    await send(client, UPSERT_PRODUCTS, batch, erp)
    assert await count(database, Category, Category.name == "Hansker") == 2
    assert (await _category(database, "Renhold", "Hansker")).slug == "renhold-hansker"


async def test_taken_slugs_get_a_number(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    batch = [
        product("C-1", categoryPath=["Forbruksmateriell", "Hansker"]),
        product("C-2", categoryPath=["Forbruksmateriell Hansker"]),  # would be "forbruksmateriell-hansker"
        product("C-3", categoryPath=["Forbruksmateriell", "hansker"]),  # names are case-sensitive
        product("C-4", categoryPath=["???"]),
        product("C-5", categoryPath=["!!!"]),
    ]
    await send(client, UPSERT_PRODUCTS, batch, erp)
    slugs = {c.slug for (c,) in await rows(database, select(Category))}
    assert slugs == {
        "forbruksmateriell",
        "forbruksmateriell-hansker",
        "forbruksmateriell-hansker-2",
        "forbruksmateriell-hansker-3",
        "category",
        "category-2",
    }


async def test_long_names_make_slugs_that_fit(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    path = [f"{'Kategori ' * 22}{level}"[:200] for level in range(10)]
    payload = await send(client, UPSERT_PRODUCTS, [product("C-1", categoryPath=path)], erp)
    assert payload["created"] == 1
    leaf = await _category(database, *path)
    assert leaf.depth == 9 and len(leaf.slug) <= 400


async def test_a_clash_on_parent_and_name_uses_the_existing_category(database: Database) -> None:
    """What a concurrent batch meets when it makes a category another batch just made."""
    async with database.transaction() as session:
        root = await categories.find_or_create(session, ["Forbruksmateriell"])
        child = await categories.find_or_create(session, ["Forbruksmateriell", "Hansker"])
    async with database.transaction() as session:
        parent = await session.get(Category, root.id)
        again = await categories.create(session, parent, "Hansker")
    assert again.id == child.id
    assert await count(database, Category) == 2


async def test_two_transactions_make_the_same_path_at_once(pg_database: Database) -> None:
    """PostgreSQL: the second insert waits for the first transaction, then uses its rows."""
    first = pg_database.writer()
    second = pg_database.writer()
    try:
        await first.begin()
        made = await categories.resolve_paths(first, [("Samtidig", "Under")])
        await second.begin()
        racing = asyncio.create_task(categories.resolve_paths(second, [("Samtidig", "Under")]))
        await asyncio.sleep(0.3)
        assert not racing.done()  # waiting on the first transaction's unique keys
        await first.commit()
        found = await asyncio.wait_for(racing, timeout=10)
        await second.commit()
    finally:
        await first.close()
        await second.close()
    assert found[("Samtidig", "Under")].id == made[("Samtidig", "Under")].id
    assert await count(pg_database, Category) == 2


async def test_two_batches_with_the_same_new_products_at_once(client: httpx.AsyncClient, database: Database) -> None:
    """Each batch is applied whole: one creates, the other (re-run after the clash) finds them unchanged."""
    keys = [await make_key(database, "catalog:write", name=f"erp-{n}") for n in range(2)]
    batch = [product(f"RACE-{n}", categoryPath=["Samtidig", f"Gruppe {n % 3}"]) for n in range(50)]
    payloads = await asyncio.gather(*(send(client, UPSERT_PRODUCTS, batch, key) for key in keys))
    assert sorted((p["created"], p["unchanged"]) for p in payloads) == [(0, 50), (50, 0)]
    assert all(p["errors"] == [] for p in payloads)
    assert await count(database, Product) == 50
    assert await count(database, Category) == 4
