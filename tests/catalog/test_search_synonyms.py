"""Search synonyms: managed through the API by support and catalog:write keys, applied at query time."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.catalog import search, synonyms
from app.catalog.search import SearchQuery
from app.db import Database
from app.models import AuditEntry, Role
from app.models.search_synonyms import SearchSynonym, SearchSynonymState, SearchSynonymTerm
from tests.catalog.small_catalogue import build
from tests.erp.helpers import make_key
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.graphql import gql

LIST = "query SearchSynonyms($first: Int, $after: String) { searchSynonyms(first: $first, after: $after) { totalCount edges { node { id terms twoWay updatedAt } } pageInfo { hasNextPage endCursor } } }"
UPSERT = "mutation UpsertSearchSynonym($input: SearchSynonymInput!) { upsertSearchSynonym(input: $input) { synonym { id terms twoWay } errors { code field message } } }"
DELETE = "mutation DeleteSearchSynonym($id: ID!) { deleteSearchSynonym(id: $id) { ok errors { code message } } }"
SEARCH = "query($s: String) { products(search: $s, first: 50) { edges { node { name } } } }"

TREE = {"Desinfeksjon": None, "Hånddesinfeksjon": "Desinfeksjon", "Injeksjon": None}
PRODUCTS = {
    "Antibac hånddesinfeksjon 600 ml": "Hånddesinfeksjon",
    "Dax hånddesinfeksjon 1 liter": "Hånddesinfeksjon",
    "Kanyle 21G grønn": "Injeksjon",
    "Venflon Pro Safety 20G": "Injeksjon",
}


async def _names(client: httpx.AsyncClient, token: str, text: str) -> list[str]:
    result = await gql(client, SEARCH, {"s": text}, token=token)
    assert "errors" not in result, result
    return [edge["node"]["name"] for edge in result["data"]["products"]["edges"]]


async def _upsert(client: httpx.AsyncClient, token: str, **input_: Any) -> dict[str, Any]:
    result = await gql(client, UPSERT, {"input": input_}, token=token)
    assert "errors" not in result, result
    return result["data"]["upsertSearchSynonym"]


async def _support(database: Database) -> str:
    return await sign_in(database, await make_user(database, support=True))


async def _shopper(database: Database) -> str:
    customer = await make_customer(database, "10001")
    return await sign_in(database, await make_user(database, (customer, Role.PURCHASER)))


async def test_two_way_and_one_way_synonyms_change_at_run_time(client: httpx.AsyncClient, database: Database) -> None:
    await build(database, TREE, PRODUCTS)
    support, shopper = await _support(database), await _shopper(database)
    assert await _names(client, shopper, "håndsprit") == []

    made = await _upsert(client, support, terms=["håndsprit", "hånddesinfeksjon"], twoWay=True)
    assert made["errors"] == [] and made["synonym"]["terms"] == ["håndsprit", "hånddesinfeksjon"]
    assert sorted(await _names(client, shopper, "håndsprit")) == [
        "Antibac hånddesinfeksjon 600 ml",
        "Dax hånddesinfeksjon 1 liter",
    ]
    assert len(await _names(client, shopper, "Håndsprit")) == 2  # folded like search

    # One-way: a brand name used as a generic word finds the kind; the kind does not find only the brand.
    await _upsert(client, support, terms=["venflon", "kanyle"], twoWay=False)
    assert sorted(await _names(client, shopper, "venflon")) == ["Kanyle 21G grønn", "Venflon Pro Safety 20G"]
    assert await _names(client, shopper, "kanyle") == ["Kanyle 21G grønn"]

    # Replaced: now one-way the other way round; then deleted.
    replaced = await _upsert(
        client, support, id=made["synonym"]["id"], terms=["hånddesinfeksjon", "håndsprit"], twoWay=False
    )
    assert replaced["errors"] == [] and replaced["synonym"]["twoWay"] is False
    assert await _names(client, shopper, "håndsprit") == []
    deleted = await gql(client, DELETE, {"id": made["synonym"]["id"]}, token=support)
    assert deleted["data"]["deleteSearchSynonym"] == {"ok": True, "errors": []}
    listed = await gql(client, LIST, {"first": 10}, token=support)
    assert [edge["node"]["terms"] for edge in listed["data"]["searchSynonyms"]["edges"]] == [["venflon", "kanyle"]]

    async with database.reader() as session:
        actions = (
            await session.scalars(select(AuditEntry.details).where(AuditEntry.action == "search.synonym_changed"))
        ).all()
    assert [a["change"] for a in actions] == ["created", "created", "updated", "deleted"]


async def test_a_change_in_another_process_is_seen_by_the_next_search(database: Database) -> None:
    # Another process changed the groups: this process's copy carries an older token.
    ids = await build(database, TREE, PRODUCTS)
    async with database.transaction() as session:
        await synonyms.upsert(session, None, None, ["sprit", "hånddesinfeksjon"], True)
    async with database.reader() as session:
        first = await search.search(session, SearchQuery(text="sprit"))
    assert len(first.product_ids) == 2
    async with database.transaction() as session:
        group = await session.scalar(select(SearchSynonym))
        assert group is not None
        await synonyms.remove(session, None, group.id)
    async with database.reader() as session:
        assert (await search.search(session, SearchQuery(text="sprit"))).product_ids == []
    assert ids


@pytest.mark.parametrize(
    ("input_", "code", "field"),
    [
        ({"terms": ["alene"]}, "INVALID_INPUT", "input.terms"),
        ({"terms": [f"t{n}" for n in range(21)]}, "INVALID_INPUT", "input.terms"),
        ({"terms": ["sprit", "  "]}, "INVALID_INPUT", "input.terms.1"),
        ({"terms": ["sprit", "%_\\'\""]}, "INVALID_INPUT", "input.terms.1"),
        ({"terms": ["sprit", "x" * 101]}, "INVALID_INPUT", "input.terms.1"),
        ({"terms": ["sprit", "a b c d e f"]}, "INVALID_INPUT", "input.terms.1"),
        ({"terms": ["Sprit", "SPRİT".lower(), "sprit"]}, "INVALID_INPUT", "input.terms.2"),  # a loop a ↔ b ↔ a
        ({"terms": ["etanol", "alkohol"]}, "INVALID_INPUT", "input.terms.0"),  # already in another group
        ({"id": "U2VhcmNoU3lub255bTo5OTk", "terms": ["x1", "x2"]}, "NOT_FOUND", "input.id"),
    ],
)
async def test_bad_groups_are_refused_and_change_nothing(
    client: httpx.AsyncClient, database: Database, input_: dict[str, Any], code: str, field: str
) -> None:
    support = await _support(database)
    assert (await _upsert(client, support, terms=["etanol", "sprit-etanol"], twoWay=True))["errors"] == []
    payload = await _upsert(client, support, **input_)
    assert payload["synonym"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]][:1] == [(code, field)]
    async with database.reader() as session:
        assert await session.scalar(select(func.count()).select_from(SearchSynonym)) == 1
        assert await session.scalar(select(func.count()).select_from(SearchSynonymTerm)) == 2


async def test_a_group_naming_another_group_s_terms_both_ways_cannot_loop(
    client: httpx.AsyncClient, database: Database
) -> None:
    await build(database, TREE, PRODUCTS)
    support, shopper = await _support(database), await _shopper(database)
    assert (await _upsert(client, support, terms=["sprit", "hånddesinfeksjon"], twoWay=False))["errors"] == []
    refused = await _upsert(client, support, terms=["hånddesinfeksjon", "sprit"], twoWay=False)
    assert refused["errors"][0]["field"] == "input.terms.0"
    # Expansion is one step, never followed further: each answers at once, as the one group says.
    assert len(await _names(client, shopper, "sprit")) == 2
    assert len(await _names(client, shopper, "hånddesinfeksjon")) == 2


async def test_ten_thousand_synonyms(database: Database) -> None:
    await build(database, TREE, PRODUCTS)
    async with database.transaction() as session:
        session.add_all(SearchSynonym(id=n, terms=[f"ord{n}", f"kanyle{n}"], two_way=True) for n in range(1, 10_001))
        await session.flush()
        session.add_all(
            SearchSynonymTerm(term=term, synonym_id=n, position=p)
            for n in range(1, 10_001)
            for p, term in enumerate((f"ord{n}", f"kanyle{n}"))
        )
        session.add(SearchSynonymState(id=synonyms.STATE_ID, token="ten-thousand"))
        session.add(SearchSynonym(id=10_001, terms=["sprøytespiss", "kanyle"], two_way=True))
        await session.flush()
        session.add_all(
            [
                SearchSynonymTerm(term="sprøytespiss", synonym_id=10_001, position=0),
                SearchSynonymTerm(term="kanyle", synonym_id=10_001, position=1),
            ]
        )
    started = time.perf_counter()
    async with database.reader() as session:
        found = await search.search(session, SearchQuery(text="sprøytespiss"))
    assert len(found.product_ids) == 1
    assert time.perf_counter() - started < 10  # a reload of 10,000 groups, once; generous on a busy machine
    async with database.reader() as session:
        both = await search.search(session, SearchQuery(text="ord5 kanyle"))
    # ord5 (and kanyle5, its synonym) is in no product: only the relaxed query finds the kanyle.
    assert both.relaxed and len(both.product_ids) == 1


OPERATIONS = [
    (LIST, {"first": 5}),
    (UPSERT, {"input": {"terms": ["p1", "p2"], "twoWay": True}}),
    (DELETE, {"id": "U2VhcmNoU3lub255bTox"}),
]


@pytest.mark.parametrize(("operation", "variables"), OPERATIONS)
async def test_only_support_and_catalog_write_keys_manage_synonyms(
    client: httpx.AsyncClient, database: Database, operation: str, variables: dict[str, Any]
) -> None:
    customer = await make_customer(database, "20002")
    main = await sign_in(database, await make_user(database, (customer, Role.MAIN_USER)))
    purchaser = await sign_in(database, await make_user(database, (customer, Role.PURCHASER)))
    reader_key = await make_key(database, "orders:read", "customers:write", name="reader")
    for token, code in (
        (None, "UNAUTHENTICATED"),
        ("not-a-token", "UNAUTHENTICATED"),
        (main, "FORBIDDEN"),
        (purchaser, "FORBIDDEN"),
        (reader_key, "FORBIDDEN"),
    ):
        result = await gql(client, operation, variables, token=token)
        assert result["data"] is None or next(iter(result["data"].values())) is None, result
        assert result["errors"][0]["extensions"]["code"] == code, (token, result)
    async with database.reader() as session:
        assert await session.scalar(select(func.count()).select_from(SearchSynonym)) == 0
    for token in (await _support(database), await make_key(database, "catalog:write", name="writer")):
        result = await gql(client, operation, variables, token=token)
        assert "errors" not in result, result
