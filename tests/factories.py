"""Plain factory functions for test data, written straight to the database."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from app.db import Database
from app.identity.passwords import hash_password_sync
from app.identity.sessions import open_session
from app.models import Customer, Membership, MembershipStatus, Role, User

PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    # argon2 is slow on purpose; one hash per distinct password is enough for tests.
    return hash_password_sync(password)


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str


async def make_customer(database: Database, number: str | None = None, name: str | None = None) -> Customer:
    serial = next(_serial)
    async with database.writer() as session, session.begin():
        customer = Customer(number=number or f"9{serial:05d}", name=name or f"Kunde {serial}")
        session.add(customer)
    return customer


async def make_user(
    database: Database,
    *memberships: tuple[Customer, Role] | tuple[Customer, Role, MembershipStatus],
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    support: bool = False,
) -> User:
    serial = next(_serial)
    email = email or f"user{serial}@example.test"
    async with database.writer() as session, session.begin():
        user = User(
            email=email,
            email_key=email.lower(),
            name=name or f"Bruker {serial}",
            is_support=support,
            password_hash=_hash(password) if password else None,
        )
        session.add(user)
        await session.flush()
        for customer, role, *status in memberships:
            session.add(
                Membership(
                    user_id=user.id,
                    customer_id=customer.id,
                    role=role,
                    status=status[0] if status else MembershipStatus.ACTIVE,
                )
            )
    return user


async def sign_in(database: Database, user: User) -> str:
    """A session token for ``user``, as login would give (without the argon2 cost)."""
    async with database.writer() as session, session.begin():
        token, _ = await open_session(session, user.id)
    return token


@dataclass(frozen=True)
class World:
    """Two customers and a user in every situation the permission tests need."""

    customer: Customer
    other_customer: Customer
    main: User
    purchaser: User
    assistant: User
    inactive: User  # an ASSISTANT whose membership is INACTIVE
    other_main: User  # MAIN_USER of other_customer only
    support: User
    tokens: dict[str, str]

    def token(self, who: str) -> str:
        return self.tokens[who]


async def make_world(database: Database) -> World:
    customer = await make_customer(database, "10001", "Solsiden sykehjem")
    other = await make_customer(database, "10002", "Fjordheim legesenter")
    main = await make_user(database, (customer, Role.MAIN_USER), email="main@example.test", name="Mari Main")
    purchaser = await make_user(
        database, (customer, Role.PURCHASER), email="purchaser@example.test", name="Per Purchaser"
    )
    assistant = await make_user(
        database, (customer, Role.ASSISTANT), email="assistant@example.test", name="Anne Assistant"
    )
    inactive = await make_user(
        database,
        (customer, Role.ASSISTANT, MembershipStatus.INACTIVE),
        (other, Role.ASSISTANT),
        email="inactive@example.test",
        name="Ivar Inactive",
    )
    other_main = await make_user(database, (other, Role.MAIN_USER), email="othermain@example.test", name="Otto Other")
    support = await make_user(database, email="support@example.test", name="Siri Support", support=True)
    users = {
        "main": main,
        "purchaser": purchaser,
        "assistant": assistant,
        "inactive": inactive,
        "other_main": other_main,
        "support": support,
    }
    tokens = {who: await sign_in(database, user) for who, user in users.items()}
    return World(customer, other, main, purchaser, assistant, inactive, other_main, support, tokens)
