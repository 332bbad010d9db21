"""Credentials that a bearer token can stand for: user sessions and API keys.

Only SHA-256 hashes of tokens are stored; the token itself is shown once.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Id, Timestamp, str_enum


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[Id]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[Timestamp]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[Id]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated scopes, e.g. "catalog:write orders:read".
    scopes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Timestamp]
    revoked_at: Mapped[datetime | None]

    @property
    def scope_set(self) -> frozenset[str]:
        return scope_set(self.scopes)


def scope_set(scopes: str) -> frozenset[str]:
    """An API key's scopes column as a set."""
    return frozenset(scopes.split())


class TokenPurpose(enum.Enum):
    PASSWORD_RESET = "PASSWORD_RESET"
    INVITATION = "INVITATION"


class OneTimeToken(Base):
    """A reset or invitation link's token; single use, and only the newest counts."""

    __tablename__ = "one_time_tokens"

    id: Mapped[Id]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[Timestamp]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Set when a newer token for the same user replaced this one.
    superseded_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins for an email with no user, counted like a user's own.

    So that no answer tells whether an email is registered, such an email is
    locked from its fifth failure on, for a day.
    """

    __tablename__ = "login_throttles"

    email_key: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[Timestamp]
    locked_at: Mapped[datetime | None]
