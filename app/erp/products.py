"""Products by SKU, with their images, documents and category path.

A product keeps a hash of its merged, normalized ERP data in
``products.content_hash``: an item whose hash is the stored one changed
nothing and writes nothing. The search index is rebuilt once per batch for
every product whose indexed text changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import bulk, clock
from app.catalog import categories, search
from app.erp.batch import LATER, Batch, BatchResult, Transaction, chunks, rows_by_key, run
from app.erp.checks import Each, Fields, Money, Text, Url, Whole
from app.models import DocumentKind, Product, ProductDocument, ProductImage, ProductType
from app.viewer import Viewer

MAX_SKU = 64
MAX_PRODUCT_NAME = 300
MAX_DESCRIPTION = 20_000
MAX_MANUFACTURER = 200
MAX_UNIT = 50
MAX_PACK_SIZE = 1_000_000
MAX_IMAGE_ALT = 300
MAX_DOCUMENT_TITLE = 300
MAX_IMAGES = 50
MAX_DOCUMENTS = 50

# Bump when the hashed representation changes, so every product is rewritten once.
_HASH_VERSION = 1


@dataclass(frozen=True, slots=True)
class ImageItem:
    url: str
    alt: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentItem:
    kind: DocumentKind
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class ProductItem:
    """One product as the ERP sends it. None means "left out": the stored value stays."""

    sku: str
    name: str
    unit: str
    list_price: Decimal
    category_path: Sequence[str]
    description: str | None = None  # "" removes it
    manufacturer: str | None = None  # "" removes it
    pack_size: int | None = None
    product_type: ProductType | None = None
    active: bool | None = None
    images: Sequence[ImageItem] | None = None
    documents: Sequence[DocumentItem] | None = None


IMAGE = Fields[ImageItem]((("url", Url()), ("alt", Text("Alt text", MAX_IMAGE_ALT, required=False, blank=None))))
DOCUMENT = Fields[DocumentItem]((("title", Text("A document title", MAX_DOCUMENT_TITLE)), ("url", Url())))
PRODUCT = Fields[ProductItem](
    (
        ("sku", Text("An SKU", MAX_SKU)),
        ("name", Text("A name", MAX_PRODUCT_NAME)),
        ("description", Text("A description", MAX_DESCRIPTION, required=False, multiline=True)),
        ("manufacturer", Text("A manufacturer", MAX_MANUFACTURER, required=False)),
        ("unit", Text("A unit", MAX_UNIT)),
        ("pack_size", Whole("The pack size", 1, MAX_PACK_SIZE)),
        ("list_price", Money("The list price")),
        (
            "category_path",
            Each(
                Text("A category name", categories.MAX_NAME),
                most=categories.MAX_DEPTH,
                too_many=f"A category path has at most {categories.MAX_DEPTH} levels.",
                empty="Give the category path: at least one name, from the root.",
                check_first=False,
                finish=lambda names: tuple(categories.normalize_name(name) for name in names if name),
            ),
        ),
        ("images", Each(IMAGE, most=MAX_IMAGES, too_many=f"A product has at most {MAX_IMAGES} images.")),
        ("documents", Each(DOCUMENT, most=MAX_DOCUMENTS, too_many=f"A product has at most {MAX_DOCUMENTS} documents.")),
    ),
    key=("sku",),
    duplicate="SKU {sku} " + LATER,
)

_PRODUCT_COLUMNS = (
    Product.id,
    Product.sku,
    Product.name,
    Product.description,
    Product.manufacturer,
    Product.unit,
    Product.pack_size,
    Product.list_price,
    Product.product_type,
    Product.category_id,
    Product.active,
    Product.content_hash,
)
_INDEXED = ("name", "description", "manufacturer", "category_id")


async def upsert_products(transaction: Transaction, actor: Viewer, items: Sequence[ProductItem]) -> BatchResult:
    """Create or update products by SKU; see the package's rules."""
    return await run(UPSERT, transaction, actor, items)


