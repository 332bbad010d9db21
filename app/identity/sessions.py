"""User sessions: opaque tokens valid for 12 hours, stored as hashes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.live.events import publish_access
from app.models import UserSession
from app.tokens import SESSION_PREFIX, hash_token, new_token

SESSION_LIFETIME = timedelta(hours=12)


async def open_session(session: AsyncSession, user_id: int) -> tuple[str, datetime]:
    """A new session for ``user_id``; returns the token (shown once) and its expiry."""
    token = new_token(SESSION_PREFIX)
    expires_at = clock.now() + SESSION_LIFETIME
    session.add(UserSession(user_id=user_id, token_hash=hash_token(token), expires_at=expires_at))
    return token, expires_at


async def revoke_session(session: AsyncSession, session_id: int) -> None:
    user_id = await session.scalar(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
        .returning(UserSession.user_id)
    )
    if user_id is not None:
        publish_access(session, user_id)  # live subscriptions on this session end on commit


async def revoke_all_sessions(session: AsyncSession, user_id: int, *, keep: int | None = None) -> None:
    """Revoke every live session of ``user_id``, except ``keep`` when given."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    await session.execute(query.values(revoked_at=clock.now()))
    publish_access(session, user_id)
