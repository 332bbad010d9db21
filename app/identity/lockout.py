"""Lockout after five failed logins, kept exact in the database.

Before a password is checked against its hash, the attempt *reserves* one of
the five slots with a conditional UPDATE (``failed_logins < 5``). The database
serialises those updates, so however the attempts arrive (one by one, as 30
aliases in one request, or at once on several processes) no more than five are
ever checked between two successful logins. A wrong password keeps its slot;
the attempt that took the fifth slot locks the account. A right one frees all
slots. Only a completed password reset lifts a lock.

When all five slots are taken by attempts still being checked, a new attempt
waits briefly for them instead of answering ACCOUNT_LOCKED for an account that
may well end up unlocked (the same user signing in from several devices).

Emails with no user get the same treatment in ``login_throttles`` (locked for
a day), so the answers never tell whether an email is registered.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.dml import rows_matched
from app.models import LoginThrottle, User

MAX_FAILED_LOGINS = 5
UNKNOWN_EMAIL_LOCK = timedelta(days=1)


async def reserve_user_attempt(session: AsyncSession, user_id: int) -> int | None:
    """Take an attempt slot; its number (1..5), or None when the account is locked."""
    return await session.scalar(
        update(User)
        .where(User.id == user_id, User.locked_at.is_(None), User.failed_logins < MAX_FAILED_LOGINS)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    )


async def lock_user(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        update(User).where(User.id == user_id, User.locked_at.is_(None)).values(locked_at=clock.now())
    )


async def clear_user_failures(session: AsyncSession, user_id: int) -> bool:
    """After a right password: free the slots. False when the account got locked meanwhile."""
    cleared = await rows_matched(
        session, update(User).where(User.id == user_id, User.locked_at.is_(None)).values(failed_logins=0)
    )
    return cleared == 1


async def unlock_user(session: AsyncSession, user_id: int) -> None:
    """Only a completed password reset calls this."""
    await session.execute(update(User).where(User.id == user_id).values(failed_logins=0, locked_at=None))


async def reserve_unknown_attempt(session: AsyncSession, email_key: str) -> int | None:
    """Like ``reserve_user_attempt`` for an email with no user."""
    now = clock.now()
    stale = now - UNKNOWN_EMAIL_LOCK
    # A lock, or a run of failures, older than a day is forgotten.
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.email_key == email_key,
            or_(
                LoginThrottle.locked_at < stale,
                (LoginThrottle.locked_at.is_(None)) & (LoginThrottle.first_failed_at < stale),
            ),
        )
    )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(LoginThrottle)
        .values(email_key=email_key, failures=0, first_failed_at=now)
        .on_conflict_do_nothing(index_elements=[LoginThrottle.email_key])
    )
    return await session.scalar(
        update(LoginThrottle)
        .where(
            LoginThrottle.email_key == email_key,
            LoginThrottle.locked_at.is_(None),
            LoginThrottle.failures < MAX_FAILED_LOGINS,
        )
        .values(failures=LoginThrottle.failures + 1)
        .returning(LoginThrottle.failures)
    )


async def lock_unknown(session: AsyncSession, email_key: str) -> None:
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.email_key == email_key, LoginThrottle.locked_at.is_(None))
        .values(locked_at=clock.now())
    )


async def is_user_locked(session: AsyncSession, user_id: int) -> bool:
    return bool(await session.scalar(select(User.locked_at.is_not(None)).where(User.id == user_id)))


async def is_unknown_locked(session: AsyncSession, email_key: str) -> bool:
    return bool(
        await session.scalar(select(LoginThrottle.locked_at.is_not(None)).where(LoginThrottle.email_key == email_key))
    )
