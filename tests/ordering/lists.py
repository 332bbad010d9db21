"""The contract's shopping-list documents and helpers to build lists through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers.graphql import gql
from tests.ordering.shop import Shop

# The contract's operations as clients send them, plus the fields the tests also read.
SHOPPING_LISTS = """
query ShoppingLists($customerNumber: String!) {
  customer(number: $customerNumber) {
    id
    shoppingLists { id title itemCount updatedAt createdBy { name } updatedBy { name } version }
  }
}
"""

SHOPPING_LIST = """
query ShoppingList($id: ID!, $customerNumber: String) {
  shoppingList(id: $id) {
    id title version itemCount printUrl csvUrl
    customer { number }
    items {
      id quantity
      unitPrice { amount }
      product { sku name unit inStock active price(customerNumber: $customerNumber) { amount } }
    }
  }
}
"""

CREATE = """
mutation CreateShoppingList($customerNumber: String!, $title: String!) {
  createShoppingList(customerNumber: $customerNumber, title: $title) {
    shoppingList { id title version }
    errors { code field message }
  }
}
"""

ADD = """
mutation AddToShoppingList($listId: ID!, $items: [ShoppingListItemInput!]!) {
  addToShoppingList(listId: $listId, items: $items) {
    shoppingList { id version items { id quantity product { sku } } }
    errors { code field message }
  }
}
"""

REMOVE = """
mutation RemoveShoppingListItem($listId: ID!, $itemId: ID!) {
  removeShoppingListItem(listId: $listId, itemId: $itemId) {
    shoppingList { id version items { id } }
    errors { code field message }
  }
}
"""

SAVE = """
mutation SaveShoppingList($listId: ID!, $title: String!, $items: [ShoppingListItemInput!]!, $expectedVersion: Int!) {
  saveShoppingList(listId: $listId, title: $title, items: $items, expectedVersion: $expectedVersion) {
    shoppingList { id title version items { quantity product { sku } } }
    errors { code field message }
  }
}
"""

COPY = """
mutation CopyShoppingList($listId: ID!, $title: String!) {
  copyShoppingList(listId: $listId, title: $title) {
    shoppingList { id title items { quantity product { sku } } }
    errors { code field message }
  }
}
"""

DELETE = """
mutation DeleteShoppingList($listId: ID!) {
  deleteShoppingList(listId: $listId) { ok errors { code field message } }
}
"""

TO_CART = """
mutation ShoppingListToCart($listId: ID!, $cartId: ID) {
  shoppingListToCart(listId: $listId, cartId: $cartId) {
    cart { id name version lines { quantity product { sku } unitPrice { amount } } }
    errors { code field message }
  }
}
"""


def skus(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"sku": sku, "quantity": quantity} for sku, quantity in pairs]


async def create_list(client: httpx.AsyncClient, token: str, title: str = "Ukeliste", number: str = "10001") -> str:
    payload = (await gql(client, CREATE, {"customerNumber": number, "title": title}, token=token))["data"][
        "createShoppingList"
    ]
    assert payload["errors"] == [], payload
    return payload["shoppingList"]["id"]


async def add_items(client: httpx.AsyncClient, token: str, list_id: str, *pairs: tuple[str, int]) -> dict[str, Any]:
    return (await gql(client, ADD, {"listId": list_id, "items": skus(*pairs)}, token=token))["data"][
        "addToShoppingList"
    ]


async def read_list(client: httpx.AsyncClient, token: str, list_id: str) -> dict[str, Any] | None:
    result = await gql(client, SHOPPING_LIST, {"id": list_id, "customerNumber": "10001"}, token=token)
    assert "errors" not in result, result
    return result["data"]["shoppingList"]


async def filled_list(client: httpx.AsyncClient, shop: Shop, who: str = "assistant") -> str:
    list_id = await create_list(client, shop.token(who))
    payload = await add_items(client, shop.token(who), list_id, ("NH-100", 3), ("KO-200", 10))
    assert payload["errors"] == [], payload
    return list_id
