"""ERP sync: products, stock, customers and agreement prices, in batches.

Every batch works the same way:

* At most ``MAX_BATCH`` items; more is refused whole (INVALID_INPUT, field
  "items", nothing applied).
* Each item is checked on its own. A bad item is skipped and reported with its
  path ("items.3.listPrice"); it never stops the good ones. An item whose
  business key (sku, customer number, customer number + sku) already appeared
  earlier in the batch is refused (INVALID_INPUT on the later one).
* The good items are applied in one transaction, with the batch's audit entry:
  a failure of the database rolls the whole batch back (the client sees an
  INTERNAL error), never a part of it. When a concurrent batch made one of the
  same business keys first (a unique violation), the batch is run again from
  fresh data; that is what makes two simultaneous syncs safe.
* Idempotent by business key: a field left out (None) keeps its stored value,
  a list that is given (images, documents, addresses) replaces the stored one,
  and an item that changes nothing counts as unchanged and writes nothing.
  Products keep a hash of their merged, normalized ERP data in
  ``products.content_hash``; customers are compared field by field.

The work is done in bulk: one query loads the batch's existing rows by business
key, categories are found or made once per batch, inserts and updates go out as
multi-row statements, and the search index is rebuilt once for every product
whose indexed text changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit, clock
from app.catalog import categories, search
from app.errors import DomainError, ErrorCode, Problem
from app.models import (
    AgreementPrice,
    Customer,
    DeliveryAddress,
    DeliverySchedule,
    DocumentKind,
    Product,
    ProductDocument,
    ProductImage,
    ProductType,
)
from app.viewer import Viewer
from app.webhooks import events

T = TypeVar("T")
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]

MAX_BATCH = 1000

MAX_SKU = 64
MAX_PRODUCT_NAME = 300
MAX_DESCRIPTION = 20_000
MAX_MANUFACTURER = 200
MAX_UNIT = 50
MAX_PACK_SIZE = 1_000_000
MAX_PRICE = Decimal("10000000.00")
MAX_URL = 2000
MAX_IMAGE_ALT = 300
MAX_DOCUMENT_TITLE = 300
MAX_IMAGES = 50
MAX_DOCUMENTS = 50
MAX_STOCK = 10_000_000

MAX_CUSTOMER_NUMBER = 32
MAX_CUSTOMER_NAME = 200
MAX_ADDRESSES = 500
MAX_EXTERNAL_ID = 64
MAX_ADDRESS_LABEL = 200
MAX_ADDRESS_LINE = 200
MAX_POSTAL_CODE = 20
MAX_CITY = 100
MAX_CUTOFF_DAYS = 30
MAX_CLOSED_DATES = 1000

_CENT = Decimal("0.01")
# Control characters and lone surrogates ("\\ud800" in the JSON; no database can store one) are
# refused; tab and newlines are fine in a description.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# An absolute http(s) URL with a host; no whitespace, control characters or lone surrogates.
_URL = re.compile(
    r"https?://(?:[^\s\x00-\x1f\x7f\ud800-\udfff/?#@]+@)?[^\s\x00-\x1f\x7f\ud800-\udfff/?#@:]+(?::[0-9]{1,5})?"
    r"(?:[/?#][^\s\x00-\x1f\x7f\ud800-\udfff]*)?",
    re.IGNORECASE,
)
_CUTOFF_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_QUERY_CHUNK = 500
_ATTEMPTS = 3
# Bump when the hashed representation changes, so every product is rewritten once.
_HASH_VERSION = 1


# ---------------------------------------------------------------- what the ERP sends


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


@dataclass(frozen=True, slots=True)
class StockItem:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class AddressItem:
    """An entry of a given address list, taken whole: line2 None is no second line, is_default None is False."""

    external_id: str
    label: str
    line1: str
    postal_code: str
    city: str
    line2: str | None = None
    is_default: bool | None = None


@dataclass(frozen=True, slots=True)
class ScheduleItem:
    weekdays: Sequence[int]  # ISO: 1 = Monday .. 7 = Sunday
    cutoff_days_before: int
    cutoff_time: str  # "HH:MM", Europe/Oslo
    closed_dates: Sequence[date] | None = None  # None keeps the stored ones


@dataclass(frozen=True, slots=True)
class CustomerItem:
    number: str
    name: str
    addresses: Sequence[AddressItem] | None = None
    schedule: ScheduleItem | None = None


@dataclass(frozen=True, slots=True)
class AgreementPriceItem:
    customer_number: str
    sku: str
    price: Decimal | None  # None removes the agreement


@dataclass(slots=True)
class BatchResult:
    """What a batch did. ``problems`` lists the skipped items, by item index."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------- checking items


