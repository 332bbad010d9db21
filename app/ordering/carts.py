"""Shared carts: lines, prices at the moment of change, versions that catch a colleague's edit.

Every change starts with ``lock_for_change``: one conditional UPDATE that
raises the version, records who changed the cart, and (on PostgreSQL) holds
the cart's row lock until commit. Changes to one cart therefore queue, and
each one reads the lines as the previous one left them: no lost update, with
or without ``expectedVersion``. On SQLite the write transaction itself
serialises writers (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, bindparam, delete, func, insert, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.errors import DomainError, ErrorCode, Problem
from app.ids import decode_id
from app.live.events import ChangeKind, publish_cart
from app.models import AgreementPrice, Cart, CartLine, CartStatus, Order, OrderLine, Product
from app.ordering import titles
from app.ordering.money import ZERO
from app.ordering.versions import first_version, raise_version, version_conflict

MIN_QUANTITY = 1
MAX_QUANTITY = 100_000
MAX_LINES_PER_CHANGE = 1_000
# A cart is a working list, not a catalogue: past this, ERP-sized orders belong in an import.
MAX_CART_LINES = 1_000
MAX_NAME_CHARS = 100
MAX_SKU_CHARS = 64
DEFAULT_NAME = "Handlekurv"


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line to add: exactly one of ``sku`` and ``product_id`` (an opaque Product id)."""

    sku: str | None
    product_id: str | None
    quantity: int


def clean_name(name: str | None, field: str = "name") -> str:
    if name is None:
        return DEFAULT_NAME
    return titles.clean_title(
        name, field, most=MAX_NAME_CHARS, missing="A cart's name cannot be empty.", what="A cart's name"
    )


def check_quantity(quantity: int, field: str, *, allow_zero: bool = False) -> Problem | None:
    low = 0 if allow_zero else MIN_QUANTITY
    if low <= quantity <= MAX_QUANTITY:
        return None
    return Problem(
        ErrorCode.INVALID_INPUT, f"Quantity must be between {low} and {MAX_QUANTITY:,}; got {quantity}.", field
    )


async def create_cart(session: AsyncSession, customer_id: int, user_id: int | None, name: str | None) -> Cart:
    cart = Cart(
        customer_id=customer_id,
        name=clean_name(name),
        status=CartStatus.OPEN,
        line_count=0,
        subtotal=ZERO,
        **first_version(user_id),
    )
    session.add(cart)
    await session.flush()
    publish_cart(session, ChangeKind.CREATED, cart.id, customer_id)
    return cart


async def lock_for_change(
    session: AsyncSession,
    cart_id: int,
    user_id: int | None,
    expected_version: int | None,
    *,
    new_status: CartStatus = CartStatus.OPEN,
) -> Cart:
    """Raise the version of an open cart (optionally only at ``expected_version``) and return it.

    INVALID_STATE when the cart is no longer open, CONFLICT when someone
    changed it since ``expected_version``.
    """
    cart = await raise_version(
        session,
        Cart,
        [Cart.id == cart_id, Cart.status == CartStatus.OPEN],
        user_id,
        expected_version,
        status=new_status,
    )
    if cart is not None:
        kind = ChangeKind.UPDATED if new_status is CartStatus.OPEN else ChangeKind.SUBMITTED
        publish_cart(session, kind, cart.id, cart.customer_id)
        return cart
    current = (await session.execute(select(Cart.status, Cart.version).where(Cart.id == cart_id))).one_or_none()
    if current is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such cart.", "cartId")
    if current.status is not CartStatus.OPEN:
        raise DomainError.of(ErrorCode.INVALID_STATE, "The cart has been sent and can no longer change.", "cartId")
    raise version_conflict("The cart changed", current.version, expected_version)


