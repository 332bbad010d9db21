"""Webhook events: one delivery row per (event, subscribed endpoint), in the transaction of the cause.

So an event exists exactly when its cause committed: a rolled-back order
sends nothing, and a committed one is delivered even if the process dies the
next moment. With no endpoint subscribed an event costs one SELECT; the
payload is only built when someone wants it.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.ids import encode_id
from app.models import ApiKey, Customer, Order, ReturnRequest, WebhookDelivery, WebhookEndpoint


class EventType(enum.StrEnum):
    """What happened. The value is the payload's ``type`` and what endpoints subscribe to."""

    ORDER_SUBMITTED = "order.submitted"
    ORDER_APPROVED = "order.approved"
    ORDER_REJECTED = "order.rejected"
    ORDER_STATUS_CHANGED = "order.status_changed"
    RETURN_REQUESTED = "return.requested"
    RETURN_STATUS_CHANGED = "return.status_changed"
    PRODUCT_OUT_OF_STOCK = "product.out_of_stock"


EVENT_TYPES: tuple[str, ...] = tuple(event.value for event in EventType)


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


async def emit(session: AsyncSession, event_type: str, data: Callable[[], Awaitable[dict[str, Any]]]) -> int:
    """Queue ``event_type`` for every endpoint of a live API key that subscribed to it.

    Endpoints that are disabled get it queued too and receive it once
    re-enabled, so an ERP that was down for a day misses no order.
    """
    targets = await subscribers(session, event_type)
    if targets:
        _queue(session, event_type, targets, await data())
    return len(targets)


async def emit_out_of_stock(session: AsyncSession, products: list[tuple[int, str]]) -> None:
    """product.out_of_stock for each (id, sku) of a stock batch: one SELECT for the whole batch."""
    targets = await subscribers(session, EventType.PRODUCT_OUT_OF_STOCK)
    if targets:
        for product_id, sku in products:
            _queue(session, EventType.PRODUCT_OUT_OF_STOCK, targets, await out_of_stock_data(product_id, sku)())


# Endpoints of live API keys with what they subscribed to. Built once and run in Core: every
# order submitted or approved asks, and mostly nobody has subscribed.
_SUBSCRIPTIONS = (
    select(WebhookEndpoint.id, WebhookEndpoint.events)
    .join(ApiKey, ApiKey.id == WebhookEndpoint.api_key_id)
    .where(ApiKey.revoked_at.is_(None))
)


async def subscribers(session: AsyncSession, event_type: str) -> list[int]:
    assert event_type in EVENT_TYPES, event_type
    rows = (await (await session.connection()).execute(_SUBSCRIPTIONS)).all()
    return [endpoint_id for endpoint_id, events in rows if event_type in events.split()]


def _queue(session: AsyncSession, event_type: str, targets: list[int], data: dict[str, Any]) -> None:
    now = clock.now()
    body = json.dumps(
        {"type": event_type, "timestamp": now.isoformat(), "data": data}, separators=(",", ":"), ensure_ascii=False
    )
    session.add_all(
        WebhookDelivery(
            endpoint_id=endpoint_id, event=event_type, message_id=new_message_id(), body=body, next_attempt_at=now
        )
        for endpoint_id in targets
    )


async def _customer_number(session: AsyncSession, customer_id: int) -> str:
    # Usually already in the session (the cause read it): then no query.
    return (await session.get_one(Customer, customer_id)).number


def order_data(session: AsyncSession, order: Order, previous: str | None = None) -> Callable[[], Awaitable[dict]]:
    async def build() -> dict[str, Any]:
        data: dict[str, Any] = {
            "orderId": encode_id("Order", order.id),
            "orderNumber": order.number,
            "customerNumber": await _customer_number(session, order.customer_id),
            "status": order.status.value,
            "placedAt": order.placed_at.isoformat(),
            "deliveryDate": order.delivery_date.isoformat(),
            "reference": order.reference,
            "lineCount": order.line_count,
            "subtotal": str(order.subtotal),
            "vat": str(order.vat),
            "total": str(order.total),
            "currency": "NOK",
        }
        if previous is not None:
            data["previousStatus"] = previous
        if order.rejection_reason and order.status.value == "REJECTED":
            data["rejectionReason"] = order.rejection_reason
        return data

    return build


def return_data(
    session: AsyncSession,
    request: ReturnRequest,
    order_number: str | None = None,
    lines: list[dict[str, Any]] | None = None,
    previous: str | None = None,
) -> Callable[[], Awaitable[dict]]:
    async def build() -> dict[str, Any]:
        number = order_number
        if number is None:
            number = (await session.execute(select(Order.number).where(Order.id == request.order_id))).scalar_one()
        data: dict[str, Any] = {
            "returnId": encode_id("ReturnRequest", request.id),
            "returnNumber": request.number,
            "orderId": encode_id("Order", request.order_id),
            "orderNumber": number,
            "customerNumber": await _customer_number(session, request.customer_id),
            "status": request.status.value,
            "reason": request.reason.value,
            "note": request.note,
        }
        if lines is not None:
            data["lines"] = lines
        if previous is not None:
            data["previousStatus"] = previous
        return data

    return build


def out_of_stock_data(product_id: int, sku: str) -> Callable[[], Awaitable[dict]]:
    async def build() -> dict[str, Any]:
        return {"productId": encode_id("Product", product_id), "sku": sku, "stockQuantity": 0}

    return build
