"""Checkout: an open cart becomes an order, in one transaction, or nothing changes.

The cart is closed by the same conditional UPDATE that locks it
(``carts.lock_for_change`` to SUBMITTED): of two submits of one cart at the
same moment, the second waits for the first and then finds the cart no longer
open (INVALID_STATE). ``orders.cart_id`` is unique as well, so even a bug
elsewhere could not make one cart two orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, clock
from app.catalog import sales
from app.errors import DomainError, ErrorCode, Problem
from app.ids import decode_id
from app.models import (
    CartLine,
    CartStatus,
    DeliveryAddress,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Product,
)
from app.models import DeliverySchedule as StoredSchedule
from app.ordering import counters, notifications
from app.ordering.calendar import DeliverySchedule, too_far_ahead, why_not_deliverable
from app.ordering.carts import lock_for_change
from app.ordering.money import Totals, line_total
from app.ordering.schedules import from_model, schedule_of
from app.settings import Settings
from app.viewer import Viewer
from app.webhooks import events

MAX_REFERENCE_CHARS = 100
MAX_COMMENT_CHARS = 1_000


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    delivery_address_id: str
    delivery_date: date
    reference: str | None = None
    comment: str | None = None


def clean_text(value: str | None, limit: int, field: str, what: str) -> tuple[str | None, Problem | None]:
    if value is None:
        return None, None
    cleaned = value.strip()
    if len(cleaned) > limit:
        return None, Problem(ErrorCode.INVALID_INPUT, f"{what} can be at most {limit:,} characters.", field)
    return cleaned or None, None


def delivery_date_problem(schedule: DeliverySchedule | None, day: date, field: str) -> Problem | None:
    """Why ``day`` cannot be ordered for under the customer's ``schedule`` (read by the caller, usually
    joined into a SELECT it needs anyway), as a problem of ``field``; None if it can."""
    now = clock.now()
    reason = too_far_ahead(day, now) or why_not_deliverable(schedule, day, now)
    if reason is None:
        return None
    return Problem(
        ErrorCode.INVALID_DELIVERY_DATE,
        f"{day.isoformat()} is not a delivery date you can order for: {reason}. "
        "DeliveryOptions lists the dates you can choose.",
        field,
    )


# The cart's lines with what the order keeps of their products, as Core rows (no ORM objects for 20 lines).
_CART_LINES = (
    select(
        CartLine.quantity,
        CartLine.unit_price,
        CartLine.product_id,
        Product.sku,
        Product.name.label("product_name"),
        Product.unit,
        Product.active,
    )
    .join(Product, Product.id == CartLine.product_id)
    .where(CartLine.cart_id == bindparam("cart_id"))
    .order_by(CartLine.id)
)


def _line_problems(lines: Sequence[Row[*tuple[Any, ...]]]) -> list[Problem]:
    """An empty cart, and each product no longer sold, as problems of the cart (``lines``: ``_CART_LINES``)."""
    problems: list[Problem] = []
    if not lines:
        problems.append(Problem(ErrorCode.EMPTY_CART, "The cart is empty: add products before you send it.", "cartId"))
    for line in lines:
        if not line.active:
            problems.append(
                Problem(
                    ErrorCode.PRODUCT_UNAVAILABLE,
                    f"{line.sku} ({line.product_name}) is no longer sold: remove it from the cart first.",
                    "cartId",
                )
            )
    return problems


async def _delivery_address(
    session: AsyncSession, customer_id: int, opaque_id: str
) -> tuple[DeliveryAddress | None, DeliverySchedule | None]:
    """The customer's active delivery address named by an opaque id (None for anything else), and
    the customer's delivery schedule: one SELECT, the schedule an outer join. Without a valid
    address the schedule is read on its own, as the delivery date is checked anyway."""
    address_pk = decode_id("DeliveryAddress", opaque_id)
    if address_pk is None:
        return None, await schedule_of(session, customer_id)
    row = (
        await session.execute(
            select(DeliveryAddress, StoredSchedule)
            .outerjoin(StoredSchedule, StoredSchedule.customer_id == DeliveryAddress.customer_id)
            .where(
                DeliveryAddress.id == address_pk,
                DeliveryAddress.customer_id == customer_id,
                DeliveryAddress.active.is_(True),
            )
        )
    ).one_or_none()
    if row is None:
        return None, await schedule_of(session, customer_id)
    return row[0], from_model(row[1])


async def submit_cart(
    session: AsyncSession,
    settings: Settings,
    actor: Viewer,
    cart_id: int,
    request: SubmitRequest,
    *,
    needs_approval: bool,
    expected_version: int | None,
) -> Order:
    """Make the order. ``needs_approval``: the actor is an assistant (PENDING_APPROVAL)."""
    cart = await lock_for_change(session, cart_id, actor.user_id, expected_version, new_status=CartStatus.SUBMITTED)
    connection = await session.connection()
    rows = (await connection.execute(_CART_LINES, {"cart_id": cart.id})).all()
    problems = _line_problems(rows)
    address, schedule = await _delivery_address(session, cart.customer_id, request.delivery_address_id)
    if address is None:
        problems.append(
            Problem(
                ErrorCode.INVALID_DELIVERY_ADDRESS,
                "That is not one of this customer number's delivery addresses.",
                "input.deliveryAddressId",
            )
        )
    if problem := delivery_date_problem(schedule, request.delivery_date, "input.deliveryDate"):
        problems.append(problem)
    reference, problem = clean_text(request.reference, MAX_REFERENCE_CHARS, "input.reference", "The reference")
    comment, comment_problem = clean_text(request.comment, MAX_COMMENT_CHARS, "input.comment", "The comment")
    problems.extend(p for p in (problem, comment_problem) if p)
    if problems:
        raise DomainError(*problems)
    assert address is not None

    now = clock.now()
    status = OrderStatus.PENDING_APPROVAL if needs_approval else OrderStatus.SUBMITTED
    totals = Totals.of_lines((line.unit_price, line.quantity) for line in rows)
    order = Order(
        number=await counters.next_order_number(session),
        customer_id=cart.customer_id,
        cart_id=cart.id,
        status=status,
        placed_by_id=actor.user_id,
        placed_at=now,
        delivery_date=request.delivery_date,
        delivery_address_id=address.id,
        reference=reference,
        comment=comment,
        line_count=len(rows),
        subtotal=totals.subtotal,
        vat=totals.vat,
        total=totals.total,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    order_lines = [
        {
            "order_id": order.id,
            "position": position,
            "product_id": line.product_id,
            "sku": line.sku,
            "product_name": line.product_name,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "line_total": line_total(line.unit_price, line.quantity),
        }
        for position, line in enumerate(rows)
    ]
    # Core, one executemany (one INSERT on PostgreSQL): the lines are a snapshot nothing in this
    # request reads back as objects.
    await connection.execute(insert(OrderLine), order_lines)
    # The search's tie-breaks count it from now on (pending approval included).
    await sales.record(session, order, [(line.product_id, line.quantity) for line in rows], 1)
    session.add(OrderEvent(order_id=order.id, status=status, at=now, user_id=actor.user_id))
    audit.record(
        session,
        actor,
        "order.awaiting_approval" if needs_approval else "order.submitted",
        customer_id=order.customer_id,
        subject_id=order.number,
        cart_id=cart.id,
        total=str(order.total),
    )
    await session.flush()
    if needs_approval:
        await notifications.awaiting_approval(session, settings, order, order_lines)
    else:
        await notifications.confirmation(session, settings, order, approver=None, lines=order_lines)
    await events.emit(session, events.EventType.ORDER_SUBMITTED, events.order_data(session, order))
    if not needs_approval:
        await enter_feed(session, order)
    return order


async def enter_feed(session: AsyncSession, order: Order) -> None:
    """Give the order its next ERP feed position: the last statement before commit.

    The feed counter's row stays locked until commit, so every order change in
    the shop queues here; taking it last keeps that queue as short as it can be.
    """
    await session.flush()  # the order's other changes first: the counter's lock is taken last
    set_committed_value(order, "feed_position", await counters.give_feed_position(session, order.id))
