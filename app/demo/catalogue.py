"""The demo catalogue, loaded in bulk through ``app.bulk.Writer``, the writer of ERP imports.

Rows as plain tuples, never ORM objects, inserted in batches of ``BATCH``
products inside the caller's transaction; ids are reserved up front
(max(id)+1 on SQLite, which holds the write lock; the table's sequence on
PostgreSQL), so children need no RETURNING. A worker thread makes batch k+1
(the products and their search index rows) while the database writes batch k.
See ``app.bulk.Writer`` for why, and for what a large load on PostgreSQL does
to the keys. 100,000 products with their 4.4 million index rows take about
45 s on SQLite and 35 s on PostgreSQL on a busy 2-core machine.

Idempotence: a demo product is known by its SKU. Seeding N makes the demo
products 0..N-1 whose SKUs are not in the database yet, and nothing else: a
second run with the same N adds nothing, a larger N adds the missing tail, a
smaller N removes nothing. Products already present are never updated.
Categories are matched by parent and name, as the ERP import matches them.

The search index (``search_terms`` / ``search_words``) is written from
``app.catalog.search.index_terms``, ``index_words`` and ``word_variants``
for the products added (see ``_Indexer``). While those are not implemented the products are loaded without index
rows (a warning is logged); a later run indexes every product that has no
index rows, so a database seeded before search existed catches up.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.bulk import Prepared, Writer
from app.catalog import category_counts, search
from app.demo.products import DEMO_CATEGORIES, DEMO_CUSTOMER_DISCOUNTS, demo_products_at, demo_sku, slugify
from app.models import (
    AgreementPrice,
    Category,
    Customer,
    Product,
    ProductDocument,
    ProductImage,
    SearchTerm,
    SearchWord,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
U = TypeVar("U")

DEFAULT_PRODUCTS = 2_000
MAX_PRODUCTS = 1_000_000
BATCH = 2_000  # products generated and written at a time
# A load of at least this many products, and at least as many as there are, is
# "large": PostgreSQL then builds the search index's keys and checks the
# foreign keys once at the end (see app.bulk.Writer.bulk).
LARGE_LOAD = 10_000


@dataclass(slots=True)
class CatalogReport:
    requested: int
    products_added: int = 0
    products_present: int = 0  # demo products that were there already
    categories_added: int = 0
    images: int = 0
    documents: int = 0
    agreement_prices: int = 0
    search_terms: int = 0
    search_words: int = 0
    products_reindexed: int = 0  # products found without index rows and indexed now
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"Demo catalogue: {self.products_added} products added, {self.products_present} there already "
            f"({self.requested} requested), {self.categories_added} categories added",
            f"  {self.images} images, {self.documents} documents, {self.agreement_prices} agreement prices, "
            f"{self.search_terms} search terms, {self.search_words} search words"
            + (f", {self.products_reindexed} products reindexed" if self.products_reindexed else ""),
        ]
        lines.append(f"  in {self.seconds:.1f} s")
        return "\n".join(lines)


_PRODUCT_COLUMNS = (
    "id",
    "sku",
    "name",
    "description",
    "manufacturer",
    "unit",
    "pack_size",
    "list_price",
    "product_type",
    "category_id",
    "active",
    "stock_quantity",
    "content_hash",
    "created_at",
    "updated_at",
)


async def _ensure_categories(writer: Writer, report: CatalogReport) -> dict[tuple[str, ...], int]:
    """The demo category tree; returns names from the root -> id.

    A category is known by its parent and name, as the ERP import knows it: a
    demo category that exists already (from an earlier run or the ERP) is
    used as it is. Missing ones are added with the import's slugs, "-2" etc.
    when a slug is taken.
    """
    table = Category.__table__
    rows = (
        await writer.connection.execute(select(table.c.id, table.c.parent_id, table.c.name, table.c.slug, table.c.path))
    ).all()
    by_parent_and_name = {(parent_id, name): (id_, slug, path) for id_, parent_id, name, slug, path in rows}
    taken = {slug for _, _, _, slug, _ in rows}
    found: dict[tuple[str, ...], tuple[int, str, str] | None] = {}
    for category in DEMO_CATEGORIES:  # parents before their children
        parent = found[category.names[:-1]] if category.depth else None
        if category.depth and parent is None:
            found[category.names] = None
        else:
            found[category.names] = by_parent_and_name.get((parent[0] if parent else None, category.name))
    missing = [category for category in DEMO_CATEGORIES if found[category.names] is None]
    ids = iter(await writer.reserve_ids(table, len(missing)))
    new_rows = []
    for category in missing:
        parent = found[category.names[:-1]] if category.depth else None
        id_ = next(ids)
        base = f"{parent[1]}-{slugify(category.name)}" if parent else slugify(category.name)
        slug, suffix = base, 1
        while slug in taken:
            suffix += 1
            slug = f"{base}-{suffix}"
        taken.add(slug)
        path = f"{parent[2] if parent else '/'}{id_}/"
        found[category.names] = (id_, slug, path)
        new_rows.append((id_, parent[0] if parent else None, category.name, slug, path, category.depth))
    await writer.insert(table, ("id", "parent_id", "name", "slug", "path", "depth"), new_rows)
    report.categories_added = len(new_rows)
    return {names: value[0] for names, value in found.items() if value is not None}


async def _customer_ids(writer: Writer) -> dict[str, int]:
    result = await writer.connection.execute(
        select(Customer.number, Customer.id).where(Customer.number.in_(list(DEMO_CUSTOMER_DISCOUNTS)))
    )
    return dict(result.all())


async def _missing_numbers(writer: Writer, count: int) -> tuple[list[int], int]:
    """The demo product numbers below ``count`` whose SKU is not in the database, and how many products it has."""
    table = Product.__table__
    if await writer.connection.scalar(select(table.c.id).limit(1)) is None:
        return list(range(count)), 0
    present = set((await writer.connection.execute(select(table.c.sku))).scalars())
    return [k for k in range(count) if demo_sku(k) not in present], len(present)


@dataclass(slots=True)
class _Batch:
    """One batch of products with their children and index rows, ready for the driver."""

    writes: list[Prepared]  # in foreign-key order
    products: int = 0
    images: int = 0
    documents: int = 0
    agreement_prices: int = 0
    search_terms: int = 0


def _make_batch(
    writer: Writer,
    numbers: Sequence[int],
    ids: Sequence[int],
    category_ids: dict[tuple[str, ...], int],
    customer_ids: dict[str, int],
    now: datetime,
    indexer: _Indexer,
) -> _Batch:
    """Generates demo products ``numbers`` as rows with ``ids``, and their index rows.
    Pure Python: runs in a worker thread."""
    products: list[tuple[Any, ...]] = []
    images: list[tuple[Any, ...]] = []
    documents: list[tuple[Any, ...]] = []
    agreement_prices: list[tuple[Any, ...]] = []
    docs = []
    for id_, p in zip(ids, demo_products_at(numbers, now), strict=True):
        products.append(
            (
                id_,
                p.sku,
                p.name,
                p.description,
                p.manufacturer,
                p.unit,
                p.pack_size,
                p.list_price,
                p.product_type,
                category_ids[p.category_names],
                p.active,
                p.stock_quantity,
                "",
                p.created_at,
                p.created_at,
            )
        )
        images.extend((id_, position, url, alt) for position, (url, alt) in enumerate(p.images))
        documents.extend((id_, position, kind, title, url) for position, (kind, title, url) in enumerate(p.documents))
        agreement_prices.extend(
            (customer_ids[number], id_, price, now)
            for number, price in p.agreement_prices.items()
            if number in customer_ids
        )
        docs.append(
            search.IndexedProduct(
                id=id_,
                sku=p.sku,
                name=p.name,
                description=p.description,
                manufacturer=p.manufacturer,
                category_names=p.category_names,
            )
        )
    terms = indexer.rows(docs)
    return _Batch(
        writes=[
            writer.prepare(Product.__table__, _PRODUCT_COLUMNS, products),
            writer.prepare(ProductImage.__table__, ("product_id", "position", "url", "alt"), images),
            writer.prepare(ProductDocument.__table__, ("product_id", "position", "kind", "title", "url"), documents),
            writer.prepare(
                AgreementPrice.__table__, ("customer_id", "product_id", "price", "updated_at"), agreement_prices
            ),
            writer.prepare_terms(terms),
        ],
        products=len(products),
        images=len(images),
        documents=len(documents),
        agreement_prices=len(agreement_prices),
        search_terms=sum(len(product_terms) for _, product_terms in terms),
    )


class _Indexer:
    """``search.index_terms`` / ``index_words`` for many products that share their texts.

    The search contract builds a product's terms field by field, a term found
    in several fields keeping its highest weight, and its words from the
    texts, not the SKU (see app.catalog.search). So a product's terms are
    those of its texts without the SKU, the same for many demo products and
    computed once, merged with those of its SKU alone; its words are those of
    its texts. Products are also indexed whole, the first ``CHECKED`` and
    then one in ``SAMPLE``, and compared: on any difference the shortcut is
    given up (and a warning logged) and every product is indexed whole.
    """

    CHECKED, SAMPLE = 200, 500

    def __init__(self) -> None:
        self.words: set[str] = set()
        self._texts: dict[tuple[Any, ...], dict[str, int]] = {}
        self._seen = 0
        self.whole = False

    def rows(self, docs: Iterable[search.IndexedProduct]) -> list[tuple[int, dict[str, int]]]:
        """(product id, {term: weight}) for each product."""
        return [(doc.id, self.terms(doc)) for doc in docs]

    def terms(self, doc: search.IndexedProduct) -> dict[str, int]:
        self._seen += 1
        if self.whole:
            self.words |= search.index_words(doc)
            return search.index_terms(doc)
        key = (doc.name, doc.description, doc.manufacturer, tuple(doc.category_names))
        texts = self._texts.get(key)
        if texts is None:
            textual = search.IndexedProduct(
                id=doc.id,
                sku="",
                name=doc.name,
                description=doc.description,
                manufacturer=doc.manufacturer,
                category_names=doc.category_names,
            )
            texts = self._texts[key] = search.index_terms(textual)
            self.words |= search.index_words(textual)
        terms = dict(texts)
        sku_only = search.IndexedProduct(
            id=doc.id, sku=doc.sku, name="", description=None, manufacturer=None, category_names=()
        )
        for term, weight in search.index_terms(sku_only).items():
            if terms.get(term, -1) < weight:
                terms[term] = weight
        if self._seen <= self.CHECKED or self._seen % self.SAMPLE == 0:
            if terms != search.index_terms(doc) or not search.index_words(doc) <= self.words:
                log.warning("search index of the demo catalogue: shortcut given up at product %s", doc.sku)
                self.whole = True
                return self.terms(doc)
        return terms


async def _write_batch(writer: Writer, batch: _Batch | None) -> None:
    for prepared in batch.writes if batch else ():
        await writer.write(prepared)


async def _both(first: Awaitable[T], second: Awaitable[U]) -> tuple[T, U]:
    """Both results; when one fails, the other is still awaited to its end before the error is raised
    (no statement may be left running on the connection)."""
    results = await asyncio.gather(first, second, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results[0], results[1]  # type: ignore[return-value]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of (acyclic) tuples are made and dropped.

    The collector would otherwise walk the growing heap again and again: it
    doubles the time of a large load. Reference counting still frees each batch.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def seed_demo_catalog(
    session: AsyncSession, products: int = DEFAULT_PRODUCTS, *, now: datetime | None = None
) -> CatalogReport:
    """Adds what is missing of the demo catalogue's first ``products`` products (see the module doc).

    Runs in the session's transaction and commits nothing itself. The demo
    customers' agreement prices are written for the customers that exist.
    """
    if not 0 <= products <= MAX_PRODUCTS:
        raise ValueError(f"the demo catalogue has 0 to {MAX_PRODUCTS} products")
    started = time.perf_counter()
    now = now or clock.now()
    report = CatalogReport(requested=products)
    writer = await Writer.open(session)

    category_ids = await _ensure_categories(writer, report)
    customer_ids = await _customer_ids(writer)
    numbers, present = await _missing_numbers(writer, products)
    report.products_present = products - len(numbers)
    ids = await writer.reserve_ids(Product.__table__, len(numbers))
    indexer = _Indexer()

    with _gc_paused():
        loaded = [Product, ProductImage, ProductDocument, AgreementPrice, SearchTerm]
        large = len(numbers) >= max(LARGE_LOAD, present)
        # A large load on PostgreSQL counts each category's products once at the end (see
        # app.catalog.category_counts for why not row by row).
        counts = (
            category_counts.recounted_at_the_end(writer.connection) if large and not writer.is_sqlite else nullcontext()
        )
        async with writer.bulk([model.__table__ for model in loaded], [SearchTerm.__table__], large), counts:
            # Two stages: a worker thread makes batch k+1 while the database writes batch k.
            written: _Batch | None = None
            for start in range(0, len(numbers), BATCH):
                chunk = numbers[start : start + BATCH]
                making = asyncio.to_thread(
                    _make_batch, writer, chunk, ids[start : start + BATCH], category_ids, customer_ids, now, indexer
                )
                batch, _ = await _both(making, _write_batch(writer, written))
                report.products_added += batch.products
                report.images += batch.images
                report.documents += batch.documents
                report.agreement_prices += batch.agreement_prices
                report.search_terms += batch.search_terms
                written = batch
            await _write_batch(writer, written)
            report.products_reindexed = await _index_unindexed(writer, report, indexer)
            variants = sorted(search.word_variants(indexer.words)) if indexer.words else []
            report.search_words = await writer.write(
                writer.prepare(SearchWord.__table__, ("variant", "word"), variants), ignore_duplicates=True
            )

    report.seconds = time.perf_counter() - started
    log.info("demo catalogue seeded", extra={"catalog": asdict(report)})
    return report


async def _index_unindexed(writer: Writer, report: CatalogReport, indexer: _Indexer) -> int:
    """Index rows for every product that has none (say, loaded before search existed)."""
    products, categories, terms = Product.__table__, Category.__table__, SearchTerm.__table__
    unindexed = (
        select(
            products.c.id,
            products.c.sku,
            products.c.name,
            products.c.description,
            products.c.manufacturer,
            products.c.category_id,
        )
        .where(~select(terms.c.product_id).where(terms.c.product_id == products.c.id).exists())
        .order_by(products.c.id)
    )
    found = (await writer.connection.execute(unindexed)).all()
    if not found:
        return 0
    category_rows = (
        await writer.connection.execute(select(categories.c.id, categories.c.name, categories.c.path))
    ).all()
    names = {id_: name for id_, name, _ in category_rows}
    chains = {
        id_: tuple(names[int(part)] for part in path.strip("/").split("/") if part and int(part) in names)
        for id_, _, path in category_rows
    }
    for start in range(0, len(found), BATCH):
        docs = [
            search.IndexedProduct(
                id=id_,
                sku=sku,
                name=name,
                description=description,
                manufacturer=manufacturer,
                category_names=chains.get(category_id, ()),
            )
            for id_, sku, name, description, manufacturer, category_id in found[start : start + BATCH]
        ]
        prepared = writer.prepare_terms(indexer.rows(docs))
        report.search_terms += prepared.count
        await writer.write(prepared)
    return len(found)
