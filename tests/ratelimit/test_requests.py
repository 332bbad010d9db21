"""The per-token request limit (per client address without a token): HTTP 429 for the whole request."""

from __future__ import annotations

import httpx

from app.db import Database
from app.main import create_app
from app.models import Role
from app.settings import Settings
from tests.factories import make_customer, make_user, sign_in
from tests.ratelimit.conftest import FrozenTime

QUERY = {"query": "{ me { email } }"}


async def post(client: httpx.AsyncClient, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json=QUERY, headers=headers)


def assert_refused(response: httpx.Response, retry_after: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == str(retry_after)
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "RATE_LIMITED",
        "retryAfter": retry_after,
        "requestId": response.headers["x-request-id"],
    }


async def test_twenty_requests_a_second_per_token_then_429(
    limited: httpx.AsyncClient, database: Database, frozen_time: FrozenTime
) -> None:
    customer = await make_customer(database)
    user = await make_user(database, (customer, Role.ASSISTANT))
    token, other_token = await sign_in(database, user), await sign_in(database, user)

    for _ in range(20):
        response = await post(limited, token)
        assert response.status_code == 200 and response.json()["data"]["me"]["email"] == user.email
    assert_refused(await post(limited, token), retry_after=1)
    # Another token of the same user, and the same token a second later, are served.
    assert (await post(limited, other_token)).status_code == 200
    frozen_time.now += 1.001
    assert (await post(limited, token)).status_code == 200


async def test_requests_without_a_valid_token_are_counted_per_client(
    limited: httpx.AsyncClient, database: Database, frozen_time: FrozenTime
) -> None:
    for i in range(10):
        response = await post(limited, "cs_not-a-session" if i % 2 else None)
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert_refused(await post(limited), retry_after=1)
    assert_refused(await post(limited, "cs_another-made-up-token"), retry_after=1)


async def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(
    limited_settings: Settings, database: Database, frozen_time: FrozenTime
) -> None:
    for trusted, expected in [(("127.0.0.0/8",), 200), ((), 429)]:
        app = create_app(limited_settings.with_overrides(trusted_proxies=trusted), database)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as http:
            for _ in range(10):
                await http.post("/graphql", json=QUERY, headers={"X-Forwarded-For": "198.51.100.1"})
            other = await http.post("/graphql", json=QUERY, headers={"X-Forwarded-For": "198.51.100.2"})
            assert other.status_code == expected, trusted
