"""Resolvers for carts and delivery options: reach and role first, then the cart rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from app import clock, policy
from app.context import Context, Info
from app.errors import DomainError, ErrorCode, InvalidInput
from app.ids import decode_id
from app.live.events import ChangeKind, publish_cart
from app.models import Cart, CartStatus, DeliveryAddress, Order
from app.ordering import calendar, carts
from app.ordering.checkout import SubmitRequest, submit_cart
from app.ordering.schedules import schedule_of
from app.policy import Action
from app.resolvers.access import reachable_customer, reachable_object, require_action, require_user


async def cart(info: Info, cart_id: str) -> Cart | None:
    return await reachable_object(info, Cart, cart_id)


async def carts_of(info: Info, customer_id: int, status: CartStatus | None) -> list[Cart]:
    if not policy.reaches(info.context.viewer, customer_id):
        return []
    query = select(Cart).where(Cart.customer_id == customer_id)
    if status is not None:
        query = query.where(Cart.status == status)
    async with info.context.uow.session() as session:
        return list((await session.scalars(query.order_by(Cart.updated_at.desc(), Cart.id.desc()))).all())


async def _editable_cart(info: Info, cart_id: str) -> Cart:
    """The cart if the viewer may change it: NOT_FOUND when out of reach, NOT_PERMITTED by role."""
    found = await cart(info, cart_id)
    if found is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such cart.", "cartId")
    require_action(
        info, found.customer_id, Action.EDIT_CARTS, "Only the customer's own users can change its carts.", "cartId"
    )
    return found


async def create_cart(info: Info, customer_number: str, name: str | None) -> Cart:
    viewer = require_user(info)
    customer = await reachable_customer(info, customer_number)
    if customer is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such customer number.", "customerNumber")
    require_action(
        info, customer.id, Action.EDIT_CARTS, "Only the customer's own users can make carts.", "customerNumber"
    )
    async with info.context.uow.transaction() as session:
        return await carts.create_cart(session, customer.id, viewer.user_id, name)


async def add_to_cart(
    info: Info, cart_id: str, lines: Sequence[carts.LineRequest], expected_version: int | None
) -> Cart:
    found = await _editable_cart(info, cart_id)
    async with info.context.uow.transaction() as session:
        locked = await carts.lock_for_change(session, found.id, info.context.viewer.user_id, expected_version)
        return await carts.add_lines(session, locked, lines)


async def update_cart_line(info: Info, cart_id: str, line_id: str, quantity: int, expected_version: int | None) -> Cart:
    found = await _editable_cart(info, cart_id)
    async with info.context.uow.transaction() as session:
        locked = await carts.lock_for_change(session, found.id, info.context.viewer.user_id, expected_version)
        return await carts.update_line(session, locked, decode_id("CartLine", line_id), quantity)


async def rename_cart(info: Info, cart_id: str, name: str) -> Cart:
    found = await _editable_cart(info, cart_id)
    cleaned = carts.clean_name(name)
    async with info.context.uow.transaction() as session:
        locked = await carts.lock_for_change(session, found.id, info.context.viewer.user_id, None)
        locked.name = cleaned
        await session.flush()
        return locked


async def delete_cart(info: Info, cart_id: str) -> None:
    found = await _editable_cart(info, cart_id)
    async with info.context.uow.transaction() as session:
        # Through the lock, so a colleague's submit in flight wins or loses cleanly.
        locked = await carts.lock_for_change(session, found.id, info.context.viewer.user_id, None)
        await session.delete(locked)
        publish_cart(session, ChangeKind.DELETED, locked.id, locked.customer_id)


async def submit(info: Info, cart_id: str, request: SubmitRequest, expected_version: int | None) -> Order:
    viewer = require_user(info)
    found = await _editable_cart(info, cart_id)
    require_action(info, found.customer_id, Action.PLACE_ORDER, "You may not order for this customer number.", "cartId")
    needs_approval = not policy.may(info.context.viewer, found.customer_id, Action.SUBMIT_WITHOUT_APPROVAL)
    async with info.context.uow.transaction() as session:
        order = await submit_cart(
            session,
            info.context.settings,
            viewer,
            found.id,
            request,
            needs_approval=needs_approval,
            expected_version=expected_version,
        )
    info.context.mail_queued()
    return order


async def delivery_addresses(context: Context, customer_id: int) -> list[DeliveryAddress]:
    if not policy.reaches(context.viewer, customer_id):
        return []
    async with context.uow.session() as session:
        rows = await session.scalars(
            select(DeliveryAddress)
            .where(DeliveryAddress.customer_id == customer_id, DeliveryAddress.active.is_(True))
            .order_by(DeliveryAddress.is_default.desc(), DeliveryAddress.label, DeliveryAddress.id)
        )
        return list(rows.all())


async def delivery_dates(context: Context, customer_id: int, start: date, end: date) -> list[date]:
    problem = calendar.range_problem(start, end)
    if problem is not None:
        raise InvalidInput(problem)
    if not policy.reaches(context.viewer, customer_id):
        return []
    async with context.uow.session() as session:
        schedule = await schedule_of(session, customer_id)
    now = clock.now()
    return [day for day in calendar.delivery_dates(schedule, start, end, now) if not calendar.too_far_ahead(day, now)]
