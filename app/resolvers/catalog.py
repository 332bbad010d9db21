"""Resolvers for the catalogue: the category tree, search and the product page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from app import clock, opaque, policy
from app.catalog import listing
from app.catalog import search as search_engine
from app.catalog import text as catalog_text
from app.catalog.product_rows import THUMBNAIL as THUMBNAIL  # search suggestions read it from here
from app.catalog.product_rows import ProductRow, Wanted, read_products_by
from app.catalog.tree import CategoryTree, active_product_counts, load_tree
from app.context import Context, Info
from app.errors import Forbidden, InvalidInput
from app.ids import decode_id
from app.models import Product
from app.pagination import LazyTotal, Page, page_of, page_size
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


# A product and its place in the list (1-based): its cursor is ``offset_cursor(place)``.
Placed = tuple[int, ProductRow]


@dataclass(frozen=True, slots=True)
class ProductPage:
    """The shared ``Page`` of products, with what only search has: facets, didYouMean, relaxed."""

    page: Page[Placed]
    facets: dict[int, int]
    did_you_mean: str | None = None
    relaxed: bool = False
    total_is_exact: bool = True


def _placed_page(
    rows: list[ProductRow], size: int, offset: int, total: int | LazyTotal, after: str | None
) -> Page[Placed]:
    """``rows`` (read with one more than ``size``) as the page after ``offset``, each cursor its row's place."""
    return page_of(list(enumerate(rows, offset + 1)), size, lambda placed: offset_cursor(placed[0]), total, after)


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


def wanted(
    viewer: Viewer, *, description: bool, thumbnail: bool, category: bool, price_numbers: Iterable[str | None]
) -> Wanted:
    """What to read with the products. Agreement prices only for customer numbers the viewer is an
    active member of: any other goes through ``price_for`` (support's lookup, or FORBIDDEN)."""
    customer_ids = {viewer.customer_ids[n] for n in price_numbers if n is not None and n in viewer.customer_ids}
    return Wanted(
        description=description, thumbnail=thumbnail, category=category, agreement_for=tuple(sorted(customer_ids))
    )


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
    columns: Wanted,
    customer_number: str | None = None,
    with_total: bool = True,
) -> ProductPage:
    """The page; the facets are counted only when asked (``with_facets``), the total only when a
    client selects ``totalCount`` (``with_total``): the shelf's as a ``LazyTotal``, search's in the
    page's own statement (and, should it be asked after all, by a ``LazyTotal``)."""
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
            return ProductPage(_placed_page([], size, offset, 0, after), {})
        category_path = node.path
    if not catalog_text.tokens((text or "").strip()):
        return await _shelf_page(info, category_path, in_stock_only, sort, size, offset, after, with_facets, columns)
    query = search_engine.SearchQuery(
        text=text,
        category_path=category_path,
        in_stock_only=in_stock_only,
        sort=sort,
        offset=offset,
        limit=size + 1,  # one more than the page: whether a next page exists
        with_facets=with_facets,
        with_total=with_total,
        total_cap=search_engine.TOTAL_CAP,  # read here, at the call: the API's cap, as its schema says
        customer_id=ranking_customer(viewer, customer_number),
        since=clock.now() - PURCHASE_HISTORY,
    )
    async with info.context.uow.session() as session:
        result = await search_engine.search(session, query)
        rows = []
        if result.product_ids:
            rows = await read_products_by(await session.connection(), columns, Product.id, result.product_ids)
    by_id = {row.id: row for row in rows}
    found = [by_id[i] for i in result.product_ids if i in by_id]
    return ProductPage(
        page=_placed_page(found, size, offset, _search_total(info, query, result), after),
        facets=result.facets,
        did_you_mean=result.did_you_mean,
        relaxed=result.relaxed,
        total_is_exact=result.total_is_exact,
    )


def _search_total(info: Info, query: search_engine.SearchQuery, result: search_engine.SearchResult) -> int | LazyTotal:
    """The search's total as counted with the page, or (not asked for) a count run only if
    ``totalCount`` is resolved after all: then every match is counted, as totalCountIsExact
    (true when not counted with the page) says."""
    if result.total is not None:
        return result.total
    uow = info.context.uow

    async def count() -> int:
        async with uow.session() as session:
            counted = await search_engine.search(session, replace(query, with_total=True, limit=0, total_cap=None))
        return counted.total or 0

    return LazyTotal(count)


async def _shelf_page(
    info: Info,
    category_path: str | None,
    in_stock_only: bool,
    sort: search_engine.ProductSort | None,
    size: int,
    offset: int,
    after: str | None,
    with_facets: bool,
    columns: Wanted,
) -> ProductPage:
    """No words to search for: the shelf, by name unless asked otherwise."""
    shelf = listing.ShelfQuery(
        category_path=category_path,
        in_stock_only=in_stock_only,
        sort=sort
        if sort is not None and sort is not search_engine.ProductSort.RELEVANCE
        else search_engine.ProductSort.NAME,
        offset=offset,
        limit=size,
    )
    uow = info.context.uow
    async with uow.connection() as connection:
        rows = await listing.shelf(connection, shelf, columns)
        facets = await listing.shelf_facets(connection, shelf) if with_facets else {}

    async def count() -> int:
        async with uow.connection() as connection:
            return await listing.shelf_total(connection, shelf)

    total: int | LazyTotal
    if with_facets:
        total = sum(facets.values())
    elif len(rows) <= size and (rows or not offset):
        # On the last page (not past it) the total is known without a count.
        total = offset + len(rows)
    else:
        total = LazyTotal(count)
    return ProductPage(_placed_page(rows, size, offset, total, after), facets)


async def product(info: Info, sku: str, columns: Wanted) -> ProductRow | None:
    require_user(info)
    if not sku or len(sku) > 64:
        return None
    row: ProductRow | None = await info.context.loaders.product_rows_by_sku(columns).load(sku)
    return row


async def price_for(info: Info, product_id: int, list_price: Decimal, customer_number: str | None) -> Decimal:
    """The agreement price for ``customer_number`` where one exists, else the list price.

    A customer number the viewer is not an active member of is FORBIDDEN (the
    price answers null with that error), exactly like one that does not exist.
    """
    if customer_number is None:
        return list_price
    viewer = info.context.viewer
    customer_id = viewer.customer_ids.get(customer_number)
    if customer_id is None and policy.sees_every_customer(viewer):
        found = await info.context.loaders.customer_by_number.load(customer_number[:32])
        customer_id = found.id if found is not None else None
    if customer_id is None:
        raise Forbidden(f"Prices for customer number {customer_number[:32]} are not yours to see.")
    agreed = await info.context.loaders.agreement_price.load((customer_id, product_id))
    return agreed if agreed is not None else list_price
