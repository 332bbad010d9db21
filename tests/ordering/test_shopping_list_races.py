"""Colleagues changing one list at the same moment: the database decides, nothing is lost.

Requests run together (``asyncio.gather``) on separate connections of the
pool, so on PostgreSQL they meet at the list's row lock taken by the
conditional UPDATE of its version; on SQLite the write transaction serialises them.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from tests.helpers.graphql import gql
from tests.ordering.lists import SAVE, add_items, filled_list, read_list, skus
from tests.ordering.shop import Shop


async def test_of_simultaneous_saves_of_one_version_exactly_one_wins(client: httpx.AsyncClient, shop: Shop) -> None:
    list_id = await filled_list(client, shop)  # version 2
    who = ("main", "purchaser", "assistant", "main", "purchaser")

    async def save(index: int) -> list[str]:
        variables = {
            "listId": list_id,
            "title": f"Lagret av {index}",
            "items": skus(("KO-200", index + 1)),
            "expectedVersion": 2,
        }
        payload = (await gql(client, SAVE, variables, token=shop.token(who[index])))["data"]["saveShoppingList"]
        return [error["code"] for error in payload["errors"]]

    outcomes = await asyncio.gather(*(save(i) for i in range(5)))
    assert Counter(tuple(codes) for codes in outcomes) == {(): 1, ("CONFLICT",): 4}
    winner = [i for i, codes in enumerate(outcomes) if not codes][0]
    shown = await read_list(client, shop.token("main"), list_id)
    assert shown is not None and shown["version"] == 3 and shown["title"] == f"Lagret av {winner}"
    assert [(i["product"]["sku"], i["quantity"]) for i in shown["items"]] == [("KO-200", winner + 1)]


async def test_simultaneous_additions_all_count(client: httpx.AsyncClient, shop: Shop) -> None:
    list_id = await filled_list(client, shop)  # NH-100 x3, KO-200 x10
    who = ("main", "purchaser", "assistant")
    payloads = await asyncio.gather(
        *(add_items(client, shop.token(who[i % 3]), list_id, ("KO-200", 1)) for i in range(8))
    )
    assert all(payload["errors"] == [] for payload in payloads)
    shown = await read_list(client, shop.token("main"), list_id)
    assert shown is not None and shown["version"] == 10
    assert [(i["product"]["sku"], i["quantity"]) for i in shown["items"]] == [("NH-100", 3), ("KO-200", 18)]
