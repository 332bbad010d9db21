"""Which order emails go to whom, queued in the transaction of the change that causes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Row, bindparam, select
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


# The order's customer, delivery address and placer (NULLs if deleted) in one SELECT, in Core: read for text.
_HEADER = (
    select(
        Customer.name.label("customer_name"),
        Customer.number.label("customer_number"),
        DeliveryAddress.label,
        DeliveryAddress.line1,
        DeliveryAddress.line2,
        DeliveryAddress.postal_code,
        DeliveryAddress.city,
        User.email.label("placer_email"),
        User.name.label("placer_name"),
    )
    .select_from(Customer)
    .join(DeliveryAddress, DeliveryAddress.id == bindparam("address_id"))
    .outerjoin(User, User.id == bindparam("placer_id"))
    .where(Customer.id == bindparam("customer_id"))
)


async def _header(session: AsyncSession, order: Order) -> Row[*tuple[Any, ...]]:
    """``_HEADER`` of the order: its customer, delivery address and placer (placer_email None if deleted)."""
    connection = await session.connection()
    values = {
        "address_id": order.delivery_address_id,
        "placer_id": order.placed_by_id,
        "customer_id": order.customer_id,
    }
    return (await connection.execute(_HEADER, values)).one()


async def _order_params(
    session: AsyncSession,
    order: Order,
    header: Row[*tuple[Any, ...]],
    lines: Sequence[Mapping[Any, Any]] | None,
) -> dict[str, Any]:
    """What the templates show of the order. ``lines``: the order's lines (their columns by name) in
    position order when the caller holds them already (checkout just wrote them); else they are read."""
    if lines is None:
        connection = await session.connection()
        lines = [row._mapping for row in await connection.execute(_ORDER_LINES, {"order_id": order.id})]
    return {
        "number": order.number,
        "customer_name": header.customer_name,
        "customer_number": header.customer_number,
        "delivery_date": order.delivery_date,
        "address_lines": [
            part for part in (header.label, header.line1, header.line2, f"{header.postal_code} {header.city}") if part
        ],
        "reference": order.reference,
        "comment": order.comment,
        "placed_by": header.placer_name or "",
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
    if header.placer_email is None:
        return
    outbox.enqueue(
        session,
        settings,
        template,
        header.placer_email,
        name=header.placer_name,
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


# A customer's active members in one role, oldest first: whom a mail goes to (Core: read for addresses).
_ACTIVE_MEMBERS = (
    select(User.email, User.name)
    .join(Membership, Membership.user_id == User.id)
    .where(
        Membership.customer_id == bindparam("customer_id"),
        Membership.role == bindparam("role", type_=Membership.role.type),
        Membership.status == MembershipStatus.ACTIVE,
    )
    .order_by(User.id)
)


async def _active_members(session: AsyncSession, customer_id: int, role: Role) -> Sequence[Row[str, str]]:
    connection = await session.connection()
    return (await connection.execute(_ACTIVE_MEMBERS, {"customer_id": customer_id, "role": role})).all()


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