class _Checks:
    """Collects the problems of one item; every path starts at "items.N"."""

    def __init__(self, index: int) -> None:
        self.prefix = f"items.{index}"
        self.problems: list[Problem] = []

    def fail(self, path: str | None, message: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> None:
        self.problems.append(Problem(code, message, f"{self.prefix}.{path}" if path else self.prefix))

    def text(
        self,
        value: str | None,
        path: str,
        limit: int,
        what: str,
        *,
        required: bool = True,
        multiline: bool = False,
    ) -> str | None:
        """Trimmed ``value``; "" only where not required (it then means "remove")."""
        if value is None:
            return None
        value = value.strip()
        if not value:
            if required:
                self.fail(path, f"{what} is required.")
                return None
            return ""
        if len(value) > limit:
            self.fail(path, f"{what} can be at most {limit} characters.")
            return None
        if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
            self.fail(path, f"{what} contains characters that are not allowed.")
            return None
        return value

    def money(self, value: Decimal, path: str, what: str) -> Decimal | None:
        if not value.is_finite():
            self.fail(path, f"{what} must be a number.")
            return None
        if value < 0:
            self.fail(path, f"{what} cannot be negative.")
            return None
        if value > MAX_PRICE:
            self.fail(path, f"{what} can be at most {MAX_PRICE} NOK.")
            return None
        rounded = value.quantize(_CENT)
        if rounded != value:
            self.fail(path, f"{what} can have at most 2 decimals (whole øre).")
            return None
        return abs(rounded) if rounded == 0 else rounded  # no "-0.00"

    def integer(self, value: int, path: str, what: str, low: int, high: int) -> int | None:
        if value < low or value > high:
            self.fail(path, f"{what} must be from {low:,} to {high:,}.")
            return None
        return value

    def url(self, value: str, path: str) -> str | None:
        value = value.strip()
        if not value:
            self.fail(path, "A URL is required.")
            return None
        if len(value) > MAX_URL:
            self.fail(path, f"A URL can be at most {MAX_URL} characters.")
            return None
        if not _URL.fullmatch(value):
            self.fail(path, "Give an absolute http or https URL.")
            return None
        return value


def _check_batch(items: Sequence[object]) -> None:
    if len(items) > MAX_BATCH:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            f"A batch holds at most {MAX_BATCH:,} items; this one has {len(items):,}. Nothing was applied.",
            "items",
        )


def _duplicate(checks: _Checks, path: str, what: str) -> None:
    checks.fail(path, f"{what} appears earlier in this batch; this later item was skipped.")


def _check_product(index: int, item: ProductItem) -> tuple[ProductItem | None, list[Problem]]:
    c = _Checks(index)
    sku = c.text(item.sku, "sku", MAX_SKU, "An SKU")
    name = c.text(item.name, "name", MAX_PRODUCT_NAME, "A name")
    description = c.text(
        item.description, "description", MAX_DESCRIPTION, "A description", required=False, multiline=True
    )
    manufacturer = c.text(item.manufacturer, "manufacturer", MAX_MANUFACTURER, "A manufacturer", required=False)
    unit = c.text(item.unit, "unit", MAX_UNIT, "A unit")
    pack_size = None
    if item.pack_size is not None:
        pack_size = c.integer(item.pack_size, "packSize", "The pack size", 1, MAX_PACK_SIZE)
    price = c.money(item.list_price, "listPrice", "The list price")

    path: list[str] = []
    if not item.category_path:
        c.fail("categoryPath", "Give the category path: at least one name, from the root.")
    elif len(item.category_path) > categories.MAX_DEPTH:
        c.fail("categoryPath", f"A category path has at most {categories.MAX_DEPTH} levels.")
    else:
        for position, raw in enumerate(item.category_path):
            checked = c.text(raw, f"categoryPath.{position}", categories.MAX_NAME, "A category name")
            if checked:
                path.append(categories.normalize_name(checked))

    images: list[ImageItem] | None = None
    if item.images is not None:
        images = []
        if len(item.images) > MAX_IMAGES:
            c.fail("images", f"A product has at most {MAX_IMAGES} images.")
        for position, image in enumerate(item.images[:MAX_IMAGES]):
            url = c.url(image.url, f"images.{position}.url")
            alt = c.text(image.alt, f"images.{position}.alt", MAX_IMAGE_ALT, "Alt text", required=False)
            if url is not None:
                images.append(ImageItem(url=url, alt=alt or None))

    documents: list[DocumentItem] | None = None
    if item.documents is not None:
        documents = []
        if len(item.documents) > MAX_DOCUMENTS:
            c.fail("documents", f"A product has at most {MAX_DOCUMENTS} documents.")
        for position, document in enumerate(item.documents[:MAX_DOCUMENTS]):
            title = c.text(document.title, f"documents.{position}.title", MAX_DOCUMENT_TITLE, "A document title")
            url = c.url(document.url, f"documents.{position}.url")
            if title is not None and url is not None:
                documents.append(DocumentItem(kind=document.kind, title=title, url=url))

    if c.problems:
        return None, c.problems
    assert sku is not None and name is not None and unit is not None and price is not None
    return (
        ProductItem(
            sku=sku,
            name=name,
            unit=unit,
            list_price=price,
            category_path=tuple(path),
            description=description,
            manufacturer=manufacturer,
            pack_size=pack_size,
            product_type=item.product_type,
            active=item.active,
            images=images,
            documents=documents,
        ),
        [],
    )


