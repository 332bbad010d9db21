"""Shared carts through the GraphQL endpoint: lines, prices, versions, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from app.db import Database
from app.ids import encode_id
from app.models import Cart, CartLine
from tests.helpers.db import count, rows
from tests.helpers.graphql import gql
from tests.ordering.shop import ADD_TO_CART, Shop, add, create_cart

CART = """
query Cart($id: ID!) {
  cart(id: $id) {
    id name status version
    customer { number }
    lines { id quantity product { sku name unit } unitPrice { amount currency } lineTotal { amount currency } }
    subtotal { amount currency } vat { amount currency } total { amount currency }
  }
}
"""

CARTS = """
query Carts($customerNumber: String!) {
  customer(number: $customerNumber) {
    id
    carts(status: OPEN) {
      id name version lineCount
      createdBy { name } updatedBy { name }
      updatedAt total { amount currency }
    }
  }
}
"""

UPDATE_LINE = """
mutation UpdateCartLine($cartId: ID!, $lineId: ID!, $quantity: Int!, $expectedVersion: Int) {
  updateCartLine(cartId: $cartId, lineId: $lineId, quantity: $quantity, expectedVersion: $expectedVersion) {
    cart { id version lines { id quantity } }
    errors { code field message }
  }
}
"""

RENAME = """
mutation RenameCart($cartId: ID!, $name: String!) {
  renameCart(cartId: $cartId, name: $name) { cart { id name } errors { code message } }
}
"""

DELETE = """
mutation DeleteCart($cartId: ID!) { deleteCart(cartId: $cartId) { ok errors { code message } } }
"""


async def read_cart(client: httpx.AsyncClient, token: str, cart_id: str) -> dict | None:
    result = await gql(client, CART, {"id": cart_id}, token=token)
    assert "errors" not in result, result
    return result["data"]["cart"]


async def cart_state(database: Database, cart_id: str) -> tuple[int, list[tuple[int, int]]]:
    """The stored version and (product id, quantity) lines: to show nothing changed."""
    pk = int(__import__("base64").urlsafe_b64decode(cart_id + "==").decode().split(":")[1])
    version = (await rows(database, select(Cart.version).where(Cart.id == pk)))[0][0]
    lines = await rows(database, select(CartLine.product_id, CartLine.quantity).where(CartLine.cart_id == pk))
    return version, sorted(tuple(line) for line in lines)


async def test_a_cart_is_shared_by_every_member_and_shows_who_changed_it(client: httpx.AsyncClient, shop: Shop) -> None:
    cart_id = await create_cart(client, shop.token("main"), name="Nattevakt")
    assert (await add(client, shop.token("assistant"), cart_id, ("NH-100", 2)))["errors"] == []

    result = await gql(client, CARTS, {"customerNumber": "10001"}, token=shop.token("purchaser"))
    [cart] = result["data"]["customer"]["carts"]
    assert cart["id"] == cart_id
    assert cart["name"] == "Nattevakt"
    assert cart["version"] == 2
    assert cart["lineCount"] == 1
    assert cart["createdBy"]["name"] == "Mari Main"
    assert cart["updatedBy"]["name"] == "Anne Assistant"
    # 2 x 80.00 (agreement price) = 160.00, + 25 % VAT
    assert cart["total"] == {"amount": "200.00", "currency": "NOK"}


async def test_lines_take_the_agreement_price_and_totals_round_vat_half_up(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    payload = await add(client, shop.token("purchaser"), cart_id, ("NH-100", 3), ("KO-200", 1))
    assert payload["errors"] == []
    cart = await read_cart(client, shop.token("purchaser"), cart_id)
    assert cart is not None
    by_sku = {line["product"]["sku"]: line for line in cart["lines"]}
    assert by_sku["NH-100"]["unitPrice"] == {"amount": "80.00", "currency": "NOK"}  # agreement price
    assert by_sku["NH-100"]["lineTotal"]["amount"] == "240.00"
    assert by_sku["KO-200"]["unitPrice"]["amount"] == "12.34"  # list price
    # subtotal 252.34; VAT 63.085 -> 63.09 (half-up); total 315.43
    assert cart["subtotal"]["amount"] == "252.34"
    assert cart["vat"]["amount"] == "63.09"
    assert cart["total"]["amount"] == "315.43"
    assert cart["customer"] == {"number": "10001"}
    assert cart["status"] == "OPEN"


async def test_adding_a_product_already_in_the_cart_adds_to_its_quantity(client: httpx.AsyncClient, shop: Shop) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    await add(client, shop.token("purchaser"), cart_id, ("NH-100", 2))
    product_id = encode_id("Product", shop.gloves.id)
    result = await gql(
        client,
        ADD_TO_CART,
        {"cartId": cart_id, "lines": [{"productId": product_id, "quantity": 5}, {"sku": "NH-100", "quantity": 1}]},
        token=shop.token("assistant"),
    )
    payload = result["data"]["addToCart"]
    assert payload["errors"] == []
    assert [(line["product"]["sku"], line["quantity"]) for line in payload["cart"]["lines"]] == [("NH-100", 8)]
    assert payload["cart"]["version"] == 3


async def test_every_change_raises_the_version_and_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    first = await add(client, shop.token("purchaser"), cart_id, ("NH-100", 1), expectedVersion=1)
    assert first["errors"] == [] and first["cart"]["version"] == 2
    before = await cart_state(database, cart_id)

    stale = await add(client, shop.token("main"), cart_id, ("KO-200", 1), expectedVersion=1)
    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CONFLICT", "expectedVersion")]
    assert stale["cart"] is None
    assert await cart_state(database, cart_id) == before

    fresh = await add(client, shop.token("main"), cart_id, ("KO-200", 1), expectedVersion=2)
    assert fresh["errors"] == [] and fresh["cart"]["version"] == 3


async def test_update_line_sets_the_quantity_and_zero_removes_it(client: httpx.AsyncClient, shop: Shop) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    lines = (await add(client, shop.token("purchaser"), cart_id, ("NH-100", 1), ("KO-200", 1)))["cart"]["lines"]
    gloves = next(line["id"] for line in lines if line["product"]["sku"] == "NH-100")

    result = await gql(
        client, UPDATE_LINE, {"cartId": cart_id, "lineId": gloves, "quantity": 40}, token=shop.token("main")
    )
    payload = result["data"]["updateCartLine"]
    assert payload["errors"] == []
    assert {line["id"]: line["quantity"] for line in payload["cart"]["lines"]}[gloves] == 40

    result = await gql(
        client,
        UPDATE_LINE,
        {"cartId": cart_id, "lineId": gloves, "quantity": 0, "expectedVersion": 3},
        token=shop.token("main"),
    )
    payload = result["data"]["updateCartLine"]
    assert payload["errors"] == []
    remaining = [line["id"] for line in payload["cart"]["lines"]]
    assert remaining and gloves not in remaining
    assert payload["cart"]["version"] == 4
    cart = await read_cart(client, shop.token("main"), cart_id)
    assert cart is not None and cart["subtotal"]["amount"] == "12.34"


GOOD = {"sku": "NH-100", "quantity": 1}


@pytest.mark.parametrize(
    ("lines", "code", "field"),
    [
        ([GOOD, {"sku": "NH-100", "quantity": 0}], "INVALID_INPUT", "lines.1.quantity"),
        ([GOOD, {"sku": "NH-100", "quantity": -1}], "INVALID_INPUT", "lines.1.quantity"),
        ([GOOD, {"sku": "NH-100", "quantity": 100_001}], "INVALID_INPUT", "lines.1.quantity"),
        ([GOOD, {"sku": "NH-100", "quantity": 2**31 - 1}], "INVALID_INPUT", "lines.1.quantity"),
        ([GOOD, {"sku": "KO-200", "quantity": 1}, {"sku": "NOPE-1", "quantity": 1}], "UNKNOWN_SKU", "lines.2.sku"),
        ([GOOD, {"productId": "bm9wZQ", "quantity": 1}], "UNKNOWN_SKU", "lines.1.productId"),
        ([GOOD, {"sku": "GML-1", "quantity": 1}], "PRODUCT_UNAVAILABLE", "lines.1"),
        ([GOOD, {"quantity": 1}], "INVALID_INPUT", "lines.1"),
        ([GOOD, {"sku": "NH-100", "productId": "bm9wZQ", "quantity": 1}], "INVALID_INPUT", "lines.1"),
        ([GOOD, {"sku": "x" * 100_000, "quantity": 1}], "UNKNOWN_SKU", "lines.1.sku"),
        ([], "INVALID_INPUT", "lines"),
    ],
)
async def test_a_bad_line_adds_nothing(
    client: httpx.AsyncClient, shop: Shop, database: Database, lines: list, code: str, field: str
) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    await add(client, shop.token("purchaser"), cart_id, ("KO-200", 5))
    before = await cart_state(database, cart_id)
    result = await gql(client, ADD_TO_CART, {"cartId": cart_id, "lines": lines}, token=shop.token("purchaser"))
    payload = result["data"]["addToCart"]
    assert (code, field) in [(e["code"], e["field"]) for e in payload["errors"]], payload
    assert payload["cart"] is None
    assert await cart_state(database, cart_id) == before


async def test_a_10_mb_line_is_refused_before_it_is_read(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    before = await cart_state(database, cart_id)
    response = await client.post(
        "/graphql",
        json={
            "query": ADD_TO_CART,
            "variables": {"cartId": cart_id, "lines": [{"sku": "x" * 10_000_000, "quantity": 1}]},
        },
        headers={"Authorization": f"Bearer {shop.token('purchaser')}"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await cart_state(database, cart_id) == before


async def test_2_to_the_31_is_refused_by_graphql_itself(client: httpx.AsyncClient, shop: Shop) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    result = await gql(
        client,
        ADD_TO_CART,
        {"cartId": cart_id, "lines": [{"sku": "NH-100", "quantity": 2**31}]},
        token=shop.token("purchaser"),
        expect_status=None,
    )
    assert result.get("data") is None
    assert "errors" in result


async def test_a_line_never_grows_past_100000(client: httpx.AsyncClient, shop: Shop, database: Database) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    await add(client, shop.token("purchaser"), cart_id, ("NH-100", 99_999))
    before = await cart_state(database, cart_id)
    payload = await add(client, shop.token("purchaser"), cart_id, ("NH-100", 2))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "lines.0.quantity")]
    assert await cart_state(database, cart_id) == before
    assert (await add(client, shop.token("purchaser"), cart_id, ("NH-100", 1)))["errors"] == []


async def test_rename_and_delete(client: httpx.AsyncClient, shop: Shop, database: Database) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    renamed = await gql(
        client, RENAME, {"cartId": cart_id, "name": "  Dagvakt  uke 49 "}, token=shop.token("assistant")
    )
    assert renamed["data"]["renameCart"] == {"cart": {"id": cart_id, "name": "Dagvakt uke 49"}, "errors": []}
    empty = await gql(client, RENAME, {"cartId": cart_id, "name": "   "}, token=shop.token("assistant"))
    assert [e["code"] for e in empty["data"]["renameCart"]["errors"]] == ["INVALID_INPUT"]
    long = await gql(client, RENAME, {"cartId": cart_id, "name": "x" * 101}, token=shop.token("assistant"))
    assert [e["code"] for e in long["data"]["renameCart"]["errors"]] == ["INVALID_INPUT"]

    await add(client, shop.token("purchaser"), cart_id, ("NH-100", 1))
    deleted = await gql(client, DELETE, {"cartId": cart_id}, token=shop.token("main"))
    assert deleted["data"]["deleteCart"] == {"ok": True, "errors": []}
    assert await read_cart(client, shop.token("main"), cart_id) is None
    assert await count(database, CartLine) == 0


async def test_price_changes_apply_to_lines_changed_afterwards(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    from app.models import Product

    cart_id = await create_cart(client, shop.token("purchaser"))
    await add(client, shop.token("purchaser"), cart_id, ("KO-200", 1))
    async with database.transaction() as session:
        product = await session.get_one(Product, shop.compress.id)
        product.list_price = Decimal("15.00")
    cart = await read_cart(client, shop.token("purchaser"), cart_id)
    assert cart is not None and cart["lines"][0]["unitPrice"]["amount"] == "12.34"  # the price when added
    await add(client, shop.token("purchaser"), cart_id, ("KO-200", 1))
    cart = await read_cart(client, shop.token("purchaser"), cart_id)
    assert cart is not None
    assert cart["lines"][0]["unitPrice"]["amount"] == "15.00"
    assert cart["subtotal"]["amount"] == "30.00"
