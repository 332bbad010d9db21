"""Account requests ("Etterspør konto") and customer service's tools."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app import clock
from app.db import Database
from app.ids import encode_id
from app.models import AccountRequest, AccountRequestStatus, AuditEntry, Membership, Role, User
from tests.factories import World, make_world
from tests.helpers.db import count, outbox, rows, scalar
from tests.helpers.graphql import error_codes, gql

REQUEST = """mutation($i: AccountRequestInput!) { requestAccount(input: $i) { ok errors { code field message } } }"""
LIST = """query($s: AccountRequestStatus, $first: Int, $after: String) {
  accountRequests(status: $s, first: $first, after: $after) {
    totalCount edges { node { id status name email phone companyName customerNumber message createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""
RESOLVE = """mutation($id: ID!, $a: Boolean!, $c: String, $r: String) {
  resolveAccountRequest(id: $id, approve: $a, customerNumber: $c, reason: $r) {
    accountRequest { id status } user { id email } errors { code field message }
  }
}"""
ADD_MAIN = """mutation($c: String!, $e: String!, $n: String!) {
  addMainUser(customerNumber: $c, email: $e, name: $n) { user { id email } errors { code field } }
}"""
FIND = """query($s: String!) { customers(search: $s, first: 10) {
  totalCount edges { node { number name users(first: 100) { totalCount } } } } }"""
AUDIT = """query($c: String, $first: Int) { auditLog(customerNumber: $c, first: $first) {
  edges { node { at action actor { email } customer { number } subjectId details } } pageInfo { hasNextPage } } }"""

FORM = {
    "name": "Kari Klinikk",
    "email": "kari@klinikken.test",
    "phone": "+47 911 22 333",
    "companyName": "Klinikken AS",
    "customerNumber": "10002",
    "message": "Vi har kundenummer 10002.",
}


@pytest.fixture
async def world(database: Database) -> World:
    return await make_world(database)


async def ask(client: httpx.AsyncClient, **overrides: object) -> dict:
    return (await gql(client, REQUEST, {"i": {**FORM, **overrides}}))["data"]["requestAccount"]


async def request_id(database: Database) -> str:
    pk = await scalar(database, select(AccountRequest.id).order_by(AccountRequest.id.desc()))
    return encode_id("AccountRequest", pk)


async def test_anyone_may_ask_and_support_is_told(client: httpx.AsyncClient, database: Database) -> None:
    assert await ask(client) == {"ok": True, "errors": []}
    [message] = await outbox(database)
    assert message.to_address == "support@shop.test"
    assert (
        "Klinikken AS" in message.text_body
        and "10002" in message.text_body
        and "kari@klinikken.test" in message.text_body
    )


async def test_a_repeat_within_a_day_is_stored_once(client: httpx.AsyncClient, database: Database) -> None:
    assert (await ask(client))["ok"] and (await ask(client, email="KARI@klinikken.test"))["ok"]
    assert await count(database, AccountRequest) == 1 and len(await outbox(database)) == 1
    clock.set_now(clock.now() + timedelta(days=1, minutes=1))
    assert (await ask(client))["ok"]
    assert await count(database, AccountRequest) == 2


async def test_simultaneous_repeats_are_stored_once(client: httpx.AsyncClient, database: Database) -> None:
    answers = await asyncio.gather(*(ask(client) for _ in range(6)))
    assert all(a["ok"] for a in answers)
    assert await count(database, AccountRequest) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "input.name"),
        ({"email": "kari"}, "input.email"),
        ({"phone": " "}, "input.phone"),
        ({"companyName": ""}, "input.companyName"),
        ({"message": "x" * 5000}, "input.message"),
    ],
)
async def test_required_fields(client: httpx.AsyncClient, database: Database, overrides: dict, field: str) -> None:
    payload = await ask(client, **overrides)
    assert payload["ok"] is False and [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]
    assert await count(database, AccountRequest) == 0


async def test_support_lists_requests(client: httpx.AsyncClient, world: World) -> None:
    await ask(client)
    await ask(client, email="other@klinikken.test", customerNumber=None, message=None)
    listed = (await gql(client, LIST, {"s": "PENDING"}, token=world.token("support")))["data"]["accountRequests"]
    assert listed["totalCount"] == 2
    newest = listed["edges"][0]["node"]
    assert (
        newest["email"] == "other@klinikken.test" and newest["customerNumber"] is None and newest["status"] == "PENDING"
    )


@pytest.mark.parametrize("who", ["main", "purchaser", "assistant"])
async def test_only_support_sees_support_tools(
    client: httpx.AsyncClient, database: Database, world: World, who: str
) -> None:
    await ask(client)
    token = world.token(who)
    for query, variables in ((LIST, {}), (FIND, {"s": "1"}), (AUDIT, {})):
        result = await gql(client, query, variables, token=token)
        assert error_codes(result) == ["FORBIDDEN"]
    for query, variables in (
        (RESOLVE, {"id": await request_id(database), "a": True}),
        (ADD_MAIN, {"c": "10001", "e": "ny@example.test", "n": "Ny"}),
    ):
        assert error_codes(await gql(client, query, variables, token=token)) == ["FORBIDDEN"]
        assert error_codes(await gql(client, query, variables)) == ["UNAUTHENTICATED"]
    assert await scalar(database, select(AccountRequest.status)) is AccountRequestStatus.PENDING


async def test_approve_makes_a_main_user_and_invites(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await ask(client)
    rid = await request_id(database)
    payload = (await gql(client, RESOLVE, {"id": rid, "a": True}, token=world.token("support")))["data"][
        "resolveAccountRequest"
    ]
    assert payload["errors"] == [] and payload["accountRequest"] == {"id": rid, "status": "APPROVED"}
    assert payload["user"]["email"] == "kari@klinikken.test"
    role = await scalar(
        database,
        select(Membership.role)
        .join(User)
        .where(User.email_key == "kari@klinikken.test", Membership.customer_id == world.other_customer.id),
    )
    assert role is Role.MAIN_USER
    invitation = (await outbox(database, to="kari@klinikken.test"))[-1]
    assert "reset-password?token=ct_" in invitation.text_body
    again = (await gql(client, RESOLVE, {"id": rid, "a": False, "r": "nei"}, token=world.token("support")))["data"][
        "resolveAccountRequest"
    ]
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    actions = {a for (a,) in await rows(database, select(AuditEntry.action))}
    assert {"account_request.approved", "membership.main_user_added", "user.created"} <= actions


async def test_approve_needs_an_existing_customer_number(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await ask(client, customerNumber=None)
    rid = await request_id(database)
    support = world.token("support")
    none = (await gql(client, RESOLVE, {"id": rid, "a": True}, token=support))["data"]["resolveAccountRequest"]
    assert [(e["code"], e["field"]) for e in none["errors"]] == [("INVALID_INPUT", "customerNumber")]
    unknown = (await gql(client, RESOLVE, {"id": rid, "a": True, "c": "55555"}, token=support))["data"][
        "resolveAccountRequest"
    ]
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "customerNumber")]
    assert await scalar(database, select(AccountRequest.status)) is AccountRequestStatus.PENDING
    done = (await gql(client, RESOLVE, {"id": rid, "a": True, "c": "10001"}, token=support))["data"][
        "resolveAccountRequest"
    ]
    assert done["errors"] == []


async def test_reject_needs_a_reason_and_tells_the_requester(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await ask(client)
    rid = await request_id(database)
    support = world.token("support")
    bare = (await gql(client, RESOLVE, {"id": rid, "a": False}, token=support))["data"]["resolveAccountRequest"]
    assert [(e["code"], e["field"]) for e in bare["errors"]] == [("INVALID_INPUT", "reason")]
    done = (await gql(client, RESOLVE, {"id": rid, "a": False, "r": "Ikke proffkunde"}, token=support))["data"][
        "resolveAccountRequest"
    ]
    assert done["accountRequest"]["status"] == "REJECTED" and done["user"] is None
    [rejection] = await outbox(database, to="kari@klinikken.test")
    assert "Ikke proffkunde" in rejection.text_body


async def test_resolve_unknown_request(client: httpx.AsyncClient, world: World) -> None:
    for rid in ("nope", encode_id("AccountRequest", 999), encode_id("User", 1)):
        payload = (await gql(client, RESOLVE, {"id": rid, "a": True}, token=world.token("support")))["data"][
            "resolveAccountRequest"
        ]
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", "id")]


async def test_add_main_user(client: httpx.AsyncClient, database: Database, world: World) -> None:
    support = world.token("support")
    made = (await gql(client, ADD_MAIN, {"c": "10002", "e": "ny.sjef@example.test", "n": "Ny Sjef"}, token=support))[
        "data"
    ]["addMainUser"]
    assert made["errors"] == [] and made["user"]["email"] == "ny.sjef@example.test"
    assert len(await outbox(database, to="ny.sjef@example.test")) == 1
    # An existing purchaser becomes main user.
    promoted = (await gql(client, ADD_MAIN, {"c": "10001", "e": "purchaser@example.test", "n": "x"}, token=support))[
        "data"
    ]["addMainUser"]
    assert promoted["errors"] == []
    role = await scalar(database, select(Membership.role).where(Membership.user_id == world.purchaser.id))
    assert role is Role.MAIN_USER
    missing = (await gql(client, ADD_MAIN, {"c": "77777", "e": "a@b.test", "n": "A"}, token=support))["data"][
        "addMainUser"
    ]
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("NOT_FOUND", "customerNumber")]


async def test_find_customers(client: httpx.AsyncClient, world: World) -> None:
    support = world.token("support")
    by_number = (await gql(client, FIND, {"s": "1000"}, token=support))["data"]["customers"]
    assert [e["node"]["number"] for e in by_number["edges"]] == ["10001", "10002"]
    assert [e["node"]["users"]["totalCount"] for e in by_number["edges"]] == [4, 2]
    by_name = (await gql(client, FIND, {"s": "fjord"}, token=support))["data"]["customers"]
    assert [e["node"]["name"] for e in by_name["edges"]] == ["Fjordheim legesenter"]
    assert (await gql(client, FIND, {"s": "100%"}, token=support))["data"]["customers"]["totalCount"] == 0


async def test_audit_log(client: httpx.AsyncClient, world: World) -> None:
    target = encode_id("User", world.assistant.id)
    await gql(
        client,
        'mutation($u: ID!) { setMembershipStatus(userId: $u, customerNumber: "10001", status: INACTIVE) { errors { code } } }',
        {"u": target},
        token=world.token("main"),
    )
    log = (await gql(client, AUDIT, {"c": "10001"}, token=world.token("support")))["data"]["auditLog"]
    [entry] = [e["node"] for e in log["edges"]]
    assert entry["action"] == "membership.deactivated"
    assert entry["actor"] == {"email": "main@example.test"} and entry["customer"] == {"number": "10001"}
    assert entry["subjectId"] == str(world.assistant.id)
    assert (await gql(client, AUDIT, {"c": "10002"}, token=world.token("support")))["data"]["auditLog"]["edges"] == []
