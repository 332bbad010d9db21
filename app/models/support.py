"""What support staff work with: account requests and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import ActorFk, Base, Id, Timestamp, str_enum


class AccountRequestStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class AccountRequest(Base):
    """A would-be customer asks for access ("Etterspør konto")."""

    __tablename__ = "account_requests"
    __table_args__ = (Index("ix_account_requests_email_key_created_at", "email_key", "created_at"),)

    id: Mapped[Id]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(50))
    company_name: Mapped[str] = mapped_column(String(200))
    customer_number: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[AccountRequestStatus] = mapped_column(
        str_enum(AccountRequestStatus, "account_request_status"), default=AccountRequestStatus.PENDING, index=True
    )
    created_at: Mapped[Timestamp]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[ActorFk]
    rejection_reason: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """Who did what, to which customer and object, and when."""

    __tablename__ = "audit_log"

    id: Mapped[Id]
    at: Mapped[Timestamp]
    actor_user_id: Mapped[ActorFk] = mapped_column(index=True)
    actor_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
