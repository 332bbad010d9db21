"""Resolvers for returns: customers ask, support decides."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app import policy
from app.context import Info
from app.errors import DomainError, ErrorCode
from app.models import Order, ReturnRequest, ReturnStatus
from app.ordering import returns
from app.pagination import Page, SortKey, empty_page, paginate
from app.policy import Action
from app.resolvers.access import pk_or_not_found, reachable_object, require_action, require_support, require_user

NEWEST_FIRST = (SortKey(ReturnRequest.id, descending=True),)


async def return_request(info: Info, return_id: str) -> ReturnRequest | None:
    return await reachable_object(info, ReturnRequest, return_id)


async def _page(
    info: Info, customer_id: int | None, statuses: Sequence[ReturnStatus] | None, first: int | None, after: str | None
) -> Page[ReturnRequest]:
    query = select(ReturnRequest)
    if customer_id is not None:
        query = query.where(ReturnRequest.customer_id == customer_id)
    if statuses:
        query = query.where(ReturnRequest.status.in_(set(statuses)))
    return await paginate(info.context.uow, query, NEWEST_FIRST, first, after, lazy_total=True)


async def returns_of(
    info: Info, customer_id: int, statuses: Sequence[ReturnStatus] | None, first: int | None, after: str | None
) -> Page[ReturnRequest]:
    """A customer's returns: none for a viewer outside its reach, however the Customer was reached."""
    if not policy.reaches(info.context.viewer, customer_id):
        return empty_page(first)
    return await _page(info, customer_id, statuses, first, after)


async def all_returns(
    info: Info, statuses: Sequence[ReturnStatus] | None, first: int | None, after: str | None
) -> Page[ReturnRequest]:
    require_support(info)
    return await _page(info, None, statuses, first, after)


async def request_return(info: Info, order_id: str, form: returns.ReturnForm) -> ReturnRequest:
    require_user(info)
    order = await reachable_object(info, Order, order_id)
    if order is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such order.", "input.orderId")
    refusal = "Only the customer's own users ask for returns; support approves or refuses them."
    require_action(info, order.customer_id, Action.REQUEST_RETURN, refusal, "input.orderId")
    async with info.context.uow.transaction() as session:
        made = await returns.request_return(session, info.context.settings, info.context.viewer, order.id, form)
    info.context.mail_queued()
    return made


async def set_return_status(info: Info, return_id: str, status: ReturnStatus, note: str | None) -> ReturnRequest:
    viewer = require_support(info)
    pk = pk_or_not_found("ReturnRequest", return_id, "No such return.", "id")
    async with info.context.uow.transaction() as session:
        changed = await returns.set_status(session, info.context.settings, viewer, pk, status, note)
    info.context.mail_queued()
    return changed
