"""A revoked session or a deactivated membership is refused by the very next request to another worker.

Two real servers (``commerce serve``, one uvicorn worker each) on one
database stand for two workers: the test picks which one each request goes
to, so it is deterministic (no sleeping, no luck of the load balancer). Both
workers answer the token first, so a worker that cached the viewer would
still hold it when the change is made on the other one.

Today nothing is cached (app/viewer.py reads the session on every request, in
one statement); these tests keep any cache added later honest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.db import Database
from app.ids import encode_id
from app.models import Role
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.server import running_server

pytestmark = pytest.mark.e2e

ME = "{ me { id } }"
LOGOUT = "mutation { logout { ok } }"
CUSTOMER = "query($n: String!) { customer(number: $n) { number } }"
SET_STATUS = """mutation($u: ID!, $n: String!, $s: MembershipStatus!) {
  setMembershipStatus(userId: $u, customerNumber: $n, status: $s) { errors { code } }
}"""


@asynccontextmanager
async def two_workers(database: Database, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two real servers on one database, and a client for each: the test picks the worker."""
    with (
        running_server(tmp_path / "a", database_url=database.url) as first,
        running_server(tmp_path / "b", database_url=database.url) as second,
    ):
        async with (
            httpx.AsyncClient(base_url=first.base_url, timeout=30) as a,
            httpx.AsyncClient(base_url=second.base_url, timeout=30) as b,
        ):
            yield a, b


async def _post(http: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_session_revoked_on_one_worker_is_refused_by_the_next_request_to_the_other(
    database: Database, tmp_path: Path
) -> None:
    customer = await make_customer(database)
    user = await make_user(database, (customer, Role.PURCHASER))
    token = await sign_in(database, user)

    async with two_workers(database, tmp_path) as (a, b):
        for worker in (a, b):
            assert (await _post(worker, token, ME))["data"]["me"]["id"] == encode_id("User", user.id)

        assert "errors" not in await _post(a, token, LOGOUT)
        refused = await _post(b, token, ME)

    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_membership_deactivated_on_one_worker_is_refused_by_the_next_request_to_the_other(
    database: Database, tmp_path: Path
) -> None:
    customer, other = await make_customer(database), await make_customer(database)
    main_user = await make_user(database, (customer, Role.MAIN_USER))
    # A member of two customers: losing one keeps the session (losing the last one ends it).
    purchaser = await make_user(database, (customer, Role.PURCHASER), (other, Role.PURCHASER))
    main_token = await sign_in(database, main_user)
    token = await sign_in(database, purchaser)

    async with two_workers(database, tmp_path) as (a, b):
        for worker in (a, b):
            reached = await _post(worker, token, CUSTOMER, n=customer.number)
            assert reached["data"]["customer"] == {"number": customer.number}, reached

        changed = await _post(
            a, main_token, SET_STATUS, u=encode_id("User", purchaser.id), n=customer.number, s="INACTIVE"
        )
        assert changed["data"]["setMembershipStatus"]["errors"] == [], changed
        refused = await _post(b, token, CUSTOMER, n=customer.number)
        still = await _post(b, token, CUSTOMER, n=other.number)

    # Out of reach now: the same answer as a customer that does not exist.
    assert refused["data"]["customer"] is None, refused
    assert still["data"]["customer"] == {"number": other.number}, still
