"""Every failure answers JSON with extensions.code and the request id, never a plain-text 500."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app import settings as limits
from app.db import Database
from app.main import create_app
from app.models import AccountRequest
from app.settings import Settings
from tests.factories import make_world
from tests.helpers.db import count
from tests.helpers.smtp import free_port

REQUEST_ACCOUNT = """mutation { requestAccount(input: {name: "Ola", email: "ola@example.test", phone: "+47 22 33 44 55",
  companyName: "Solsiden"}) { ok errors { code } } }"""


def _answered(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == code, body
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()
    return body


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[Any]:
    """A client factory for an app on a database made with the given engine options."""
    made: list[Database] = []

    async def make(database: Database) -> httpx.AsyncClient:
        made.append(database)
        transport = httpx.ASGITransport(app=create_app(settings, database))
        return httpx.AsyncClient(transport=transport, base_url="http://shop.test")

    yield make
    for database in made:
        await database.dispose()


async def test_a_json_bomb_is_invalid_json(client: httpx.AsyncClient) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    _answered(response, 400, "INVALID_JSON")
    nested_object = b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    response = await client.post("/graphql", content=nested_object, headers={"content-type": "application/json"})
    _answered(response, 400, "INVALID_JSON")
    response = await client.get("/graphql", params={"query": "{ __typename }", "variables": "[" * 5_000})
    _answered(response, 400, "INVALID_JSON")


async def test_unreachable_database_during_set_up_is_503(settings: Settings, app_client: Any) -> None:
    # The session lookup cannot reach the database: a retryable 503, not INTERNAL.
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    async with await app_client(Database(url)) as http:
        response = await http.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"authorization": "Bearer cs_whatever"}
        )
        body = _answered(response, 503, "SERVICE_UNAVAILABLE")
        assert response.headers["retry-after"]
        assert "data" not in body
        # Without a token the resolver meets the same failure: the same answer.
        response = await http.post("/graphql", json={"query": REQUEST_ACCOUNT})
        _answered(response, 503, "SERVICE_UNAVAILABLE")


async def test_unexpected_error_during_set_up_is_json(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import main

    async def broken(*_args: Any) -> None:
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(main, "viewer_and_user", broken)
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"authorization": "Bearer cs_whatever"}
    )
    _answered(response, 500, "INTERNAL")
    assert "secret" not in response.text


async def test_pool_timeout_is_503(database_url: str, database: Database, app_client: Any) -> None:
    world = await make_world(database)
    tight = Database(database_url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    async with await app_client(tight) as http:
        async with tight.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            started = time.perf_counter()
            response = await http.post(
                "/graphql", json={"query": "{ me { id } }"}, headers={"authorization": f"Bearer {world.token('main')}"}
            )
            _answered(response, 503, "SERVICE_UNAVAILABLE")
            assert time.perf_counter() - started < 5
        # The connection is back: the same request works.
        response = await http.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"authorization": f"Bearer {world.token('main')}"}
        )
        assert response.status_code == 200 and "errors" not in response.json()


async def test_sqlite_database_is_locked_is_503(
    backend: str, database_url: str, database: Database, app_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's write lock")
    monkeypatch.setattr(limits, "SQLITE_BUSY_TIMEOUT_MS", 200)
    impatient = Database(database_url)
    async with await app_client(impatient) as http:
        async with database.transaction() as session:
            # Another process holds the write lock past the busy timeout.
            await session.execute(text("UPDATE customers SET name = name"))
            response = await http.post("/graphql", json={"query": REQUEST_ACCOUNT})
            _answered(response, 503, "SERVICE_UNAVAILABLE")
        assert await count(database, AccountRequest) == 0
        response = await http.post("/graphql", json={"query": REQUEST_ACCOUNT})
        assert response.json()["data"]["requestAccount"]["errors"] == []


async def test_statement_timeout_stops_a_slow_statement(
    backend: str, database_url: str, app_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every session has a statement budget: PostgreSQL's statement_timeout, SQLite's progress handler."""
    from app.resolvers import identity

    monkeypatch.setattr(limits, "STATEMENT_TIMEOUT_MS", 300)
    slow_sql = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c"
        if backend == "sqlite"
        else "SELECT pg_sleep(5)"
    )

    async def slow(info: Any, number: str) -> None:
        async with info.context.uow.session() as session:
            await session.execute(text(slow_sql))

    monkeypatch.setattr(identity, "customer", slow)
    timed = Database(database_url)
    async with await app_client(timed) as http:
        started = time.perf_counter()
        response = await http.post("/graphql", json={"query": '{ customer(number: "1") { id } }'})
        elapsed = time.perf_counter() - started
        _answered(response, 503, "SERVICE_UNAVAILABLE")
        assert elapsed < 4, f"the statement ran {elapsed:.1f} s"
        # The connection is usable afterwards.
        assert (await http.post("/graphql", json={"query": "{ __typename }"})).status_code == 200


async def test_an_error_outside_the_endpoint_is_json_with_the_request_id() -> None:
    from app.http.middleware import RequestLogMiddleware

    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("no route should do this")

    transport = httpx.ASGITransport(app=RequestLogMiddleware(broken), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/anything")
    _answered(response, 500, "INTERNAL")
