"""All the demo data at once: what `commerce seed demo` and `commerce serve --demo` load."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.accounts import DEMO_USERS, seed_accounts
from app.demo.catalogue import DEFAULT_PRODUCTS, CatalogReport, seed_demo_catalog


@dataclass(frozen=True, slots=True)
class DemoData:
    logins: list[str]
    catalog: CatalogReport


async def seed_demo(session: AsyncSession, products: int = DEFAULT_PRODUCTS) -> list[str]:
    """Adds what is missing of the demo data; returns the demo logins."""
    return (await load_demo(session, products)).logins


async def load_demo(session: AsyncSession, products: int = DEFAULT_PRODUCTS) -> DemoData:
    """Adds what is missing of the demo data, the first ``products`` demo products included.

    Nothing already there is changed: a second run with the same number adds
    nothing, a larger number adds the missing products, a smaller one removes none.
    The accounts go first, so that the catalogue finds the demo customers for
    their agreement prices.
    """
    await seed_accounts(session)
    catalog = await seed_demo_catalog(session, products)
    return DemoData(logins=[email for email, *_ in DEMO_USERS], catalog=catalog)
