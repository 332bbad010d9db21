"""Approval of an assistant's order: approve or reject, exactly once.

Both lock the order's row (``FOR UPDATE`` on PostgreSQL; SQLite's write
transaction serialises anyway) and then check that it still waits for
approval. Of two approvers pressing at the same moment, the second waits for
the first, then finds the order SUBMITTED and gets INVALID_STATE; only the
first transaction queues the confirmation email.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit, clock
from app.catalog import sales
from app.errors import DomainError, ErrorCode
from app.models import DeliverySchedule as StoredSchedule
from app.models import Order, OrderEvent, OrderStatus, User
from app.ordering import notifications
from app.ordering.calendar import DeliverySchedule
from app.ordering.checkout import delivery_date_problem, enter_feed
from app.ordering.order_lock import lock_order
from app.ordering.schedules import from_model
from app.settings import Settings
from app.viewer import Viewer
from app.webhooks import events

MAX_REASON_CHARS = 1_000


async def _lock_order_with_schedule(session: AsyncSession, order_id: int) -> tuple[Order, DeliverySchedule | None]:
    """``lock_order``, and the customer's delivery schedule in the same SELECT: an outer join,
    and ``FOR UPDATE OF orders`` so only the order's row is locked, as by ``lock_order``."""
    row = (
        await session.execute(
            select(Order, StoredSchedule)
            .outerjoin(StoredSchedule, StoredSchedule.customer_id == Order.customer_id)
            .where(Order.id == order_id)
            .with_for_update(of=Order)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if row is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such order.", "orderId")
    return row[0], from_model(row[1])


def _require_pending(order: Order) -> None:
    if order.status is not OrderStatus.PENDING_APPROVAL:
        raise DomainError.of(
            ErrorCode.INVALID_STATE,
            f"Order {order.number} does not wait for approval (it is {order.status.value}).",
            "orderId",
        )


async def approve(
    session: AsyncSession, settings: Settings, actor: Viewer, order_id: int, delivery_date: date | None
) -> tuple[Order, User]:
    """PENDING_APPROVAL -> SUBMITTED; the assistant gets the order confirmation. Returns the order and
    the approver's row as read in this transaction (the response's approvedBy needs no read of its own).

    The order's delivery date must still be orderable; the approver may give
    another agreed date, which replaces it.
    """
    order, schedule = await _lock_order_with_schedule(session, order_id)
    _require_pending(order)
    day = delivery_date or order.delivery_date
    field = "deliveryDate"
    problem = delivery_date_problem(schedule, day, field)
    if problem is not None:
        if delivery_date is None:
            problem = replace(problem, message=problem.message + " Approve with another deliveryDate; the order waits.")
        raise DomainError(problem)
    now = clock.now()
    approver = await session.get_one(User, actor.user_id)
    note = (
        f"Delivery date moved from {order.delivery_date.isoformat()} to {day.isoformat()} on approval."
        if day != order.delivery_date
        else None
    )
    order.status = OrderStatus.SUBMITTED
    order.delivery_date = day
    order.approved_by_id = approver.id
    order.approved_at = now
    order.updated_at = now
    session.add(OrderEvent(order_id=order.id, status=OrderStatus.SUBMITTED, at=now, user_id=approver.id, note=note))
    audit.record(
        session,
        actor,
        "order.approved",
        customer_id=order.customer_id,
        subject_id=order.number,
        delivery_date=day.isoformat(),
    )
    await session.flush()
    await notifications.confirmation(session, settings, order, approver=approver)
    await events.emit(session, events.EventType.ORDER_APPROVED, events.order_data(session, order))
    await enter_feed(session, order)
    return order, approver


def clean_reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Say why the order is rejected.", "reason")
    if len(cleaned) > MAX_REASON_CHARS:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, f"The reason can be at most {MAX_REASON_CHARS:,} characters.", "reason"
        )
    return cleaned


async def reject(session: AsyncSession, settings: Settings, actor: Viewer, order_id: int, reason: str) -> Order:
    """PENDING_APPROVAL -> REJECTED with the reason; the assistant is told why."""
    cleaned = clean_reason(reason)
    order = await lock_order(session, Order.id == order_id, "orderId")
    _require_pending(order)
    now = clock.now()
    rejecter = await session.get_one(User, actor.user_id)
    await sales.take_off(session, order)  # a rejected order is no sale
    order.status = OrderStatus.REJECTED
    order.rejection_reason = cleaned
    order.updated_at = now
    session.add(OrderEvent(order_id=order.id, status=OrderStatus.REJECTED, at=now, user_id=rejecter.id, note=cleaned))
    audit.record(
        session, actor, "order.rejected", customer_id=order.customer_id, subject_id=order.number, reason=cleaned
    )
    await session.flush()
    await notifications.rejected(session, settings, order, rejecter)
    await events.emit(session, events.EventType.ORDER_REJECTED, events.order_data(session, order))
    return order
