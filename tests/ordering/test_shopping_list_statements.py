"""ShoppingLists and ShoppingList pinned to a fixed number of SQL statements (no N+1), on both databases."""

from __future__ import annotations

import httpx
from sqlalchemy import insert

from app.db import Database
from app.ids import decode_id
from app.models import ShoppingListItem
from tests.factories import make_category_path, make_product
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements
from tests.ordering.lists import SHOPPING_LISTS, create_list
from tests.ordering.shop import Shop

# The contract's ShoppingList, as the web shop sends it.
SHOPPING_LIST = """
query ShoppingList($id: ID!, $customerNumber: String) {
  shoppingList(id: $id) {
    id title version
    items { id quantity product { sku name unit inStock price(customerNumber: $customerNumber) { amount } } }
  }
}
"""


async def test_shopping_lists_with_20_lists_run_a_fixed_number_of_statements(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    makers = ("main", "purchaser", "assistant")
    for i in range(20):
        await create_list(client, shop.token(makers[i % 3]), f"Liste {i}")
    with count_statements(database) as log:
        result = await gql(client, SHOPPING_LISTS, {"customerNumber": "10001"}, token=shop.token("assistant"))
    lists = result["data"]["customer"]["shoppingLists"]
    assert len(lists) == 20 and lists[0]["title"] == "Liste 19"
    assert {entry["createdBy"]["name"] for entry in lists} == {"Mari Main", "Per Purchaser", "Anne Assistant"}
    # viewer with roles, customer, lists, their makers and changers
    assert log.count == 4, log.statements


async def test_a_shopping_list_with_200_items_runs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    category = await make_category_path(database, "Forbruksmateriell", "Pleie")
    products = [await make_product(database, category, sku=f"P-{i:03d}", name=f"Pleie {i}") for i in range(200)]
    list_id = await create_list(client, shop.token("main"))
    async with database.transaction() as session:
        await session.execute(
            insert(ShoppingListItem),
            [
                {"list_id": decode_id("ShoppingList", list_id), "product_id": p.id, "quantity": i + 1}
                for i, p in enumerate(products)
            ],
        )
    for who in ("purchaser", "support"):
        with count_statements(database) as log:
            result = await gql(client, SHOPPING_LIST, {"id": list_id, "customerNumber": "10001"}, token=shop.token(who))
        items = result["data"]["shoppingList"]["items"]
        assert len(items) == 200 and items[199]["product"]["sku"] == "P-199" and items[199]["quantity"] == 200
        assert {item["product"]["price"]["amount"] for item in items} == {"100.00"}
        # viewer with roles, list, items, products, agreement prices; support also reads the customer by number
        assert log.count == (5 if who == "purchaser" else 6), (who, log.statements)
