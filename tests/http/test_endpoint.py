"""The endpoint's transport rules, limits and error shapes, through the ASGI app."""

from __future__ import annotations

import logging

import httpx
import pytest

from app import settings as limits
from app.db import Database
from tests.erp.helpers import make_key
from tests.helpers.graphql import error_codes, gql


async def test_typename_answers(client: httpx.AsyncClient) -> None:
    assert await gql(client, "{ __typename }") == {"data": {"__typename": "Query"}}


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    first = await client.post("/graphql", json={"query": "{ __typename }"})
    second = await client.post("/graphql", json={"query": "{ __typename }"})
    assert first.headers["x-request-id"] and first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_query_over_get_is_allowed(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_mutation_over_get_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "mutation { logout { ok } }"})
    assert response.status_code == 405
    assert error_codes(response.json()) == ["METHOD_NOT_ALLOWED"]


async def test_form_post_is_refused(client: httpx.AsyncClient) -> None:
    # A cross-site form can only send these content types; none of them reaches a resolver.
    response = await client.post("/graphql", data={"query": "mutation { logout { ok } }"})
    assert response.status_code == 415
    assert error_codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]
    response = await client.post(
        "/graphql", content=b'{"query":"{ __typename }"}', headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415


async def test_batched_body_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BATCH_NOT_SUPPORTED"]


@pytest.mark.parametrize(
    "body", [b"{not json", b'"a string"', b'{"query": 5}', b'{"query": "{ __typename }", "variables": [1]}']
)
async def test_malformed_bodies_get_clear_errors(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


async def test_body_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    padding = "x" * (2 * 1024 * 1024)
    response = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"pad": padding}})
    assert response.status_code == 413
    assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
    # Without a Content-Length the stream is counted as it arrives.

    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(20):
            yield b"y" * 100_000
        yield b'"}}'

    response = await client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert await gql(client, "{ __typename }") == {"data": {"__typename": "Query"}}


def _nested(depth: int) -> str:
    # __type -> fields -> type -> ofType -> ofType ...: valid at any depth.
    inner = "name"
    for _ in range(depth - 4):
        inner = f"ofType {{ {inner} }}"
    return f'{{ __type(name: "Query") {{ fields {{ type {{ {inner} }} }} }} }}'


async def test_depth_limit(client: httpx.AsyncClient) -> None:
    allowed = await gql(client, _nested(limits.MAX_QUERY_DEPTH))
    assert "errors" not in allowed
    refused = await gql(client, _nested(40), expect_status=400)
    assert error_codes(refused) == ["QUERY_TOO_DEEP"]
    assert "15 levels" in refused["errors"][0]["message"]


async def test_depth_counts_through_fragments(client: httpx.AsyncClient) -> None:
    query = (
        'query { __type(name: "Query") { ...F } } '
        "fragment F on __Type { fields { type { " + "ofType { " * 14 + "name" + " }" * 14 + " } } }"
    )
    assert error_codes(await gql(client, query, expect_status=400)) == ["QUERY_TOO_DEEP"]


async def test_alias_limits(client: httpx.AsyncClient) -> None:
    thirty = "{ " + " ".join(f"a{i}: __typename" for i in range(limits.MAX_ALIASES_PER_FIELD)) + " }"
    assert "errors" not in await gql(client, thirty)
    too_many_of_one = "{ " + " ".join(f"a{i}: __typename" for i in range(limits.MAX_ALIASES_PER_FIELD + 1)) + " }"
    assert error_codes(await gql(client, too_many_of_one, expect_status=400)) == ["TOO_MANY_ALIASES"]
    # 2 x 26 aliases: under the per-field limit, over the total.
    mixed = (
        '{ __type(name: "Query") { '
        + " ".join(f"n{i}: name" for i in range(26))
        + " "
        + " ".join(f"k{i}: kind" for i in range(26))
        + " } }"
    )
    assert error_codes(await gql(client, mixed, expect_status=400)) == ["TOO_MANY_ALIASES"]
    two_hundred = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
    assert error_codes(await gql(client, two_hundred, expect_status=400)) == ["TOO_MANY_ALIASES"]


