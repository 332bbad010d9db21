"""Plain factory functions for test data, written straight to the database."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select

from app.db import Database
from app.identity.passwords import hash_password_sync
from app.identity.sessions import open_session
from app.models import (
    AgreementPrice,
    Category,
    Customer,
    DocumentKind,
    Membership,
    MembershipStatus,
    Product,
    ProductDocument,
    ProductImage,
    ProductType,
    Role,
    User,
)

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


async def make_category_path(database: Database, *names: str) -> Category:
    """The category at ``names`` from the root, made where missing (as the ERP sync does)."""
    parent: Category | None = None
    async with database.transaction() as session:
        for name in names:
            under = Category.parent_id == parent.id if parent else Category.parent_id.is_(None)
            found = await session.scalar(select(Category).where(Category.name == name, under))
            if found is None:
                found = Category(
                    parent_id=parent.id if parent else None,
                    name=name,
                    slug=f"{parent.slug}-{name.lower()}" if parent else name.lower(),
                    path="",
                    depth=(parent.depth + 1) if parent else 0,
                )
                session.add(found)
                await session.flush()
                found.path = f"{parent.path if parent else '/'}{found.id}/"
            parent = found
    assert parent is not None
    return parent


async def make_product(
    database: Database,
    category: Category,
    *,
    sku: str | None = None,
    name: str = "Nitrilhanske pudderfri str. M",
    price: str = "100.00",
    stock: int = 10,
    active: bool = True,
    product_type: ProductType = ProductType.STANDARD,
    description: str | None = None,
    manufacturer: str | None = None,
    images: tuple[str, ...] = (),
    documents: tuple[tuple[DocumentKind, str, str], ...] = (),
) -> Product:
    from app.catalog import search

    serial = next(_serial)
    async with database.transaction() as session:
        product = Product(
            sku=sku or f"{100000 + serial}",
            name=name,
            description=description,
            manufacturer=manufacturer,
            unit="eske",
            pack_size=100,
            list_price=Decimal(price),
            product_type=product_type,
            category_id=category.id,
            active=active,
            stock_quantity=stock,
        )
        session.add(product)
        await session.flush()
        for position, url in enumerate(images):
            session.add(ProductImage(product_id=product.id, position=position, url=url, alt=None))
        for position, (kind, title, url) in enumerate(documents):
            session.add(ProductDocument(product_id=product.id, position=position, kind=kind, title=title, url=url))
        try:
            await search.reindex(session, [product.id])
        except NotImplementedError:
            pass  # the search index is being built; products are still stored
    return product


async def set_agreement_price(database: Database, customer: Customer, product: Product, price: str) -> None:
    async with database.transaction() as session:
        session.add(AgreementPrice(customer_id=customer.id, product_id=product.id, price=Decimal(price)))
