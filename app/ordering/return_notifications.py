"""Which return emails go to whom, queued in the transaction of the change that causes them.

Support (``COMMERCE_SUPPORT_EMAIL``) hears of every new request, with the
order and the lines, and the id that ``setReturnStatus`` takes. The person
who asked hears when support approves or refuses, with support's note.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ids import encode_id
from app.mail import outbox
from app.models import Customer, Order, OrderLine, ReturnLine, ReturnReason, ReturnRequest, ReturnStatus, User
from app.ordering.return_window import OSLO
from app.settings import Settings

REASONS = {
    ReturnReason.WRONG_ITEM: "Feil vare",
    ReturnReason.WRONG_QUANTITY: "Feil antall",
    ReturnReason.DAMAGED: "Skadet",
    ReturnReason.NOT_NEEDED: "Ikke behov",
    ReturnReason.OTHER: "Annet",
}


def return_link(settings: Settings, request: ReturnRequest) -> str:
    return f"{settings.public_url}/returns/{request.number}"


def _params(
    request: ReturnRequest, order: Order, customer: Customer, lines: Sequence[tuple[OrderLine, int]]
) -> dict[str, Any]:
    assert order.delivered_at is not None
    return {
        "number": request.number,
        "order_number": order.number,
        "customer_name": customer.name,
        "customer_number": customer.number,
        "delivered_on": order.delivered_at.astimezone(OSLO).date(),
        "reason": REASONS[request.reason],
        "comment": request.comment,
        "lines": [
            {"sku": line.sku, "name": line.product_name, "quantity": quantity, "unit": line.unit}
            for line, quantity in lines
        ],
    }


async def requested(
    session: AsyncSession,
    settings: Settings,
    request: ReturnRequest,
    order: Order,
    lines: Sequence[tuple[OrderLine, int]],
    requester: User | None,
) -> None:
    """To support: a new return waits for a decision."""
    customer = await session.get_one(Customer, order.customer_id)
    outbox.enqueue(
        session,
        settings,
        "return_requested",
        settings.support_email,
        ret=_params(request, order, customer, lines),
        requested_by=requester.name if requester is not None else "",
        requested_by_email=requester.email if requester is not None else "",
        return_id=encode_id("ReturnRequest", request.id),
    )


async def decided(session: AsyncSession, settings: Settings, request: ReturnRequest) -> None:
    """To whoever asked (nobody, if that user has been deleted): approved, or refused and why."""
    requester = await session.get(User, request.requested_by_id) if request.requested_by_id is not None else None
    if requester is None:
        return
    order = await session.get_one(Order, request.order_id)
    customer = await session.get_one(Customer, request.customer_id)
    rows = (
        await session.execute(
            select(OrderLine, ReturnLine.quantity)
            .join(ReturnLine, ReturnLine.order_line_id == OrderLine.id)
            .where(ReturnLine.return_id == request.id)
            .order_by(OrderLine.position)
        )
    ).all()
    template = "return_approved" if request.status is ReturnStatus.APPROVED else "return_rejected"
    outbox.enqueue(
        session,
        settings,
        template,
        requester.email,
        name=requester.name,
        ret=_params(request, order, customer, [(line, quantity) for line, quantity in rows]),
        note=request.note or "",
        link=return_link(settings, request),
    )
