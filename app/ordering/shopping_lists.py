"""Shopping lists ("handlelister"): a customer number's standing lists, and ordering from them.

The cart's rules apply to items: by SKU or product id (exactly one), quantity
1 to 100,000, all or nothing with the problems named by item (``items.N``),
the same product twice adds up. Every change starts with ``lock_for_change``:
one conditional UPDATE that raises the version and (on PostgreSQL) holds the
list's row lock until commit, so two colleagues' changes queue and neither
is lost; with ``expected_version`` the UPDATE matches nothing once someone
else saved, and that is the CONFLICT. On SQLite the write transaction itself
serialises writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.dml import rows_matched
from app.errors import DomainError, ErrorCode, Problem
from app.models import Cart, Product, ShoppingList, ShoppingListItem
from app.ordering import carts, titles
from app.ordering.carts import MAX_CART_LINES, MAX_QUANTITY, LineRequest, NamedProduct
from app.ordering.versions import first_version, raise_version, version_conflict

MAX_TITLE_CHARS = 100
# A standing list is read by people on paper; past this it is a catalogue, not a list.
MAX_ITEMS = 1_000
FIELD = "items"


def clean_title(title: str, field: str = "title") -> str:
    """Whitespace collapsed; 1 to 100 characters."""
    return titles.clean_title(
        title, field, most=MAX_TITLE_CHARS, missing="A shopping list needs a title.", what="A shopping list's title"
    )


@dataclass(frozen=True, slots=True)
class Merged:
    """Requests folded to one quantity per product, in first-seen order."""

    quantities: dict[int, int]
    first_index: dict[int, int]


def merge(requests: Sequence[LineRequest], products: Sequence[NamedProduct]) -> tuple[Merged, list[Problem]]:
    """The same product twice adds up; a sum over 100,000 names the product's first item."""
    quantities: dict[int, int] = {}
    first_index: dict[int, int] = {}
    for index, (request, product) in enumerate(zip(requests, products, strict=True)):
        quantities[product.id] = quantities.get(product.id, 0) + request.quantity
        first_index.setdefault(product.id, index)
    problems = [
        Problem(
            ErrorCode.INVALID_INPUT,
            f"That makes the item's quantity {quantity:,}, more than {MAX_QUANTITY:,}.",
            f"{FIELD}.{first_index[product_id]}.quantity",
        )
        for product_id, quantity in quantities.items()
        if quantity > MAX_QUANTITY
    ]
    return Merged(quantities, first_index), problems


def _check_batch_size(requests: Sequence[LineRequest], *, allow_empty: bool) -> None:
    if not requests and not allow_empty:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Give at least one item.", FIELD)
    if len(requests) > MAX_ITEMS:
        raise DomainError.of(ErrorCode.INVALID_INPUT, f"A shopping list holds at most {MAX_ITEMS:,} items.", FIELD)


async def create_list(session: AsyncSession, customer_id: int, user_id: int | None, title: str) -> ShoppingList:
    shopping_list = ShoppingList(
        customer_id=customer_id, title=clean_title(title), item_count=0, **first_version(user_id)
    )
    session.add(shopping_list)
    await session.flush()
    return shopping_list


async def lock_for_change(
    session: AsyncSession, list_id: int, user_id: int | None, expected_version: int | None = None
) -> ShoppingList:
    """Raise the list's version (only at ``expected_version`` when given) and return it.

    NOT_FOUND when the list is gone (a colleague deleted it), CONFLICT when
    someone saved since ``expected_version``.
    """
    locked = await raise_version(session, ShoppingList, [ShoppingList.id == list_id], user_id, expected_version)
    if locked is not None:
        return locked
    current = await session.scalar(select(ShoppingList.version).where(ShoppingList.id == list_id))
    if current is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such shopping list.", "listId")
    raise version_conflict("The list was changed", current, expected_version)


async def items_of(session: AsyncSession, list_id: int) -> list[ShoppingListItem]:
    rows = await session.scalars(
        select(ShoppingListItem).where(ShoppingListItem.list_id == list_id).order_by(ShoppingListItem.id)
    )
    return list(rows.all())


