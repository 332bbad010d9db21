"""Forgotten password, reset links, and changing the password."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app import clock
from app.db import Database
from app.models import OutboxMessage, Role, User
from tests.factories import PASSWORD, make_customer, make_user, sign_in
from tests.helpers.db import count, outbox, scalar
from tests.helpers.graphql import error_codes, gql

REQUEST = "mutation($e: String!) { requestPasswordReset(email: $e) { ok errors { code message } } }"
RESET = """mutation($t: String!, $p: String!) {
  resetPassword(token: $t, newPassword: $p) { ok errors { code field message } }
}"""
CHANGE = """mutation($c: String!, $p: String!) {
  changePassword(currentPassword: $c, newPassword: $p) { ok errors { code field message } }
}"""
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token errors { code } } }"
NEW = "a-new-password-42"


async def request_reset(client: httpx.AsyncClient, email: str) -> dict:
    return (await gql(client, REQUEST, {"e": email}))["data"]["requestPasswordReset"]


async def reset(client: httpx.AsyncClient, token: str, password: str = NEW) -> dict:
    return (await gql(client, RESET, {"t": token, "p": password}))["data"]["resetPassword"]


async def login_codes(client: httpx.AsyncClient, email: str, password: str) -> list[str]:
    payload = (await gql(client, LOGIN, {"e": email, "p": password}))["data"]["login"]
    return [e["code"] for e in payload["errors"]]


def token_in(message: OutboxMessage) -> str:
    match = re.search(r"http://shop\.test/reset-password\?token=([\w\-]+)", message.text_body)
    assert match, message.text_body
    assert match.group(0) in message.html_body
    return match.group(1)


@pytest.fixture
async def user(database: Database) -> User:
    customer = await make_customer(database)
    return await make_user(database, (customer, Role.PURCHASER), email="reset@example.test", name="Rita Reset")


async def test_reset_request_answers_the_same_for_unknown_emails(
    client: httpx.AsyncClient, database: Database, user: User
) -> None:
    assert await request_reset(client, "nobody@example.test") == {"ok": True, "errors": []}
    assert await count(database, OutboxMessage) == 0
    assert await request_reset(client, "RESET@example.test") == {"ok": True, "errors": []}
    [message] = await outbox(database)
    assert message.to_address == "reset@example.test"
    assert "Rita Reset" in message.text_body
    token_in(message)


async def test_reset_sets_the_password_unlocks_and_ends_sessions(
    client: httpx.AsyncClient, database: Database, user: User
) -> None:
    old_session = await sign_in(database, user)
    for _ in range(5):
        await login_codes(client, user.email, "wrong-password")
    assert await login_codes(client, user.email, PASSWORD) == ["ACCOUNT_LOCKED"]

    await request_reset(client, user.email)
    token = token_in((await outbox(database))[-1])
    assert await reset(client, token) == {"ok": True, "errors": []}

    assert await login_codes(client, user.email, PASSWORD) == ["INVALID_CREDENTIALS"]
    assert await login_codes(client, user.email, NEW) == []
    assert error_codes(await gql(client, "{ me { id } }", token=old_session)) == ["UNAUTHENTICATED"]
    assert await scalar(database, select(User.failed_logins).where(User.id == user.id)) == 0


async def test_a_link_works_once(client: httpx.AsyncClient, database: Database, user: User) -> None:
    await request_reset(client, user.email)
    token = token_in((await outbox(database))[-1])
    assert (await reset(client, token))["ok"] is True
    again = await reset(client, token, "yet-another-pass-1")
    assert again["ok"] is False
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("INVALID_TOKEN", "token")]
    assert await login_codes(client, user.email, NEW) == []


async def test_only_the_newest_link_is_valid(client: httpx.AsyncClient, database: Database, user: User) -> None:
    await request_reset(client, user.email)
    await request_reset(client, user.email)
    first, second = [token_in(m) for m in await outbox(database)]
    assert [e["code"] for e in (await reset(client, first))["errors"]] == ["INVALID_TOKEN"]
    assert (await reset(client, second))["ok"] is True


async def test_a_link_expires_after_an_hour(client: httpx.AsyncClient, database: Database, user: User) -> None:
    await request_reset(client, user.email)
    token = token_in((await outbox(database))[-1])
    clock.set_now(clock.now() + timedelta(minutes=61))
    assert [e["code"] for e in (await reset(client, token))["errors"]] == ["TOKEN_EXPIRED"]
    assert await login_codes(client, user.email, PASSWORD) == []


@pytest.mark.parametrize("password", ["123456789", "x" * 257, ""])
async def test_weak_passwords_are_refused_and_the_link_survives(
    client: httpx.AsyncClient, database: Database, user: User, password: str
) -> None:
    await request_reset(client, user.email)
    token = token_in((await outbox(database))[-1])
    weak = await reset(client, token, password)
    assert [(e["code"], e["field"]) for e in weak["errors"]] == [("PASSWORD_TOO_WEAK", "newPassword")]
    assert (await reset(client, token, "x" * 256))["ok"] is True


@pytest.mark.parametrize("token", ["", "ct_unknown", "cs_session-token", "x" * 5000])
async def test_unknown_tokens(client: httpx.AsyncClient, token: str) -> None:
    assert [e["code"] for e in (await reset(client, token))["errors"]] == ["INVALID_TOKEN"]


async def test_change_password(client: httpx.AsyncClient, database: Database, user: User) -> None:
    current, other = await sign_in(database, user), await sign_in(database, user)
    wrong = (await gql(client, CHANGE, {"c": "not-my-password", "p": NEW}, token=current))["data"]["changePassword"]
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("INVALID_CREDENTIALS", "currentPassword")]
    weak = (await gql(client, CHANGE, {"c": PASSWORD, "p": "short"}, token=current))["data"]["changePassword"]
    assert [e["code"] for e in weak["errors"]] == ["PASSWORD_TOO_WEAK"]
    assert await login_codes(client, user.email, PASSWORD) == []

    done = (await gql(client, CHANGE, {"c": PASSWORD, "p": NEW}, token=current))["data"]["changePassword"]
    assert done == {"ok": True, "errors": []}
    assert "errors" not in await gql(client, "{ me { id } }", token=current)
    assert error_codes(await gql(client, "{ me { id } }", token=other)) == ["UNAUTHENTICATED"]
    assert await login_codes(client, user.email, NEW) == []


async def test_change_password_needs_a_user_token(client: httpx.AsyncClient) -> None:
    assert error_codes(await gql(client, CHANGE, {"c": PASSWORD, "p": NEW})) == ["UNAUTHENTICATED"]
