"""Shopping lists through the endpoint: making, adding, saving, copying, deleting, ordering from them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from app.db import Database
from app.ids import encode_id
from app.models import AuditEntry, Product, Role, ShoppingListItem
from tests.factories import make_user, sign_in
from tests.helpers.graphql import gql
from tests.ordering.lists import (
    ADD,
    COPY,
    CREATE,
    DELETE,
    REMOVE,
    SAVE,
    SHOPPING_LISTS,
    TO_CART,
    add_items,
    create_list,
    filled_list,
    read_list,
    skus,
)
from tests.ordering.shop import Shop, create_cart, filled_cart, submit


def items_of(shopping_list: dict[str, Any]) -> list[tuple[str, int]]:
    return [(item["product"]["sku"], item["quantity"]) for item in shopping_list["items"]]


async def test_a_member_makes_a_list_and_every_role_sees_who_made_it_and_the_prices(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    list_id = await create_list(client, shop.token("assistant"), "  Ukeliste   avd. 2 ")
    by_id = {"productId": encode_id("Product", shop.compress.id), "quantity": 4}
    added = (
        await gql(
            client,
            ADD,
            {"listId": list_id, "items": [{"sku": "NH-100", "quantity": 2}, by_id, {"sku": " NH-100 ", "quantity": 3}]},
            token=shop.token("purchaser"),
        )
    )["data"]["addToShoppingList"]
    assert added["errors"] == []
    assert items_of(added["shoppingList"]) == [("NH-100", 5), ("KO-200", 4)]
    assert added["shoppingList"]["version"] == 2

    for who in ("main", "purchaser", "assistant", "support"):
        lists = (await gql(client, SHOPPING_LISTS, {"customerNumber": "10001"}, token=shop.token(who)))["data"]
        [summary] = lists["customer"]["shoppingLists"]
        assert summary["title"] == "Ukeliste avd. 2"
        assert summary["itemCount"] == 2
        assert summary["createdBy"] == {"name": "Anne Assistant"}
        assert summary["updatedBy"] == {"name": "Per Purchaser"}
        assert summary["updatedAt"].startswith("2026-12-01T08:00:00")

    shown = await read_list(client, shop.token("main"), list_id)
    assert shown is not None
    gloves, compress = shown["items"]
    # The agreement price for the gloves, the list price for the compresses; both in stock.
    assert (gloves["unitPrice"]["amount"], gloves["product"]["price"]["amount"]) == ("80.00", "80.00")
    assert (compress["unitPrice"]["amount"], compress["product"]["price"]["amount"]) == ("12.34", "12.34")
    assert gloves["product"]["inStock"] is True and gloves["product"]["unit"] == "eske"


async def test_out_of_stock_shows_on_the_list(client: httpx.AsyncClient, shop: Shop, database: Database) -> None:
    list_id = await filled_list(client, shop)
    async with database.transaction() as session:
        await session.execute(update(Product).where(Product.id == shop.compress.id).values(stock_quantity=0))
    shown = await read_list(client, shop.token("assistant"), list_id)
    assert shown is not None
    assert [item["product"]["inStock"] for item in shown["items"]] == [True, False]


async def test_the_same_product_again_adds_up_but_never_past_100000(client: httpx.AsyncClient, shop: Shop) -> None:
    list_id = await filled_list(client, shop)
    again = await add_items(client, shop.token("main"), list_id, ("KO-200", 5))
    assert again["errors"] == [] and items_of(again["shoppingList"]) == [("NH-100", 3), ("KO-200", 15)]
    too_many = await add_items(client, shop.token("main"), list_id, ("NH-100", 1), ("KO-200", 99_990))
    assert [(e["code"], e["field"]) for e in too_many["errors"]] == [("INVALID_INPUT", "items.1.quantity")]
    twice = await add_items(client, shop.token("main"), list_id, ("NH-100", 60_000), ("NH-100", 50_000))
    assert [(e["code"], e["field"]) for e in twice["errors"]] == [("INVALID_INPUT", "items.0.quantity")]
    shown = await read_list(client, shop.token("main"), list_id)
    assert shown is not None and items_of(shown) == [("NH-100", 3), ("KO-200", 15)] and shown["version"] == 3


BAD_ITEMS: dict[str, tuple[list[dict[str, Any]], list[tuple[str, str]]]] = {
    "quantity 0": (skus(("KO-200", 1), ("NH-100", 0)), [("INVALID_INPUT", "items.1.quantity")]),
    "quantity -1": (skus(("NH-100", -1)), [("INVALID_INPUT", "items.0.quantity")]),
    "quantity 100,001": (skus(("NH-100", 100_001)), [("INVALID_INPUT", "items.0.quantity")]),
    "unknown SKU": (skus(("KO-200", 1), ("FINNES-IKKE", 1)), [("UNKNOWN_SKU", "items.1.sku")]),
    "retired product": (skus(("GML-1", 1)), [("PRODUCT_UNAVAILABLE", "items.0")]),
    "both sku and productId": (
        [{"sku": "NH-100", "productId": "x", "quantity": 1}],
        [("INVALID_INPUT", "items.0")],
    ),
    "neither": ([{"quantity": 1}], [("INVALID_INPUT", "items.0")]),
    "an id of another kind": (
        [{"productId": encode_id("Cart", 1), "quantity": 1}],
        [("UNKNOWN_SKU", "items.0.productId")],
    ),
    "a huge sku": (skus(("X" * 10_000, 1)), [("UNKNOWN_SKU", "items.0.sku")]),
    "no items": ([], [("INVALID_INPUT", "items")]),
}


@pytest.mark.parametrize("case", list(BAD_ITEMS))
async def test_bad_items_change_nothing(client: httpx.AsyncClient, shop: Shop, case: str) -> None:
    items, expected = BAD_ITEMS[case]
    list_id = await filled_list(client, shop)
    before = await read_list(client, shop.token("main"), list_id)
    added = (await gql(client, ADD, {"listId": list_id, "items": items}, token=shop.token("main")))["data"][
        "addToShoppingList"
    ]
    assert added["shoppingList"] is None
    assert [(e["code"], e["field"]) for e in added["errors"]] == expected
    saved = (
        await gql(
            client,
            SAVE,
            {"listId": list_id, "title": "Ny", "items": items, "expectedVersion": before["version"]},  # type: ignore[index]
            token=shop.token("main"),
        )
    )["data"]["saveShoppingList"]
    if items:  # an empty save is allowed: it empties the list
        assert [(e["code"], e["field"]) for e in saved["errors"]] == expected
        assert await read_list(client, shop.token("main"), list_id) == before


@pytest.mark.parametrize("title", ["", "   ", "x" * 101, "x" * 10_000])
async def test_bad_titles_change_nothing(client: httpx.AsyncClient, shop: Shop, database: Database, title: str) -> None:
    list_id = await filled_list(client, shop)
    before = await read_list(client, shop.token("main"), list_id)
    assert before is not None
    created = (await gql(client, CREATE, {"customerNumber": "10001", "title": title}, token=shop.token("main")))[
        "data"
    ]["createShoppingList"]
    copied = (await gql(client, COPY, {"listId": list_id, "title": title}, token=shop.token("main")))["data"][
        "copyShoppingList"
    ]
    saved = (
        await gql(
            client,
            SAVE,
            {"listId": list_id, "title": title, "items": skus(("NH-100", 1)), "expectedVersion": before["version"]},
            token=shop.token("main"),
        )
    )["data"]["saveShoppingList"]
    for payload in (created, copied, saved):
        assert payload["shoppingList"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "title")]
    lists = (await gql(client, SHOPPING_LISTS, {"customerNumber": "10001"}, token=shop.token("main")))["data"]
    assert [summary["id"] for summary in lists["customer"]["shoppingLists"]] == [list_id]
    assert await read_list(client, shop.token("main"), list_id) == before


async def test_save_replaces_title_and_items_and_refuses_a_stale_version(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    list_id = await filled_list(client, shop)  # version 2
    variables = {"listId": list_id, "title": "Fast ukeliste", "items": skus(("KO-200", 7), ("KO-200", 1))}
    saved = (await gql(client, SAVE, {**variables, "expectedVersion": 2}, token=shop.token("purchaser")))["data"][
        "saveShoppingList"
    ]
    assert saved["errors"] == []
    assert saved["shoppingList"]["title"] == "Fast ukeliste" and saved["shoppingList"]["version"] == 3
    assert items_of(saved["shoppingList"]) == [("KO-200", 8)]

    # A colleague who read version 2 saves afterwards: refused, and the list stays as saved.
    stale = (
        await gql(
            client,
            SAVE,
            {"listId": list_id, "title": "Gammel", "items": skus(("NH-100", 1)), "expectedVersion": 2},
            token=shop.token("main"),
        )
    )["data"]["saveShoppingList"]
    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CONFLICT", "expectedVersion")]
    shown = await read_list(client, shop.token("main"), list_id)
    assert shown is not None and shown["title"] == "Fast ukeliste" and items_of(shown) == [("KO-200", 8)]

    emptied = (
        await gql(
            client,
            SAVE,
            {"listId": list_id, "title": "Tom", "items": [], "expectedVersion": 3},
            token=shop.token("main"),
        )
    )["data"]["saveShoppingList"]
    assert emptied["errors"] == [] and emptied["shoppingList"]["items"] == []


async def test_a_retired_product_may_stay_on_a_saved_list_but_not_be_added(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    list_id = await filled_list(client, shop)
    async with database.transaction() as session:
        await session.execute(update(Product).where(Product.id == shop.gloves.id).values(active=False))
    kept = (
        await gql(
            client,
            SAVE,
            {"listId": list_id, "title": "Ukeliste", "items": skus(("KO-200", 2), ("NH-100", 3)), "expectedVersion": 2},
            token=shop.token("main"),
        )
    )["data"]["saveShoppingList"]
    # Kept, and in the order the save gave.
    assert kept["errors"] == [] and items_of(kept["shoppingList"]) == [("KO-200", 2), ("NH-100", 3)]
    shown = await read_list(client, shop.token("main"), list_id)
    assert shown is not None and shown["items"][1]["product"]["active"] is False
    added = (
        await gql(
            client,
            SAVE,
            {"listId": list_id, "title": "Ukeliste", "items": skus(("GML-1", 1)), "expectedVersion": 3},
            token=shop.token("main"),
        )
    )["data"]["saveShoppingList"]
    assert [(e["code"], e["field"]) for e in added["errors"]] == [("PRODUCT_UNAVAILABLE", "items.0")]


async def test_the_trash_can_removes_one_item_of_this_list_only(client: httpx.AsyncClient, shop: Shop) -> None:
    list_id = await filled_list(client, shop)
    other_list = await filled_list(client, shop, "main")
    shown = await read_list(client, shop.token("main"), list_id)
    other = await read_list(client, shop.token("main"), other_list)
    assert shown is not None and other is not None
    removed = (
        await gql(client, REMOVE, {"listId": list_id, "itemId": shown["items"][0]["id"]}, token=shop.token("main"))
    )["data"]["removeShoppingListItem"]
    assert removed["errors"] == []
    assert [item["id"] for item in removed["shoppingList"]["items"]] == [shown["items"][1]["id"]]

    for item_id in (other["items"][0]["id"], shown["items"][0]["id"], "nonsense", encode_id("CartLine", 1)):
        refused = (await gql(client, REMOVE, {"listId": list_id, "itemId": item_id}, token=shop.token("main")))["data"][
            "removeShoppingListItem"
        ]
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "itemId")]
    assert await read_list(client, shop.token("main"), other_list) == other
    after = await read_list(client, shop.token("main"), list_id)
    assert after is not None and len(after["items"]) == 1 and after["version"] == 3


async def test_copy_and_delete(client: httpx.AsyncClient, shop: Shop, database: Database) -> None:
    list_id = await filled_list(client, shop)
    copied = (await gql(client, COPY, {"listId": list_id, "title": "Kopi"}, token=shop.token("purchaser")))["data"][
        "copyShoppingList"
    ]
    assert copied["errors"] == []
    assert copied["shoppingList"]["title"] == "Kopi"
    assert items_of(copied["shoppingList"]) == [("NH-100", 3), ("KO-200", 10)]
    assert copied["shoppingList"]["id"] != list_id

    deleted = (await gql(client, DELETE, {"listId": list_id}, token=shop.token("assistant")))["data"][
        "deleteShoppingList"
    ]
    assert deleted == {"ok": True, "errors": []}
    assert await read_list(client, shop.token("main"), list_id) is None
    again = (await gql(client, DELETE, {"listId": list_id}, token=shop.token("assistant")))["data"][
        "deleteShoppingList"
    ]
    assert again["ok"] is False and [(e["code"], e["field"]) for e in again["errors"]] == [("NOT_FOUND", "listId")]
    async with database.transaction() as session:
        remaining = await session.scalar(select(func.count(ShoppingListItem.id)))
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "shopping_list.deleted"))).all()
    assert remaining == 2  # the copy's items
    assert [(e.actor_user_id, e.details["title"]) for e in entries] == [(shop.world.assistant.id, "Ukeliste")]


async def test_ordering_from_a_list_makes_a_new_cart_and_skips_retired_products(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    list_id = await create_list(client, shop.token("assistant"), "Nattevakt")
    await add_items(client, shop.token("assistant"), list_id, ("KO-200", 10), ("NH-100", 3))
    async with database.transaction() as session:
        await session.execute(update(Product).where(Product.id == shop.compress.id).values(active=False))
    payload = (await gql(client, TO_CART, {"listId": list_id}, token=shop.token("assistant")))["data"][
        "shoppingListToCart"
    ]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("PRODUCT_UNAVAILABLE", "items.0")]
    assert "KO-200" in payload["errors"][0]["message"]
    cart = payload["cart"]
    assert cart["name"] == "Nattevakt"
    assert [(line["product"]["sku"], line["quantity"], line["unitPrice"]["amount"]) for line in cart["lines"]] == [
        ("NH-100", 3, "80.00")
    ]
    # The list itself is untouched by ordering from it.
    shown = await read_list(client, shop.token("assistant"), list_id)
    assert shown is not None and items_of(shown) == [("KO-200", 10), ("NH-100", 3)] and shown["version"] == 2


async def test_ordering_from_a_list_into_a_given_cart_adds_up_and_raises_its_version(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    list_id = await filled_list(client, shop)
    cart_id = await filled_cart(client, shop, "purchaser")  # NH-100 x3, KO-200 x10, version 2
    payload = (await gql(client, TO_CART, {"listId": list_id, "cartId": cart_id}, token=shop.token("main")))["data"][
        "shoppingListToCart"
    ]
    assert payload["errors"] == []
    assert payload["cart"]["id"] == cart_id and payload["cart"]["version"] == 3
    assert [(line["product"]["sku"], line["quantity"]) for line in payload["cart"]["lines"]] == [
        ("NH-100", 6),
        ("KO-200", 20),
    ]


async def test_ordering_from_a_list_refuses_carts_it_may_not_fill(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    list_id = await filled_list(client, shop)
    others_cart = await create_cart(client, shop.token("other_main"), "10002")
    both = await make_user(database, (shop.customer, Role.PURCHASER), (shop.world.other_customer, Role.PURCHASER))
    both_token = await sign_in(database, both)
    sent_cart = await filled_cart(client, shop, "purchaser")
    assert (await submit(client, shop, sent_cart))["errors"] == []

    async def refused(token: str, cart_id: str) -> list[tuple[str, str]]:
        payload = (await gql(client, TO_CART, {"listId": list_id, "cartId": cart_id}, token=token))["data"][
            "shoppingListToCart"
        ]
        assert payload["cart"] is None
        return [(e["code"], e["field"]) for e in payload["errors"]]

    assert await refused(shop.token("main"), others_cart) == [("NOT_FOUND", "cartId")]
    assert await refused(shop.token("main"), "nonsense") == [("NOT_FOUND", "cartId")]
    assert await refused(both_token, others_cart) == [("INVALID_INPUT", "cartId")]
    assert await refused(shop.token("main"), sent_cart) == [("INVALID_STATE", "cartId")]
    cart = (
        await gql(
            client,
            "query($id: ID!) { cart(id: $id) { version lines { id } } }",
            {"id": others_cart},
            token=shop.token("other_main"),
        )
    )["data"]["cart"]
    assert cart == {"version": 1, "lines": []}


async def test_a_list_with_nothing_orderable_makes_no_cart(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    list_id = await filled_list(client, shop)
    cart_id = await create_cart(client, shop.token("main"))
    async with database.transaction() as session:
        await session.execute(update(Product).values(active=False))
    for variables in ({"listId": list_id}, {"listId": list_id, "cartId": cart_id}):
        payload = (await gql(client, TO_CART, variables, token=shop.token("main")))["data"]["shoppingListToCart"]
        assert payload["cart"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [
            ("PRODUCT_UNAVAILABLE", "items.0"),
            ("PRODUCT_UNAVAILABLE", "items.1"),
        ]
    carts = (
        await gql(client, 'query { customer(number: "10001") { carts { id version } } }', token=shop.token("main"))
    )["data"]
    assert carts["customer"]["carts"] == [{"id": cart_id, "version": 1}]
    empty = await create_list(client, shop.token("main"), "Tom")
    payload = (await gql(client, TO_CART, {"listId": empty}, token=shop.token("main")))["data"]["shoppingListToCart"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_STATE", "listId")]
