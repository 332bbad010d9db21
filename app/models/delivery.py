"""Where and when a customer's goods can go: addresses and the delivery schedule."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CustomerFk, Id


class DeliveryAddress(Base):
    __tablename__ = "delivery_addresses"
    __table_args__ = (UniqueConstraint("customer_id", "external_id", name="uq_delivery_addresses_customer_external"),)

    id: Mapped[Id]
    customer_id: Mapped[CustomerFk] = mapped_column(index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # An address the ERP no longer sends is not offered; orders keep theirs.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DeliverySchedule(Base):
    """The agreed delivery days: ISO weekdays, the cut-off, and extra closed dates."""

    __tablename__ = "delivery_schedules"

    customer_id: Mapped[CustomerFk] = mapped_column(primary_key=True)
    # ISO weekdays as a sorted list, e.g. [1, 3, 5].
    weekdays: Mapped[list[int]] = mapped_column(JSON)
    cutoff_days_before: Mapped[int] = mapped_column(Integer)
    cutoff_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", Europe/Oslo
    closed_dates: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates

    def as_dict(self) -> dict[str, Any]:
        return {
            "weekdays": self.weekdays,
            "cutoff_days_before": self.cutoff_days_before,
            "cutoff_time": self.cutoff_time,
            "closed_dates": self.closed_dates,
        }
