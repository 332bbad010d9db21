"""Forgotten and changed passwords."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit
from app.errors import DomainError, ErrorCode
from app.identity import links, lockout
from app.identity.login import Transaction
from app.identity.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, is_acceptable, verify_password
from app.identity.sessions import revoke_all_sessions
from app.identity.validation import email_key
from app.mail import enqueue
from app.mail.templates import render
from app.models import TokenPurpose, User
from app.settings import Settings
from app.tokens import ONE_TIME_PREFIX, new_token
from app.viewer import Viewer


def check_new_password(password: str, field: str) -> None:
    if not is_acceptable(password):
        raise DomainError.of(
            ErrorCode.PASSWORD_TOO_WEAK, f"Use {MIN_LENGTH} to {MAX_LENGTH} characters for the password.", field
        )


async def request_reset(session: AsyncSession, settings: Settings, email: str) -> bool:
    """Queue a reset link for a known email. Returns whether one was sent (never shown).

    An unknown email costs the same token and rendering, thrown away, so the
    CPU work does not tell them apart; the resolver's ``equal_time`` evens out the rest.
    """
    user = await session.scalar(select(User).where(User.email_key == email_key(email)[:254]))
    if user is None:
        dummy_link = links.link(settings.public_url, new_token(ONE_TIME_PREFIX))
        render("password_reset", public_url=settings.public_url, name=email[:200], link=dummy_link)
        return False
    token = await links.issue(session, user.id, TokenPurpose.PASSWORD_RESET)
    enqueue(
        session, settings, "password_reset", user.email, name=user.name, link=links.link(settings.public_url, token)
    )
    audit.record(session, None, "user.password_reset_requested", subject_id=user.id)
    return True


async def reset(transaction: Transaction, token: str, new_password: str) -> None:
    """Set a new password from a link: unlocks, clears failures, ends every session."""
    async with transaction() as session:
        await links.check(session, token)
    check_new_password(new_password, "newPassword")
    new_hash = await hash_password(new_password)
    async with transaction() as session:
        row = await links.check(session, token)
        await links.consume(session, row)
        await session.execute(update(User).where(User.id == row.user_id).values(password_hash=new_hash))
        await lockout.unlock_user(session, row.user_id)
        await revoke_all_sessions(session, row.user_id)
        audit.record(session, None, "user.password_reset", subject_id=row.user_id, purpose=row.purpose.value)


async def change(transaction: Transaction, viewer: Viewer, current: str, new_password: str) -> None:
    """Change the password with the current one; the other sessions end.

    A wrong current password is not counted towards the lockout: the caller
    already holds a valid session, and locking them out of it would help nobody.
    """
    assert viewer.user_id is not None
    async with transaction() as session:
        stored = await session.scalar(select(User.password_hash).where(User.id == viewer.user_id))
    if not stored or not await verify_password(stored, current[:1024]):
        raise DomainError.of(ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.", "currentPassword")
    check_new_password(new_password, "newPassword")
    new_hash = await hash_password(new_password)
    async with transaction() as session:
        await session.execute(update(User).where(User.id == viewer.user_id).values(password_hash=new_hash))
        await revoke_all_sessions(session, viewer.user_id, keep=viewer.session_id)
        audit.record(session, viewer, "user.password_changed", subject_id=viewer.user_id)
