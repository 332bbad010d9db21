"""Reset and invitation links: single-use tokens, only the newest valid."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.dml import rows_matched
from app.errors import DomainError, ErrorCode
from app.models import OneTimeToken, TokenPurpose
from app.tokens import ONE_TIME_PREFIX, hash_token, new_token

LIFETIME = {
    TokenPurpose.PASSWORD_RESET: timedelta(hours=1),
    TokenPurpose.INVITATION: timedelta(days=7),
}


async def issue(session: AsyncSession, user_id: int, purpose: TokenPurpose) -> str:
    """A new token for ``user_id``; every earlier unused one stops working."""
    now = clock.now()
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.superseded_at.is_(None),
        )
        .values(superseded_at=now)
    )
    token = new_token(ONE_TIME_PREFIX)
    session.add(
        OneTimeToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + LIFETIME[purpose],
        )
    )
    return token


def link(public_url: str, token: str) -> str:
    return f"{public_url}/reset-password?token={token}"


async def check(session: AsyncSession, token: str) -> OneTimeToken:
    """The live token row, or INVALID_TOKEN / TOKEN_EXPIRED (field ``token``)."""
    row = None
    if token.startswith(ONE_TIME_PREFIX) and len(token) < 200:
        row = await session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(token)))
    if row is None or row.used_at is not None or row.superseded_at is not None:
        raise DomainError.of(
            ErrorCode.INVALID_TOKEN, "This link is not valid (used, replaced by a newer one, or unknown).", "token"
        )
    if row.expires_at <= clock.now():
        raise DomainError.of(ErrorCode.TOKEN_EXPIRED, "This link has expired: ask for a new one.", "token")
    return row


async def consume(session: AsyncSession, row: OneTimeToken) -> None:
    """Mark ``row`` used, atomically: of two simultaneous uses, one wins."""
    used = await rows_matched(
        session,
        update(OneTimeToken)
        .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None), OneTimeToken.superseded_at.is_(None))
        .values(used_at=clock.now()),
    )
    if used != 1:
        raise DomainError.of(ErrorCode.INVALID_TOKEN, "This link has just been used.", "token")
