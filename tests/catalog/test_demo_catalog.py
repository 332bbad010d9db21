"""The demo catalogue: generated deterministically, loaded in bulk, idempotent, indexed for search."""

from __future__ import annotations

import inspect
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from app import migrations
from app.catalog import search
from app.cli import main
from app.db import Database
from app.demo import catalogue as demo_catalog
from app.demo.catalogue import MAX_PRODUCTS, seed_demo_catalog
from app.demo.products import DEMO_CATEGORIES, demo_products, demo_products_at, demo_sku
from app.demo.seed import load_demo, seed_demo
from app.models import (
    AgreementPrice,
    Category,
    Customer,
    DeliveryAddress,
    DeliverySchedule,
    DocumentKind,
    Product,
    ProductDocument,
    ProductImage,
    ProductType,
    SearchTerm,
    SearchWord,
    User,
)
from tests.helpers.db import count, counted_counts, kept_counts, rows, scalar

N = 300
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TABLES = (
    Category,
    Product,
    ProductImage,
    ProductDocument,
    AgreementPrice,
    SearchTerm,
    SearchWord,
    Customer,
    User,
    DeliveryAddress,
    DeliverySchedule,
)


async def _seed(database: Database, products: int = N) -> demo_catalog.CatalogReport:
    async with database.transaction() as session:
        return (await load_demo(session, products)).catalog


async def _counts(database: Database) -> dict[str, int]:
    return {model.__tablename__: await count(database, model) for model in TABLES}


async def _products(database: Database) -> list[Any]:
    return await rows(
        database,
        select(
            Product.sku,
            Product.name,
            Product.description,
            Product.manufacturer,
            Product.unit,
            Product.pack_size,
            Product.list_price,
            Product.product_type,
            Product.active,
            Product.stock_quantity,
            Category.path,
        )
        .join(Category, Category.id == Product.category_id)
        .order_by(Product.sku),
    )


# --- the generator, without a database ----------------------------------------


def test_the_same_numbers_give_the_same_products() -> None:
    first = list(demo_products(0, N, NOW))
    assert first == list(demo_products(0, N, NOW))
    # Product k does not depend on how many are asked for, or from where.
    longer = list(demo_products(0, 2 * N + 1234, NOW))
    assert longer[:N] == first
    assert list(demo_products(N - 7, N + 1234, NOW)) == longer[N - 7 : N + 1234]
    assert list(demo_products_at([5, 1100, 3, 1833, 1100], NOW)) == [longer[3], longer[5], longer[1100], longer[1833]]


def test_skus_are_unique_up_to_a_million() -> None:
    skus = [demo_sku(k) for k in range(MAX_PRODUCTS)]
    assert len(set(skus)) == MAX_PRODUCTS
    assert all(len(sku.replace("-", "")) in (6, 7) and sku.replace("-", "").isdigit() for sku in skus[:10_000])
    assert 0.05 < sum("-" in sku for sku in skus[:10_000]) / 10_000 < 0.3