@dataclass(frozen=True, slots=True)
class Placement:
    """A product as a change of a cart needs it: what it costs the cart's customer now, and the cart's line of it."""

    price: Decimal  # the agreement price, else the list price
    line_id: int | None  # None: the cart has no line of it
    quantity: int  # in the cart now (0 without a line)


# One statement for both: the cart's line of each product and the customer's agreement price.
_PLACEMENTS = (
    select(Product.id, func.coalesce(AgreementPrice.price, Product.list_price), CartLine.id, CartLine.quantity)
    .outerjoin(
        AgreementPrice,
        and_(AgreementPrice.product_id == Product.id, AgreementPrice.customer_id == bindparam("customer_id")),
    )
    .outerjoin(CartLine, and_(CartLine.product_id == Product.id, CartLine.cart_id == bindparam("cart_id")))
    .where(Product.id.in_(bindparam("product_ids", expanding=True)))
)


async def placements(
    session: AsyncSession, cart_id: int | None, customer_id: int, product_ids: Collection[int]
) -> dict[int, Placement]:
    """Product id -> its ``Placement`` in the cart (``cart_id`` None: a cart still to be made, no lines).

    Read after ``lock_for_change``, the lines cannot change before commit."""
    if not product_ids:
        return {}
    connection = await session.connection()
    rows = await connection.execute(
        _PLACEMENTS, {"customer_id": customer_id, "cart_id": cart_id, "product_ids": list(product_ids)}
    )
    return {pid: Placement(price, line_id, quantity or 0) for pid, price, line_id, quantity in rows}


def _request_problems(requests: Sequence[LineRequest], field: str) -> tuple[dict[int, int], list[Problem]]:
    """The decoded product id per request index, and the problems of the requests' shape and quantity."""
    problems: list[Problem] = []
    ids: dict[int, int] = {}
    for index, request in enumerate(requests):
        if (request.sku is None) == (request.product_id is None):
            problems.append(
                Problem(ErrorCode.INVALID_INPUT, "Give exactly one of sku and productId.", f"{field}.{index}")
            )
        if (problem := check_quantity(request.quantity, f"{field}.{index}.quantity")) is not None:
            problems.append(problem)
        if request.product_id is not None:
            pk = decode_id("Product", request.product_id)
            if pk is not None:
                ids[index] = pk
    return ids, problems


@dataclass(frozen=True, slots=True)
class NamedProduct:
    """A product a line request names: what adding it needs and its problems say."""

    id: int
    sku: str
    name: str
    active: bool


_NAMED = select(Product.id, Product.sku, Product.name, Product.active)


async def _products_named(session: AsyncSession, skus: set[str], ids: set[int]) -> list[NamedProduct]:
    """The products with any of these SKUs or ids, in one query (none when there is nothing to look for).

    Core rows: a change of 20 lines builds no ORM objects for its products."""
    if not (skus or ids):
        return []
    by_sku_or_id = [Product.sku.in_(skus)] if skus else []
    if ids:
        by_sku_or_id.append(Product.id.in_(ids))
    connection = await session.connection()
    return [NamedProduct(*row) for row in await connection.execute(_NAMED.where(or_(*by_sku_or_id)))]


def _product_of(
    request: LineRequest, pk: int | None, by_sku: dict[str, NamedProduct], by_pk: dict[int, NamedProduct], field: str
) -> tuple[NamedProduct | None, Problem | None]:
    """The product one request names (by SKU or by id), or why it names none; a request naming both is neither."""
    if request.sku is not None and request.product_id is None:
        product = by_sku.get(request.sku.strip())
        if product is None:
            return None, Problem(
                ErrorCode.UNKNOWN_SKU, f"No product has SKU {request.sku[:MAX_SKU_CHARS]!r}.", f"{field}.sku"
            )
        return product, None
    if request.product_id is not None and request.sku is None:
        product = by_pk.get(pk if pk is not None else -1)
        if product is None:
            return None, Problem(ErrorCode.UNKNOWN_SKU, "No product has this id.", f"{field}.productId")
        return product, None
    return None, None


