"""Bootstrapping operations for the command line: users, customers, API keys."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.dml import rows_matched
from app.identity.passwords import hash_password, is_acceptable
from app.models import ApiKey, Customer, Membership, MembershipStatus, Role, User
from app.policy import Scope, unknown_scopes
from app.tokens import API_KEY_PREFIX, hash_token, new_token


class AdminError(Exception):
    """A bootstrapping command cannot do what it was asked."""


async def create_customer(session: AsyncSession, number: str, name: str) -> Customer:
    number, name = number.strip(), name.strip()
    if not number or len(number) > 32 or not name:
        raise AdminError("a customer needs a number (at most 32 characters) and a name")
    if await session.scalar(select(Customer.id).where(Customer.number == number)) is not None:
        raise AdminError(f"customer {number} exists already")
    customer = Customer(number=number, name=name)
    session.add(customer)
    await session.flush()
    return customer


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    support: bool = False,
    memberships: list[tuple[str, Role]] | tuple[tuple[str, Role], ...] = (),
) -> User:
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise AdminError(f"{email!r} is not an email address")
    if not is_acceptable(password):
        raise AdminError("the password must be 10 to 256 characters")
    if await session.scalar(select(User.id).where(User.email_key == email.lower())) is not None:
        raise AdminError(f"a user with email {email} exists already")
    user = User(
        email=email,
        email_key=email.lower(),
        name=name.strip(),
        is_support=support,
        password_hash=await hash_password(password),
    )
    session.add(user)
    await session.flush()
    for number, role in memberships:
        customer = await session.scalar(select(Customer).where(Customer.number == number))
        if customer is None:
            raise AdminError(f"no customer numbered {number}")
        session.add(Membership(user_id=user.id, customer_id=customer.id, role=role, status=MembershipStatus.ACTIVE))
    await session.flush()
    return user


async def create_api_key(session: AsyncSession, name: str, scopes: list[str]) -> str:
    """Stores a new key's hash and returns the key itself, to be shown once."""
    unknown = unknown_scopes(scopes)
    if unknown:
        raise AdminError(f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(Scope))}")
    if not name.strip():
        raise AdminError("an API key needs a name")
    if await session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise AdminError(f"an API key named {name!r} exists already")
    key = new_token(API_KEY_PREFIX)
    session.add(ApiKey(name=name, key_hash=hash_token(key), scopes=" ".join(sorted(set(scopes)))))
    await session.flush()
    return key


async def revoke_api_key(session: AsyncSession, name: str) -> None:
    revoked = await rows_matched(
        session,
        update(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None)).values(revoked_at=clock.now()),
    )
    if revoked == 0:
        raise AdminError(f"no live API key named {name!r}")