def test_generated_products_look_like_a_medical_supplies_shop() -> None:
    products = list(demo_products(0, N, NOW))
    leaves = {c.names for c in DEMO_CATEGORIES if c.depth == 2}
    assert {c.depth for c in DEMO_CATEGORIES} == {0, 1, 2}
    assert len({c.slug for c in DEMO_CATEGORIES}) == len(DEMO_CATEGORIES)
    assert all(p.category_names in leaves for p in products)
    types = Counter(p.product_type for p in products)
    assert set(types) == set(ProductType)
    assert types[ProductType.STANDARD] > N * 0.6
    for p in products:
        assert p.list_price > 0 and p.list_price == p.list_price.quantize(Decimal("0.01"))
        assert p.stock_quantity >= 0 and p.pack_size >= 1 and p.unit
        assert p.name and p.description and p.manufacturer
        nutrition = p.category_names[0] == "Ernæring" and p.category_names[2] != "Sondesett og tilbehør"
        assert (p.product_type is ProductType.NUTRITION) == nutrition
        assert p.images[0] == (f"https://bilder.example.no/{p.sku}.jpg", p.name)
        for kind, _title, url in p.documents:
            suffix = {
                DocumentKind.PRODUCT_DATA_SHEET: "produktdatablad",
                DocumentKind.SAFETY_DATA_SHEET: "sikkerhetsdatablad",
                DocumentKind.USER_MANUAL: "bruksanvisning",
            }[kind]
            assert url == f"https://dokumenter.example.no/{p.sku}-{suffix}.pdf"
        for price in p.agreement_prices.values():
            assert 0 < price < p.list_price and price == price.quantize(Decimal("0.01"))
    kinds = Counter(kind for p in products for kind, _, _ in p.documents)
    assert kinds[DocumentKind.PRODUCT_DATA_SHEET] > N * 0.8 and kinds[DocumentKind.SAFETY_DATA_SHEET] > 0
    disinfection = [p for p in products if p.name.startswith("Hånddesinfeksjon")]
    assert disinfection and all(
        DocumentKind.SAFETY_DATA_SHEET in {kind for kind, _, _ in p.documents} for p in disinfection
    )
    assert any(not p.active for p in products) and sum(not p.active for p in products) < N * 0.05
    assert any(p.stock_quantity == 0 for p in products) and any(p.stock_quantity > 0 for p in products)
    assert 0.2 < sum("10001" in p.agreement_prices for p in products) / N < 0.6
    assert len({p.name for p in products}) > N * 0.5


# --- seeding a database -------------------------------------------------------


async def test_seed_loads_the_catalogue(database: Database) -> None:
    report = await _seed(database)
    assert (report.products_added, report.products_present) == (N, 0)

    assert await count(database, Product) == N
    categories = await rows(database, select(Category.id, Category.parent_id, Category.path, Category.depth))
    assert len(categories) == len(DEMO_CATEGORIES) == report.categories_added
    by_id = {id_: (parent_id, path, depth) for id_, parent_id, path, depth in categories}
    for id_, (parent_id, path, depth) in by_id.items():
        expected = f"{by_id[parent_id][1] if parent_id else '/'}{id_}/"
        assert path == expected and depth == path.count("/") - 2
    assert {depth for _, _, depth in by_id.values()} == {0, 1, 2}

    products = await _products(database)
    generated = sorted(demo_products(0, N, NOW), key=lambda p: p.sku)
    # The database holds what the generator makes: SKUs, names, prices in exact øre, types, stock.
    assert [(p.sku, p.name, p.list_price, p.product_type, p.stock_quantity, p.active) for p in generated] == [
        (r.sku, r.name, r.list_price, r.product_type, r.stock_quantity, r.active) for r in products
    ]
    assert all(r.path.count("/") == 4 for r in products), "every product is in a leaf (third-level) category"
    assert all(r.list_price > 0 and r.list_price.as_tuple().exponent == -2 for r in products)
    assert all(r.stock_quantity >= 0 for r in products)
    assert {r.product_type for r in products} == set(ProductType)

    assert await count(database, ProductImage) == sum(len(p.images) for p in generated) == report.images
    kinds = dict(await rows(database, select(ProductDocument.kind, func.count()).group_by(ProductDocument.kind)))
    assert kinds[DocumentKind.PRODUCT_DATA_SHEET] > N * 0.8 and kinds[DocumentKind.SAFETY_DATA_SHEET] > 0

    cheaper = await rows(
        database,
        select(AgreementPrice.price, Product.list_price, Customer.number)
        .join(Product, Product.id == AgreementPrice.product_id)
        .join(Customer, Customer.id == AgreementPrice.customer_id),
    )
    assert {number for _, _, number in cheaper} == {"10001", "10002"}
    assert sum(number == "10001" for _, _, number in cheaper) > N * 0.2
    assert all(0 < price < list_price for price, list_price, _ in cheaper)


