"""Cursors through the endpoint: the strings clients already hold still work; forged ones are INVALID_INPUT."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from app.db import Database
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.graphql import error_codes, gql
from tests.webhooks.helpers import create, webhook_key

CUSTOMERS = """query($after: String) { customers(search: "Kunde", first: 2, after: $after) {
  totalCount edges { cursor node { number } } pageInfo { hasNextPage endCursor } } }"""
DELIVERIES = (
    """query($after: String) { webhookEndpoints { deliveries(first: 2, after: $after) { edges { cursor } } } }"""
)


def _old_spelling(text: str) -> str:
    """How every list spelled its strings before they shared a codec."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_a_list_walked_with_cursors_in_the_old_spelling_shows_every_row_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    made = [await make_customer(database, f"4000{i}", f"Kunde {i}") for i in range(5)]
    token = await sign_in(database, await make_user(database, support=True))
    seen: list[str] = []
    after = None
    while True:
        page = (await gql(client, CUSTOMERS, {"after": after}, token=token))["data"]["customers"]
        assert page["totalCount"] == 5
        for edge in page["edges"]:
            customer = next(c for c in made if c.number == edge["node"]["number"])
            assert edge["cursor"] == _old_spelling(json.dumps([customer.number, customer.id], separators=(",", ":")))
        seen += [edge["node"]["number"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        # Resume with a cursor spelled the old way, as a client that kept one would.
        last = next(c for c in made if c.number == seen[-1])
        after = _old_spelling(json.dumps([last.number, last.id], separators=(",", ":")))
    assert seen == [c.number for c in made]


FORGED = {
    "padded": _old_spelling('["40000",1]') + "=",
    "a number for the text column": _old_spelling("[40000,1]"),
    "text for the id column": _old_spelling('["40000","1"]'),
    "deeper than json parses": _old_spelling("[" * 3_000 + "]" * 3_000),
    "over-long": _old_spelling(json.dumps(["x" * 1_000, 1] * 50)),
    "not base64": "!!!\u00e6",
    "an id, not a cursor": _old_spelling("Customer:1"),
    "a lone surrogate": _old_spelling('["\\ud800",1]'),
}


@pytest.mark.parametrize("cursor", FORGED.values(), ids=FORGED.keys())
async def test_forged_list_cursors_are_invalid_input(
    client: httpx.AsyncClient, database: Database, cursor: str
) -> None:
    token = await sign_in(database, await make_user(database, support=True))
    result = await gql(client, CUSTOMERS, {"after": cursor}, token=token, expect_status=None)
    assert error_codes(result) == ["INVALID_INPUT"], result


@pytest.mark.parametrize("cursor", [_old_spelling('["1"]'), _old_spelling("[1,2]"), _old_spelling("[[1]]")])
async def test_forged_delivery_cursors_are_invalid_input(
    client: httpx.AsyncClient, database: Database, cursor: str
) -> None:
    token = await webhook_key(database)
    await create(client, token, "https://erp.example.com/hooks")
    result = await gql(client, DELIVERIES, {"after": cursor}, token=token, expect_status=None)
    assert error_codes(result) == ["INVALID_INPUT"], result