def _content_hash(state: dict[str, Any]) -> str:
    encoded = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _merge(
    item: ProductItem, stored: Any | None, images: Sequence[ImageItem], documents: Sequence[DocumentItem]
) -> tuple[dict[str, Any], str]:
    """The product's column values after this item (given fields win, left-out ones keep the stored
    value) and the hash of all it is made of, its images, documents and category path included."""

    def pick(given: Any, column: str, default: Any) -> Any:
        if given is not None:
            return given
        return getattr(stored, column) if stored is not None else default

    values = {
        "sku": item.sku,
        "name": item.name,
        "description": pick(item.description, "description", None) or None,
        "manufacturer": pick(item.manufacturer, "manufacturer", None) or None,
        "unit": item.unit,
        "pack_size": pick(item.pack_size, "pack_size", None),
        "list_price": item.list_price,
        "product_type": pick(item.product_type, "product_type", ProductType.STANDARD),
        "active": pick(item.active, "active", True),
    }
    state = {
        **values,
        "v": _HASH_VERSION,
        "list_price": str(item.list_price),
        "product_type": values["product_type"].value,
        "category_path": list(item.category_path),
        "images": [[image.url, image.alt] for image in images],
        "documents": [[document.kind.value, document.title, document.url] for document in documents],
    }
    return values, _content_hash(state)


async def _stored_images(session: AsyncSession, product_ids: list[int]) -> dict[int, list[ImageItem]]:
    found: dict[int, list[ImageItem]] = defaultdict(list)
    for chunk in chunks(product_ids):
        rows = await session.execute(
            select(ProductImage.product_id, ProductImage.url, ProductImage.alt)
            .where(ProductImage.product_id.in_(chunk))
            .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id)
        )
        for product_id, url, alt in rows:
            found[product_id].append(ImageItem(url=url, alt=alt))
    return found


async def _stored_documents(session: AsyncSession, product_ids: list[int]) -> dict[int, list[DocumentItem]]:
    found: dict[int, list[DocumentItem]] = defaultdict(list)
    for chunk in chunks(product_ids):
        rows = await session.execute(
            select(ProductDocument.product_id, ProductDocument.kind, ProductDocument.title, ProductDocument.url)
            .where(ProductDocument.product_id.in_(chunk))
            .order_by(ProductDocument.product_id, ProductDocument.position, ProductDocument.id)
        )
        for product_id, kind, title, url in rows:
            found[product_id].append(DocumentItem(kind=kind, title=title, url=url))
    return found


@dataclass(slots=True)
class _Plan:
    """What a batch writes: new rows, changed products, lists to replace, products to reindex."""

    result: BatchResult = field(default_factory=BatchResult)
    new_rows: list[dict[str, Any]] = field(default_factory=list)
    new_children: dict[str, tuple[Sequence[ImageItem], Sequence[DocumentItem]]] = field(default_factory=dict)
    changed: list[tuple[ProductItem, Any, dict[str, Any]]] = field(default_factory=list)
    images: dict[int, Sequence[ImageItem]] = field(default_factory=dict)
    documents: dict[int, Sequence[DocumentItem]] = field(default_factory=dict)
    reindex: list[int] = field(default_factory=list)

    def children(
        self, product_id: int, images: Sequence[ImageItem] | None, documents: Sequence[DocumentItem] | None
    ) -> None:
        if images:
            self.images[product_id] = images
        if documents:
            self.documents[product_id] = documents


