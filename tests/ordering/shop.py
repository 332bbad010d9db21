"""A shop to order from (the permission world, addresses, a schedule, products, a frozen clock) and client helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app import clock
from app.db import Database
from app.ids import encode_id
from app.models import Customer, DeliveryAddress, DeliverySchedule, Product
from tests.factories import World, make_category_path, make_product, make_world, set_agreement_price
from tests.helpers.graphql import gql

# Tuesday 1 December 2026, 09:00 in Oslo. Deliveries Monday to Friday, ordered
# by 14:00 (Oslo) the day before: Wednesday 2 December is the first date.
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FIRST_DATE = date(2026, 12, 2)
SECOND_DATE = date(2026, 12, 3)


@dataclass(frozen=True)
class Shop:
    world: World
    address: str  # id of the customer's default address
    other_address: str  # id of the other customer's address
    gloves: Product  # list 100.00, agreement price 80.00 for the customer
    compress: Product  # list 12.34
    retired: Product  # inactive

    @property
    def customer(self) -> Customer:
        return self.world.customer

    def token(self, who: str) -> str:
        return self.world.token(who)


async def add_address(database: Database, customer: Customer, external_id: str, label: str) -> DeliveryAddress:
    async with database.transaction() as session:
        address = DeliveryAddress(
            customer_id=customer.id,
            external_id=external_id,
            label=label,
            line1="Storgata 1",
            line2=None,
            postal_code="0155",
            city="Oslo",
            is_default=True,
            active=True,
        )
        session.add(address)
    return address


async def set_schedule(
    database: Database,
    customer: Customer,
    weekdays: list[int] | None = None,
    cutoff_days_before: int = 1,
    cutoff_time: str = "14:00",
    closed_dates: list[str] | None = None,
) -> None:
    async with database.transaction() as session:
        await session.merge(
            DeliverySchedule(
                customer_id=customer.id,
                weekdays=weekdays or [1, 2, 3, 4, 5],
                cutoff_days_before=cutoff_days_before,
                cutoff_time=cutoff_time,
                closed_dates=closed_dates or [],
            )
        )


@pytest.fixture
async def shop(database: Database) -> AsyncIterator[Shop]:
    clock.set_now(NOW)
    world = await make_world(database)
    address = await add_address(database, world.customer, "A-1", "Solsiden sykehjem, avd. 2")
    other_address = await add_address(database, world.other_customer, "B-1", "Fjordheim legesenter")
    await set_schedule(database, world.customer)
    await set_schedule(database, world.other_customer)
    category = await make_category_path(database, "Forbruksmateriell", "Hansker")
    gloves = await make_product(database, category, sku="NH-100", name="Nitrilhanske pudderfri M", price="100.00")
    compress = await make_product(database, category, sku="KO-200", name="Kompress 10x10 cm steril", price="12.34")
    retired = await make_product(database, category, sku="GML-1", name="Latexhanske (utgått)", active=False)
    await set_agreement_price(database, world.customer, gloves, "80.00")
    yield Shop(
        world=world,
        address=encode_id("DeliveryAddress", address.id),
        other_address=encode_id("DeliveryAddress", other_address.id),
        gloves=gloves,
        compress=compress,
        retired=retired,
    )


CREATE_CART = """
mutation CreateCart($customerNumber: String!, $name: String) {
  createCart(customerNumber: $customerNumber, name: $name) {
    cart { id name version }
    errors { code field message }
  }
}
"""

ADD_TO_CART = """
mutation AddToCart($cartId: ID!, $lines: [CartLineInput!]!, $expectedVersion: Int) {
  addToCart(cartId: $cartId, lines: $lines, expectedVersion: $expectedVersion) {
    cart { id version lines { id quantity product { sku } unitPrice { amount } } total { amount } }
    errors { code field message }
  }
}
"""

SUBMIT_CART = """
mutation SubmitCart($cartId: ID!, $input: SubmitCartInput!, $expectedVersion: Int) {
  submitCart(cartId: $cartId, input: $input, expectedVersion: $expectedVersion) {
    order { id number status deliveryDate total { amount currency } }
    errors { code field message }
  }
}
"""


FEED_QUERY = """query OrderFeed($after: String, $first: Int) {
  orderFeed(after: $after, first: $first) {
    edges {
      cursor
      node {
        id number status updatedAt
        customer { number }
        reference comment deliveryDate
        deliveryAddress { externalId }
        lines { sku quantity unitPrice { amount } }
        total { amount currency }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def create_cart(client: httpx.AsyncClient, token: str, number: str = "10001", name: str | None = None) -> str:
    result = await gql(client, CREATE_CART, {"customerNumber": number, "name": name}, token=token)
    payload = result["data"]["createCart"]
    assert payload["errors"] == [], payload
    return payload["cart"]["id"]


async def add(
    client: httpx.AsyncClient, token: str, cart_id: str, *lines: tuple[str, int], **extra: Any
) -> dict[str, Any]:
    variables = {"cartId": cart_id, "lines": [{"sku": sku, "quantity": q} for sku, q in lines], **extra}
    return (await gql(client, ADD_TO_CART, variables, token=token))["data"]["addToCart"]


async def filled_cart(client: httpx.AsyncClient, shop: Shop, who: str = "purchaser") -> str:
    cart_id = await create_cart(client, shop.token(who))
    payload = await add(client, shop.token(who), cart_id, ("NH-100", 3), ("KO-200", 10))
    assert payload["errors"] == [], payload
    return cart_id


async def submit(
    client: httpx.AsyncClient,
    shop: Shop,
    cart_id: str,
    who: str = "purchaser",
    day: date = FIRST_DATE,
    **extra: Any,
) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "cartId": cart_id,
        "input": {"deliveryAddressId": extra.pop("address", shop.address), "deliveryDate": day.isoformat(), **extra},
    }
    if "expectedVersion" in variables["input"]:
        variables["expectedVersion"] = variables["input"].pop("expectedVersion")
    return (await gql(client, SUBMIT_CART, variables, token=shop.token(who)))["data"]["submitCart"]


async def placed_order(client: httpx.AsyncClient, shop: Shop, who: str = "purchaser") -> dict[str, Any]:
    payload = await submit(client, shop, await filled_cart(client, shop, who), who)
    assert payload["errors"] == [], payload
    return payload["order"]


# 3 x 80.00 (agreement) + 10 x 12.34 = 363.40; VAT 90.85; total 454.25.
SUBTOTAL = Decimal("363.40")
