"""When nothing matches: did-you-mean and the relaxed query; and hostile search input (both databases)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.catalog import search
from app.catalog.search import SearchQuery
from app.db import Database
from app.models import Role
from tests.catalog.small_catalogue import build
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.graphql import gql

HELP = """query SearchWithHelp($search: String!, $customerNumber: String, $first: Int) {
  products(search: $search, first: $first) {
    totalCount didYouMean relaxed
    edges { node { sku name price(customerNumber: $customerNumber) { amount } } }
  }
}"""
TREE = {"Hudpleie": None, "Hansker": None}
PRODUCTS = {
    "Decubal krem 100 g": "Hudpleie",
    "Barrierekrem Cavilon": "Hudpleie",
    "Nitrilhanske blå str M": "Hansker",
    "Vinylhanske hvit str L": "Hansker",
}


async def _ask(client: httpx.AsyncClient, token: str, text: str) -> dict[str, Any]:
    result = await gql(client, HELP, {"search": text, "first": 10}, token=token)
    assert "errors" not in result, result
    return result["data"]["products"]


async def _token(database: Database) -> str:
    customer = await make_customer(database, "10001")
    return await sign_in(database, await make_user(database, (customer, Role.PURCHASER)))


async def test_did_you_mean_and_relaxed(client: httpx.AsyncClient, database: Database) -> None:
    await build(database, TREE, PRODUCTS)
    token = await _token(database)
    # Found as typed: neither.
    found = await _ask(client, token, "krem")
    assert found["totalCount"] == 2 and found["didYouMean"] is None and found["relaxed"] is False
    # A short typo (no typo tolerance under 5 letters): nothing, but a correction as products spell it.
    typo = await _ask(client, token, "krme")
    assert typo == {"totalCount": 0, "didYouMean": "krem", "relaxed": False, "edges": []}
    # Every word is known, no product has them all: the relaxed query (any word), more words first.
    relaxed = await _ask(client, token, "nitrilhanske krem")
    assert relaxed["relaxed"] is True and relaxed["didYouMean"] is None
    assert relaxed["totalCount"] == 3
    assert {e["node"]["name"] for e in relaxed["edges"]} == {
        "Nitrilhanske blå str M",
        "Decubal krem 100 g",
        "Barrierekrem Cavilon",
    }
    # Both at once: a typo'd word and a word no product shares with it.
    both = await _ask(client, token, "krme vinylhanske")
    assert both["didYouMean"] == "krem vinylhanske" and both["relaxed"] is True
    assert [e["node"]["name"] for e in both["edges"]] == ["Vinylhanske hvit str L"]
    # Nothing like anything: an honest empty answer.
    assert await _ask(client, token, "qqqqzz") == {"totalCount": 0, "didYouMean": None, "relaxed": False, "edges": []}


HOSTILE = [
    "x" * 10_000,  # over the limit: a clear INVALID_INPUT
    " ".join(f"ord{n}" for n in range(200)),  # 200 words (over 200 characters too)
    " ".join(["hanske"] * 30)[:200],
    "og i på av for med til",  # only stopwords
    "!!! ??? ... ---",  # only punctuation
    "%",
    "_",
    "\\",
    "' OR 1=1 --",
    '"; DROP TABLE products; --',
    "100% _hansk\\e'",
    "hanske\x00krem",  # NUL
    "🧤 hansker 💉",  # emoji
    "\u0301\u0308",  # combining marks only
    "ＨＡＮＳＫＥＲ",  # full-width letters
    "a" * 199,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_search_text_gets_a_clear_answer(
    client: httpx.AsyncClient, database: Database, text: str
) -> None:
    await build(database, TREE, PRODUCTS)
    token = await _token(database)
    response = await client.post(
        "/graphql",
        json={"query": HELP, "variables": {"search": text, "first": 10}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 400), response.text
    body = response.json()
    if "errors" in body:
        assert body["errors"][0]["extensions"]["code"] in ("INVALID_INPUT", "BAD_REQUEST"), body
    else:
        products = body["data"]["products"]
        assert products["totalCount"] >= 0 and len(products["edges"]) <= 10


@pytest.mark.parametrize("text", [t for t in HOSTILE if len(t) <= 10_000], ids=lambda t: repr(t[:12]))
async def test_search_itself_never_fails_on_hostile_text(database: Database, text: str) -> None:
    # Below the GraphQL layer's length check and NUL handling: the search module answers on its own.
    await build(database, TREE, PRODUCTS)
    async with database.reader() as session:
        result = await search.search(session, SearchQuery(text=text, limit=10))
    assert result.total >= 0
    async with database.reader() as session:
        assert (await search.search(session, SearchQuery(text=text.replace("\x00", ""), limit=10))).total >= 0


async def test_full_width_and_emoji_do_not_hide_words(database: Database) -> None:
    ids = await build(database, TREE, PRODUCTS)
    async with database.reader() as session:
        wide = await search.search(session, SearchQuery(text="ＨＡＮＳＫＥＲ"))
        emoji = await search.search(session, SearchQuery(text="🧤 hansker 💉"))
    gloves = {ids["Nitrilhanske blå str M"], ids["Vinylhanske hvit str L"]}
    assert set(wide.product_ids) == gloves and set(emoji.product_ids) == gloves
