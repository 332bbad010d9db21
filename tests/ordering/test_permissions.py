"""Who may use each cart and order operation: the permission matrix, one viewer at a time.

Every storefront operation of storefront-carts.graphql and storefront-orders.graphql
is tried by: no token, another customer's main user, a user whose membership
here is inactive, each role, support staff, and an ERP API key. Out of reach
looks exactly like missing (null for queries, NOT_FOUND for mutations).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from app.db import Database
from tests.erp.helpers import ALL_SCOPES, make_key
from tests.helpers.graphql import gql
from tests.ordering.shop import Shop, filled_cart, submit

VIEWERS = ("none", "other_main", "inactive", "main", "purchaser", "assistant", "support", "api_key")


async def fresh_cart(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    cart_id = await filled_cart(client, shop, "purchaser")
    result = await gql(
        client, "query($id: ID!) { cart(id: $id) { lines { id } } }", {"id": cart_id}, token=shop.token("purchaser")
    )
    return {"cartId": cart_id, "lineId": result["data"]["cart"]["lines"][0]["id"]}


async def pending_order(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    payload = await submit(client, shop, await filled_cart(client, shop, "assistant"), "assistant")
    return {"orderId": payload["order"]["id"]}


async def sent_order(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    payload = await submit(client, shop, await filled_cart(client, shop, "purchaser"), "purchaser")
    return {"orderId": payload["order"]["id"]}


async def nothing(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    return {}


Prepare = Callable[[httpx.AsyncClient, Shop], Awaitable[dict[str, Any]]]

READ = {"none": "UNAUTHENTICATED", "other_main": "null", "inactive": "null", "api_key": "FORBIDDEN"}
READ_ALL = {**READ, "main": "ok", "purchaser": "ok", "assistant": "ok", "support": "ok"}
EDIT = {
    "none": "UNAUTHENTICATED",
    "other_main": "NOT_FOUND",
    "inactive": "NOT_FOUND",
    "api_key": "FORBIDDEN",
    "main": "ok",
    "purchaser": "ok",
    "assistant": "ok",
    "support": "NOT_PERMITTED",
}
APPROVE = {**EDIT, "assistant": "NOT_PERMITTED"}

# name: (document, prepare, extra variables, field of data, expected per viewer)
OPERATIONS: dict[str, tuple[str, Prepare, dict[str, Any], str, dict[str, str]]] = {
    "Carts": (
        "query($n: String!) { customer(number: $n) { carts(status: OPEN) { id } } }",
        nothing,
        {"n": "10001"},
        "customer",
        READ_ALL,
    ),
    "Cart": ("query($cartId: ID!) { cart(id: $cartId) { id lines { id } } }", fresh_cart, {}, "cart", READ_ALL),
    "DeliveryOptions": (
        'query($n: String!) { customer(number: $n) { deliveryAddresses { id } deliveryDates(from: "2026-12-01", to: "2026-12-31") } }',
        nothing,
        {"n": "10001"},
        "customer",
        READ_ALL,
    ),
    "CreateCart": (
        'mutation($n: String!) { createCart(customerNumber: $n, name: "X") { cart { id } errors { code field } } }',
        nothing,
        {"n": "10001"},
        "createCart",
        EDIT,
    ),
    "AddToCart": (
        'mutation($cartId: ID!) { addToCart(cartId: $cartId, lines: [{sku: "NH-100", quantity: 1}]) { cart { id } errors { code field } } }',
        fresh_cart,
        {},
        "addToCart",
        EDIT,
    ),
    "UpdateCartLine": (
        "mutation($cartId: ID!, $lineId: ID!) { updateCartLine(cartId: $cartId, lineId: $lineId, quantity: 2) { cart { id } errors { code field } } }",
        fresh_cart,
        {},
        "updateCartLine",
        EDIT,
    ),
    "RenameCart": (
        'mutation($cartId: ID!) { renameCart(cartId: $cartId, name: "Y") { cart { id } errors { code field } } }',
        fresh_cart,
        {},
        "renameCart",
        EDIT,
    ),
    "DeleteCart": (
        "mutation($cartId: ID!) { deleteCart(cartId: $cartId) { ok errors { code field } } }",
        fresh_cart,
        {},
        "deleteCart",
        EDIT,
    ),
    "SubmitCart": (
        'mutation($cartId: ID!, $a: ID!) { submitCart(cartId: $cartId, input: {deliveryAddressId: $a, deliveryDate: "2026-12-02"}) { order { id } errors { code field } } }',
        fresh_cart,
        {"a": "ADDRESS"},
        "submitCart",
        EDIT,
    ),
    "ApproveOrder": (
        "mutation($orderId: ID!) { approveOrder(orderId: $orderId) { order { id } errors { code field } } }",
        pending_order,
        {},
        "approveOrder",
        APPROVE,
    ),
    "RejectOrder": (
        'mutation($orderId: ID!) { rejectOrder(orderId: $orderId, reason: "Nei") { order { id } errors { code field } } }',
        pending_order,
        {},
        "rejectOrder",
        APPROVE,
    ),
    "Orders": (
        "query($n: String!) { customer(number: $n) { orders { totalCount edges { node { id } } } } }",
        sent_order,
        {"n": "10001"},
        "customer",
        READ_ALL,
    ),
    "Order": ("query($orderId: ID!) { order(id: $orderId) { id lines { id } } }", sent_order, {}, "order", READ_ALL),
    "Reorder": (
        "mutation($orderId: ID!) { reorder(orderId: $orderId) { cart { id } errors { code field } } }",
        sent_order,
        {},
        "reorder",
        EDIT,
    ),
}


def outcome(result: dict[str, Any], field: str) -> str:
    errors = result.get("errors") or []
    if errors and (result.get("data") is None or (result["data"] or {}).get(field) is None):
        return errors[0]["extensions"]["code"]
    value = result["data"][field]
    if value is None:
        return "null"
    if isinstance(value, dict) and value.get("errors"):
        return value["errors"][0]["code"]
    return "ok"


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_permission_matrix(client: httpx.AsyncClient, shop: Shop, database: Database, operation: str) -> None:
    document, prepare, extra, field, expected = OPERATIONS[operation]
    key = await make_key(database, *ALL_SCOPES)
    seen: dict[str, str] = {}
    for viewer in VIEWERS:
        variables = {**await prepare(client, shop), **extra}
        if variables.get("a") == "ADDRESS":
            variables["a"] = shop.address
        token = None if viewer == "none" else key if viewer == "api_key" else shop.token(viewer)
        result = await gql(client, document, variables, token=token)
        seen[viewer] = outcome(result, field)
    assert seen == expected


async def test_a_refused_mutation_names_the_argument(client: httpx.AsyncClient, shop: Shop) -> None:
    variables = await fresh_cart(client, shop)
    result = await gql(
        client,
        OPERATIONS["AddToCart"][0],
        variables,
        token=shop.token("other_main"),
    )
    assert result["data"]["addToCart"]["errors"] == [{"code": "NOT_FOUND", "field": "cartId"}]
    pending = await pending_order(client, shop)
    result = await gql(client, OPERATIONS["ApproveOrder"][0], pending, token=shop.token("assistant"))
    assert result["data"]["approveOrder"]["errors"] == [{"code": "NOT_PERMITTED", "field": "orderId"}]
