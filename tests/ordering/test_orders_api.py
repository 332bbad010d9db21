"""'Mine ordre', the order page and reorder; Orders and Cart pinned to a fixed number of statements."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from app.db import Database
from app.ids import encode_id
from app.models import Product
from tests.factories import make_category_path, make_product
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements
from tests.ordering.shop import FIRST_DATE, Shop, create_cart, filled_cart, submit

ORDERS = """
query Orders($customerNumber: String!, $status: [OrderStatus!], $placedBy: ID, $first: Int, $after: String) {
  customer(number: $customerNumber) {
    id
    orders(status: $status, placedBy: $placedBy, first: $first, after: $after) {
      totalCount
      edges { cursor node { id number status placedAt placedBy { name } deliveryDate lineCount total { amount currency } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

ORDER = """
query Order($id: ID!) {
  order(id: $id) {
    id number status reference comment placedAt
    placedBy { name } approvedBy { name }
    deliveryDate deliveredAt
    deliveryAddress { label line1 postalCode city }
    lines { id sku productName quantity unitPrice { amount } lineTotal { amount } product { returnable } }
    subtotal { amount } vat { amount } total { amount currency }
    shipments { carrier trackingNumber trackingUrl shippedAt }
    history { status at by { name } note }
  }
}
"""

REORDER = """
mutation Reorder($orderId: ID!) {
  reorder(orderId: $orderId) {
    cart { id lines { quantity product { sku } } }
    errors { code field message }
  }
}
"""

CART = """
query Cart($id: ID!) {
  cart(id: $id) {
    id name status version customer { number }
    lines { id quantity product { sku name unit } unitPrice { amount currency } lineTotal { amount currency } }
    subtotal { amount currency } vat { amount currency } total { amount currency }
  }
}
"""


async def order_as(client: httpx.AsyncClient, shop: Shop, who: str) -> dict:
    payload = await submit(client, shop, await filled_cart(client, shop, who), who)
    assert payload["errors"] == []
    return payload["order"]


async def test_orders_are_newest_first_and_filter_by_status_and_placer(client: httpx.AsyncClient, shop: Shop) -> None:
    first = await order_as(client, shop, "purchaser")
    second = await order_as(client, shop, "assistant")
    third = await order_as(client, shop, "main")
    token = shop.token("main")

    everything = (await gql(client, ORDERS, {"customerNumber": "10001"}, token=token))["data"]["customer"]["orders"]
    assert [e["node"]["number"] for e in everything["edges"]] == [third["number"], second["number"], first["number"]]
    assert everything["totalCount"] == 3
    node = everything["edges"][1]["node"]
    assert (
        node["placedBy"] == {"name": "Anne Assistant"}
        and node["lineCount"] == 2
        and node["status"] == "PENDING_APPROVAL"
    )

    pending = await gql(client, ORDERS, {"customerNumber": "10001", "status": ["PENDING_APPROVAL"]}, token=token)
    assert [e["node"]["id"] for e in pending["data"]["customer"]["orders"]["edges"]] == [second["id"]]

    mine = await gql(
        client, ORDERS, {"customerNumber": "10001", "placedBy": encode_id("User", shop.world.purchaser.id)}, token=token
    )
    assert [e["node"]["id"] for e in mine["data"]["customer"]["orders"]["edges"]] == [first["id"]]

    page = (await gql(client, ORDERS, {"customerNumber": "10001", "first": 2}, token=token))["data"]["customer"][
        "orders"
    ]
    assert page["pageInfo"]["hasNextPage"] is True and len(page["edges"]) == 2
    rest = await gql(
        client, ORDERS, {"customerNumber": "10001", "first": 2, "after": page["pageInfo"]["endCursor"]}, token=token
    )
    rest_page = rest["data"]["customer"]["orders"]
    assert [e["node"]["id"] for e in rest_page["edges"]] == [first["id"]]
    assert rest_page["pageInfo"]["hasNextPage"] is False

    too_many = await gql(client, ORDERS, {"customerNumber": "10001", "first": 101}, token=token)
    assert [e["extensions"]["code"] for e in too_many["errors"]] == ["INVALID_INPUT"]


async def test_the_order_page_shows_lines_address_and_history(client: httpx.AsyncClient, shop: Shop) -> None:
    cart_id = await filled_cart(client, shop, "assistant")
    order = (await submit(client, shop, cart_id, "assistant", reference="Avd. 2", comment="Ring på"))["order"]
    await gql(
        client,
        "mutation($id: ID!) { approveOrder(orderId: $id) { errors { code } } }",
        {"id": order["id"]},
        token=shop.token("purchaser"),
    )
    page = (await gql(client, ORDER, {"id": order["id"]}, token=shop.token("assistant")))["data"]["order"]
    assert page["status"] == "SUBMITTED"
    assert (page["reference"], page["comment"]) == ("Avd. 2", "Ring på")
    assert page["placedBy"] == {"name": "Anne Assistant"} and page["approvedBy"] == {"name": "Per Purchaser"}
    assert page["deliveryDate"] == FIRST_DATE.isoformat() and page["deliveredAt"] is None
    assert page["deliveryAddress"] == {
        "label": "Solsiden sykehjem, avd. 2",
        "line1": "Storgata 1",
        "postalCode": "0155",
        "city": "Oslo",
    }
    assert [
        (line["sku"], line["quantity"], line["unitPrice"]["amount"], line["lineTotal"]["amount"])
        for line in page["lines"]
    ] == [
        ("NH-100", 3, "80.00", "240.00"),
        ("KO-200", 10, "12.34", "123.40"),
    ]
    assert all(line["product"] == {"returnable": True} for line in page["lines"])
    assert (page["subtotal"]["amount"], page["vat"]["amount"], page["total"]["amount"]) == ("363.40", "90.85", "454.25")
    assert page["shipments"] == []
    assert [(h["status"], h["by"]["name"]) for h in page["history"]] == [
        ("PENDING_APPROVAL", "Anne Assistant"),
        ("SUBMITTED", "Per Purchaser"),
    ]


async def test_reorder_copies_what_is_still_sold_at_todays_prices(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    order = await order_as(client, shop, "purchaser")
    async with database.transaction() as session:
        await session.execute(update(Product).where(Product.id == shop.gloves.id).values(active=False))
    result = await gql(client, REORDER, {"orderId": order["id"]}, token=shop.token("assistant"))
    payload = result["data"]["reorder"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("PRODUCT_UNAVAILABLE", "lines.0")]
    assert "NH-100" in payload["errors"][0]["message"]
    assert [(line["product"]["sku"], line["quantity"]) for line in payload["cart"]["lines"]] == [("KO-200", 10)]

    async with database.transaction() as session:
        await session.execute(update(Product).where(Product.id == shop.compress.id).values(active=False))
    nothing = (await gql(client, REORDER, {"orderId": order["id"]}, token=shop.token("assistant")))["data"]["reorder"]
    assert nothing["cart"] is None and len(nothing["errors"]) == 2


async def test_orders_with_50_orders_run_a_fixed_number_of_statements(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    for i in range(50):
        await order_as(client, shop, ("purchaser", "assistant", "main")[i % 3])
    with count_statements(database) as log:
        result = await gql(client, ORDERS, {"customerNumber": "10001", "first": 50}, token=shop.token("main"))
    orders = result["data"]["customer"]["orders"]
    assert orders["totalCount"] == 50 and len(orders["edges"]) == 50
    assert {e["node"]["placedBy"]["name"] for e in orders["edges"]} == {"Per Purchaser", "Anne Assistant", "Mari Main"}
    # viewer with roles, customer, count, page, placers
    assert log.count == 5, log.statements


async def test_orders_without_total_count_count_nothing(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    """The total is counted only when a client selects it (a LazyTotal): one statement less."""
    for who in ("purchaser", "assistant", "main"):
        await order_as(client, shop, who)
    with count_statements(database) as log:
        result = await gql(
            client, ORDERS.replace("totalCount", ""), {"customerNumber": "10001", "first": 2}, token=shop.token("main")
        )
    orders = result["data"]["customer"]["orders"]
    assert len(orders["edges"]) == 2 and orders["pageInfo"]["hasNextPage"] is True
    # viewer with roles, customer, page, placers
    assert log.count == 4, log.statements
    assert not any("count(" in s.lower() for s in log.statements), log.statements


async def test_a_cart_with_100_lines_runs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    category = await make_category_path(database, "Forbruksmateriell", "Kompresser")
    for i in range(100):
        await make_product(database, category, sku=f"K-{i:03d}", name=f"Kompress {i}", price="10.00")
    cart_id = await create_cart(client, shop.token("purchaser"))
    lines = [{"sku": f"K-{i:03d}", "quantity": i + 1} for i in range(100)]
    added = await gql(
        client,
        "mutation($c: ID!, $l: [CartLineInput!]!) { addToCart(cartId: $c, lines: $l) { errors { code } } }",
        {"c": cart_id, "l": lines},
        token=shop.token("purchaser"),
    )
    assert added["data"]["addToCart"]["errors"] == []
    with count_statements(database) as log:
        result = await gql(client, CART, {"id": cart_id}, token=shop.token("assistant"))
    cart = result["data"]["cart"]
    assert len(cart["lines"]) == 100
    assert cart["subtotal"]["amount"] == f"{sum(range(1, 101)) * 10}.00"
    # viewer with roles, cart, lines, products, customer
    assert log.count == 5, log.statements
