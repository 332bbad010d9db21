"""The print page and CSV of a shopping list: signed links for the API, and reading a list for the routes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.context import Info
from app.http import signed_links
from app.ids import encode_id
from app.models import Customer, Product, ShoppingList, ShoppingListItem, UserSession
from app.ordering.shopping_list_documents import ListDocument, Row
from app.resolvers.access import require_user


def path_of(list_id: int, kind: str) -> str:
    """``/shopping-lists/<id>/print`` or ``/shopping-lists/<id>.csv``."""
    opaque = encode_id("ShoppingList", list_id)
    return f"/shopping-lists/{opaque}/print" if kind == "print" else f"/shopping-lists/{opaque}.csv"


async def session_key(session: AsyncSession, session_id: int) -> str | None:
    """The key that signs a session's links: its token hash, while the session lives."""
    return await session.scalar(
        select(UserSession.token_hash).where(
            UserSession.id == session_id, UserSession.revoked_at.is_(None), UserSession.expires_at > clock.now()
        )
    )


async def signed_url(info: Info, list_id: int, kind: str) -> str:
    viewer = require_user(info)
    assert viewer.session_id is not None

    async def load() -> str | None:
        async with info.context.uow.session() as session:
            return await session_key(session, viewer.session_id)  # type: ignore[arg-type]

    key = await info.context.memo("shopping_list_link_key", load)
    if key is None:  # the session ended during this very request
        key = ""
    path = path_of(list_id, kind)
    return info.context.settings.public_url + signed_links.sign(key, viewer.session_id, path, clock.now())


async def document(session: AsyncSession, shopping_list: ShoppingList) -> ListDocument:
    """What the print page and the CSV show: the customer, the title, and the items in their order."""
    customer = await session.get_one(Customer, shopping_list.customer_id)
    rows = await session.execute(
        select(Product.sku, Product.name, Product.unit, ShoppingListItem.quantity)
        .join(Product, Product.id == ShoppingListItem.product_id)
        .where(ShoppingListItem.list_id == shopping_list.id)
        .order_by(ShoppingListItem.id)
    )
    return ListDocument(
        title=shopping_list.title,
        customer_name=customer.name,
        customer_number=customer.number,
        rows=[Row(sku=sku, name=name, unit=unit, quantity=quantity) for sku, name, unit, quantity in rows],
    )
