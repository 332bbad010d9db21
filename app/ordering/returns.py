"""Returns ("retur") under the manual's rules, and support's handling of them.

A return is asked for by an active member of the order's customer number,
for some lines of one DELIVERED order, within 8 Europe/Oslo calendar days of
delivery (``app.ordering.return_window``), never for special-order,
made-to-order or nutrition products, never for more than was delivered less
what earlier returns (not REJECTED) already cover, and only with the goods'
condition confirmed. All-or-nothing: every problem is reported and nothing is
stored unless the whole request is valid.

Two requests for the last units of one line, at the same moment: each
request locks the order's row (``SELECT ... FOR UPDATE`` on PostgreSQL)
*before* it sums the earlier returns, so the second waits until the first
commits and then sums with the first's lines included: one wins, the other
gets QUANTITY_EXCEEDS_DELIVERED. On SQLite a write transaction begins with
``BEGIN IMMEDIATE`` (app/db.py), so writers run one at a time and the sum is
always read after the previous writer committed. Locking the order (not the
lines) also serialises requests naming different lines of it, which costs
nothing worth measuring: one order gets a handful of returns.

Support moves a return REQUESTED -> APPROVED or REJECTED (a note required),
APPROVED -> RECEIVED -> CREDITED; any other move is INVALID_STATE. The
return's row is locked first, so of two support staff pressing at once one
moves it and the other finds it moved. The requester is emailed on approval
and refusal; support is emailed each new request. Both are queued in the
outbox in the change's own transaction, with the audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit, clock
from app.errors import DomainError, ErrorCode, Problem
from app.ids import decode_id
from app.models import (
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductType,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    User,
)
from app.ordering import counters, return_notifications
from app.ordering.carts import MAX_QUANTITY
from app.ordering.order_lock import lock_order
from app.ordering.return_window import last_return_day, within_return_window
from app.settings import Settings
from app.viewer import Viewer
from app.webhooks import events

MAX_COMMENT_CHARS = 1_000
MAX_NOTE_CHARS = 1_000
# An order has at most a cart's 1,000 lines; a request naming more repeats itself.
MAX_LINES = 1_000

# What the manual never takes back ("Skaffevarer, bestillingsvarer og ernæringsprodukter tas ikke i retur").
# The type is the product's as the catalogue has it now; a line whose product was removed from the
# catalogue cannot be checked, so it is refused too (customer service can still agree to it).
NOT_RETURNABLE = {
    ProductType.SPECIAL_ORDER: "a special-order product (skaffevare)",
    ProductType.MADE_TO_ORDER: "a made-to-order product (bestillingsvare)",
    ProductType.NUTRITION: "a nutrition product (ernæringsprodukt)",
}

S = ReturnStatus
TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.CREDITED}),
}


@dataclass(frozen=True, slots=True)
class ReturnLineForm:
    order_line_id: str  # opaque OrderLine id
    quantity: int


@dataclass(frozen=True, slots=True)
class ReturnForm:
    lines: list[ReturnLineForm]
    reason: ReturnReason
    comment: str | None
    condition_confirmed: bool


def may_move(current: ReturnStatus, target: ReturnStatus) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def _check_form(form: ReturnForm) -> tuple[list[Problem], str | None, list[int | None]]:
    """Problems that need no database; the cleaned comment; each line's order-line pk (None: not an id)."""
    problems: list[Problem] = []
    if not form.condition_confirmed:
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT,
                "Confirm that the goods are unused, undamaged, unpriced and unmarked: nothing else is taken back.",
                "input.conditionConfirmed",
            )
        )
    comment = form.comment.strip() if form.comment is not None else None
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT,
                f"The comment can be at most {MAX_COMMENT_CHARS:,} characters.",
                "input.comment",
            )
        )
    if not form.lines:
        problems.append(Problem(ErrorCode.INVALID_INPUT, "Name at least one order line to return.", "input.lines"))
    if len(form.lines) > MAX_LINES:
        # Not worth reading line by line: refused before anything else is looked at.
        raise DomainError.of(ErrorCode.INVALID_INPUT, f"At most {MAX_LINES:,} lines at once.", "input.lines")
    pks: list[int | None] = []
    seen: set[int] = set()
    for index, line in enumerate(form.lines):
        path = f"input.lines.{index}"
        pk = decode_id("OrderLine", line.order_line_id)
        pks.append(pk)
        if pk is not None and pk in seen:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    "The same order line is named twice: give its whole quantity once.",
                    f"{path}.orderLineId",
                )
            )
        if pk is not None:
            seen.add(pk)
        if not 1 <= line.quantity <= MAX_QUANTITY:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    f"Quantity must be between 1 and {MAX_QUANTITY:,}; got {line.quantity}.",
                    f"{path}.quantity",
                )
            )
    return problems, comment or None, pks


def _order_problem(order: Order, now: datetime) -> Problem | None:
    if order.status is not OrderStatus.DELIVERED or order.delivered_at is None:
        return Problem(
            ErrorCode.ORDER_NOT_DELIVERED,
            f"Order {order.number} is {order.status.value}: goods can be returned once they are delivered.",
            "input.orderId",
        )
    if not within_return_window(order.delivered_at, now):
        return Problem(
            ErrorCode.RETURN_WINDOW_EXPIRED,
            f"Returns of order {order.number} had to be asked for by "
            f"{last_return_day(order.delivered_at).isoformat()} (8 days after delivery). "
            "Contact customer service.",
            "input.orderId",
        )
    return None


