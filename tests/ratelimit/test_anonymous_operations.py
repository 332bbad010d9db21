"""login, requestPasswordReset, requestAccount and resetPassword under the real default limits.

Each alias is one attempt: the limits count field executions, not requests.
"""

from __future__ import annotations

from typing import Any

import httpx

from app import metrics
from app.db import Database
from app.mail.sender import MailSender
from app.mail.transport import transport_from_url
from app.models import AccountRequest, OutboxMessage, Role
from app.ratelimit import REFUSAL_LISTENERS
from tests.factories import PASSWORD, make_customer, make_user
from tests.helpers.db import count, outbox
from tests.helpers.graphql import gql
from tests.helpers.smtp import SmtpSink

HOUR = 3600


def aliased(field: str, count: int, arguments: str, selection: str) -> str:
    body = "\n".join(f"  a{i}: {field}({arguments.format(i=i)}) {{ {selection} }}" for i in range(count))
    return f"mutation {{\n{body}\n}}"


def refused(result: dict[str, Any]) -> dict[str, int]:
    """alias -> retryAfter of every RATE_LIMITED error, checking each names its field and leaves it null."""
    found = {}
    for error in result.get("errors", []):
        assert error["extensions"]["code"] == "RATE_LIMITED", error
        [alias] = error["path"]
        assert result["data"][alias] is None
        retry_after = error["extensions"]["retryAfter"]
        assert isinstance(retry_after, int) and retry_after >= 1, error
        found[alias] = retry_after
    return found


async def test_thirty_aliased_resets_three_times_mail_the_address_five_times(
    limited: httpx.AsyncClient, database: Database, smtp_sink: SmtpSink
) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.PURCHASER), email="victim@example.test")
    document = aliased("requestPasswordReset", 30, 'email: "victim@example.test"', "ok")

    answered, retry_afters = 0, []
    for _ in range(3):
        result = await gql(limited, document)
        retry_afters += refused(result).values()
        answered += sum(1 for value in result["data"].values() if value == {"ok": True})
    assert answered == 5
    assert len(retry_afters) == 85
    # 5 per email per hour, then 20 per client per hour: each refusal waits for its window's oldest hit.
    assert all(HOUR - 120 < seconds <= HOUR for seconds in retry_afters), retry_afters

    sender = MailSender(database, transport_from_url(smtp_sink.url), "no-reply@shop.test")
    await sender.deliver_pending()
    received = smtp_sink.wait_for(5, timeout=5)
    assert len(received) == 5
    assert {message["To"] for message in received} == {"victim@example.test"}


async def test_the_client_limit_holds_across_many_addresses(limited: httpx.AsyncClient, database: Database) -> None:
    document = aliased("requestPasswordReset", 25, 'email: "nobody{i}@example.test"', "ok")
    result = await gql(limited, document)
    assert sorted(refused(result), key=lambda alias: int(alias[1:])) == [f"a{i}" for i in range(20, 25)]
    assert await count(database, OutboxMessage) == 0


async def test_account_requests_are_limited_per_client_and_per_address(
    limited: httpx.AsyncClient, database: Database
) -> None:
    form = '{{name: "Kari", email: "kari{i}@klinikk.test", phone: "+47 911 22 333", companyName: "Klinikk AS"}}'
    result = await gql(limited, aliased("requestAccount", 30, f"input: {form}", "ok errors { code }"))
    assert sorted(refused(result), key=lambda alias: int(alias[1:])) == [f"a{i}" for i in range(5, 30)]
    assert len(await outbox(database, to="support@shop.test")) == 5
    assert await count(database, AccountRequest) == 5


async def test_account_requests_for_one_address_stop_after_three(
    limited: httpx.AsyncClient, database: Database
) -> None:
    form = '{{name: "Kari", email: "kari@klinikk.test", phone: "+47 911 22 333", companyName: "Klinikk AS"}}'
    result = await gql(limited, aliased("requestAccount", 4, f"input: {form}", "ok"))
    assert list(refused(result)) == ["a3"]
    assert [result["data"][f"a{i}"] for i in range(3)] == [{"ok": True}] * 3
    # A repeat within a day was stored once anyway.
    assert await count(database, AccountRequest) == 1


async def test_login_is_limited_per_address_on_top_of_the_lockout(
    limited: httpx.AsyncClient, database: Database
) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="target@example.test")
    document = aliased(
        "login", 12, 'email: "target@example.test", password: "guess-{i:02d}-xxxx"', "token errors { code }"
    )
    before = metrics.RATE_LIMITED.labels("login.email")._value.get()
    result = await gql(limited, document)
    assert list(refused(result)) == ["a10", "a11"]
    assert metrics.RATE_LIMITED.labels("login.email")._value.get() == before + 2  # /metrics counts each refusal
    codes = [result["data"][f"a{i}"]["errors"][0]["code"] for i in range(10)]
    assert codes == ["INVALID_CREDENTIALS"] * 4 + ["ACCOUNT_LOCKED"] * 6
    # The right password is refused too while the address is over its limit.
    again = await gql(limited, aliased("login", 1, f'email: "target@example.test", password: "{PASSWORD}"', "token"))
    assert list(refused(again)) == ["a0"]


async def test_login_is_limited_per_client_over_many_addresses(limited: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="real@example.test")
    document = aliased("login", 30, 'email: "someone{i}@example.test", password: "guess-xxxxxx"', "errors { code }")
    first = await gql(limited, document)
    assert refused(first) == {}
    assert all(value["errors"][0]["code"] == "INVALID_CREDENTIALS" for value in first["data"].values())
    # The 31st sign-in within the minute, even with the right password for another address.
    second = await gql(limited, aliased("login", 1, f'email: "real@example.test", password: "{PASSWORD}"', "token"))
    assert 1 <= refused(second)["a0"] <= 60


async def test_reset_password_is_limited_per_client(limited: httpx.AsyncClient, database: Database) -> None:
    document = aliased(
        "resetPassword", 11, 'token: "ot_made-up-{i}", newPassword: "a-new-password-42"', "ok errors { code }"
    )
    result = await gql(limited, document)
    assert list(refused(result)) == ["a10"]
    assert {result["data"][f"a{i}"]["errors"][0]["code"] for i in range(10)} == {"INVALID_TOKEN"}


async def test_refusals_are_reported_to_listeners(limited: httpx.AsyncClient, database: Database) -> None:
    seen: list[str] = []
    REFUSAL_LISTENERS.append(seen.append)
    try:
        result = await gql(limited, aliased("requestPasswordReset", 7, 'email: "same@example.test"', "ok"))
    finally:
        REFUSAL_LISTENERS.remove(seen.append)
    assert len(refused(result)) == 2
    assert seen == ["password_reset.email", "password_reset.email"]


async def test_without_limits_nothing_is_refused(client: httpx.AsyncClient, database: Database) -> None:
    """The suite's other tests run so (tests/conftest.py); the switch works."""
    result = await gql(client, aliased("requestPasswordReset", 8, 'email: "same@example.test"', "ok"))
    assert "errors" not in result
