"""Signing in: password check with lockout, inactive accounts, session tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import metrics, policy
from app.errors import DomainError, ErrorCode
from app.identity import lockout
from app.identity.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from app.identity.sessions import open_session
from app.identity.validation import email_key
from app.models import Membership, MembershipStatus, User

# How long an attempt waits for a slot while five others are being checked.
SLOT_WAIT_SECONDS = 3.0
SLOT_WAIT_STEP_SECONDS = 0.05

Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]

WRONG = "The email or password is wrong."
LOCKED = (
    "The account is locked after five failed sign-ins. "
    "Use 'forgot password' to get a reset link by email; resetting unlocks it."
)
INACTIVE = "The account has no active customer number. Ask your main user or customer service."


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: str
    expires_at: datetime


def _refuse(code: ErrorCode, message: str) -> DomainError:
    # Login errors name no field: saying which one was wrong would help an attacker.
    return DomainError.of(code, message)


async def _has_access(session: AsyncSession, user: User) -> bool:
    if not policy.needs_active_membership(user.is_support):
        return True
    return bool(
        await session.scalar(
            select(exists().where(Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE))
        )
    )


async def _reserve_slot(transaction: Transaction, key: str) -> tuple[User | None, int | None]:
    """The user (None for an unknown email) and the attempt slot (None when locked)."""
    deadline = asyncio.get_running_loop().time() + SLOT_WAIT_SECONDS
    while True:
        async with transaction() as session:
            user = await session.scalar(select(User).where(User.email_key == key))
            if user is None:
                slot = await lockout.reserve_unknown_attempt(session, key)
                locked = slot is None and await lockout.is_unknown_locked(session, key)
            else:
                slot = await lockout.reserve_user_attempt(session, user.id)
                locked = slot is None and await lockout.is_user_locked(session, user.id)
        if slot is not None or locked or asyncio.get_running_loop().time() > deadline:
            return user, slot
        # Five attempts are being checked right now; one of them may succeed.
        await asyncio.sleep(SLOT_WAIT_STEP_SECONDS)


async def login(transaction: Transaction, email: str, password: str) -> SignedIn:
    """Sign in, or raise ``DomainError`` with INVALID_CREDENTIALS, ACCOUNT_LOCKED or ACCOUNT_INACTIVE.

    The hash check runs outside any transaction, so a slow argon2 verification
    never holds a database lock.
    """
    key = email_key(email)[:254]
    user, slot = await _reserve_slot(transaction, key)
    if slot is None:
        metrics.login_failed("locked")
        raise _refuse(ErrorCode.ACCOUNT_LOCKED, LOCKED)

    stored = user.password_hash if user is not None and user.password_hash else dummy_hash()
    # An unknown email costs one verification too, so timing tells nothing.
    right = await verify_password(stored, password[:1024]) and user is not None and user.password_hash is not None

    if not right:
        if slot >= lockout.MAX_FAILED_LOGINS:
            async with transaction() as session:
                if user is None:
                    await lockout.lock_unknown(session, key)
                else:
                    await lockout.lock_user(session, user.id)
            metrics.login_failed("invalid_credentials")
            metrics.account_locked()
            raise _refuse(ErrorCode.ACCOUNT_LOCKED, LOCKED)
        metrics.login_failed("invalid_credentials")
        raise _refuse(ErrorCode.INVALID_CREDENTIALS, WRONG)

    assert user is not None and user.password_hash is not None
    rehashed = await hash_password(password) if needs_rehash(user.password_hash) else None
    async with transaction() as session:
        if not await lockout.clear_user_failures(session, user.id):
            metrics.login_failed("locked")
            raise _refuse(ErrorCode.ACCOUNT_LOCKED, LOCKED)
        if rehashed is not None:
            await session.execute(update(User).where(User.id == user.id).values(password_hash=rehashed))
        # The password was right, so the failures are cleared even when access is not given.
        if not await _has_access(session, user):
            token = None
        else:
            token, expires_at = await open_session(session, user.id)
    if token is None:
        metrics.login_failed("inactive")
        raise _refuse(ErrorCode.ACCOUNT_INACTIVE, INACTIVE)
    return SignedIn(user=user, token=token, expires_at=expires_at)