async def add_items(session: AsyncSession, shopping_list: ShoppingList, requests: Sequence[LineRequest]) -> None:
    """Add every item or none. The list must be locked (``lock_for_change``)."""
    _check_batch_size(requests, allow_empty=False)
    products, problems = await carts.resolve_products(session, requests, FIELD)
    if problems:
        raise DomainError(*problems)
    merged, problems = merge(requests, [p for p in products if p is not None])
    existing = {item.product_id: item for item in await items_of(session, shopping_list.id)}
    for product_id, quantity in merged.quantities.items():
        item = existing.get(product_id)
        if item is not None and quantity <= MAX_QUANTITY < item.quantity + quantity:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    f"That would make the item's quantity {item.quantity + quantity:,}, more than {MAX_QUANTITY:,}.",
                    f"{FIELD}.{merged.first_index[product_id]}.quantity",
                )
            )
    new = [pid for pid in merged.quantities if pid not in existing]
    if len(existing) + len(new) > MAX_ITEMS:
        problems.append(
            Problem(ErrorCode.INVALID_INPUT, f"A shopping list holds at most {MAX_ITEMS:,} products.", FIELD)
        )
    if problems:
        raise DomainError(*problems)
    now = clock.now()
    for product_id, quantity in merged.quantities.items():
        item = existing.get(product_id)
        if item is None:
            session.add(
                ShoppingListItem(list_id=shopping_list.id, product_id=product_id, quantity=quantity, created_at=now)
            )
        else:
            item.quantity += quantity
    await recount(session, shopping_list)


async def replace(
    session: AsyncSession, shopping_list: ShoppingList, title: str, requests: Sequence[LineRequest]
) -> None:
    """ "Lagre endringer": the title and the items become exactly these, or nothing changes.

    A product no longer sold may stay on the list when it was already there
    (a save must not fail over what the user merely kept); it cannot be added.
    The list must be locked.
    """
    problems: list[Problem] = []
    try:
        cleaned = clean_title(title)
    except DomainError as error:
        problems.extend(error.problems)
    _check_batch_size(requests, allow_empty=True)
    existing = await items_of(session, shopping_list.id)
    kept = {item.product_id for item in existing}
    products, found = await carts.resolve_products(session, requests, FIELD)
    for problem in found:
        index = int(problem.field.split(".")[1]) if problem.field else -1
        product = products[index] if 0 <= index < len(products) else None
        if problem.code is ErrorCode.PRODUCT_UNAVAILABLE and product is not None and product.id in kept:
            continue
        problems.append(problem)
    if problems:
        raise DomainError(*problems)
    merged, problems = merge(requests, [p for p in products if p is not None])
    if problems:
        raise DomainError(*problems)
    # Written anew in the order given (the list's order is the user's), each product keeping
    # when it was first added. Deleted first and flushed, so the unique (list, product) holds.
    added_at = {item.product_id: item.created_at for item in existing}
    await session.execute(delete(ShoppingListItem).where(ShoppingListItem.list_id == shopping_list.id))
    now = clock.now()
    for product_id, quantity in merged.quantities.items():
        session.add(
            ShoppingListItem(
                list_id=shopping_list.id,
                product_id=product_id,
                quantity=quantity,
                created_at=added_at.get(product_id, now),
            )
        )
    shopping_list.title = cleaned
    await recount(session, shopping_list)


async def remove_item(session: AsyncSession, shopping_list: ShoppingList, item_id: int | None) -> None:
    """The trash can: remove one item of this list (NOT_FOUND for any other id). The list must be locked."""
    removed = (
        await rows_matched(
            session,
            delete(ShoppingListItem).where(
                ShoppingListItem.id == item_id, ShoppingListItem.list_id == shopping_list.id
            ),
        )
        if item_id is not None
        else 0
    )
    if removed != 1:
        raise DomainError.of(ErrorCode.NOT_FOUND, "The list has no such item.", "itemId")
    await recount(session, shopping_list)


