"""Anonymous operations take as long for a registered email as for an unknown one.

Medians of many calls, alternating, with wide bounds: a busy machine slows
both sides alike, and one slow call cannot move a median.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable

import httpx

from app.db import Database
from app.models import Role
from app.settings import EQUAL_TIME_SECONDS
from tests.factories import make_customer, make_user
from tests.helpers.graphql import gql

CALLS = 12
RESET = "mutation($e: String!) { requestPasswordReset(email: $e) { ok } }"
ACCOUNT = "mutation($i: AccountRequestInput!) { requestAccount(input: $i) { ok errors { code } } }"
LOGIN = 'mutation($e: String!) { login(email: $e, password: "not-the-password") { errors { code } } }'


async def medians(
    first: Callable[[int], Awaitable[object]], second: Callable[[int], Awaitable[object]]
) -> tuple[float, float]:
    timings: tuple[list[float], list[float]] = ([], [])
    for i in range(CALLS):
        for side, call in enumerate((first, second)):
            started = time.perf_counter()
            await call(i)
            timings[side].append(time.perf_counter() - started)
    return statistics.median(timings[0]), statistics.median(timings[1])


async def test_password_reset_takes_as_long_for_known_and_unknown_emails(
    client: httpx.AsyncClient, database: Database
) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.PURCHASER), email="known@example.test")

    async def known(_: int) -> object:
        return await gql(client, RESET, {"e": "known@example.test"})

    async def unknown(i: int) -> object:
        return await gql(client, RESET, {"e": f"unknown{i}@example.test"})

    known_median, unknown_median = await medians(known, unknown)
    assert min(known_median, unknown_median) >= EQUAL_TIME_SECONDS
    assert 2 / 3 < known_median / unknown_median < 3 / 2, (known_median, unknown_median)


async def test_account_request_takes_as_long_for_a_new_and_a_repeated_email(
    client: httpx.AsyncClient, database: Database
) -> None:
    form = {"name": "Kari", "phone": "+47 911 22 333", "companyName": "Klinikk AS"}

    async def new(i: int) -> object:
        return await gql(client, ACCOUNT, {"i": {**form, "email": f"new{i}@klinikk.test"}})

    async def repeated(_: int) -> object:
        return await gql(client, ACCOUNT, {"i": {**form, "email": "again@klinikk.test"}})

    new_median, repeated_median = await medians(new, repeated)
    assert min(new_median, repeated_median) >= EQUAL_TIME_SECONDS
    assert 2 / 3 < new_median / repeated_median < 3 / 2, (new_median, repeated_median)


async def test_login_takes_as_long_for_known_and_unknown_emails(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    for i in range(CALLS):
        await make_user(database, (customer, Role.ASSISTANT), email=f"member{i}@example.test")

    async def known(i: int) -> object:
        return await gql(client, LOGIN, {"e": f"member{i}@example.test"})

    async def unknown(i: int) -> object:
        return await gql(client, LOGIN, {"e": f"stranger{i}@example.test"})

    # Both sides verify an argon2 hash (unknown emails against a dummy one), which dominates.
    known_median, unknown_median = await medians(known, unknown)
    assert 1 / 2 < known_median / unknown_median < 2, (known_median, unknown_median)
