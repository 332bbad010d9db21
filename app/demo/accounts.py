"""The demo customers, their users, delivery addresses and delivery schedules, and the banner.

A handful of rows: customers and users made through ``app.admin`` as an
administrator would make them, addresses and schedules through ``app.bulk`` as
the ERP import writes them; the catalogue is ``app.demo.catalogue``'s.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import bulk
from app.admin import create_customer, create_user
from app.models import Customer, DeliveryAddress, DeliverySchedule, Role, User

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


# customer number -> (external id, label, line 1, line 2, postal code, city, default?)
DEMO_ADDRESSES: dict[str, tuple[tuple[str, str, str, str | None, str, str, bool], ...]] = {
    "10001": (
        ("10001-01", "Varemottak", "Solsidevegen 12", "Inngang B, varemottak", "7030", "Trondheim", True),
        ("10001-02", "Avdeling Lia (skjermet enhet)", "Solsidevegen 14", None, "7030", "Trondheim", False),
    ),
    "10002": (("10002-01", "Legesenteret", "Fjordgata 3", "2. etasje", "6800", "Førde", True),),
}

# customer number -> ISO weekdays delivered on; orders close the day before at noon.
DEMO_SCHEDULES: dict[str, list[int]] = {"10001": [1, 3, 5], "10002": [2, 4]}
DEMO_CUTOFF_DAYS_BEFORE, DEMO_CUTOFF_TIME = 1, "12:00"


async def is_empty(session: AsyncSession) -> bool:
    return await session.scalar(select(Customer.id).limit(1)) is None


async def seed_accounts(session: AsyncSession) -> None:
    """Adds what is missing of the demo customers, users, addresses and schedules; changes nothing there."""
    customer_ids: dict[str, int] = {}
    for number, name in DEMO_CUSTOMERS:
        customer_id = await session.scalar(select(Customer.id).where(Customer.number == number))
        if customer_id is None:
            customer_id = (await create_customer(session, number, name)).id
        customer_ids[number] = customer_id
    for email, name, support, memberships in DEMO_USERS:
        if await session.scalar(select(User.id).where(User.email_key == email)) is None:
            await create_user(
                session, email=email, name=name, password=DEMO_PASSWORD, support=support, memberships=list(memberships)
            )
    await _seed_delivery(session, customer_ids)


async def _seed_delivery(session: AsyncSession, customer_ids: dict[str, int]) -> None:
    """The demo addresses and schedules not there yet, through the bulk writer ERP imports use."""
    await session.flush()  # the customers just made, before the writer's statements
    ids = list(customer_ids.values())
    known_addresses = {
        (customer_id, external_id)
        for customer_id, external_id in await session.execute(
            select(DeliveryAddress.customer_id, DeliveryAddress.external_id).where(DeliveryAddress.customer_id.in_(ids))
        )
    }
    addresses = [
        {
            "customer_id": customer_ids[number],
            "external_id": external_id,
            "label": label,
            "line1": line1,
            "line2": line2,
            "postal_code": postal_code,
            "city": city,
            "is_default": is_default,
            "active": True,
        }
        for number, rows in DEMO_ADDRESSES.items()
        for external_id, label, line1, line2, postal_code, city, is_default in rows
        if (customer_ids[number], external_id) not in known_addresses
    ]
    scheduled = set(
        (await session.scalars(select(DeliverySchedule.customer_id).where(DeliverySchedule.customer_id.in_(ids)))).all()
    )
    schedules = [
        {
            "customer_id": customer_ids[number],
            "weekdays": weekdays,
            "cutoff_days_before": DEMO_CUTOFF_DAYS_BEFORE,
            "cutoff_time": DEMO_CUTOFF_TIME,
            "closed_dates": [],
        }
        for number, weekdays in DEMO_SCHEDULES.items()
        if customer_ids[number] not in scheduled
    ]
    await bulk.insert(session, DeliveryAddress.__table__, addresses)
    await bulk.insert(session, DeliverySchedule.__table__, schedules)


def demo_banner(loaded: bool, base_url: str) -> str:
    """What `commerce serve --demo` prints at every start: who to sign in as, and where."""
    width = max(len(email) for email, *_ in DEMO_USERS)
    lines = [
        "Demo data loaded." if loaded else "Demo data already in the database (left as it is).",
        "Customer numbers: " + ", ".join(f"{number} {name}" for number, name in DEMO_CUSTOMERS),
        f"Sign in with any of these (password {DEMO_PASSWORD}, unless changed since):",
    ]
    for email, _name, support, memberships in DEMO_USERS:
        if support:
            what = "support staff: every customer"
        else:
            what = ", ".join(f"{role.value} of {number}" for number, role in memberships)
        lines.append(f"  {email.ljust(width)}  {what}")
    lines += [
        f"GraphiQL: {base_url}/graphql (sign in with the box at the top).",
        f"Links in password-reset and invitation emails open {base_url}/reset-password?token=...",
    ]
    return "\n".join(lines)