async def copy_list(session: AsyncSession, source: ShoppingList, user_id: int | None, title: str) -> ShoppingList:
    """A new list of the same customer with the source's items, in their order (retired products too)."""
    copy = await create_list(session, source.customer_id, user_id, title)
    now = clock.now()
    for item in await items_of(session, source.id):
        session.add(
            ShoppingListItem(list_id=copy.id, product_id=item.product_id, quantity=item.quantity, created_at=now)
        )
    await recount(session, copy)
    return copy


async def recount(session: AsyncSession, shopping_list: ShoppingList) -> None:
    await session.flush()
    shopping_list.item_count = (
        await session.scalar(
            select(func.count(ShoppingListItem.id)).where(ShoppingListItem.list_id == shopping_list.id)
        )
        or 0
    )
    await session.flush()


@dataclass(frozen=True, slots=True)
class ToCart:
    """What ordering from a list puts in the cart, and the items skipped (by position)."""

    quantities: dict[int, int]
    problems: list[Problem]


def plan_to_cart(
    items: Sequence[ShoppingListItem],
    products: dict[int, Product],
    in_cart: dict[int, int],
    cart_lines: int,
) -> ToCart:
    """Partial by design: an item whose product is no longer sold, that would push a line past
    100,000, or that finds the cart full is skipped and named as ``items.N`` (N its position on
    the list); the rest is added. ``in_cart``: product id -> the cart's quantity now.
    """
    quantities: dict[int, int] = {}
    problems: list[Problem] = []
    lines = cart_lines
    for position, item in enumerate(items):
        product = products.get(item.product_id)
        if product is None or not product.active:
            name = f"{product.sku} ({product.name})" if product is not None else "The product"
            problems.append(Problem(ErrorCode.PRODUCT_UNAVAILABLE, f"{name} is no longer sold.", f"{FIELD}.{position}"))
            continue
        already = in_cart.get(product.id, 0) + quantities.get(product.id, 0)
        if already + item.quantity > MAX_QUANTITY:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    f"{product.sku} is already {already:,} in the cart; a line holds at most {MAX_QUANTITY:,}.",
                    f"{FIELD}.{position}.quantity",
                )
            )
            continue
        if product.id not in in_cart and product.id not in quantities:
            if lines >= MAX_CART_LINES:
                problems.append(
                    Problem(
                        ErrorCode.INVALID_INPUT,
                        f"The cart is full ({MAX_CART_LINES:,} products); {product.sku} was not added.",
                        f"{FIELD}.{position}",
                    )
                )
                continue
            lines += 1
        quantities[product.id] = quantities.get(product.id, 0) + item.quantity
    return ToCart(quantities, problems)


async def to_cart(
    session: AsyncSession, shopping_list: ShoppingList, cart: Cart | None, user_id: int | None
) -> tuple[Cart, list[Problem]]:
    """Put the list's items into ``cart`` (locked already), or a new open cart named after the list.

    When nothing can be added, the problems are raised: no new cart is made and a given
    cart is left as it was (its lock is rolled back with the transaction).
    """
    items = await items_of(session, shopping_list.id)
    if not items:
        raise DomainError.of(ErrorCode.INVALID_STATE, "The shopping list has no items.", "listId")
    ids = {item.product_id for item in items}
    products = {p.id: p for p in (await session.scalars(select(Product).where(Product.id.in_(ids)))).all()}
    if cart is None:
        placed = await carts.placements(session, None, shopping_list.customer_id, ids)
    else:
        placed = await carts.placements(session, cart.id, cart.customer_id, ids)
    in_cart = {pid: at.quantity for pid, at in placed.items() if at.line_id is not None}
    plan = plan_to_cart(items, products, in_cart, cart.line_count if cart else 0)
    if not plan.quantities:
        raise DomainError(*plan.problems)
    if cart is None:
        cart = await carts.create_cart(session, shopping_list.customer_id, user_id, shopping_list.title)
    await carts.put_lines(session, cart, plan.quantities, placed)
    return cart, plan.problems
