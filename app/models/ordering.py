"""Carts, orders and what happens to an order afterwards (approval, shipments, history)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import ActorFk, Base, CustomerFk, Id, Timestamp, str_enum
from app.models.catalog import MoneyOre


class CartStatus(enum.Enum):
    OPEN = "OPEN"
    SUBMITTED = "SUBMITTED"


class OrderStatus(enum.Enum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    REJECTED = "REJECTED"
    SUBMITTED = "SUBMITTED"
    IN_PROGRESS = "IN_PROGRESS"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class Cart(Base):
    """A customer number's cart ("handlekurv"); every active member may edit it.

    ``version`` rises by one with every change, in the same conditional UPDATE
    that takes the row lock, so a colleague's change is detected, never lost.
    ``subtotal`` and ``line_count`` are kept with the lines so a list of carts
    needs no look at their lines.
    """

    __tablename__ = "carts"
    __table_args__ = (Index("ix_carts_customer_status", "customer_id", "status"),)

    id: Mapped[Id]
    customer_id: Mapped[CustomerFk]
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[CartStatus] = mapped_column(str_enum(CartStatus, "cart_status"), default=CartStatus.OPEN)
    version: Mapped[int] = mapped_column(Integer, default=1)
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    subtotal: Mapped[Decimal] = mapped_column(MoneyOre, default=Decimal("0.00"))
    created_by_id: Mapped[ActorFk]
    updated_by_id: Mapped[ActorFk]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class CartLine(Base):
    """One product in a cart, at the price that applied when the line last changed."""

    __tablename__ = "cart_lines"
    __table_args__ = (UniqueConstraint("cart_id", "product_id", name="uq_cart_lines_cart_product"),)

    id: Mapped[Id]
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MoneyOre)
    created_at: Mapped[Timestamp]


class Order(Base):
    """An order ("bestilling") with a snapshot of its lines and money.

    ``cart_id`` is unique: one cart can never become two orders, whatever two
    processes try at the same moment. ``feed_position`` orders the ERP feed; it
    is taken from a counter row locked until commit, so positions commit in
    order and a reader never skips one (see app/ordering/counters.py).
    """

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_newest", "customer_id", "id"),
        Index("ix_orders_customer_placed_by", "customer_id", "placed_by_id"),
    )

    id: Mapped[Id]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[CustomerFk]
    cart_id: Mapped[int | None] = mapped_column(ForeignKey("carts.id", ondelete="SET NULL"), unique=True)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    placed_by_id: Mapped[ActorFk]
    placed_at: Mapped[Timestamp]
    approved_by_id: Mapped[ActorFk]
    approved_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    delivery_date: Mapped[date] = mapped_column(Date)
    delivery_address_id: Mapped[int] = mapped_column(ForeignKey("delivery_addresses.id"))
    reference: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    line_count: Mapped[int] = mapped_column(Integer)
    subtotal: Mapped[Decimal] = mapped_column(MoneyOre)
    vat: Mapped[Decimal] = mapped_column(MoneyOre)
    total: Mapped[Decimal] = mapped_column(MoneyOre)
    delivered_at: Mapped[datetime | None]
    updated_at: Mapped[Timestamp]
    # None until the order is SUBMITTED: pending and rejected orders are not the ERP's.
    feed_position: Mapped[int | None] = mapped_column(BigInteger, unique=True)


class OrderLine(Base):
    """What was ordered, as it was: later catalogue changes do not alter it."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "position", name="uq_order_lines_order_position"),)

    id: Mapped[Id]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MoneyOre)
    line_total: Mapped[Decimal] = mapped_column(MoneyOre)


class OrderEvent(Base):
    """One step of an order's history: the status it reached, when, by whom."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "order_id", "id"),)

    id: Mapped[Id]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    at: Mapped[Timestamp]
    # A user, or (for ERP updates) the API key; neither for the system itself.
    user_id: Mapped[ActorFk]
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("order_id", "carrier", "tracking_number", name="uq_shipments_order_tracking"),)

    id: Mapped[Id]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    tracking_url: Mapped[str | None] = mapped_column(String(2000))
    shipped_at: Mapped[Timestamp]


class Counter(Base):
    """Named counters (order numbers, feed positions), advanced under a row lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
