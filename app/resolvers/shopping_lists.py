"""Resolvers for shopping lists: reach and role first, then the list rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app import audit, policy
from app.context import Info
from app.errors import DomainError, ErrorCode, Problem
from app.ids import decode_id
from app.models import Cart, ShoppingList
from app.ordering import carts
from app.ordering import shopping_lists as lists
from app.ordering.carts import LineRequest
from app.policy import Action
from app.resolvers.access import reachable_customer, reachable_object, require_action, require_user
from app.resolvers.carts import cart as reachable_cart


async def shopping_list(info: Info, list_id: str) -> ShoppingList | None:
    return await reachable_object(info, ShoppingList, list_id)


async def lists_of(info: Info, customer_id: int) -> list[ShoppingList]:
    """A customer's lists, most recently changed first: none outside the viewer's reach, however it was reached."""
    if not policy.reaches(info.context.viewer, customer_id):
        return []
    async with info.context.uow.session() as session:
        rows = await session.scalars(
            select(ShoppingList)
            .where(ShoppingList.customer_id == customer_id)
            .order_by(ShoppingList.updated_at.desc(), ShoppingList.id.desc())
        )
        return list(rows.all())


async def _editable(info: Info, list_id: str) -> ShoppingList:
    """The list if the viewer may change it: NOT_FOUND when out of reach, NOT_PERMITTED by role (support)."""
    found = await shopping_list(info, list_id)
    if found is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such shopping list.", "listId")
    refusal = "Only the customer's own users can change its shopping lists."
    require_action(info, found.customer_id, Action.EDIT_SHOPPING_LISTS, refusal, "listId")
    return found


async def create_list(info: Info, customer_number: str, title: str) -> ShoppingList:
    viewer = require_user(info)
    customer = await reachable_customer(info, customer_number)
    if customer is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such customer number.", "customerNumber")
    refusal = "Only the customer's own users can make shopping lists."
    require_action(info, customer.id, Action.EDIT_SHOPPING_LISTS, refusal, "customerNumber")
    async with info.context.uow.transaction() as session:
        return await lists.create_list(session, customer.id, viewer.user_id, title)


async def add_items(info: Info, list_id: str, items: Sequence[LineRequest]) -> ShoppingList:
    found = await _editable(info, list_id)
    async with info.context.uow.transaction() as session:
        locked = await lists.lock_for_change(session, found.id, info.context.viewer.user_id)
        await lists.add_items(session, locked, items)
        return locked


async def remove_item(info: Info, list_id: str, item_id: str) -> ShoppingList:
    found = await _editable(info, list_id)
    async with info.context.uow.transaction() as session:
        locked = await lists.lock_for_change(session, found.id, info.context.viewer.user_id)
        await lists.remove_item(session, locked, decode_id("ShoppingListItem", item_id))
        return locked


async def save(
    info: Info, list_id: str, title: str, items: Sequence[LineRequest], expected_version: int
) -> ShoppingList:
    found = await _editable(info, list_id)
    async with info.context.uow.transaction() as session:
        locked = await lists.lock_for_change(session, found.id, info.context.viewer.user_id, expected_version)
        await lists.replace(session, locked, title, items)
        return locked


async def copy(info: Info, list_id: str, title: str) -> ShoppingList:
    found = await _editable(info, list_id)
    async with info.context.uow.transaction() as session:
        return await lists.copy_list(session, found, info.context.viewer.user_id, title)


async def delete(info: Info, list_id: str) -> None:
    found = await _editable(info, list_id)
    async with info.context.uow.transaction() as session:
        # Through the lock, so a colleague's save in flight finishes first or finds the list gone.
        locked = await lists.lock_for_change(session, found.id, info.context.viewer.user_id)
        audit.record(
            session,
            info.context.viewer,
            "shopping_list.deleted",
            customer_id=locked.customer_id,
            subject_id=locked.id,
            title=locked.title,
            items=locked.item_count,
        )
        await session.delete(locked)


async def to_cart(info: Info, list_id: str, cart_id: str | None) -> tuple[Cart, list[Problem]]:
    found = await _editable(info, list_id)
    target: Cart | None = None
    if cart_id is not None:
        target = await reachable_cart(info, cart_id)
        if target is None:
            raise DomainError.of(ErrorCode.NOT_FOUND, "No such cart.", "cartId")
        if target.customer_id != found.customer_id:
            raise DomainError.of(
                ErrorCode.INVALID_INPUT, "The cart belongs to another customer number than the list.", "cartId"
            )
    async with info.context.uow.transaction() as session:
        user_id = info.context.viewer.user_id
        locked = await carts.lock_for_change(session, target.id, user_id, None) if target is not None else None
        return await lists.to_cart(session, found, locked, user_id)
