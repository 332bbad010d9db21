"""Resolvers for orders: "Mine ordre", approval, reorder, and the ERP's feed and status updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from app import policy
from app.context import Info
from app.errors import DomainError, ErrorCode, InvalidInput, Problem
from app.ids import decode_id
from app.models import Cart, Order, OrderStatus
from app.ordering import approval, carts, feed, fulfilment
from app.pagination import Page, SortKey, empty_page, paginate
from app.policy import Action, Scope
from app.resolvers.access import reachable_object, require_action, require_scope

NEWEST_FIRST = (SortKey(Order.id, descending=True),)


async def order(info: Info, order_id: str) -> Order | None:
    return await reachable_object(info, Order, order_id)


async def orders_of(
    info: Info,
    customer_id: int,
    statuses: Sequence[OrderStatus] | None,
    placed_by: str | None,
    first: int | None,
    after: str | None,
) -> Page[Order]:
    if not policy.reaches(info.context.viewer, customer_id):
        return empty_page(first)
    query = select(Order).where(Order.customer_id == customer_id)
    if statuses:
        query = query.where(Order.status.in_(set(statuses)))
    if placed_by is not None:
        user_pk = decode_id("User", placed_by)
        if user_pk is None:
            raise InvalidInput("placedBy is not a user id.")
        query = query.where(Order.placed_by_id == user_pk)
    return await paginate(info.context.uow, query, NEWEST_FIRST, first, after, lazy_total=True)


async def _order_to_act_on(info: Info, order_id: str, action: Action, refusal: str) -> Order:
    found = await order(info, order_id)
    if found is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such order.", "orderId")
    require_action(info, found.customer_id, action, refusal, "orderId")
    return found


APPROVERS_ONLY = "Only a main user or purchaser of the customer number may approve or reject orders."


async def approve(info: Info, order_id: str, delivery_date: date | None) -> Order:
    found = await _order_to_act_on(info, order_id, Action.APPROVE_ORDERS, APPROVERS_ONLY)
    async with info.context.uow.transaction() as session:
        approved, approver = await approval.approve(
            session, info.context.settings, info.context.viewer, found.id, delivery_date
        )
    info.context.loaders.user.prime(approver.id, approver)
    info.context.mail_queued()
    return approved


async def reject(info: Info, order_id: str, reason: str) -> Order:
    found = await _order_to_act_on(info, order_id, Action.APPROVE_ORDERS, APPROVERS_ONLY)
    async with info.context.uow.transaction() as session:
        rejected = await approval.reject(session, info.context.settings, info.context.viewer, found.id, reason)
    info.context.mail_queued()
    return rejected


async def reorder(info: Info, order_id: str) -> tuple[Cart | None, list[Problem]]:
    found = await _order_to_act_on(
        info, order_id, Action.EDIT_CARTS, "Only the customer's own users can copy its orders into a cart."
    )
    async with info.context.uow.transaction() as session:
        return await carts.reorder(session, found.customer_id, info.context.viewer.user_id, found)


async def order_feed(info: Info, after: str | None, first: int | None) -> Page[Order]:
    require_scope(info, Scope.ORDERS_READ)
    async with info.context.uow.session() as session:
        return await feed.feed_page(session, after, first)


async def update_order_status(info: Info, update: fulfilment.StatusUpdate) -> Order:
    viewer = require_scope(info, Scope.ORDERS_WRITE)
    async with info.context.uow.transaction() as session:
        updated = await fulfilment.update_status(session, info.context.settings, viewer, update)
    info.context.mail_queued()
    return updated