async def test_token_limit(client: httpx.AsyncClient) -> None:
    query = "{ " + "__typename " * (limits.MAX_TOKENS + 10) + "}"
    result = await gql(client, query, expect_status=400)
    assert error_codes(result) == ["GRAPHQL_PARSE_FAILED"]
    assert "tokens" in result["errors"][0]["message"]


async def test_syntax_and_validation_errors(client: httpx.AsyncClient) -> None:
    assert error_codes(await gql(client, "{ __typename", expect_status=400)) == ["GRAPHQL_PARSE_FAILED"]
    assert error_codes(await gql(client, "{ noSuchField }", expect_status=400)) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_bad_variables_are_invalid_input(client: httpx.AsyncClient) -> None:
    result = await gql(client, "query Q($n: String!) { customer(number: $n) { id } }", {"n": 5}, expect_status=400)
    assert error_codes(result) == ["INVALID_INPUT"]


async def test_unexpected_failure_is_masked_and_logged(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from app.resolvers import identity

    async def broken(info: object, number: str) -> None:
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(identity, "customer", broken)
    with caplog.at_level(logging.ERROR, logger="app.graphql"):
        response = await client.post("/graphql", json={"query": '{ customer(number: "1") { id } }'})
    body = response.json()
    assert response.status_code == 200
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    request_id = response.headers["x-request-id"]
    assert error["extensions"]["requestId"] == request_id
    assert "secret" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert logged and logged[0].exc_info is not None
    assert "SELECT secret" in str(logged[0].exc_info[1])


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    plain = await client.get("/graphql")
    assert plain.status_code == 400


async def test_healthz_asks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_reports_an_unreachable_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.db import Database
    from app.main import create_app
    from app.settings import Settings
    from tests.helpers.smtp import free_port

    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    database = Database(url)
    app = create_app(Settings(database_url=url, mail_worker=False), database)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            response = await http.get("/healthz")
    finally:
        await database.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


async def test_api_key_requests_may_be_larger(client: httpx.AsyncClient, database: Database) -> None:
    # An ERP batch of 1,000 products may exceed 1 MB; a user's request may not,
    # and neither may a token that only looks like a key: the key is verified first.
    key = await make_key(database, "catalog:write")
    body = {"query": "{ __typename }", "variables": {"pad": ["x" * 100_000] * 20}}
    as_key = await client.post("/graphql", json=body, headers={"authorization": f"Bearer {key}"})
    assert as_key.status_code == 200 and as_key.json() == {"data": {"__typename": "Query"}}
    for token in ("ck_unknown-key", "cs_some-session"):
        refused = await client.post("/graphql", json=body, headers={"authorization": f"Bearer {token}"})
        assert refused.status_code == 413 and error_codes(refused.json()) == ["PAYLOAD_TOO_LARGE"]
    huge = {"query": "{ __typename }", "variables": {"pad": ["x" * 100_000] * 161}}
    response = await client.post("/graphql", json=huge, headers={"authorization": f"Bearer {key}"})
    assert response.status_code == 413

    # Without a Content-Length, the key is checked once the stream passes 1 MB.
    async def chunks(count: int):  # type: ignore[no-untyped-def]
        yield b'{"query": "{ __typename }", "variables": {"pad": ["'
        for _ in range(count):
            yield b"y" * 99_000 + b'", "'
        yield b'"]}}'

    headers = {"content-type": "application/json", "authorization": "Bearer ck_unknown-key"}
    refused = await client.post("/graphql", content=chunks(20), headers=headers)
    assert refused.status_code == 413
    headers["authorization"] = f"Bearer {key}"
    accepted = await client.post("/graphql", content=chunks(20), headers=headers)
    assert accepted.status_code == 200, accepted.text