def check_products(items: Sequence[ProductItem]) -> tuple[list[ProductItem], list[Problem]]:
    """The good items, normalized, and the problems of the bad ones (in item order)."""
    good: list[ProductItem] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        checked, found = _check_product(index, item)
        sku = item.sku.strip()
        if sku in seen:
            c = _Checks(index)
            _duplicate(c, "sku", f"SKU {sku[:MAX_SKU]}")
            found = [*c.problems, *found]
            checked = None
        elif sku and len(sku) <= MAX_SKU:
            seen.add(sku)
        if checked is None:
            problems.extend(found)
        else:
            good.append(checked)
    return good, problems


# ---------------------------------------------------------------- running a batch


def _is_race(error: DBAPIError) -> bool:
    """A unique violation, serialization failure or deadlock: another batch got there first."""
    if isinstance(error, IntegrityError):
        return True
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in {"40001", "40P01"}


async def _in_transaction(transaction: Transaction, apply: Callable[[AsyncSession], Awaitable[T]]) -> T:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with transaction() as session:
                return await apply(session)
        except DBAPIError as error:
            if attempt == _ATTEMPTS or not _is_race(error):
                raise
    raise AssertionError("unreachable")


def _chunks(values: Sequence[T], size: int = _QUERY_CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def _update_by_key(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """One UPDATE per row by primary key, in key order (so that concurrent batches lock rows in
    the same order). Rows that set the same columns go out as one executemany; each row holds
    its key and the columns to set. The identity map is not involved."""
    table = model.__table__
    keys = [column.name for column in table.primary_key.columns]
    where = [table.c[key] == bindparam(f"key_{key}") for key in keys]
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: tuple(row[key] for key in keys)):
        groups[frozenset(row)].append(row)
    for group in groups.values():
        parameters = [
            {**{f"key_{key}": row[key] for key in keys}, **{k: v for k, v in row.items() if k not in keys}}
            for row in group
        ]
        await session.execute(update(table).where(*where), parameters)


def _skipped(problems: Sequence[Problem]) -> int:
    """How many items the problems name ("items.3.sku" and "items.3.name" are one item)."""
    return len({(p.field or "").split(".")[1] for p in problems if (p.field or "").startswith("items.")})


# ---------------------------------------------------------------- products

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

    description = pick(item.description, "description", None) or None
    manufacturer = pick(item.manufacturer, "manufacturer", None) or None
    values = {
        "sku": item.sku,
        "name": item.name,
        "description": description,
        "manufacturer": manufacturer,
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


async def _ids_by_sku(session: AsyncSession, skus: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(skus):
        found.update((await session.execute(select(Product.sku, Product.id).where(Product.sku.in_(chunk)))).all())
    return found


async def _stored_images(session: AsyncSession, product_ids: list[int]) -> dict[int, list[ImageItem]]:
    found: dict[int, list[ImageItem]] = defaultdict(list)
    for chunk in _chunks(product_ids):
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
    for chunk in _chunks(product_ids):
        rows = await session.execute(
            select(ProductDocument.product_id, ProductDocument.kind, ProductDocument.title, ProductDocument.url)
            .where(ProductDocument.product_id.in_(chunk))
            .order_by(ProductDocument.product_id, ProductDocument.position, ProductDocument.id)
        )
        for product_id, kind, title, url in rows:
            found[product_id].append(DocumentItem(kind=kind, title=title, url=url))
    return found


_INDEXED = ("name", "description", "manufacturer", "category_id")


async def _apply_products(session: AsyncSession, actor: Viewer, items: list[ProductItem], rejected: int) -> BatchResult:
    result = BatchResult()
    stored: dict[str, Any] = {}
    for chunk in _chunks([item.sku for item in items]):
        for found in await session.execute(select(*_PRODUCT_COLUMNS).where(Product.sku.in_(chunk))):
            stored[found.sku] = found
    # A list left out keeps the stored one, which is then part of the merged product's hash.
    old_images = await _stored_images(
        session, [stored[i.sku].id for i in items if i.images is None and i.sku in stored]
    )
    old_documents = await _stored_documents(
        session, [stored[i.sku].id for i in items if i.documents is None and i.sku in stored]
    )
    category_of = await categories.resolve_paths(session, [item.category_path for item in items])

    now = clock.now()
    new_rows: list[dict[str, Any]] = []
    new_children: dict[str, tuple[Sequence[ImageItem], Sequence[DocumentItem]]] = {}
    changed: list[tuple[ProductItem, Any, dict[str, Any]]] = []
    reindex: list[int] = []
    for item in items:
        row = stored.get(item.sku)
        images = item.images if item.images is not None else old_images.get(row.id, []) if row else []
        documents = item.documents if item.documents is not None else old_documents.get(row.id, []) if row else []
        values, digest = _merge(item, row, images, documents)
        values["category_id"] = category_of[tuple(item.category_path)].id
        values["content_hash"] = digest
        if row is None:
            new_rows.append({**values, "stock_quantity": 0, "created_at": now, "updated_at": now})
            new_children[item.sku] = (images, documents)
        elif row.content_hash == digest:
            result.unchanged += 1
        else:
            changed.append((item, row, values))

    replace_images: dict[int, Sequence[ImageItem]] = {}
    replace_documents: dict[int, Sequence[DocumentItem]] = {}
    if changed:
        # Given lists replace the stored ones only where they differ: a price change rewrites no images.
        given_images = [row.id for item, row, _ in changed if item.images is not None]
        given_documents = [row.id for item, row, _ in changed if item.documents is not None]
        current_images = await _stored_images(session, given_images)
        current_documents = await _stored_documents(session, given_documents)
        updates: list[dict[str, Any]] = []
        for item, row, values in changed:
            if item.images is not None and list(item.images) != current_images.get(row.id, []):
                replace_images[row.id] = item.images
            if item.documents is not None and list(item.documents) != current_documents.get(row.id, []):
                replace_documents[row.id] = item.documents
            update_row = {"id": row.id, "updated_at": now, "content_hash": values["content_hash"]}
            update_row.update({k: v for k, v in values.items() if k != "sku" and getattr(row, k) != v})
            updates.append(update_row)
            if any(column in update_row for column in _INDEXED):
                reindex.append(row.id)
        await _update_by_key(session, Product, updates)
        result.updated = len(updates)

    if new_rows:
        new_rows.sort(key=lambda r: r["sku"])  # a stable order: concurrent batches lock keys alike
        # A plain executemany (no RETURNING) is the fastest bulk insert on both drivers;
        # the new ids are read back by SKU in one more query.
        await session.execute(insert(Product.__table__), new_rows)
        created = await _ids_by_sku(session, [row["sku"] for row in new_rows])
        for sku, product_id in created.items():
            images, documents = new_children[sku]
            if images:
                replace_images[product_id] = images
            if documents:
                replace_documents[product_id] = documents
            reindex.append(product_id)
        result.created = len(new_rows)
    await _replace_children(
        session, replace_images, replace_documents, new=set(created.values()) if new_rows else set()
    )
    if reindex:
        await search.reindex(session, sorted(reindex))
    audit.record(
        session,
        actor,
        "erp.products_upserted",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=rejected,
    )
    return result


async def _replace_children(
    session: AsyncSession,
    images: dict[int, Sequence[ImageItem]],
    documents: dict[int, Sequence[DocumentItem]],
    new: set[int],
) -> None:
    """Make these products' images and documents the given lists (``new`` products have none yet)."""
    for chunk in _chunks(sorted(set(images) - new)):
        await session.execute(delete(ProductImage).where(ProductImage.product_id.in_(chunk)))
    for chunk in _chunks(sorted(set(documents) - new)):
        await session.execute(delete(ProductDocument).where(ProductDocument.product_id.in_(chunk)))
    image_rows = [
        {"product_id": product_id, "position": position, "url": image.url, "alt": image.alt}
        for product_id in sorted(images)
        for position, image in enumerate(images[product_id])
    ]
    document_rows = [
        {"product_id": product_id, "position": position, "kind": doc.kind, "title": doc.title, "url": doc.url}
        for product_id in sorted(documents)
        for position, doc in enumerate(documents[product_id])
    ]
    if image_rows:
        await session.execute(insert(ProductImage.__table__), image_rows)
    if document_rows:
        await session.execute(insert(ProductDocument.__table__), document_rows)


async def _upsert(
    transaction: Transaction,
    actor: Viewer,
    items: Sequence[T],
    check: Callable[[Sequence[T]], tuple[list[T], list[Problem]]],
    apply: Callable[[AsyncSession, Viewer, list[T], int], Awaitable[BatchResult]],
) -> BatchResult:
    """Check every item, apply the good ones in one transaction, report the bad ones."""
    _check_batch(items)
    good, problems = check(items)
    rejected = _skipped(problems)
    if not items:
        return BatchResult()

    async def run(session: AsyncSession) -> BatchResult:
        return await apply(session, actor, good, rejected)

    result = await _in_transaction(transaction, run)
    result.problems = problems
    return result


async def upsert_products(transaction: Transaction, actor: Viewer, items: Sequence[ProductItem]) -> BatchResult:
    """Create or update products by SKU; see the module's rules."""
    return await _upsert(transaction, actor, items, check_products, _apply_products)


# ---------------------------------------------------------------- stock


def check_stock(items: Sequence[StockItem]) -> tuple[list[tuple[int, StockItem]], list[Problem]]:
    good: list[tuple[int, StockItem]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        c = _Checks(index)
        sku = c.text(item.sku, "sku", MAX_SKU, "An SKU")
        if sku is not None:
            if sku in seen:
                _duplicate(c, "sku", f"SKU {sku}")
            seen.add(sku)
        quantity = c.integer(item.quantity, "quantity", "The quantity", 0, MAX_STOCK)
        if c.problems:
            problems.extend(c.problems)
        else:
            assert sku is not None and quantity is not None
            good.append((index, StockItem(sku=sku, quantity=quantity)))
    return good, problems


async def _product_ids(session: AsyncSession, skus: Iterable[str]) -> dict[str, tuple[int, int]]:
    """sku -> (id, stock quantity), for the skus that exist."""
    found: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(sorted(set(skus))):
        rows = await session.execute(
            select(Product.sku, Product.id, Product.stock_quantity).where(Product.sku.in_(chunk))
        )
        for sku, product_id, quantity in rows:
            found[sku] = (product_id, quantity)
    return found


def _unknown_sku(index: int, sku: str) -> Problem:
    return Problem(ErrorCode.UNKNOWN_SKU, f"No product has SKU {sku}.", f"items.{index}.sku")


async def set_stock(transaction: Transaction, actor: Viewer, items: Sequence[StockItem]) -> BatchResult:
    """Stock levels by SKU. ``updated`` counts products whose quantity changed."""
    _check_batch(items)
    good, problems = check_stock(items)
    if not items:
        return BatchResult()

    async def apply(session: AsyncSession) -> BatchResult:
        result = BatchResult()
        products = await _product_ids(session, (item.sku for _, item in good))
        unknown = [_unknown_sku(index, item.sku) for index, item in good if item.sku not in products]
        changes = []
        emptied: list[tuple[int, str]] = []
        for _, item in good:
            if item.sku not in products:
                continue
            product_id, quantity = products[item.sku]
            if quantity == item.quantity:
                result.unchanged += 1
            else:
                changes.append({"id": product_id, "stock_quantity": item.quantity})
                if quantity > 0 and item.quantity == 0:
                    emptied.append((product_id, item.sku))
        if changes:
            await _update_by_key(session, Product, changes)
        if emptied:
            await events.emit_out_of_stock(session, emptied)
        result.updated = len(changes)
        return _record_batch(session, actor, "erp.stock_set", result, problems, unknown)

    return await _run_batch(transaction, apply, problems)


def _record_batch(
    session: AsyncSession, actor: Viewer, action: str, result: BatchResult, checked: list[Problem], found: list[Problem]
) -> BatchResult:
    """The batch's audit entry; ``found`` (the problems met while applying) goes on the result."""
    result.problems = found
    audit.record(
        session,
        actor,
        action,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=_skipped([*checked, *found]),
    )
    return result


async def _run_batch(
    transaction: Transaction, apply: Callable[[AsyncSession], Awaitable[BatchResult]], checked: list[Problem]
) -> BatchResult:
    """Applies the batch in one transaction; its problems, the checked and the found, in item order."""
    result = await _in_transaction(transaction, apply)
    result.problems = _in_item_order([*checked, *result.problems])
    return result


def _in_item_order(problems: list[Problem]) -> list[Problem]:
    def index(problem: Problem) -> int:
        parts = (problem.field or "").split(".")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1

    return sorted(problems, key=index)  # stable: an item's own problems keep their order


# ---------------------------------------------------------------- customers


@dataclass(frozen=True, slots=True)
class _Address:
    """An address's stored form, for comparing."""

    label: str
    line1: str
    line2: str | None
    postal_code: str
    city: str
    is_default: bool
    active: bool


def _check_customer(index: int, item: CustomerItem) -> tuple[CustomerItem | None, list[Problem]]:
    c = _Checks(index)
    number = c.text(item.number, "number", MAX_CUSTOMER_NUMBER, "A customer number")
    name = c.text(item.name, "name", MAX_CUSTOMER_NAME, "A name")

    addresses: list[AddressItem] | None = None
    if item.addresses is not None:
        addresses = []
        if len(item.addresses) > MAX_ADDRESSES:
            c.fail("addresses", f"A customer has at most {MAX_ADDRESSES} delivery addresses.")
        external_ids: set[str] = set()
        for position, address in enumerate(item.addresses[:MAX_ADDRESSES]):
            at = f"addresses.{position}"
            external_id = c.text(address.external_id, f"{at}.externalId", MAX_EXTERNAL_ID, "An external id")
            if external_id is not None:
                if external_id in external_ids:
                    c.fail(f"{at}.externalId", f"External id {external_id} appears twice in this customer's list.")
                external_ids.add(external_id)
            checked = AddressItem(
                external_id=external_id or "",
                label=c.text(address.label, f"{at}.label", MAX_ADDRESS_LABEL, "A label") or "",
                line1=c.text(address.line1, f"{at}.line1", MAX_ADDRESS_LINE, "An address line") or "",
                line2=c.text(address.line2, f"{at}.line2", MAX_ADDRESS_LINE, "An address line", required=False) or None,
                postal_code=c.text(address.postal_code, f"{at}.postalCode", MAX_POSTAL_CODE, "A postal code") or "",
                city=c.text(address.city, f"{at}.city", MAX_CITY, "A city") or "",
                is_default=bool(address.is_default),
            )
            addresses.append(checked)
        if sum(1 for a in item.addresses if a.is_default) > 1:
            c.fail("addresses", "At most one address can be the default (isDefault).")

    schedule: ScheduleItem | None = None
    if item.schedule is not None:
        given = item.schedule
        if not given.weekdays:
            c.fail("schedule.weekdays", "Give at least one delivery weekday (1 = Monday .. 7 = Sunday).")
        for position, weekday in enumerate(given.weekdays):
            if not 1 <= weekday <= 7:
                c.fail(f"schedule.weekdays.{position}", "A weekday is 1 (Monday) to 7 (Sunday).")
        c.integer(given.cutoff_days_before, "schedule.cutoffDaysBefore", "Cut-off days before", 0, MAX_CUTOFF_DAYS)
        cutoff_time = (given.cutoff_time or "").strip()
        if not _CUTOFF_TIME.fullmatch(cutoff_time):
            c.fail("schedule.cutoffTime", 'The cut-off time is "HH:MM", from 00:00 to 23:59.')
        if given.closed_dates is not None and len(given.closed_dates) > MAX_CLOSED_DATES:
            c.fail("schedule.closedDates", f"At most {MAX_CLOSED_DATES} closed dates.")
        schedule = ScheduleItem(
            weekdays=sorted(set(given.weekdays)),
            cutoff_days_before=given.cutoff_days_before,
            cutoff_time=cutoff_time,
            closed_dates=sorted(set(given.closed_dates)) if given.closed_dates is not None else None,
        )

    if c.problems:
        return None, c.problems
    assert number is not None and name is not None
    return CustomerItem(number=number, name=name, addresses=addresses, schedule=schedule), []


def check_customers(items: Sequence[CustomerItem]) -> tuple[list[CustomerItem], list[Problem]]:
    good: list[CustomerItem] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        checked, found = _check_customer(index, item)
        number = item.number.strip()
        if number in seen:
            c = _Checks(index)
            _duplicate(c, "number", f"Customer number {number[:MAX_CUSTOMER_NUMBER]}")
            found, checked = [*c.problems, *found], None
        elif number and len(number) <= MAX_CUSTOMER_NUMBER:
            seen.add(number)
        if checked is None:
            problems.extend(found)
        else:
            good.append(checked)
    return good, problems


def _address_plan(
    customer_id: int, given: Sequence[AddressItem], stored: Sequence[DeliveryAddress]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows to insert, rows to update) that make the customer's addresses the given list."""
    by_external = {address.external_id: address for address in stored}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    listed: set[str] = set()
    for address in given:
        listed.add(address.external_id)
        wanted = _Address(
            label=address.label,
            line1=address.line1,
            line2=address.line2,
            postal_code=address.postal_code,
            city=address.city,
            is_default=bool(address.is_default),
            active=True,
        )
        row = by_external.get(address.external_id)
        if row is None:
            inserts.append({"customer_id": customer_id, "external_id": address.external_id, **_as_dict(wanted)})
        elif _stored_address(row) != wanted:
            updates.append({"id": row.id, **_as_dict(wanted)})
    for row in stored:
        if row.external_id not in listed and (row.active or row.is_default):
            # No longer offered; orders that went there keep pointing at the row.
            updates.append({"id": row.id, **_as_dict(_stored_address(row)), "active": False, "is_default": False})
    return inserts, updates


def _stored_address(row: DeliveryAddress) -> _Address:
    return _Address(
        label=row.label,
        line1=row.line1,
        line2=row.line2,
        postal_code=row.postal_code,
        city=row.city,
        is_default=row.is_default,
        active=row.active,
    )


def _as_dict(address: _Address) -> dict[str, Any]:
    return {
        "label": address.label,
        "line1": address.line1,
        "line2": address.line2,
        "postal_code": address.postal_code,
        "city": address.city,
        "is_default": address.is_default,
        "active": address.active,
    }


async def _apply_customers(
    session: AsyncSession, actor: Viewer, items: list[CustomerItem], rejected: int
) -> BatchResult:
    result = BatchResult()
    stored: dict[str, tuple[int, str]] = {}
    for numbers in _chunks([item.number for item in items]):
        rows = await session.execute(
            select(Customer.number, Customer.id, Customer.name).where(Customer.number.in_(numbers))
        )
        for number, customer_id, name in rows:
            stored[number] = (customer_id, name)

    with_addresses = sorted(stored[i.number][0] for i in items if i.addresses is not None and i.number in stored)
    with_schedule = sorted(stored[i.number][0] for i in items if i.schedule is not None and i.number in stored)
    addresses: dict[int, list[DeliveryAddress]] = defaultdict(list)
    for chunk in _chunks(with_addresses):
        for address in await session.scalars(
            select(DeliveryAddress).where(DeliveryAddress.customer_id.in_(chunk)).order_by(DeliveryAddress.id)
        ):
            addresses[address.customer_id].append(address)
    schedules: dict[int, DeliverySchedule] = {}
    for chunk in _chunks(with_schedule):
        for schedule in await session.scalars(select(DeliverySchedule).where(DeliverySchedule.customer_id.in_(chunk))):
            schedules[schedule.customer_id] = schedule
    # Rows were read to compare only; updates go out in bulk below.
    for row in [*(a for rows in addresses.values() for a in rows), *schedules.values()]:
        session.expunge(row)

    new = sorted((item for item in items if item.number not in stored), key=lambda i: i.number)
    if new:
        now = clock.now()
        table = Customer.__table__
        created = await session.execute(
            insert(table).returning(table.c.number, table.c.id),
            [{"number": item.number, "name": item.name, "created_at": now} for item in new],
        )
        ids: dict[str, int] = {number: id_ for number, id_ in created}
        result.created = len(new)
    else:
        ids = {}

    renamed: list[dict[str, Any]] = []
    address_inserts: list[dict[str, Any]] = []
    address_updates: list[dict[str, Any]] = []
    schedule_inserts: list[dict[str, Any]] = []
    schedule_updates: list[dict[str, Any]] = []
    for item in items:
        is_new = item.number not in stored
        customer_id = ids[item.number] if is_new else stored[item.number][0]
        changed = not is_new and stored[item.number][1] != item.name
        if changed:
            renamed.append({"id": customer_id, "name": item.name})
        if item.addresses is not None:
            inserts, updates = _address_plan(customer_id, item.addresses, addresses.get(customer_id, []))
            address_inserts += inserts
            address_updates += updates
            changed = changed or bool(inserts or updates)
        if item.schedule is not None:
            old = schedules.get(customer_id)
            closed = item.schedule.closed_dates
            wanted = {
                "weekdays": list(item.schedule.weekdays),
                "cutoff_days_before": item.schedule.cutoff_days_before,
                "cutoff_time": item.schedule.cutoff_time,
                "closed_dates": (
                    [day.isoformat() for day in closed]
                    if closed is not None
                    else list(old.closed_dates)
                    if old is not None
                    else []
                ),
            }
            if old is None:
                schedule_inserts.append({"customer_id": customer_id, **wanted})
                changed = True
            elif old.as_dict() != wanted:
                schedule_updates.append({"customer_id": customer_id, **wanted})
                changed = True
        if not is_new:
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1

    if renamed:
        await _update_by_key(session, Customer, renamed)
    if address_updates:
        await _update_by_key(session, DeliveryAddress, address_updates)
    if address_inserts:
        await session.execute(insert(DeliveryAddress.__table__), address_inserts)
    if schedule_updates:
        await _update_by_key(session, DeliverySchedule, schedule_updates)
    if schedule_inserts:
        await session.execute(insert(DeliverySchedule.__table__), schedule_inserts)
    audit.record(
        session,
        actor,
        "erp.customers_upserted",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=rejected,
    )
    return result


async def upsert_customers(transaction: Transaction, actor: Viewer, items: Sequence[CustomerItem]) -> BatchResult:
    """Create or update customers by number, with their addresses and delivery schedule."""
    return await _upsert(transaction, actor, items, check_customers, _apply_customers)


# ---------------------------------------------------------------- agreement prices


def check_agreement_prices(
    items: Sequence[AgreementPriceItem],
) -> tuple[list[tuple[int, AgreementPriceItem]], list[Problem]]:
    good: list[tuple[int, AgreementPriceItem]] = []
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        c = _Checks(index)
        number = c.text(item.customer_number, "customerNumber", MAX_CUSTOMER_NUMBER, "A customer number")
        sku = c.text(item.sku, "sku", MAX_SKU, "An SKU")
        if number is not None and sku is not None:
            if (number, sku) in seen:
                _duplicate(c, "sku", f"SKU {sku} for customer number {number}")
            seen.add((number, sku))
        price = c.money(item.price, "price", "The price") if item.price is not None else None
        if c.problems:
            problems.extend(c.problems)
        else:
            assert number is not None and sku is not None
            good.append((index, AgreementPriceItem(customer_number=number, sku=sku, price=price)))
    return good, problems


async def set_agreement_prices(
    transaction: Transaction, actor: Viewer, items: Sequence[AgreementPriceItem]
) -> BatchResult:
    """Agreement prices by customer number and SKU; a None price removes the agreement.

    ``updated`` counts agreements made, changed or removed.
    """
    _check_batch(items)
    good, problems = check_agreement_prices(items)
    if not items:
        return BatchResult()

    async def apply(session: AsyncSession) -> BatchResult:
        result = BatchResult()
        customers: dict[str, int] = {}
        for chunk in _chunks(sorted({item.customer_number for _, item in good})):
            known = await session.execute(select(Customer.number, Customer.id).where(Customer.number.in_(chunk)))
            customers.update({number: id_ for number, id_ in known})
        products = await _product_ids(session, (item.sku for _, item in good))
        unknown: list[Problem] = []
        wanted: dict[tuple[int, int], Decimal | None] = {}
        for index, item in good:
            found = True
            if item.customer_number not in customers:
                unknown.append(
                    Problem(
                        ErrorCode.NOT_FOUND,
                        f"No customer number {item.customer_number}.",
                        f"items.{index}.customerNumber",
                    )
                )
                found = False
            if item.sku not in products:
                unknown.append(_unknown_sku(index, item.sku))
                found = False
            if found:
                wanted[(customers[item.customer_number], products[item.sku][0])] = item.price

        existing: dict[tuple[int, int], Decimal] = {}
        customer_ids = sorted({c for c, _ in wanted})
        product_ids = sorted({p for _, p in wanted})
        for customer_chunk in _chunks(customer_ids):
            for product_chunk in _chunks(product_ids):
                rows = await session.execute(
                    select(AgreementPrice.customer_id, AgreementPrice.product_id, AgreementPrice.price).where(
                        AgreementPrice.customer_id.in_(customer_chunk), AgreementPrice.product_id.in_(product_chunk)
                    )
                )
                for customer_id, product_id, stored_price in rows:
                    existing[(customer_id, product_id)] = stored_price

        now = clock.now()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        deletes: list[dict[str, int]] = []
        for key in sorted(wanted):
            price, old = wanted[key], existing.get(key)
            row = {"customer_id": key[0], "product_id": key[1]}
            if price is None:
                if old is not None:
                    deletes.append({"c": key[0], "p": key[1]})
                else:
                    result.unchanged += 1
            elif old is None:
                inserts.append({**row, "price": price, "updated_at": now})
            elif old != price:
                updates.append({**row, "price": price, "updated_at": now})
            else:
                result.unchanged += 1
        if deletes:
            table = AgreementPrice.__table__
            await session.execute(
                delete(table).where(table.c.customer_id == bindparam("c"), table.c.product_id == bindparam("p")),
                deletes,
            )
        if updates:
            await _update_by_key(session, AgreementPrice, updates)
        if inserts:
            await session.execute(insert(AgreementPrice.__table__), inserts)
        result.updated = len(inserts) + len(updates) + len(deletes)
        return _record_batch(session, actor, "erp.agreement_prices_set", result, problems, unknown)

    return await _run_batch(transaction, apply, problems)