async def test_seed_demo_brings_addresses_and_schedules(database: Database) -> None:
    # serve --demo calls seed_demo(session): the 2,000-product catalogue.
    assert inspect.signature(seed_demo).parameters["products"].default == 2000
    async with database.transaction() as session:
        logins = await seed_demo(session, products=5)
    assert "main@demo.test" in logins
    assert await count(database, Product) == 5
    addresses = await rows(
        database,
        select(Customer.number, DeliveryAddress.external_id, DeliveryAddress.is_default)
        .join(Customer)
        .order_by(DeliveryAddress.external_id),
    )
    assert addresses == [("10001", "10001-01", True), ("10001", "10001-02", False), ("10002", "10002-01", True)]
    schedules = await rows(
        database,
        select(
            Customer.number,
            DeliverySchedule.weekdays,
            DeliverySchedule.cutoff_days_before,
            DeliverySchedule.cutoff_time,
        )
        .join(Customer)
        .order_by(Customer.number),
    )
    assert schedules == [("10001", [1, 3, 5], 1, "12:00"), ("10002", [2, 4], 1, "12:00")]


async def test_seeding_twice_changes_nothing_and_more_adds_only_the_missing(database: Database) -> None:
    await _seed(database)
    counts, products = await _counts(database), await _products(database)

    report = await _seed(database)
    assert (report.products_added, report.products_present, report.categories_added) == (0, N, 0)
    assert await _counts(database) == counts
    assert await _products(database) == products

    report = await _seed(database, N + 50)
    assert (report.products_added, report.products_present) == (50, N)
    assert await count(database, Product) == N + 50
    assert await count(database, Category) == counts["categories"]
    skus = set(await rows(database, select(Product.sku)))
    assert skus == {(demo_sku(k),) for k in range(N + 50)}

    # Fewer than there are: nothing is removed.
    report = await _seed(database, 10)
    assert (report.products_added, report.products_present) == (0, 10)
    assert await count(database, Product) == N + 50


async def test_ordinary_inserts_after_seeding_get_fresh_ids(database: Database) -> None:
    await _seed(database, 20)
    async with database.transaction() as session:
        leaf = await session.scalar(select(Category).where(Category.depth == 2).limit(1))
        assert leaf is not None
        category = Category(parent_id=leaf.id, name="Ny", slug="ny-kategori", path="", depth=3)
        session.add(category)
        await session.flush()
        product = Product(sku="ERP-1", name="Ny vare", unit="stk", list_price=Decimal("10.00"), category_id=leaf.id)
        session.add(product)
        await session.flush()
        session.add(ProductImage(product_id=product.id, position=0, url="https://bilder.example.no/ERP-1.jpg"))
        await session.flush()
    assert await scalar(database, select(func.max(Product.id))) == product.id
    assert await scalar(database, select(func.max(Category.id))) == category.id


async def test_categories_that_exist_are_used(database: Database) -> None:
    """A tree the ERP made already (same names, other slugs) is reused, not duplicated."""
    async with database.transaction() as session:
        top = Category(name="Forbruksmateriell", slug="forbruksmateriell", path="", depth=0)
        session.add(top)
        await session.flush()
        top.path = f"/{top.id}/"
        taken = Category(name="Noe annet", slug="forbruksmateriell-hansker", path="", depth=1, parent_id=top.id)
        session.add(taken)
        await session.flush()
        taken.path = f"{top.path}{taken.id}/"
    report = await _seed(database, 10)
    assert report.categories_added == len(DEMO_CATEGORIES) - 1
    hansker = await rows(database, select(Category.slug, Category.path).where(Category.name == "Hansker"))
    assert hansker == [("forbruksmateriell-hansker-2", hansker[0][1])]
    assert hansker[0][1].startswith(f"/{top.id}/")


async def test_an_empty_catalogue_is_allowed(database: Database) -> None:
    async with database.transaction() as session:
        report = await seed_demo_catalog(session, 0)
    assert report.products_added == 0 and await count(database, Product) == 0
    assert await count(database, Category) == len(DEMO_CATEGORIES)
    with pytest.raises(ValueError):
        async with database.transaction() as session:
            await seed_demo_catalog(session, MAX_PRODUCTS + 1)


# --- the search index ---------------------------------------------------------


