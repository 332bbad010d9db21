"""Returns ("retur"): a customer's request to send delivered goods back, and support's handling of it."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import ActorFk, Base, CustomerFk, Id, Timestamp, str_enum


class ReturnStatus(enum.Enum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RECEIVED = "RECEIVED"
    CREDITED = "CREDITED"


class ReturnReason(enum.Enum):
    WRONG_ITEM = "WRONG_ITEM"
    WRONG_QUANTITY = "WRONG_QUANTITY"
    DAMAGED = "DAMAGED"
    NOT_NEEDED = "NOT_NEEDED"
    OTHER = "OTHER"


class ReturnRequest(Base):
    """One request to return some lines of one delivered order.

    ``note`` is what support wrote with the latest status (why it was refused,
    say); ``handled_by_id`` who set that status.
    """

    __tablename__ = "return_requests"
    __table_args__ = (
        Index("ix_return_requests_customer_newest", "customer_id", "id"),
        Index("ix_return_requests_status", "status", "id"),
    )

    id: Mapped[Id]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[CustomerFk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(str_enum(ReturnStatus, "return_status"))
    reason: Mapped[ReturnReason] = mapped_column(str_enum(ReturnReason, "return_reason"))
    comment: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[ActorFk]
    handled_by_id: Mapped[ActorFk]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class ReturnLine(Base):
    """How many of one order line go back. One row per order line and request, never zero."""

    __tablename__ = "return_lines"
    __table_args__ = (
        UniqueConstraint("return_id", "order_line_id", name="uq_return_lines_return_order_line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[Id]
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