async def _apply(session: AsyncSession, good: list[tuple[int, ProductItem]]) -> BatchResult:
    items = [item for _, item in good]
    stored = await rows_by_key(session, Product.sku, _PRODUCT_COLUMNS, (item.sku for item in items))
    # A list left out keeps the stored one, which is then part of the merged product's hash.
    old_images = await _stored_images(
        session, [stored[i.sku].id for i in items if i.images is None and i.sku in stored]
    )
    old_documents = await _stored_documents(
        session, [stored[i.sku].id for i in items if i.documents is None and i.sku in stored]
    )
    category_of = await categories.resolve_paths(session, [item.category_path for item in items])
    now = clock.now()
    plan = _Plan()
    for item in items:
        row = stored.get(item.sku)
        images = item.images if item.images is not None else old_images.get(row.id, []) if row else []
        documents = item.documents if item.documents is not None else old_documents.get(row.id, []) if row else []
        values, digest = _merge(item, row, images, documents)
        values["category_id"] = category_of[tuple(item.category_path)].id
        values["content_hash"] = digest
        if row is None:
            plan.new_rows.append({**values, "stock_quantity": 0, "created_at": now, "updated_at": now})
            plan.new_children[item.sku] = (images, documents)
        elif row.content_hash == digest:
            plan.result.unchanged += 1
        else:
            plan.changed.append((item, row, values))
    await _update_changed(session, plan, now)
    new = await _insert_new(session, plan)
    await _replace_children(session, plan, new)
    if plan.reindex:
        await search.reindex(session, sorted(plan.reindex))
    return plan.result


async def _update_changed(session: AsyncSession, plan: _Plan, now: Any) -> None:
    """The changed products' columns that differ; their given lists only where they differ too
    (a price change rewrites no images)."""
    if not plan.changed:
        return
    current_images = await _stored_images(session, [row.id for item, row, _ in plan.changed if item.images is not None])
    current_documents = await _stored_documents(
        session, [row.id for item, row, _ in plan.changed if item.documents is not None]
    )
    updates: list[dict[str, Any]] = []
    for item, row, values in plan.changed:
        if item.images is not None and list(item.images) != current_images.get(row.id, []):
            plan.images[row.id] = item.images
        if item.documents is not None and list(item.documents) != current_documents.get(row.id, []):
            plan.documents[row.id] = item.documents
        update_row = {"id": row.id, "updated_at": now, "content_hash": values["content_hash"]}
        update_row.update({k: v for k, v in values.items() if k != "sku" and getattr(row, k) != v})
        updates.append(update_row)
        if any(column in update_row for column in _INDEXED):
            plan.reindex.append(row.id)
    await bulk.update_by_key(session, Product.__table__, updates)
    plan.result.updated = len(updates)


async def _insert_new(session: AsyncSession, plan: _Plan) -> set[int]:
    """Inserts the new products (without RETURNING, the fastest bulk insert on both drivers) and
    reads their ids back by SKU in one more query; returns the ids."""
    if not plan.new_rows:
        return set()
    plan.new_rows.sort(key=lambda r: r["sku"])  # a stable order: concurrent batches lock keys alike
    await bulk.insert(session, Product.__table__, plan.new_rows)
    created = await rows_by_key(session, Product.sku, (Product.sku, Product.id), (r["sku"] for r in plan.new_rows))
    for sku, row in created.items():
        plan.children(row.id, *plan.new_children[sku])
        plan.reindex.append(row.id)
    plan.result.created = len(plan.new_rows)
    return {row.id for row in created.values()}


async def _replace_children(session: AsyncSession, plan: _Plan, new: set[int]) -> None:
    """Make these products' images and documents the planned lists (``new`` products have none yet)."""
    for chunk in chunks(sorted(set(plan.images) - new)):
        await session.execute(delete(ProductImage).where(ProductImage.product_id.in_(chunk)))
    for chunk in chunks(sorted(set(plan.documents) - new)):
        await session.execute(delete(ProductDocument).where(ProductDocument.product_id.in_(chunk)))
    image_rows = [
        {"product_id": product_id, "position": position, "url": image.url, "alt": image.alt}
        for product_id in sorted(plan.images)
        for position, image in enumerate(plan.images[product_id])
    ]
    document_rows = [
        {"product_id": product_id, "position": position, "kind": doc.kind, "title": doc.title, "url": doc.url}
        for product_id in sorted(plan.documents)
        for position, doc in enumerate(plan.documents[product_id])
    ]
    await bulk.insert(session, ProductImage.__table__, image_rows)
    await bulk.insert(session, ProductDocument.__table__, document_rows)


UPSERT = Batch[ProductItem]("erp.products_upserted", PRODUCT, _apply, creates=True)
