"""Which order emails go to whom, queued in the transaction of the change that causes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.mail import outbox
from app.models import (
    Customer,
    DeliveryAddress,
    Membership,
    MembershipStatus,
    Order,
    OrderLine,
    Role,
    Shipment,
    User,
)
from app.settings import Settings

# What the mails show of an order's lines, in Core: a snapshot read for text, no ORM objects.
_ORDER_LINES = (
    select(
        OrderLine.sku,
        OrderLine.product_name,
        OrderLine.quantity,
        OrderLine.unit,
        OrderLine.unit_price,
        OrderLine.line_total,
    )
    .where(OrderLine.order_id == bindparam("order_id"))
    .order_by(OrderLine.position)
)


def order_link(settings: Settings, order: Order) -> str:
    return f"{settings.public_url}/orders/{order.number}"


async def _header(session: AsyncSession, order: Order) -> tuple[Customer, DeliveryAddress, User | None]:
    """The order's customer, delivery address and placer (None if deleted) in one SELECT, not three."""
    customer, address, placer = (
        await session.execute(
            select(Customer, DeliveryAddress, User)
            .select_from(Customer)
            .join(DeliveryAddress, DeliveryAddress.id == order.delivery_address_id)
            .outerjoin(User, User.id == order.placed_by_id)
            .where(Customer.id == order.customer_id)
        )
    ).one()
    return customer, address, placer


async def _order_params(
    session: AsyncSession,
    order: Order,
    header: tuple[Customer, DeliveryAddress, User | None],
    lines: Sequence[Mapping[Any, Any]] | None,
) -> dict[str, Any]:
    """What the templates show of the order. ``lines``: the order's lines (their columns by name) in
    position order when the caller holds them already (checkout just wrote them); else they are read."""
    customer, address, placed_by = header
    if lines is None:
        connection = await session.connection()
        lines = [row._mapping for row in await connection.execute(_ORDER_LINES, {"order_id": order.id})]
    return {
        "number": order.number,
        "customer_name": customer.name,
        "customer_number": customer.number,
        "delivery_date": order.delivery_date,
        "address_lines": [
            part
            for part in (address.label, address.line1, address.line2, f"{address.postal_code} {address.city}")
            if part
        ],
        "reference": order.reference,
        "comment": order.comment,
        "placed_by": placed_by.name if placed_by is not None else "",
        "lines": [
            {
                "sku": line["sku"],
                "name": line["product_name"],
                "quantity": line["quantity"],
                "unit": line["unit"],
                "unit_price": line["unit_price"],
                "line_total": line["line_total"],
            }
            for line in lines
        ],
        "subtotal": order.subtotal,
        "vat": order.vat,
        "total": order.total,
    }


async def _to_placer(
    session: AsyncSession,
    settings: Settings,
    order: Order,
    template: str,
    lines: Sequence[Mapping[Any, Any]] | None = None,
    **params: Any,
) -> None:
    """``template`` to whoever placed the order (nobody, if that user has been deleted)."""
    header = await _header(session, order)
    placer = header[2]
    if placer is None:
        return
    outbox.enqueue(
        session,
        settings,
        template,
        placer.email,
        name=placer.name,
        order=await _order_params(session, order, header, lines),
        link=order_link(settings, order),
        **params,
    )


async def confirmation(
    session: AsyncSession,
    settings: Settings,
    order: Order,
    approver: User | None,
    lines: Sequence[Mapping[Any, Any]] | None = None,
) -> None:
    """To whoever placed the order: it is on its way to the warehouse."""
    await _to_placer(
        session,
        settings,
        order,
        "order_confirmation",
        lines,
        approved_by=approver.name if approver is not None else None,
    )


async def _active_members(session: AsyncSession, customer_id: int, role: Role) -> Sequence[User]:
    return (
        await session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.customer_id == customer_id,
                Membership.role == role,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(User.id)
        )
    ).all()


async def awaiting_approval(
    session: AsyncSession, settings: Settings, order: Order, lines: Sequence[Mapping[Any, Any]] | None = None
) -> int:
    """To every active main user of the customer number; returns how many were told.

    A customer number without an active main user tells its purchasers
    instead: they may approve too, and an order nobody hears of waits forever.
    """
    approvers = await _active_members(session, order.customer_id, Role.MAIN_USER)
    if not approvers:
        approvers = await _active_members(session, order.customer_id, Role.PURCHASER)
    if not approvers:
        return 0
    params = await _order_params(session, order, await _header(session, order), lines)
    for user in approvers:
        outbox.enqueue(
            session,
            settings,
            "order_awaiting_approval",
            user.email,
            name=user.name,
            order=params,
            link=order_link(settings, order),
        )
    return len(approvers)


async def rejected(session: AsyncSession, settings: Settings, order: Order, rejecter: User) -> None:
    await _to_placer(
        session, settings, order, "order_rejected", rejected_by=rejecter.name, reason=order.rejection_reason or ""
    )


async def shipped(session: AsyncSession, settings: Settings, order: Order, shipments: Sequence[Shipment]) -> None:
    if not shipments:
        return
    await _to_placer(
        session,
        settings,
        order,
        "order_shipped",
        shipments=[
            {"carrier": s.carrier, "tracking_number": s.tracking_number, "tracking_url": s.tracking_url}
            for s in shipments
        ],
    )
