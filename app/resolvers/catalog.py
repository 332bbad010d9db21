"""Resolvers for the catalogue: the category tree, search and the product page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app import clock, opaque
from app.catalog import search as search_engine
from app.catalog.tree import CategoryNode, CategoryTree, active_product_counts, load_tree
from app.context import Context, Info
from app.errors import Forbidden, InvalidInput
from app.ids import decode_id
from app.models import Category, Product, ProductImage
from app.pagination import page_size
from app.resolvers.access import require_user
from app.viewer import Viewer

_TREE = "category_tree"
_COUNTS = "category_counts"
MAX_SEARCH_CHARS = 200


async def category_tree(context: Context) -> CategoryTree:
    """The whole tree, read once per request (however many fields ask at once)."""

    async def load() -> CategoryTree:
        async with context.uow.session() as session:
            return await load_tree(session)

    return await context.memo(_TREE, load)


async def product_count(context: Context, category_id: int) -> int:
    async def load() -> dict[int, int]:
        tree = await category_tree(context)
        async with context.uow.session() as session:
            return await active_product_counts(session, tree)

    return (await context.memo(_COUNTS, load)).get(category_id, 0)


async def categories(info: Info) -> CategoryTree:
    require_user(info)
    return await category_tree(info.context)


def _offset(after: str | None) -> int:
    if not after:
        return 0
    offset = opaque.decode_number("o", after, 8)
    if offset is None:
        raise InvalidInput("after is not a cursor this list gave out.")
    return offset


def offset_cursor(offset: int) -> str:
    return opaque.encode_number("o", offset)


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


@dataclass(frozen=True, slots=True)
class ProductPage:
    products: list[Product]
    thumbnails: dict[int, str | None]
    offset: int
    total: int
    has_next: bool
    facets: dict[int, int]
    # Each product's category (read with the products when asked): no tree needed for them.
    categories: dict[int, CategoryNode]
    did_you_mean: str | None = None
    relaxed: bool = False


# A product's category, read with it (an outer join: the node, or all NULL).
_CATEGORY_COLUMNS = (Category.id, Category.parent_id, Category.name, Category.slug, Category.path, Category.depth)


# Ties in search go first to what the customer ordered in this time.
PURCHASE_HISTORY = timedelta(days=365)


def ranking_customer(viewer: Viewer, customer_number: str | None) -> int | None:
    """Whose purchases break ties: the named customer number if the viewer is an active member of it,
    else the viewer's only customer number; none otherwise (never anyone else's)."""
    if customer_number is not None:
        return viewer.customer_ids.get(customer_number[:32])
    if len(viewer.customer_ids) == 1:
        return next(iter(viewer.customer_ids.values()))
    return None


async def search_products(
    info: Info,
    *,
    text: str | None,
    category_id: str | None,
    in_stock_only: bool,
    sort: search_engine.ProductSort | None,
    first: int | None,
    after: str | None,
    with_facets: bool,
    with_categories: bool = False,
    customer_number: str | None = None,
) -> ProductPage:
    viewer = require_user(info)
    size = page_size(first)
    offset = _offset(after)
    if text is not None and len(text) > MAX_SEARCH_CHARS:
        raise InvalidInput(f"search can be at most {MAX_SEARCH_CHARS} characters.")
    category_path = None
    if category_id is not None:
        pk = decode_id("Category", category_id)
        node = (await category_tree(info.context)).by_id.get(pk) if pk is not None else None
        if node is None:
            # An unknown category is an empty shelf, not an error.
            return ProductPage([], {}, offset, 0, False, {}, {})
        category_path = node.path
    query = search_engine.SearchQuery(
        text=text,
        category_path=category_path,
        in_stock_only=in_stock_only,
        sort=sort,
        offset=offset,
        limit=size,
        with_facets=with_facets,
        customer_id=ranking_customer(viewer, customer_number),
        since=clock.now() - PURCHASE_HISTORY,
    )
    async with info.context.uow.session() as session:
        result = await search_engine.search(session, query)
        rows: list[Any] = []
        if result.product_ids:
            statement = select(Product, THUMBNAIL).where(Product.id.in_(result.product_ids))
            if with_categories:
                statement = statement.add_columns(*_CATEGORY_COLUMNS).outerjoin(
                    Category, Category.id == Product.category_id
                )
            rows = list((await session.execute(statement)).all())
    by_id = {row[0].id: (row[0], row[1]) for row in rows}
    found = [by_id[i] for i in result.product_ids if i in by_id]
    categories = {row[2]: CategoryNode(*row[2:]) for row in rows if with_categories and row[2] is not None}
    return ProductPage(
        products=[p for p, _ in found],
        thumbnails={p.id: url for p, url in found},
        offset=offset,
        total=result.total,
        has_next=offset + len(found) < result.total,
        facets=result.facets,
        categories=categories,
        did_you_mean=result.did_you_mean,
        relaxed=result.relaxed,
    )


async def product(info: Info, sku: str) -> Product | None:
    require_user(info)
    if not sku or len(sku) > 64:
        return None
    return await info.context.loaders.product_by_sku.load(sku)


async def price_for(info: Info, product: Product, customer_number: str | None) -> Decimal:
    """The agreement price for ``customer_number`` where one exists, else the list price.

    A customer number the viewer is not an active member of is FORBIDDEN (the
    price answers null with that error), exactly like one that does not exist.
    """
    if customer_number is None:
        return product.list_price
    viewer = info.context.viewer
    customer_id = viewer.customer_ids.get(customer_number)
    if customer_id is None and viewer.is_support:
        found = await info.context.loaders.customer_by_number.load(customer_number[:32])
        customer_id = found.id if found is not None else None
    if customer_id is None:
        raise Forbidden(f"Prices for customer number {customer_number[:32]} are not yours to see.")
    agreed = await info.context.loaders.agreement_price.load((customer_id, product.id))
    return agreed if agreed is not None else product.list_price
