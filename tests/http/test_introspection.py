"""Introspection and field suggestions are for signed-in callers when GraphiQL is off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from app.db import Database
from app.main import create_app
from app.settings import Settings
from tests.factories import make_world
from tests.helpers.graphql import error_codes, gql

SCHEMA = "{ __schema { types { name } } }"
TYPE = 'query T { __type(name: "Customer") { fields { name } } }'
FRAGMENT = "query F { ...S } fragment S on Query { __schema { queryType { name } } }"
TYPO = '{ custmer(number: "1") { id } }'
ENUM = 'query E($s: MembershipStatus) { customer(number: "1") { users(status: $s) { totalCount } } }'


@pytest.fixture
async def closed(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(settings, graphiql=False), database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as http:
        yield http


async def test_anonymous_callers_get_no_introspection_without_graphiql(
    closed: httpx.AsyncClient, database: Database
) -> None:
    for query in (SCHEMA, TYPE, FRAGMENT):
        result = await gql(closed, query, expect_status=400)
        assert error_codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
        assert "data" not in result
        # An unknown token is no better than none.
        result = await gql(closed, query, token="cs_not-a-session", expect_status=400)
        assert error_codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
    assert await gql(closed, "{ __typename }") == {"data": {"__typename": "Query"}}
    world = await make_world(database)
    for who in ("assistant", "support"):
        result = await gql(closed, SCHEMA, token=world.token(who))
        assert "errors" not in result and result["data"]["__schema"]["types"]


async def test_anonymous_callers_get_no_suggestions_without_graphiql(
    closed: httpx.AsyncClient, database: Database
) -> None:
    typo = await gql(closed, TYPO, expect_status=400)
    assert error_codes(typo) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean" not in typo["errors"][0]["message"] and "customer" not in typo["errors"][0]["message"]
    enum = await gql(closed, ENUM, {"s": "ACTIV"}, expect_status=400)
    assert error_codes(enum) == ["INVALID_INPUT"] and "ACTIVE" not in enum["errors"][0]["message"]
    world = await make_world(database)
    signed_in = await gql(closed, TYPO, token=world.token("main"), expect_status=400)
    assert "Did you mean 'customer'" in signed_in["errors"][0]["message"]
    enum = await gql(closed, ENUM, {"s": "ACTIV"}, token=world.token("main"), expect_status=400)
    assert "ACTIVE" in enum["errors"][0]["message"]


async def test_with_graphiql_on_everyone_may_introspect(client: httpx.AsyncClient) -> None:
    assert "errors" not in await gql(client, SCHEMA)
    assert "Did you mean 'customer'" in (await gql(client, TYPO, expect_status=400))["errors"][0]["message"]
