"""Webhook endpoints of API keys, and the delivery outbox: one row per (event, endpoint)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Id, Timestamp, str_enum


class WebhookEndpoint(Base):
    """Where one API key wants events. ``events``: space-separated type names.

    ``secret`` is stored as given out ("whsec_..."): signing needs the key
    itself, so unlike tokens it cannot be kept as a hash.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[Id]
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The first failure since the last success; a day of failures disables the endpoint.
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[Timestamp]

    @property
    def event_types(self) -> list[str]:
        return self.events.split()


class DeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class WebhookDelivery(Base):
    """One event for one endpoint; ``body`` is the exact JSON that is signed and sent, every time."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_newest", "endpoint_id", "id"),
    )

    id: Mapped[Id]
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(50))
    # The webhook-id header: the same on every attempt, so receivers can drop duplicates.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[Timestamp]
    next_attempt_at: Mapped[Timestamp]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    response_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