async def test_search_index_rows_are_written(database: Database) -> None:
    report = await _seed(database)
    assert report.search_terms > 0 and report.search_words > 0
    assert await count(database, SearchTerm) == report.search_terms
    assert await count(database, SearchWord) == report.search_words
    indexed = await scalar(database, select(func.count(func.distinct(SearchTerm.product_id))))
    assert indexed == N

    # Exactly what index_terms makes (what search.reindex would write), for a few products.
    ids = dict(await rows(database, select(Product.sku, Product.id)))
    vocabulary: set[str] = set()
    for p in demo_products(0, N, NOW):
        doc = search.IndexedProduct(
            id=ids[p.sku],
            sku=p.sku,
            name=p.name,
            description=p.description,
            manufacturer=p.manufacturer,
            category_names=p.category_names,
        )
        vocabulary |= search.index_words(doc)
        if p.number % 50 == 0:
            stored = dict(
                await rows(database, select(SearchTerm.term, SearchTerm.weight).where(SearchTerm.product_id == doc.id))
            )
            assert stored == search.index_terms(doc)
    stored_words = set(await rows(database, select(SearchWord.variant, SearchWord.word)))
    assert stored_words == search.word_variants(vocabulary)


async def test_products_without_index_rows_are_indexed_on_the_next_load(database: Database) -> None:
    await _seed(database, 40)
    async with database.transaction() as session:
        await session.execute(delete(SearchTerm))
        await session.execute(delete(SearchWord))
    assert await count(database, SearchTerm) == 0

    report = await _seed(database, 40)
    assert (report.products_added, report.products_reindexed) == (0, 40)
    assert await scalar(database, select(func.count(func.distinct(SearchTerm.product_id)))) == 40
    assert await count(database, SearchWord) > 0

    counts = await _counts(database)
    await _seed(database, 40)
    assert await _counts(database) == counts


async def test_a_large_load_puts_the_keys_back(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a large load drops the index's keys and the foreign keys meanwhile; they come back."""
    monkeypatch.setattr(demo_catalog, "LARGE_LOAD", 1)
    await _seed(database, 40)  # into an empty catalogue
    await _seed(database, 100)  # 60 more: still "large"
    assert await count(database, Product) == 100
    assert await scalar(database, select(func.count(func.distinct(SearchTerm.product_id)))) == 100
    term, product_id = (await rows(database, select(SearchTerm.term, SearchTerm.product_id).limit(1)))[0]
    for values in ({"term": term, "product_id": product_id}, {"term": "finnesikke", "product_id": 10**9}):
        with pytest.raises(IntegrityError):
            async with database.transaction() as session:
                await session.execute(insert(SearchTerm).values(weight=1, **values))
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await session.execute(insert(ProductImage).values(product_id=10**9, position=0, url="x"))


async def test_a_large_load_keeps_the_category_counts_and_their_triggers(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large load on PostgreSQL counts each category's products once at the end instead of a
    trigger a row; the counts come out as the products say, and the triggers count again after."""
    monkeypatch.setattr(demo_catalog, "LARGE_LOAD", 1)
    await _seed(database, 40)
    await _seed(database, 100)
    assert await kept_counts(database) == await counted_counts(database)
    assert sum(active for active, _ in (await kept_counts(database)).values()) > 0

    # After the load the triggers count again: one product deactivated, one added elsewhere.
    async with database.transaction() as session:
        product = await session.scalar(select(Product).where(Product.active).order_by(Product.id).limit(1))
        assert product is not None
        elsewhere = await session.scalar(
            select(Product.category_id).where(Product.category_id != product.category_id).limit(1)
        )
        product.active = False
        session.add(
            Product(sku="ERP-NY", name="Ny vare", unit="stk", list_price=Decimal("1.00"), category_id=elsewhere)
        )
    assert await kept_counts(database) == await counted_counts(database)


# --- the command --------------------------------------------------------------


def test_seed_demo_command(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)
    runner = CliRunner()
    first = runner.invoke(main, ["--database-url", url, "seed", "demo", "--products", "60"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "60 products added" in first.output and "main@demo.test" in first.output
    again = runner.invoke(main, ["--database-url", url, "seed", "demo", "--products", "60"], catch_exceptions=False)
    assert "0 products added, 60 there already" in again.output
    too_many = runner.invoke(main, ["--database-url", url, "seed", "demo", "--products", "1000001"])
    assert too_many.exit_code != 0
