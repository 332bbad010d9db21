"""Demo data, so a new user can try the shop at once. Running it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin import create_customer, create_user
from app.models import Customer, Role, User

DEMO_PASSWORD = "demo-password-1"

DEMO_CUSTOMERS = (
    ("10001", "Solsiden sykehjem"),
    ("10002", "Fjordheim legesenter"),
)

# email, name, support?, memberships
DEMO_USERS: tuple[tuple[str, str, bool, tuple[tuple[str, Role], ...]], ...] = (
    ("main@demo.test", "Mari Hovedbruker", False, (("10001", Role.MAIN_USER),)),
    # Also main user of the second customer: multi-customer behaviour out of the box.
    ("purchaser@demo.test", "Per Innkjøper", False, (("10001", Role.PURCHASER), ("10002", Role.MAIN_USER))),
    ("assistant@demo.test", "Anne Assistent", False, (("10001", Role.ASSISTANT),)),
    ("support@demo.test", "Siri Kundeservice", True, ()),
)


async def is_empty(session: AsyncSession) -> bool:
    return await session.scalar(select(Customer.id).limit(1)) is None


async def seed_demo(session: AsyncSession) -> list[str]:
    """Adds what is missing of the demo data; returns the demo logins."""
    for number, name in DEMO_CUSTOMERS:
        if await session.scalar(select(Customer.id).where(Customer.number == number)) is None:
            await create_customer(session, number, name)
    for email, name, support, memberships in DEMO_USERS:
        if await session.scalar(select(User.id).where(User.email_key == email)) is None:
            await create_user(
                session, email=email, name=name, password=DEMO_PASSWORD, support=support, memberships=list(memberships)
            )
    return [email for email, *_ in DEMO_USERS]
