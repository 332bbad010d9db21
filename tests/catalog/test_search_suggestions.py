"""searchSuggestions: 2+ letters, up to 8 by default, the customer's own purchases first (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app import clock
from app.catalog import search
from app.catalog.search import SearchQuery
from app.db import Database
from app.models import OrderStatus, Role
from tests.catalog.small_catalogue import build
from tests.catalog.test_search_ranking import _order
from tests.erp.helpers import make_key
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.graphql import gql

SUGGEST = """query SearchSuggestions($prefix: String!, $customerNumber: String, $first: Int) {
  searchSuggestions(prefix: $prefix, customerNumber: $customerNumber, first: $first) {
    categories { id name productCount }
    products { id sku name thumbnailUrl }
  }
}"""
TREE = {"Hansker": None, "Nitrilhansker": "Hansker", "Hudpleie": None}
PRODUCTS = {
    **{f"Nitrilhanske pudderfri str {size}": "Nitrilhansker" for size in ("XS", "S", "M", "L", "XL")},
    **{f"Vinylhanske hvit str {size}": "Hansker" for size in ("S", "M", "L", "XL")},
    "Hanskeholder vegg": "Hansker",
    "Hudkrem Decubal": "Hudpleie",
    "Håndkrem parfymefri": "Hudpleie",
}
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


async def _suggest(client: httpx.AsyncClient, token: str | None, prefix: str, **more: Any) -> dict[str, Any]:
    return await gql(client, SUGGEST, {"prefix": prefix, **more}, token=token)


async def test_suggestions_as_the_user_types(client: httpx.AsyncClient, database: Database) -> None:
    clock.set_now(NOW)
    ids = await build(database, TREE, PRODUCTS)
    home, other = await make_customer(database, "50001"), await make_customer(database, "50002")
    token = await sign_in(database, await make_user(database, (home, Role.PURCHASER)))
    await _order(database, home, [ids["Vinylhanske hvit str XL"]], NOW - timedelta(days=20), OrderStatus.DELIVERED)
    for _ in range(3):
        await _order(database, other, [ids["Hanskeholder vegg"]], NOW - timedelta(days=2), OrderStatus.SUBMITTED)

    found = (await _suggest(client, token, "ha"))["data"]["searchSuggestions"]
    names = [p["name"] for p in found["products"]]
    assert len(names) == 8  # the default
    assert names[0] == "Vinylhanske hvit str XL"  # this customer's own purchase first
    assert all("anske" in name for name in names)
    assert [(c["name"], c["productCount"]) for c in found["categories"]] == [("Hansker", 10)]
    # The other customer bought the holder three times: for this customer that is no own purchase
    # (the holder, a lesser match, is not first); for the other customer it is.
    assert names[1] != "Hanskeholder vegg"
    buyer = await sign_in(database, await make_user(database, (other, Role.PURCHASER)))
    theirs = (await _suggest(client, buyer, "ha"))["data"]["searchSuggestions"]["products"]
    assert theirs[0]["name"] == "Hanskeholder vegg"

    # A longer prefix; compounds (the start of one, a word inside one); Nynorsk; first.
    assert {
        p["name"] for p in (await _suggest(client, token, "nitrilha"))["data"]["searchSuggestions"]["products"]
    } == {name for name in PRODUCTS if name.startswith("Nitril")}
    nynorsk = (await _suggest(client, token, "hanskar", first=20))["data"]["searchSuggestions"]
    assert len(nynorsk["products"]) == 10
    cream = (await _suggest(client, token, "krem", first=3))["data"]["searchSuggestions"]
    assert {p["name"] for p in cream["products"]} == {"Hudkrem Decubal", "Håndkrem parfymefri"}
    assert [c["name"] for c in (await _suggest(client, token, "hud"))["data"]["searchSuggestions"]["categories"]] == [
        "Hudpleie"
    ]


async def test_short_prefixes_bad_first_and_who_may_ask(client: httpx.AsyncClient, database: Database) -> None:
    await build(database, TREE, PRODUCTS)
    customer = await make_customer(database, "50003")
    token = await sign_in(database, await make_user(database, (customer, Role.ASSISTANT)))
    for prefix in ("", "h", " h ", "%", "!!", "\\", "h_"):
        result = await _suggest(client, token, prefix)
        assert result == {"data": {"searchSuggestions": {"categories": [], "products": []}}}, prefix
    for first in (-1, 21):
        result = await _suggest(client, token, "ha", first=first)
        assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert (await _suggest(client, token, "x" * 10_000))["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    emoji = await _suggest(client, token, "🧤ha")
    assert "errors" not in emoji
    assert (await _suggest(client, None, "ha"))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    key = await make_key(database, "catalog:write")
    assert (await _suggest(client, key, "ha"))["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_bounded_read_as_the_user_types_ranks_as_the_full_plan(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One typed word reads at most TYPING_ROWS (or twice the page) rows of each key
    # (search._typing_statement): the same page as the full plan while a key's rows fit.
    clock.set_now(NOW)
    ids = await build(database, TREE, PRODUCTS)
    home = await make_customer(database, "50011")
    await _order(database, home, [ids["Vinylhanske hvit str L"]], NOW - timedelta(days=20), OrderStatus.DELIVERED)
    prefixes = ["ha", "han", "hanskar", "nitrilha", "krem", "hud", "vi", "zz", "hanske vin"]

    async def pages(limit: int) -> list[list[int]]:
        found = []
        async with database.reader() as session:
            for prefix in prefixes:
                query = SearchQuery(
                    text=prefix, limit=limit, customer_id=home.id, since=NOW - timedelta(days=365), typing=True
                )
                found.append((await search.search(session, query)).product_ids)
        return found

    bounded = {limit: await pages(limit) for limit in (3, 8, 20)}
    assert bounded[8][0][0] == ids["Vinylhanske hvit str L"]  # the own purchase first among the ties
    monkeypatch.setattr(search, "_typing_statement", lambda *args: None)
    assert {limit: await pages(limit) for limit in (3, 8, 20)} == bounded
