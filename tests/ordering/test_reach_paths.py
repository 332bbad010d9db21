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
from tests.ordering.lists import create_list
from tests.ordering.returns_shop import ReturnShop, stored_return
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


LISTS_AND_RETURNS = "shoppingLists { title } returns { totalCount edges { node { number } } }"


async def test_shopping_lists_and_returns_stay_with_active_members_on_every_path(
    client: httpx.AsyncClient, database: Database, rshop: ReturnShop
) -> None:
    shop = rshop.shop
    await create_list(client, shop.token("assistant"), title="Ukeliste avd. 2")
    await stored_return(database, rshop.order, (0, 1), number="R7000001", customer_id=shop.customer.id)
    query = f"query {{ me {{ memberships {{ status customer {{ number {LISTS_AND_RETURNS} }} }} }} }}"

    active = (await gql(client, query, token=shop.token("main")))["data"]["me"]["memberships"][0]["customer"]
    assert [found["title"] for found in active["shoppingLists"]] == ["Ukeliste avd. 2"]
    assert active["returns"]["edges"] == [{"node": {"number": "R7000001"}}]

    result = await gql(client, query, token=shop.token("inactive"))
    memberships = {m["customer"]["number"]: m["customer"] for m in result["data"]["me"]["memberships"]}
    assert memberships["10001"]["shoppingLists"] == []
    assert memberships["10001"]["returns"] == {"totalCount": 0, "edges": []}

    await placed_order(client, shop)  # an order in the ERP's feed
    key = await make_key(database, "orders:read", name="erp")
    feed = await gql(
        client, f"query {{ orderFeed {{ edges {{ node {{ customer {{ {LISTS_AND_RETURNS} }} }} }} }} }}", token=key
    )
    customers = [edge["node"]["customer"] for edge in feed["data"]["orderFeed"]["edges"]]
    assert customers, "the placed order is in the feed"
    for customer in customers:
        assert customer["shoppingLists"] == [] and customer["returns"] == {"totalCount": 0, "edges": []}