async def returned_so_far(session: AsyncSession, order_line_ids: list[int]) -> dict[int, int]:
    """Per order line: the quantity that earlier returns not REJECTED already cover."""
    if not order_line_ids:
        return {}
    rows = await session.execute(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .where(ReturnLine.order_line_id.in_(order_line_ids), ReturnRequest.status != ReturnStatus.REJECTED)
        .group_by(ReturnLine.order_line_id)
    )
    return {line_id: int(total) for line_id, total in rows}


async def request_return(
    session: AsyncSession, settings: Settings, actor: Viewer, order_id: int, form: ReturnForm
) -> ReturnRequest:
    """Store a REQUESTED return of ``order_id`` (already within the actor's reach), or raise every problem."""
    problems, comment, pks = _check_form(form)
    order = await lock_order(session, Order.id == order_id, "input.orderId")
    now = clock.now()
    if problem := _order_problem(order, now):
        problems.append(problem)

    rows = (
        await session.execute(
            select(OrderLine, Product.product_type)
            .outerjoin(Product, Product.id == OrderLine.product_id)
            .where(OrderLine.order_id == order.id)
        )
    ).all()
    lines = {line.id: (line, product_type) for line, product_type in rows}
    already = await returned_so_far(session, list(lines))
    for index, (line_form, pk) in enumerate(zip(form.lines, pks, strict=True)):
        path = f"input.lines.{index}"
        found = lines.get(pk) if pk is not None else None
        if found is None:
            problems.append(
                Problem(ErrorCode.NOT_FOUND, f"Order {order.number} has no such line.", f"{path}.orderLineId")
            )
            continue
        line, product_type = found
        if product_type is None or not product_type.returnable:
            what = NOT_RETURNABLE.get(product_type, "") if product_type is not None else "no longer in the catalogue"
            problems.append(
                Problem(
                    ErrorCode.PRODUCT_NOT_RETURNABLE,
                    f"{line.sku} ({line.product_name}) is {what} and cannot be returned.",
                    f"{path}.orderLineId",
                )
            )
            continue
        left = line.quantity - already.get(line.id, 0)
        if 1 <= line_form.quantity <= MAX_QUANTITY and line_form.quantity > left:
            problems.append(
                Problem(
                    ErrorCode.QUANTITY_EXCEEDS_DELIVERED,
                    f"{line.sku}: {line.quantity} {line.unit} delivered, {line.quantity - left} already in "
                    f"earlier returns; at most {max(left, 0)} can be returned.",
                    f"{path}.quantity",
                )
            )
    if problems:
        raise DomainError(*problems)

    request = ReturnRequest(
        number=await counters.next_return_number(session),
        customer_id=order.customer_id,
        order_id=order.id,
        status=ReturnStatus.REQUESTED,
        reason=form.reason,
        comment=comment,
        requested_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    returned = [
        ReturnLine(return_id=request.id, order_line_id=pk, quantity=line_form.quantity)
        for line_form, pk in zip(form.lines, pks, strict=True)
        if pk is not None
    ]
    session.add_all(returned)
    returned_lines = [{"sku": lines[r.order_line_id][0].sku, "quantity": r.quantity} for r in returned]
    audit.record(
        session,
        actor,
        "return.requested",
        customer_id=order.customer_id,
        subject_id=request.number,
        order=order.number,
        reason=form.reason.value,
        lines=returned_lines,
    )
    await session.flush()
    requester = await session.get(User, actor.user_id) if actor.user_id is not None else None
    await return_notifications.requested(
        session, settings, request, order, [(lines[r.order_line_id][0], r.quantity) for r in returned], requester
    )
    data = events.return_data(session, request, order.number, returned_lines)
    await events.emit(session, events.EventType.RETURN_REQUESTED, data)
    return request


def _clean_note(status: ReturnStatus, note: str | None) -> str | None:
    cleaned = note.strip() if note is not None else ""
    if len(cleaned) > MAX_NOTE_CHARS:
        raise DomainError.of(ErrorCode.INVALID_INPUT, f"The note can be at most {MAX_NOTE_CHARS:,} characters.", "note")
    if status is ReturnStatus.REJECTED and not cleaned:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Say why the return is refused: a note is required.", "note")
    return cleaned or None


async def set_status(
    session: AsyncSession, settings: Settings, actor: Viewer, return_id: int, status: ReturnStatus, note: str | None
) -> ReturnRequest:
    """Support moves a return one step on; the note replaces the previous one."""
    cleaned = _clean_note(status, note)
    request = (
        await session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.id == return_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if request is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such return.", "id")
    if not may_move(request.status, status):
        raise DomainError.of(
            ErrorCode.INVALID_STATE,
            f"Return {request.number} cannot move from {request.status.value} to {status.value}.",
            "status",
        )
    previous = request.status
    request.status = status
    request.note = cleaned
    request.handled_by_id = actor.user_id
    request.updated_at = clock.now()
    audit.status_changed(
        session, actor, "return.status_changed", request.customer_id, request.number, previous, status, note=cleaned
    )
    await session.flush()
    if status in (ReturnStatus.APPROVED, ReturnStatus.REJECTED):
        await return_notifications.decided(session, settings, request)
    data = events.return_data(session, request, previous=previous.value)
    await events.emit(session, events.EventType.RETURN_STATUS_CHANGED, data)
    return request
