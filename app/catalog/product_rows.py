"""Products read for a response as plain rows: only the columns it needs, in one statement.

SQLAlchemy Core, not ORM objects: a 20- or 100-row page is read as tuples (no
identity map, no instance state), and the description (the one large column)
only when the client asks for it. What the response needs besides the product
itself comes in the same statement when asked for: the first image's URL, the
category, and the agreement prices of the customers named in the query (one
outer join per customer number, so a price costs no statement of its own).

Statements are built once per shape (which columns, how many customers) with
the customers and keys as bound parameters: building a SELECT with its joins
and aliases cost more CPU than PostgreSQL spends answering a page, and
SQLAlchemy's compiled cache only saves the compiling, not the building.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, any_, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import InstrumentedAttribute, aliased

from app.catalog.tree import CategoryNode
from app.models import AgreementPrice, Category, Product, ProductImage, ProductType

# The first image's URL, read with the product: a result list needs no extra query.
THUMBNAIL = (
    select(ProductImage.url)
    .where(ProductImage.product_id == Product.id)
    .order_by(ProductImage.position)
    .limit(1)
    .correlate(Product)
    .scalar_subquery()
    .label("thumbnail_url")
)

# Always read: small, and what most selections of a product use.
_BASE = (
    Product.id,
    Product.sku,
    Product.name,
    Product.unit,
    Product.pack_size,
    Product.manufacturer,
    Product.product_type,
    Product.active,
    Product.stock_quantity,
    Product.list_price,
    Product.category_id,
)
_CATEGORY = (Category.id, Category.parent_id, Category.name, Category.slug, Category.path, Category.depth)


@dataclass(frozen=True, slots=True)
class Wanted:
    """What a response needs of its products besides the base columns."""

    description: bool = False
    thumbnail: bool = False
    category: bool = False
    # Agreement prices of these customers (ids), each in a column of its own.
    agreement_for: tuple[int, ...] = ()


@dataclass(slots=True)
class ProductRow:
    id: int
    sku: str
    name: str
    unit: str
    pack_size: int | None
    manufacturer: str | None
    product_type: ProductType
    active: bool
    stock_quantity: int
    list_price: Decimal
    category_id: int
    description: str | None
    # Not read: False (the resolvers then load it); read: the value, None included.
    thumbnail: str | None | bool
    category: CategoryNode | None | bool
    # customer id -> the price it pays (its agreement price, else the list price), for Wanted.agreement_for.
    prices: dict[int, Decimal]


async def read_products(
    connection: AsyncConnection, wanted: Wanted, statement: Select[Any], **values: Any
) -> list[ProductRow]:
    """The rows of a ``select_shape(*shape(wanted))`` statement, to which the caller added WHERE,
    ORDER BY and LIMIT, bound to the wanted customers and ``values``.

    Executed in Core (the request's connection, no ORM session): the ORM's result
    processing would cost more than the rows (they are tuples, never ORM objects)."""
    values.update((f"agreed_customer_{n}", customer_id) for n, customer_id in enumerate(wanted.agreement_for))
    return to_rows(wanted, (await connection.execute(statement, values)).all())


async def read_products_by(
    connection: AsyncConnection, wanted: Wanted, key: InstrumentedAttribute[Any], keys: Sequence[Any]
) -> list[ProductRow]:
    """``read_products`` of the products whose ``key`` is one of ``keys`` (in no particular order).

    Not an expanding IN where it can be helped: its list is rendered anew on every execution, a bind
    cast per value, which cost more CPU than the rest of the statement's execution. One key (a product
    page, a cart line's product) is compared with ``=``; on PostgreSQL several are one array, ``= ANY``."""
    if len(keys) == 1:
        return await read_products(connection, wanted, _with_one(*shape(wanted), key), key=keys[0])
    if connection.dialect.name == "postgresql":
        return await read_products(connection, wanted, _with_any(*shape(wanted), key), keys=list(keys))
    return await read_products(connection, wanted, _with(*shape(wanted), key), keys=list(keys))


Shape = tuple[bool, bool, bool, int]


def shape(wanted: Wanted) -> Shape:
    """What decides the statement: the columns, and how many customers (not which: they are bound)."""
    return wanted.description, wanted.thumbnail, wanted.category, len(wanted.agreement_for)


@cache
def _with(
    description: bool, thumbnail: bool, category: bool, agreements: int, key: InstrumentedAttribute[Any]
) -> Select[Any]:
    statement = select_shape(description, thumbnail, category, agreements)
    return statement.where(key.in_(bindparam("keys", expanding=True)))


@cache
def _with_any(
    description: bool, thumbnail: bool, category: bool, agreements: int, key: InstrumentedAttribute[Any]
) -> Select[Any]:
    keys = bindparam("keys", type_=postgresql.ARRAY(key.type))
    return select_shape(description, thumbnail, category, agreements).where(key == any_(keys))


@cache
def _with_one(
    description: bool, thumbnail: bool, category: bool, agreements: int, key: InstrumentedAttribute[Any]
) -> Select[Any]:
    return select_shape(description, thumbnail, category, agreements).where(key == bindparam("key"))


@cache
def select_shape(description: bool, thumbnail: bool, category: bool, agreements: int) -> Select[Any]:
    statement: Select[Any] = select(*_BASE)  # type: ignore[assignment]  # grows by the wanted columns
    if description:
        statement = statement.add_columns(Product.description)
    if thumbnail:
        statement = statement.add_columns(THUMBNAIL)
    if category:
        statement = statement.add_columns(*_CATEGORY).outerjoin(Category, Category.id == Product.category_id)
    for n in range(agreements):
        agreed = aliased(AgreementPrice, name=f"agreed_{n}")
        customer = bindparam(f"agreed_customer_{n}", type_=AgreementPrice.customer_id.type)
        statement = statement.add_columns(agreed.price).outerjoin(
            agreed, and_(agreed.product_id == Product.id, agreed.customer_id == customer)
        )
    return statement


def to_rows(wanted: Wanted, rows: Any) -> list[ProductRow]:
    """The statement's rows as ProductRow, in the same order."""
    found: list[ProductRow] = []
    base = len(_BASE)
    categories: dict[int, CategoryNode] = {}  # one node per category, however many products share it
    for row in rows:
        at = base
        description = None
        if wanted.description:
            description = row[at]
            at += 1
        thumbnail: str | None | bool = False
        if wanted.thumbnail:
            thumbnail = row[at]
            at += 1
        category: CategoryNode | None | bool = False
        if wanted.category:
            category_id = row[at]
            if category_id is None:
                category = None
            else:
                category = categories.get(category_id)
                if category is None:
                    category = categories[category_id] = CategoryNode(*row[at : at + len(_CATEGORY)])
            at += len(_CATEGORY)
        list_price = row[9]
        prices = {}
        for customer_id in wanted.agreement_for:
            agreed = row[at]
            prices[customer_id] = agreed if agreed is not None else list_price
            at += 1
        found.append(ProductRow(*row[:base], description, thumbnail, category, prices))  # type: ignore[call-arg]
    return found
