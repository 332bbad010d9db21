"""Every log line of a request carries its request id, operation name and viewer, as JSON."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from app import logs
from app.db import Database
from tests.factories import make_user, sign_in
from tests.helpers.graphql import gql


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The root logger's JSON output, as `commerce serve` configures it, into a buffer."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_line_logged_inside_a_resolver_names_the_request(
    client: httpx.AsyncClient, database: Database, log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.resolvers import identity

    user = await make_user(database, email="logged@example.test")
    token = await sign_in(database, user)

    async def noisy(info: object, number: str) -> None:
        logging.getLogger("app.resolvers.test").warning("looking up %s", number)
        return None

    monkeypatch.setattr(identity, "customer", noisy)
    response = await client.post(
        "/graphql",
        json={"query": 'query WhoIsIt { customer(number: "1") { id } }'},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    inside = [line for line in lines if line["message"] == "looking up 1"]
    assert inside == [
        {
            "time": inside[0]["time"],
            "level": "warning",
            "logger": "app.resolvers.test",
            "message": "looking up 1",
            "request_id": request_id,
            "operation": "WhoIsIt",
            "viewer": f"user:{user.id}",
        }
    ]
    # The request's own line too, and nothing of the request leaks to lines logged after it.
    (request_line,) = [line for line in lines if line["message"] == "request"]
    assert request_line["request_id"] == request_id and request_line["viewer"] == f"user:{user.id}"
    logging.getLogger("app.test").warning("after the request")
    after = json.loads(log_lines.getvalue().splitlines()[-1])
    assert after["message"] == "after the request" and "request_id" not in after


async def test_anonymous_requests_log_no_viewer(client: httpx.AsyncClient, log_lines: io.StringIO) -> None:
    await gql(client, "query Hello { __typename }")
    (line,) = [json.loads(x) for x in log_lines.getvalue().splitlines() if '"request"' in x]
    assert line["operation"] == "Hello" and line["viewer"] is None
