"""Users, customers and the memberships that give a user a role on a customer."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.models.base import Base, CustomerFk, Id, Timestamp, str_enum


class Role(enum.Enum):
    MAIN_USER = "MAIN_USER"
    PURCHASER = "PURCHASER"
    ASSISTANT = "ASSISTANT"


class MembershipStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[Id]
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[Timestamp]


class User(Base):
    __tablename__ = "users"

    id: Mapped[Id]
    email: Mapped[str] = mapped_column(String(254))
    # Lower-cased email: the unique key, so "Ola@X.no" and "ola@x.no" are one user.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    is_support: Mapped[bool] = mapped_column(Boolean, default=False)
    # None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=clock.now)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", lazy="raise")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "customer_id", name="uq_memberships_user_customer"),)

    id: Mapped[Id]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[CustomerFk] = mapped_column(index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.ACTIVE
    )
    created_at: Mapped[Timestamp]

    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise")
    customer: Mapped[Customer] = relationship(lazy="raise")