async def resolve_products(
    session: AsyncSession, requests: Sequence[LineRequest], field: str = "lines"
) -> tuple[list[NamedProduct | None], list[Problem]]:
    """Each request's product, or the problems that make it unusable (``field``.N: by line or item)."""
    ids, problems = _request_problems(requests, field)
    skus = {r.sku.strip() for r in requests if r.sku is not None and 0 < len(r.sku.strip()) <= MAX_SKU_CHARS}
    found = await _products_named(session, skus, set(ids.values()))
    by_sku = {p.sku: p for p in found}
    by_pk = {p.id: p for p in found}
    products: list[NamedProduct | None] = []
    for index, request in enumerate(requests):
        product, problem = _product_of(request, ids.get(index), by_sku, by_pk, f"{field}.{index}")
        if problem is not None:
            problems.append(problem)
        if product is not None and not product.active:
            problems.append(
                Problem(
                    ErrorCode.PRODUCT_UNAVAILABLE,
                    f"{product.sku} ({product.name}) is no longer sold.",
                    f"{field}.{index}",
                )
            )
        products.append(product)
    return products, problems


async def add_lines(session: AsyncSession, cart: Cart, requests: Sequence[LineRequest]) -> Cart:
    """Add every line or none. The cart must already be locked (``lock_for_change``)."""
    if not requests:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Give at least one line.", "lines")
    if len(requests) > MAX_LINES_PER_CHANGE:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, f"At most {MAX_LINES_PER_CHANGE} lines can be added at once.", "lines"
        )
    products, problems = await resolve_products(session, requests)
    if problems:
        raise DomainError(*problems)
    wanted: dict[int, int] = {}  # product id -> quantity to add, in first-seen order
    first_index: dict[int, int] = {}
    for index, (request, product) in enumerate(zip(requests, products, strict=True)):
        assert product is not None
        wanted[product.id] = wanted.get(product.id, 0) + request.quantity
        first_index.setdefault(product.id, index)
    placed = await placements(session, cart.id, cart.customer_id, wanted)
    for product_id, quantity in wanted.items():
        total = quantity + placed[product_id].quantity
        if total > MAX_QUANTITY:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    f"That would make the line's quantity {total:,}, more than {MAX_QUANTITY:,}.",
                    f"lines.{first_index[product_id]}.quantity",
                )
            )
    new_lines = [pid for pid in wanted if placed[pid].line_id is None]
    if new_lines and cart.line_count + len(new_lines) > MAX_CART_LINES:
        problems.append(
            Problem(ErrorCode.INVALID_INPUT, f"A cart can hold at most {MAX_CART_LINES:,} different products.", "lines")
        )
    if problems:
        raise DomainError(*problems)
    await put_lines(session, cart, wanted, placed)
    return cart


async def put_lines(session: AsyncSession, cart: Cart, wanted: dict[int, int], placed: dict[int, Placement]) -> None:
    """Add ``wanted`` quantities at today's prices (checked already; ``placed``: ``placements`` of them)
    and recount the cart.

    Core, one executemany each for new and existing lines (one INSERT on PostgreSQL): nothing in the
    request reads the lines back as objects, and 20 ORM objects through a flush cost more than the
    statement."""
    now = clock.now()
    new_lines: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for product_id, quantity in wanted.items():
        at = placed[product_id]
        if at.line_id is None:
            new_lines.append(
                {
                    "cart_id": cart.id,
                    "product_id": product_id,
                    "quantity": quantity,
                    "unit_price": at.price,
                    "created_at": now,
                }
            )
        else:
            changed.append({"line_id": at.line_id, "new_quantity": at.quantity + quantity, "new_price": at.price})
    connection = await session.connection()
    if new_lines:
        await connection.execute(insert(CartLine), new_lines)
    if changed:
        await connection.execute(_CHANGE_LINE, changed)
    await refresh_totals(session, cart)


