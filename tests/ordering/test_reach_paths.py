"""A customer's data stays with its active members on every path to the Customer, not only at customer(number:).

An inactive member reaches the Customer through ``me.memberships``, an ERP key
through ``orderFeed``'s ``Order.customer``: both see its number and name, never
its carts, orders, users, addresses or delivery dates.
"""

from __future__ import annotations

from typing import Any

import httpx

from app.db import Database
from tests.erp.helpers import make_key
from tests.helpers.graphql import error_codes, gql
from tests.ordering.shop import FIRST_DATE, Shop, create_cart, placed_order

CUSTOMER_DATA = f"""
    number name
    carts(status: null) {{ id name createdBy {{ name email }} }}
    orders(status: [PENDING_APPROVAL, SUBMITTED]) {{ totalCount edges {{ node {{ number }} }} }}
    deliveryAddresses {{ id label }}
    deliveryDates(from: "{FIRST_DATE.isoformat()}", to: "{FIRST_DATE.isoformat()}")
"""

MY_CUSTOMERS = f"query {{ me {{ memberships {{ status customer {{ {CUSTOMER_DATA} }} }} }} }}"

FEED_CUSTOMERS = f"""query {{ orderFeed {{ edges {{ node {{ number
  deliveryAddress {{ externalId }}
  customer {{ {CUSTOMER_DATA} users {{ totalCount }} }}
}} }} }} }}"""

NOTHING = {"carts": [], "orders": {"totalCount": 0, "edges": []}, "deliveryAddresses": [], "deliveryDates": []}


async def _customer_with_data(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    order = await placed_order(client, shop)
    await create_cart(client, shop.token("assistant"), name="Åpen handlekurv")
    return order


def _data_of(customer: dict[str, Any]) -> dict[str, Any]:
    return {key: customer[key] for key in NOTHING}


async def test_an_inactive_membership_shows_the_customer_but_none_of_its_data(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await _customer_with_data(client, shop)
    active = (await gql(client, MY_CUSTOMERS, token=shop.token("main")))["data"]["me"]["memberships"][0]["customer"]
    assert active["carts"] and active["orders"]["totalCount"] == 1 and active["deliveryAddresses"]
    assert active["deliveryDates"] == [FIRST_DATE.isoformat()]

    result = await gql(client, MY_CUSTOMERS, token=shop.token("inactive"))
    assert "errors" not in result
    memberships = {m["customer"]["number"]: m for m in result["data"]["me"]["memberships"]}
    inactive = memberships["10001"]
    assert inactive["status"] == "INACTIVE"
    assert inactive["customer"]["name"] == "Solsiden sykehjem"
    assert _data_of(inactive["customer"]) == NOTHING
    # Its other customer number, where the membership is active, shows its data as before.
    assert memberships["10002"]["customer"]["deliveryAddresses"][0]["label"] == "Fjordheim legesenter"


async def test_an_erp_key_sees_the_customer_of_an_order_by_number_and_name_only(
    client: httpx.AsyncClient, database: Database, shop: Shop
) -> None:
    order = await _customer_with_data(client, shop)
    key = await make_key(database, "orders:read", "orders:write", "customers:write", "catalog:write", name="erp")
    result = await gql(client, FEED_CUSTOMERS, token=key)
    [edge] = result["data"]["orderFeed"]["edges"]
    node = edge["node"]
    assert node["number"] == order["number"]
    # What the ERP needs for the order itself stays on the order.
    assert node["deliveryAddress"] == {"externalId": "A-1"}
    customer = node["customer"]
    assert (customer["number"], customer["name"]) == ("10001", "Solsiden sykehjem")
    assert _data_of(customer) == NOTHING
    assert customer["users"] is None
    assert error_codes(result) == ["FORBIDDEN"]
