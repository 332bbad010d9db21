"""Who may use each shopping-list operation and page: the permission matrix, one viewer at a time.

Every operation of storefront-lists.graphql and both HTTP routes are tried by:
no token, another customer's main user, a user whose membership here is
inactive, each role, support staff, and an ERP API key. Out of reach looks
exactly like missing (null for queries, NOT_FOUND for mutations, 404 for the
pages). Support staff read lists but do not change them (NOT_PERMITTED), as
with carts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from app.db import Database
from tests.erp.helpers import ALL_SCOPES, make_key
from tests.helpers.graphql import gql
from tests.ordering.lists import (
    ADD,
    COPY,
    CREATE,
    DELETE,
    REMOVE,
    SAVE,
    SHOPPING_LIST,
    SHOPPING_LISTS,
    TO_CART,
    filled_list,
    read_list,
)
from tests.ordering.shop import Shop
from tests.ordering.test_permissions import EDIT, READ_ALL, VIEWERS, outcome


async def a_list(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    return {"listId": await filled_list(client, shop)}


async def a_list_and_item(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    list_id = await filled_list(client, shop)
    shown = await read_list(client, shop.token("main"), list_id)
    assert shown is not None
    return {"listId": list_id, "itemId": shown["items"][0]["id"], "id": list_id}


async def nothing(client: httpx.AsyncClient, shop: Shop) -> dict[str, Any]:
    return {}


Prepare = Callable[[httpx.AsyncClient, Shop], Awaitable[dict[str, Any]]]
ITEMS = [{"sku": "KO-200", "quantity": 1}]

# name: (document, prepare, extra variables, field of data, expected per viewer)
OPERATIONS: dict[str, tuple[str, Prepare, dict[str, Any], str, dict[str, str]]] = {
    "ShoppingLists": (SHOPPING_LISTS, a_list, {"customerNumber": "10001"}, "customer", READ_ALL),
    "ShoppingList": (SHOPPING_LIST, a_list_and_item, {"customerNumber": None}, "shoppingList", READ_ALL),
    "CreateShoppingList": (CREATE, nothing, {"customerNumber": "10001", "title": "Ny"}, "createShoppingList", EDIT),
    "AddToShoppingList": (ADD, a_list, {"items": ITEMS}, "addToShoppingList", EDIT),
    "RemoveShoppingListItem": (REMOVE, a_list_and_item, {}, "removeShoppingListItem", EDIT),
    "SaveShoppingList": (
        SAVE,
        a_list,
        {"title": "Ny", "items": ITEMS, "expectedVersion": 2},
        "saveShoppingList",
        EDIT,
    ),
    "CopyShoppingList": (COPY, a_list, {"title": "Kopi"}, "copyShoppingList", EDIT),
    "DeleteShoppingList": (DELETE, a_list, {}, "deleteShoppingList", EDIT),
    "ShoppingListToCart": (TO_CART, a_list, {}, "shoppingListToCart", EDIT),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_permission_matrix(client: httpx.AsyncClient, shop: Shop, database: Database, operation: str) -> None:
    document, prepare, extra, field, expected = OPERATIONS[operation]
    key = await make_key(database, *ALL_SCOPES)
    seen: dict[str, str] = {}
    for viewer in VIEWERS:
        variables = {**await prepare(client, shop), **extra}
        if operation == "ShoppingList":
            variables = {"id": variables["listId"], "customerNumber": None}
        token = None if viewer == "none" else key if viewer == "api_key" else shop.token(viewer)
        result = await gql(client, document, variables, token=token)
        seen[viewer] = outcome(result, field)
        if operation == "ShoppingLists" and seen[viewer] == "ok":
            assert result["data"]["customer"]["shoppingLists"], viewer
    assert seen == expected


async def test_a_refused_mutation_names_the_argument_and_changes_nothing(client: httpx.AsyncClient, shop: Shop) -> None:
    variables = await a_list_and_item(client, shop)
    before = await read_list(client, shop.token("main"), variables["listId"])
    for who, code in (("other_main", "NOT_FOUND"), ("inactive", "NOT_FOUND"), ("support", "NOT_PERMITTED")):
        for document, field, extra in (
            (ADD, "addToShoppingList", {"items": ITEMS}),
            (REMOVE, "removeShoppingListItem", {"itemId": variables["itemId"]}),
            (SAVE, "saveShoppingList", {"title": "X", "items": ITEMS, "expectedVersion": 2}),
            (DELETE, "deleteShoppingList", {}),
        ):
            result = await gql(client, document, {"listId": variables["listId"], **extra}, token=shop.token(who))
            assert [(e["code"], e["field"]) for e in result["data"][field]["errors"]] == [(code, "listId")], (
                who,
                field,
            )
    created = await gql(client, CREATE, {"customerNumber": "10001", "title": "X"}, token=shop.token("other_main"))
    assert [(e["code"], e["field"]) for e in created["data"]["createShoppingList"]["errors"]] == [
        ("NOT_FOUND", "customerNumber")
    ]
    assert await read_list(client, shop.token("main"), variables["listId"]) == before


# The pages: the same reach as the shoppingList query.
PAGE_EXPECTED = {
    "none": 404,
    "other_main": 404,
    "inactive": 404,
    "main": 200,
    "purchaser": 200,
    "assistant": 200,
    "support": 200,
    "api_key": 403,
}


@pytest.mark.parametrize("suffix", ["/print", ".csv"])
async def test_pages_permission_matrix(client: httpx.AsyncClient, shop: Shop, database: Database, suffix: str) -> None:
    key = await make_key(database, *ALL_SCOPES)
    list_id = await filled_list(client, shop)
    seen: dict[str, int] = {}
    bodies: dict[str, Any] = {}
    for viewer in VIEWERS:
        token = None if viewer == "none" else key if viewer == "api_key" else shop.token(viewer)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.get(f"/shopping-lists/{list_id}{suffix}", headers=headers)
        seen[viewer] = response.status_code
        if response.status_code != 200:
            body = response.json()
            assert body["errors"][0]["extensions"]["requestId"] == response.headers["x-request-id"]
            bodies[viewer] = body["errors"][0]["extensions"]["code"]
    assert seen == PAGE_EXPECTED
    assert bodies == {"none": "NOT_FOUND", "other_main": "NOT_FOUND", "inactive": "NOT_FOUND", "api_key": "FORBIDDEN"}


def _without_request_id(response: httpx.Response) -> tuple[int, str, Any]:
    body = response.json()
    for error in body["errors"]:
        error["extensions"].pop("requestId")
    return response.status_code, response.headers["content-type"], body


@pytest.mark.parametrize("suffix", ["/print", ".csv"])
async def test_out_of_reach_answers_exactly_like_missing(client: httpx.AsyncClient, shop: Shop, suffix: str) -> None:
    list_id = await filled_list(client, shop)
    other_list = await filled_list(client, shop, "main")
    deleted = (await gql(client, DELETE, {"listId": other_list}, token=shop.token("main")))["data"]
    assert deleted["deleteShoppingList"]["ok"]
    mine = {"Authorization": f"Bearer {shop.token('main')}"}
    others = {"Authorization": f"Bearer {shop.token('other_main')}"}
    answers = {
        repr(_without_request_id(response))
        for response in [
            await client.get(f"/shopping-lists/{list_id}{suffix}"),  # no token
            await client.get(f"/shopping-lists/{list_id}{suffix}", headers={"Authorization": "Bearer cs_nonsense"}),
            await client.get(f"/shopping-lists/{list_id}{suffix}", headers=others),
            await client.get(f"/shopping-lists/{other_list}{suffix}", headers=mine),  # deleted
            await client.get(f"/shopping-lists/nonsense{suffix}", headers=mine),
            await client.get(f"/shopping-lists/{list_id}{suffix}?session=1&expires=1&signature={'0' * 64}"),
        ]
    }
    assert len(answers) == 1, answers
    assert "404" in answers.pop()
