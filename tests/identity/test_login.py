"""Signing in: tokens, lockout after five failures, inactive accounts, sessions."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app import clock
from app.db import Database
from app.identity import login as login_module
from app.identity import passwords
from app.models import LoginThrottle, MembershipStatus, Role, User
from tests.factories import PASSWORD, make_customer, make_user, sign_in
from tests.helpers.db import scalar
from tests.helpers.graphql import error_codes, gql

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    token expiresAt user { id name email } errors { code field message }
  }
}"""
ME = "{ me { id email memberships { role status customer { number } } } }"


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict:
    return (await gql(client, LOGIN, {"email": email, "password": password}))["data"]["login"]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the password checks against a hash (the expensive, guessable step)."""
    seen: list[str] = []
    real = login_module.verify_password

    async def counting(stored: str, password: str) -> bool:
        seen.append(password)
        return await real(stored, password)

    monkeypatch.setattr(login_module, "verify_password", counting)
    return seen


async def test_login_gives_a_token_that_signs_requests(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    user = await make_user(database, (customer, Role.PURCHASER), email="Kari@Example.test")
    payload = await login(client, "kari@example.TEST", PASSWORD)
    assert payload["errors"] == []
    assert payload["user"]["email"] == "Kari@Example.test"
    token = payload["token"]
    assert len(token) >= 43  # 32 random bytes, URL-safe
    from datetime import datetime

    expires = datetime.fromisoformat(payload["expiresAt"])
    assert timedelta(hours=11, minutes=59) < expires - clock.now() <= timedelta(hours=12)
    me = await gql(client, ME, token=token)
    assert me["data"]["me"]["email"] == user.email
    assert me["data"]["me"]["memberships"] == [
        {"role": "PURCHASER", "status": "ACTIVE", "customer": {"number": customer.number}}
    ]


async def test_only_the_tokens_hash_is_stored(client: httpx.AsyncClient, database: Database) -> None:
    from app.models import UserSession

    customer = await make_customer(database)
    await make_user(database, (customer, Role.PURCHASER), email="hash@example.test")
    token = (await login(client, "hash@example.test", PASSWORD))["token"]
    stored = await scalar(database, select(UserSession.token_hash))
    assert stored != token and token not in stored and len(stored) == 64


async def test_wrong_password_then_lockout_on_the_fifth(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="a@example.test")
    for _ in range(4):
        assert codes(await login(client, "a@example.test", "wrong-password")) == ["INVALID_CREDENTIALS"]
    assert codes(await login(client, "a@example.test", "wrong-password")) == ["ACCOUNT_LOCKED"]
    locked = await login(client, "a@example.test", PASSWORD)
    assert codes(locked) == ["ACCOUNT_LOCKED"] and locked["token"] is None
    assert await scalar(database, select(User.locked_at).where(User.email_key == "a@example.test")) is not None


async def test_a_success_resets_the_count(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="b@example.test")
    for _ in range(4):
        await login(client, "b@example.test", "wrong-password")
    assert (await login(client, "b@example.test", PASSWORD))["errors"] == []
    for _ in range(4):
        assert codes(await login(client, "b@example.test", "wrong-password")) == ["INVALID_CREDENTIALS"]
    assert (await login(client, "b@example.test", PASSWORD))["errors"] == []


async def test_thirty_aliased_logins_check_at_most_five_passwords(
    client: httpx.AsyncClient, database: Database, verifications: list[str]
) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="c@example.test")
    fields = " ".join(
        f'l{i}: login(email: "c@example.test", password: "guess-{i:02d}-xxxx") {{ token errors {{ code }} }}'
        for i in range(30)
    )
    result = await gql(client, f"mutation {{ {fields} }}")
    answers = [result["data"][f"l{i}"]["errors"][0]["code"] for i in range(30)]
    assert answers[:4] == ["INVALID_CREDENTIALS"] * 4
    assert answers[4:] == ["ACCOUNT_LOCKED"] * 26
    assert len(verifications) == 5
    # Even the right password now waits for a reset.
    assert codes(await login(client, "c@example.test", PASSWORD)) == ["ACCOUNT_LOCKED"]


async def test_twenty_concurrent_requests_check_at_most_five(
    client: httpx.AsyncClient, database: Database, verifications: list[str]
) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="d@example.test")
    results = await asyncio.gather(*(login(client, "d@example.test", f"guess-{i}-xxxxx") for i in range(20)))
    answers = sorted(codes(r)[0] for r in results)
    assert answers.count("INVALID_CREDENTIALS") == 4
    assert answers.count("ACCOUNT_LOCKED") == 16
    assert len(verifications) == 5


async def test_unknown_emails_are_counted_and_cost_a_verification(
    client: httpx.AsyncClient, database: Database, verifications: list[str]
) -> None:
    for _ in range(4):
        assert codes(await login(client, "nobody@example.test", "whatever-pass")) == ["INVALID_CREDENTIALS"]
    assert len(verifications) == 4
    assert codes(await login(client, "Nobody@example.test", "whatever-pass")) == ["ACCOUNT_LOCKED"]
    assert codes(await login(client, "nobody@example.test", "whatever-pass")) == ["ACCOUNT_LOCKED"]
    assert len(verifications) == 5
    # For a day.
    clock.set_now(clock.now() + timedelta(days=1, minutes=1))
    assert codes(await login(client, "nobody@example.test", "whatever-pass")) == ["INVALID_CREDENTIALS"]
    assert await scalar(database, select(LoginThrottle.failures)) == 1


async def test_a_users_lock_does_not_expire(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="e@example.test")
    for _ in range(5):
        await login(client, "e@example.test", "wrong-password")
    clock.set_now(clock.now() + timedelta(days=30))
    assert codes(await login(client, "e@example.test", PASSWORD)) == ["ACCOUNT_LOCKED"]


async def test_inactive_account_only_with_the_right_password(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.PURCHASER, MembershipStatus.INACTIVE), email="f@example.test")
    assert codes(await login(client, "f@example.test", "wrong-password")) == ["INVALID_CREDENTIALS"]
    inactive = await login(client, "f@example.test", PASSWORD)
    assert codes(inactive) == ["ACCOUNT_INACTIVE"] and inactive["token"] is None
    # A right password clears the failed attempts even though no session is given.
    assert await scalar(database, select(User.failed_logins).where(User.email_key == "f@example.test")) == 0


async def test_support_staff_sign_in_without_memberships(client: httpx.AsyncClient, database: Database) -> None:
    await make_user(database, email="s@example.test", support=True)
    assert (await login(client, "s@example.test", PASSWORD))["errors"] == []


async def test_invited_user_without_password_cannot_sign_in(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="g@example.test", password=None)
    assert codes(await login(client, "g@example.test", "")) == ["INVALID_CREDENTIALS"]
    assert codes(await login(client, "g@example.test", "anything-at-all")) == ["INVALID_CREDENTIALS"]


async def test_login_rehashes_when_the_parameters_change(client: httpx.AsyncClient, database: Database) -> None:
    from argon2 import PasswordHasher

    customer = await make_customer(database)
    user = await make_user(database, (customer, Role.ASSISTANT), email="h@example.test")
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with database.transaction() as session:
        (await session.get(User, user.id)).password_hash = old  # type: ignore[union-attr]
    assert (await login(client, "h@example.test", PASSWORD))["errors"] == []
    stored = await scalar(database, select(User.password_hash).where(User.id == user.id))
    assert stored != old and not passwords.needs_rehash(stored)
    assert f"m={passwords.MEMORY_COST_KIB},t={passwords.TIME_COST}" in stored
    assert (await login(client, "h@example.test", PASSWORD))["errors"] == []


async def test_huge_inputs_are_refused_cleanly(client: httpx.AsyncClient, database: Database) -> None:
    payload = await login(client, "x" * 50_000 + "@example.test", "y" * 50_000)
    assert codes(payload) == ["INVALID_CREDENTIALS"]
    # Past the string-variable limit: refused before the login runs (and counts).
    variables = {"email": "x" * 400_000 + "@example.test", "password": "y" * 400_000}
    assert error_codes(await gql(client, LOGIN, variables, expect_status=400)) == ["INVALID_INPUT"]


async def test_sessions_expire_after_twelve_hours(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    user = await make_user(database, (customer, Role.ASSISTANT))
    token = await sign_in(database, user)
    clock.set_now(clock.now() + timedelta(hours=11, minutes=59))
    assert "errors" not in await gql(client, ME, token=token)
    clock.set_now(clock.now() + timedelta(minutes=2))
    assert error_codes(await gql(client, ME, token=token)) == ["UNAUTHENTICATED"]


async def test_logout_revokes_only_that_token(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    user = await make_user(database, (customer, Role.ASSISTANT))
    first, second = await sign_in(database, user), await sign_in(database, user)
    result = await gql(client, "mutation { logout { ok errors { code message } } }", token=first)
    assert result["data"]["logout"] == {"ok": True, "errors": []}
    assert error_codes(await gql(client, ME, token=first)) == ["UNAUTHENTICATED"]
    assert "errors" not in await gql(client, ME, token=second)


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer cs_not-a-real-token", "Basic abc", "Bearer ck_nope"])
async def test_protected_operations_need_a_valid_token(client: httpx.AsyncClient, header: str | None) -> None:
    headers = {"authorization": header} if header else {}
    for query in (ME, "mutation { logout { ok } }", '{ customer(number: "10001") { id } }'):
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]
        assert response.json()["data"] is None


async def test_api_keys_may_not_use_storefront_operations(client: httpx.AsyncClient, database: Database) -> None:
    from app.admin import create_api_key, revoke_api_key

    async with database.transaction() as session:
        key = await create_api_key(session, "erp", ["orders:read"])
    assert error_codes(await gql(client, ME, token=key)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, "mutation { logout { ok } }", token=key)) == ["FORBIDDEN"]
    async with database.transaction() as session:
        await revoke_api_key(session, "erp")
    assert error_codes(await gql(client, ME, token=key)) == ["UNAUTHENTICATED"]


async def test_many_simultaneous_right_logins_all_succeed(
    client: httpx.AsyncClient, database: Database, verifications: list[str]
) -> None:
    # One user on several devices at once: more than five in flight must not look locked.
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="many@example.test")
    results = await asyncio.gather(*(login(client, "many@example.test", PASSWORD) for _ in range(12)))
    assert [r["errors"] for r in results] == [[]] * 12
    assert len({r["token"] for r in results}) == 12
