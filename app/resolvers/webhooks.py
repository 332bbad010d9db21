"""Resolvers for webhooks: an API key with webhooks:write, then that key's own endpoints only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.context import Info
from app.models import WebhookDelivery, WebhookEndpoint
from app.pagination import Page, SortKey, cursor_of, decode_cursor, empty_page, page_of, page_size
from app.policy import Scope
from app.resolvers.access import pk_or_not_found, require_scope
from app.webhooks import endpoints

NEWEST_FIRST = (SortKey(WebhookDelivery.id, descending=True),)


def _key_id(info: Info) -> int:
    viewer = require_scope(info, Scope.WEBHOOKS_WRITE)
    assert viewer.api_key_id is not None
    return viewer.api_key_id


async def endpoints_of_key(info: Info) -> list[WebhookEndpoint]:
    key_id = _key_id(info)
    async with info.context.uow.session() as session:
        found = await session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.api_key_id == key_id).order_by(WebhookEndpoint.id)
        )
        return list(found)


async def deliveries(
    info: Info, endpoint: WebhookEndpoint, first: int | None, after: str | None
) -> Page[WebhookDelivery]:
    """The endpoint's deliveries, newest first.

    The pages of all the key's endpoints are read together, in two statements
    (a window function per endpoint and a grouped count), however many endpoints.
    """
    size = page_size(first)
    before_id = _before_id(after)
    key = f"webhook_deliveries:{size}:{before_id}"
    pages = await info.context.memo(key, lambda: _pages(info, endpoint.api_key_id, size, before_id))
    return pages.get(endpoint.id, empty_page(size))


def _before_id(after: str | None) -> int | None:
    if not after:
        return None
    (value,) = decode_cursor(after, NEWEST_FIRST)
    return int(value)


async def _pages(info: Info, key_id: int, size: int, before_id: int | None) -> dict[int, Page[WebhookDelivery]]:
    mine = select(WebhookEndpoint.id).where(WebhookEndpoint.api_key_id == key_id).scalar_subquery()
    filtered = select(WebhookDelivery).where(WebhookDelivery.endpoint_id.in_(mine))
    if before_id is not None:
        filtered = filtered.where(WebhookDelivery.id < before_id)
    rank = (
        func.row_number()
        .over(partition_by=WebhookDelivery.endpoint_id, order_by=WebhookDelivery.id.desc())
        .label("rank")
    )
    ranked = filtered.add_columns(rank).subquery()
    async with info.context.uow.session() as session:
        totals = dict(
            (
                await session.execute(
                    select(WebhookDelivery.endpoint_id, func.count())
                    .where(WebhookDelivery.endpoint_id.in_(mine))
                    .group_by(WebhookDelivery.endpoint_id)
                )
            ).all()
        )
        rows: list[WebhookDelivery] = []
        if size:
            delivery = aliased(WebhookDelivery, ranked)
            rows = list(
                await session.scalars(
                    select(delivery).where(ranked.c.rank <= size + 1).order_by(ranked.c.endpoint_id, ranked.c.id.desc())
                )
            )
    grouped: dict[int, list[WebhookDelivery]] = {}
    for row in rows:
        grouped.setdefault(row.endpoint_id, []).append(row)
    return {
        endpoint_id: page_of(grouped.get(endpoint_id, []), size, lambda row: cursor_of(NEWEST_FIRST, row), total)
        for endpoint_id, total in totals.items()
    }


async def create_endpoint(info: Info, url: str, event_types: Sequence[str]) -> endpoints.Created:
    key_id = _key_id(info)
    async with info.context.uow.transaction() as session:
        return await endpoints.create(
            session, key_id, url, event_types, allow_private=info.context.settings.webhook_allow_private
        )


async def delete_endpoint(info: Info, endpoint_id: str) -> None:
    key_id = _key_id(info)
    pk = pk_or_not_found("WebhookEndpoint", endpoint_id, "No such webhook endpoint.", "id")
    async with info.context.uow.transaction() as session:
        await endpoints.remove(session, key_id, pk)


async def replay_delivery(info: Info, delivery_id: str) -> WebhookDelivery:
    key_id = _key_id(info)
    pk = pk_or_not_found("WebhookDelivery", delivery_id, "No such webhook delivery.", "deliveryId")
    async with info.context.uow.transaction() as session:
        replayed = await endpoints.replay(session, key_id, pk)
    info.context.mail_queued()
    return replayed