_LINES = CartLine.__table__
_CHANGE_LINE = (
    update(_LINES)
    .where(_LINES.c.id == bindparam("line_id"))
    .values(quantity=bindparam("new_quantity"), unit_price=bindparam("new_price"))
)


async def reorder(
    session: AsyncSession, customer_id: int, user_id: int | None, order: Order
) -> tuple[Cart | None, list[Problem]]:
    """A new open cart with the order's lines at today's prices; lines no longer sold are skipped.

    Partial by design: the problems name the skipped lines (``lines.N``, N the
    order line's position). When nothing can be ordered again, no empty cart
    is made.
    """
    lines = (
        await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position))
    ).all()
    ids = {line.product_id for line in lines if line.product_id is not None}
    products = (
        {p.id: p for p in (await session.scalars(select(Product).where(Product.id.in_(ids)))).all()} if ids else {}
    )
    problems: list[Problem] = []
    wanted: dict[int, int] = {}
    for line in lines:
        product = products.get(line.product_id) if line.product_id is not None else None
        if product is None or not product.active:
            problems.append(
                Problem(
                    ErrorCode.PRODUCT_UNAVAILABLE,
                    f"{line.sku} ({line.product_name}) is no longer sold.",
                    f"lines.{line.position}",
                )
            )
            continue
        wanted[product.id] = min(MAX_QUANTITY, wanted.get(product.id, 0) + line.quantity)
    if not wanted:
        return None, problems
    cart = await create_cart(session, customer_id, user_id, f"Bestilling {order.number}")
    await put_lines(session, cart, wanted, await placements(session, None, customer_id, wanted))
    return cart, problems


async def update_line(session: AsyncSession, cart: Cart, line_id: int | None, quantity: int) -> Cart:
    """Set one line's quantity at today's price; 0 removes it. The cart must be locked."""
    line = (
        (
            await session.scalars(select(CartLine).where(CartLine.id == line_id, CartLine.cart_id == cart.id))
        ).one_or_none()
        if line_id is not None
        else None
    )
    if line is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "The cart has no such line.", "lineId")
    if (problem := check_quantity(quantity, "quantity", allow_zero=True)) is not None:
        raise DomainError(problem)
    if quantity == 0:
        await session.execute(delete(CartLine).where(CartLine.id == line.id))
    else:
        product = await session.get_one(Product, line.product_id)
        if not product.active:
            raise DomainError.of(
                ErrorCode.PRODUCT_UNAVAILABLE,
                f"{product.sku} ({product.name}) is no longer sold; remove the line (quantity 0).",
                "lineId",
            )
        line.quantity = quantity
        line.unit_price = (await placements(session, None, cart.customer_id, [product.id]))[product.id].price
    await refresh_totals(session, cart)
    return cart


async def refresh_totals(session: AsyncSession, cart: Cart) -> None:
    """Recount the cart's lines and subtotal from the rows themselves.

    One UPDATE that counts in its own subqueries and returns the result: the
    cart's row is already locked by ``lock_for_change``, so nothing can change
    the lines between the count and the write.
    """
    await session.flush()
    table = Cart.__table__
    # Core, not ORM, UPDATE: the returned values are set on ``cart`` as loaded, not re-read.
    count, subtotal = (
        await session.execute(
            update(table)
            .where(table.c.id == cart.id)
            .values(
                line_count=select(func.count(CartLine.id)).where(CartLine.cart_id == cart.id).scalar_subquery(),
                subtotal=select(
                    func.coalesce(func.sum(CartLine.quantity * type_coerce(CartLine.unit_price, Integer)), 0)
                )
                .where(CartLine.cart_id == cart.id)
                .scalar_subquery(),
            )
            .returning(table.c.line_count, table.c.subtotal)
        )
    ).one()
    set_committed_value(cart, "line_count", count)
    set_committed_value(cart, "subtotal", subtotal)
