"""What the ERP reports after an order is sent: the status machine, shipments, delivery.

SUBMITTED -> IN_PROGRESS -> SHIPPED (with shipments) -> DELIVERED, and
CANCELLED from SUBMITTED or IN_PROGRESS. Any other move is INVALID_STATE.
Repeating the current status with the same data changes nothing (no history
entry, no new feed position, no email), so an ERP may safely resend after a
timeout; SHIPPED again with new tracking numbers adds those shipments and
tells the customer about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit, clock
from app.catalog import sales
from app.errors import DomainError, ErrorCode, Problem
from app.models import Order, OrderEvent, OrderStatus, Shipment
from app.ordering import notifications
from app.ordering.checkout import enter_feed
from app.ordering.order_lock import lock_order
from app.settings import Settings
from app.viewer import Viewer
from app.webhooks import events

S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.SUBMITTED: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
}
MAX_NOTE_CHARS = 1_000
MAX_SHIPMENTS = 100
# Clocks of two systems disagree a little; a delivery minutes "in the future" is not an error.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class ShipmentRequest:
    carrier: str
    tracking_number: str
    tracking_url: str | None = None


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    order_number: str
    status: OrderStatus
    note: str | None = None
    shipments: list[ShipmentRequest] = field(default_factory=list)
    delivered_at: datetime | None = None


def may_move(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def _check_shipments(shipments: list[ShipmentRequest]) -> list[Problem]:
    problems: list[Problem] = []
    if len(shipments) > MAX_SHIPMENTS:
        return [Problem(ErrorCode.INVALID_INPUT, f"At most {MAX_SHIPMENTS} shipments at once.", "input.shipments")]
    for index, shipment in enumerate(shipments):
        path = f"input.shipments.{index}"
        if not 0 < len(shipment.carrier.strip()) <= 100:
            problems.append(Problem(ErrorCode.INVALID_INPUT, "carrier must be 1 to 100 characters.", f"{path}.carrier"))
        if not 0 < len(shipment.tracking_number.strip()) <= 100:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT, "trackingNumber must be 1 to 100 characters.", f"{path}.trackingNumber"
                )
            )
        if shipment.tracking_url is not None:
            url = shipment.tracking_url.strip()
            # Only web links: the URL goes into the customer's email as a link.
            if len(url) > 2000 or urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc:
                problems.append(
                    Problem(ErrorCode.INVALID_INPUT, "trackingUrl must be an http(s) URL.", f"{path}.trackingUrl")
                )
    return problems


def _validate(update: StatusUpdate) -> list[Problem]:
    problems = _check_shipments(update.shipments)
    if update.shipments and update.status is not S.SHIPPED:
        problems.append(Problem(ErrorCode.INVALID_INPUT, "Shipments belong only to status SHIPPED.", "input.shipments"))
    if update.delivered_at is not None:
        if update.status is not S.DELIVERED:
            problems.append(
                Problem(ErrorCode.INVALID_INPUT, "deliveredAt belongs only to status DELIVERED.", "input.deliveredAt")
            )
        elif update.delivered_at > clock.now() + CLOCK_SKEW:
            problems.append(Problem(ErrorCode.INVALID_INPUT, "deliveredAt is in the future.", "input.deliveredAt"))
    if update.note is not None and len(update.note) > MAX_NOTE_CHARS:
        problems.append(
            Problem(ErrorCode.INVALID_INPUT, f"note can be at most {MAX_NOTE_CHARS:,} characters.", "input.note")
        )
    return problems


async def _locked_order(session: AsyncSession, order_number: str) -> Order:
    number = order_number.strip()[:20]
    return await lock_order(session, Order.number == number, "input.orderNumber", f"No order has number {number!r}.")


async def _shipments(
    session: AsyncSession, order: Order, requests: Sequence[ShipmentRequest], now: datetime
) -> tuple[Sequence[Shipment], list[Shipment]]:
    """The order's shipments so far, and the requested ones not among them (by carrier and tracking number)."""
    existing = (
        await session.scalars(select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id))
    ).all()
    known = {(s.carrier, s.tracking_number) for s in existing}
    fresh: list[Shipment] = []
    for request in requests:
        key = (request.carrier.strip(), request.tracking_number.strip())
        if key in known:
            continue
        known.add(key)
        url = request.tracking_url.strip() if request.tracking_url else None
        fresh.append(
            Shipment(order_id=order.id, carrier=key[0], tracking_number=key[1], tracking_url=url, shipped_at=now)
        )
    return existing, fresh


async def _update_in_place(
    session: AsyncSession,
    settings: Settings,
    actor: Viewer,
    order: Order,
    update: StatusUpdate,
    fresh: list[Shipment],
    now: datetime,
) -> Order:
    """The same status again: new shipments, or a corrected delivery time, are recorded; nothing else moves."""
    changed = bool(fresh)
    if update.status is S.DELIVERED and update.delivered_at is not None and update.delivered_at != order.delivered_at:
        # A corrected delivery time: the date matters for the return window.
        order.delivered_at = update.delivered_at
        changed = True
    if changed:
        order.updated_at = now
        session.add_all(fresh)
        audit.record(
            session,
            actor,
            "order.updated",
            customer_id=order.customer_id,
            subject_id=order.number,
            shipments_added=len(fresh) or None,
        )
        await session.flush()
        await notifications.shipped(session, settings, order, fresh)
    return order


async def update_status(session: AsyncSession, settings: Settings, actor: Viewer, update: StatusUpdate) -> Order:
    problems = _validate(update)
    if problems:
        raise DomainError(*problems)
    order = await _locked_order(session, update.order_number)
    now = clock.now()
    existing, fresh = await _shipments(session, order, update.shipments, now)
    if update.status is order.status:
        return await _update_in_place(session, settings, actor, order, update, fresh, now)

    if not may_move(order.status, update.status):
        raise DomainError.of(
            ErrorCode.INVALID_STATE,
            f"Order {order.number} cannot move from {order.status.value} to {update.status.value}.",
            "input.status",
        )
    if update.status is S.SHIPPED and not existing and not fresh:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "SHIPPED needs at least one shipment.", "input.shipments")

    previous = order.status
    if update.status is S.CANCELLED:
        await sales.take_off(session, order)  # a cancelled order is no sale
    order.status = update.status
    order.updated_at = now
    if update.status is S.DELIVERED:
        order.delivered_at = update.delivered_at or now
    session.add_all(fresh)
    session.add(
        OrderEvent(
            order_id=order.id,
            status=update.status,
            at=now,
            api_key_id=actor.api_key_id,
            user_id=actor.user_id,
            note=update.note.strip() if update.note and update.note.strip() else None,
        )
    )
    audit.status_changed(
        session, actor, "order.status_changed", order.customer_id, order.number, previous, update.status
    )
    await session.flush()
    if fresh:
        await notifications.shipped(session, settings, order, fresh)
    await events.emit(session, events.EventType.ORDER_STATUS_CHANGED, events.order_data(session, order, previous.value))
    await enter_feed(session, order)
    return order
