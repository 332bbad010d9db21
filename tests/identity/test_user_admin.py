"""User administration by a main user: create, link, roles, (de)activation, profile."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from app.db import Database
from app.identity.users import role_for_linked_user
from app.ids import encode_id
from app.models import AuditEntry, Membership, MembershipStatus, OutboxMessage, Role, User
from tests.factories import World, make_customer, make_world
from tests.helpers.db import count, outbox, rows, scalar
from tests.helpers.graphql import error_codes, gql

CREATE = """mutation($input: CreateUserInput!) {
  createUser(input: $input) {
    user { id email memberships { role status customer { number } } }
    linkedExistingUser
    errors { code field message }
  }
}"""
SET_ROLE = """mutation($u: ID!, $c: String!, $r: Role!) {
  setUserRole(userId: $u, customerNumber: $c, role: $r) {
    user { id memberships { role customer { number } } } errors { code field message }
  }
}"""
SET_STATUS = """mutation($u: ID!, $c: String!, $s: MembershipStatus!) {
  setMembershipStatus(userId: $u, customerNumber: $c, status: $s) {
    user { id memberships { status customer { number } } } errors { code field message }
  }
}"""
USERS = """query($c: String!, $s: MembershipStatus, $first: Int, $after: String) {
  customer(number: $c) { users(status: $s, first: $first, after: $after) {
    totalCount edges { cursor node { name email } } pageInfo { hasNextPage endCursor } } }
}"""


@pytest.fixture
async def world(database: Database) -> World:
    return await make_world(database)


def new_user(**overrides: object) -> dict:
    return {
        "name": "Nina Ny",
        "email": "Nina@Example.test",
        "phone": "+47 900 00 000",
        "role": "ASSISTANT",
        "customerNumbers": ["10001"],
        **overrides,
    }


async def create(client: httpx.AsyncClient, token: str, **overrides: object) -> dict:
    return (await gql(client, CREATE, {"input": new_user(**overrides)}, token=token))["data"]["createUser"]


def test_linked_role_rules() -> None:
    assert role_for_linked_user([]) is None
    assert role_for_linked_user([Role.MAIN_USER]) is Role.PURCHASER
    assert role_for_linked_user([Role.MAIN_USER, Role.ASSISTANT]) is Role.ASSISTANT
    assert role_for_linked_user([Role.PURCHASER, Role.MAIN_USER]) is Role.PURCHASER


async def test_create_a_new_user_sends_an_invitation(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    payload = await create(client, world.token("main"))
    assert payload["errors"] == [] and payload["linkedExistingUser"] is False
    assert payload["user"]["email"] == "Nina@Example.test"
    assert payload["user"]["memberships"] == [
        {"role": "ASSISTANT", "status": "ACTIVE", "customer": {"number": "10001"}}
    ]
    [invitation] = await outbox(database, to="Nina@Example.test")
    assert "http://shop.test/reset-password?token=ct_" in invitation.text_body
    assert "Mari Main" in invitation.text_body  # who invited
    actions = [a for (a,) in await rows(database, select(AuditEntry.action).order_by(AuditEntry.id))]
    assert actions == ["user.created", "membership.created"]


async def test_the_invitation_link_sets_a_password(client: httpx.AsyncClient, database: Database, world: World) -> None:
    import re

    await create(client, world.token("main"))
    [invitation] = await outbox(database, to="Nina@Example.test")
    token = re.search(r"token=([\w\-]+)", invitation.text_body).group(1)  # type: ignore[union-attr]
    reset = await gql(
        client,
        'mutation($t: String!) { resetPassword(token: $t, newPassword: "nina-sitt-passord") { ok } }',
        {"t": token},
    )
    assert reset["data"]["resetPassword"]["ok"] is True
    login = await gql(
        client,
        'mutation { login(email: "nina@example.test", password: "nina-sitt-passord") { token errors { code } } }',
    )
    assert login["data"]["login"]["errors"] == []


async def test_an_existing_email_is_linked_with_the_role_it_has(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    # other_main is MAIN_USER of 10002 only: linked to 10001 as PURCHASER, whatever input.role says.
    third = await make_customer(database, "10003")
    async with database.transaction() as session:
        session.add(Membership(user_id=world.main.id, customer_id=third.id, role=Role.MAIN_USER))
    payload = await create(
        client,
        world.token("main"),
        email="OTHERMAIN@example.test",
        role="ASSISTANT",
        customerNumbers=["10001", "10003"],
    )
    assert payload["errors"] == [] and payload["linkedExistingUser"] is True
    roles = await rows(
        database, select(Membership.customer_id, Membership.role).where(Membership.user_id == world.other_main.id)
    )
    assert sorted(roles) == sorted(
        [(world.other_customer.id, Role.MAIN_USER), (world.customer.id, Role.PURCHASER), (third.id, Role.PURCHASER)]
    )
    # The main user sees only the customer numbers they are a member of.
    assert {m["customer"]["number"] for m in payload["user"]["memberships"]} == {"10001", "10003"}
    # No invitation (the user has a password), but the user is told who added them where.
    [notice] = await outbox(database)
    assert (notice.template, notice.to_address) == ("membership_added", "othermain@example.test")
    assert "Mari Main" in notice.text_body and "innkjøper" in notice.text_body
    assert "Solsiden sykehjem (10001)" in notice.text_body and "(10003)" in notice.text_body
    assert await count(database, User) == 6


async def test_linking_an_existing_email_does_not_disclose_that_persons_details(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        person = await session.get(User, world.purchaser.id)
        assert person is not None
        person.phone = "+47 912 34 567"
    # other_main is MAIN_USER of 10002 only; Per Purchaser is a user of 10001 only.
    result = await gql(
        client,
        """mutation($input: CreateUserInput!) { createUser(input: $input) {
          user { id name email phone memberships { role customer { number } } } linkedExistingUser errors { code } } }""",
        {
            "input": new_user(
                email="purchaser@example.test", name="Hvem Er Dette", phone=None, customerNumbers=["10002"]
            )
        },
        token=world.token("other_main"),
    )
    payload = result["data"]["createUser"]
    assert payload["errors"] == [] and payload["linkedExistingUser"] is True
    assert payload["user"]["name"] == "Hvem Er Dette" and payload["user"]["phone"] is None
    assert payload["user"]["email"] == "purchaser@example.test"
    assert payload["user"]["memberships"] == [{"role": "PURCHASER", "customer": {"number": "10002"}}]
    assert "Per Purchaser" not in str(result) and "912" not in str(result)
    [notice] = await outbox(database, to="purchaser@example.test")
    assert notice.template == "membership_added"
    assert "Otto Other" in notice.text_body and "Fjordheim legesenter (10002)" in notice.text_body


async def test_an_existing_membership_is_left_as_it_is(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    payload = await create(client, world.token("main"), email="assistant@example.test", role="ASSISTANT")
    assert payload["linkedExistingUser"] is True
    payload = await create(client, world.token("main"), email="inactive@example.test", role="PURCHASER")
    assert payload["linkedExistingUser"] is True
    status = await scalar(
        database,
        select(Membership.status).where(
            Membership.user_id == world.inactive.id, Membership.customer_id == world.customer.id
        ),
    )
    assert status is MembershipStatus.INACTIVE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": "MAIN_USER"}, "input.role"),
        ({"email": "not-an-email"}, "input.email"),
        ({"name": "  "}, "input.name"),
        ({"name": "x" * 10_000}, "input.name"),
        ({"phone": "call me"}, "input.phone"),
        ({"customerNumbers": []}, "input.customerNumbers"),
    ],
)
async def test_bad_input_changes_nothing(
    client: httpx.AsyncClient, database: Database, world: World, overrides: dict, field: str
) -> None:
    payload = await create(client, world.token("main"), **overrides)
    assert payload["user"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]][:1] == [("INVALID_INPUT", field)]
    assert await count(database, User) == 6 and await count(database, OutboxMessage) == 0


async def test_every_named_customer_must_be_managed_by_the_caller(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    # purchaser@ is no main user of 10002, main@ is not a member of it at all.
    payload = await create(client, world.token("main"), customerNumbers=["10001", "10002"])
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", "input.customerNumbers.1")]
    assert await count(database, User) == 6


async def test_set_user_role(client: httpx.AsyncClient, database: Database, world: World) -> None:
    token = world.token("main")
    target = encode_id("User", world.assistant.id)
    payload = (await gql(client, SET_ROLE, {"u": target, "c": "10001", "r": "PURCHASER"}, token=token))["data"][
        "setUserRole"
    ]
    assert payload["errors"] == []
    assert payload["user"]["memberships"] == [{"role": "PURCHASER", "customer": {"number": "10001"}}]
    refused = (await gql(client, SET_ROLE, {"u": target, "c": "10001", "r": "MAIN_USER"}, token=token))["data"][
        "setUserRole"
    ]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_INPUT", "role")]
    own = encode_id("User", world.main.id)
    refused = (await gql(client, SET_ROLE, {"u": own, "c": "10001", "r": "ASSISTANT"}, token=token))["data"][
        "setUserRole"
    ]
    assert [e["code"] for e in refused["errors"]] == ["NOT_PERMITTED"]
    for stranger in (encode_id("User", world.other_main.id), "garbage", encode_id("Customer", world.assistant.id)):
        missing = (await gql(client, SET_ROLE, {"u": stranger, "c": "10001", "r": "ASSISTANT"}, token=token))["data"][
            "setUserRole"
        ]
        assert [(e["code"], e["field"]) for e in missing["errors"]] == [("NOT_FOUND", "userId")]
    assert [a for (a,) in await rows(database, select(AuditEntry.action))] == ["membership.role_changed"]


async def test_deactivating_the_last_membership_ends_every_session(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    token = world.token("main")
    target = encode_id("User", world.assistant.id)
    assistant_token = world.token("assistant")
    payload = (await gql(client, SET_STATUS, {"u": target, "c": "10001", "s": "INACTIVE"}, token=token))["data"][
        "setMembershipStatus"
    ]
    assert payload["errors"] == []
    assert payload["user"]["memberships"] == [{"status": "INACTIVE", "customer": {"number": "10001"}}]
    assert error_codes(await gql(client, "{ me { id } }", token=assistant_token)) == ["UNAUTHENTICATED"]
    login = await gql(
        client,
        'mutation { login(email: "assistant@example.test", password: "correct-horse-battery") { errors { code } } }',
    )
    assert login["data"]["login"]["errors"] == [{"code": "ACCOUNT_INACTIVE"}]
    # Reactivated, the user signs in again.
    await gql(client, SET_STATUS, {"u": target, "c": "10001", "s": "ACTIVE"}, token=token)
    login = await gql(
        client,
        'mutation { login(email: "assistant@example.test", password: "correct-horse-battery") { errors { code } } }',
    )
    assert login["data"]["login"]["errors"] == []
    actions = [a for (a,) in await rows(database, select(AuditEntry.action).order_by(AuditEntry.id))]
    assert actions == ["membership.deactivated", "membership.activated"]


async def test_deactivating_one_of_several_keeps_the_session(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    # other_main deactivates inactive@ on 10002; inactive@ was active only there... make it active on 10001 first.
    async with database.transaction() as session:
        membership = await session.scalar(
            select(Membership).where(
                Membership.user_id == world.inactive.id, Membership.customer_id == world.customer.id
            )
        )
        membership.status = MembershipStatus.ACTIVE  # type: ignore[union-attr]
    target = encode_id("User", world.inactive.id)
    payload = await gql(
        client, SET_STATUS, {"u": target, "c": "10002", "s": "INACTIVE"}, token=world.token("other_main")
    )
    assert payload["data"]["setMembershipStatus"]["errors"] == []
    own = world.token("inactive")
    assert "errors" not in await gql(client, "{ me { id } }", token=own)
    assert (await gql(client, '{ customer(number: "10002") { id } }', token=own))["data"]["customer"] is None


async def test_main_user_cannot_deactivate_themself(client: httpx.AsyncClient, world: World) -> None:
    own = encode_id("User", world.main.id)
    payload = (await gql(client, SET_STATUS, {"u": own, "c": "10001", "s": "INACTIVE"}, token=world.token("main")))[
        "data"
    ]["setMembershipStatus"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_PERMITTED"]


async def test_users_list_filters_and_pages(client: httpx.AsyncClient, world: World) -> None:
    token = world.token("main")
    everyone = (await gql(client, USERS, {"c": "10001"}, token=token))["data"]["customer"]["users"]
    assert everyone["totalCount"] == 4
    assert [e["node"]["name"] for e in everyone["edges"]] == [
        "Anne Assistant",
        "Ivar Inactive",
        "Mari Main",
        "Per Purchaser",
    ]
    inactive = (await gql(client, USERS, {"c": "10001", "s": "INACTIVE"}, token=token))["data"]["customer"]["users"]
    assert [e["node"]["email"] for e in inactive["edges"]] == ["inactive@example.test"]
    seen: list[str] = []
    after = None
    while True:
        page = (await gql(client, USERS, {"c": "10001", "first": 3, "after": after}, token=token))["data"]["customer"][
            "users"
        ]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [e["node"]["name"] for e in everyone["edges"]]
    too_many = await gql(client, USERS, {"c": "10001", "first": 101}, token=token)
    assert error_codes(too_many) == ["INVALID_INPUT"]
    bad_cursor = await gql(client, USERS, {"c": "10001", "after": "not-a-cursor"}, token=token)
    assert error_codes(bad_cursor) == ["INVALID_INPUT"]


async def test_update_profile(client: httpx.AsyncClient, database: Database, world: World) -> None:
    query = """mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { user { name phone } errors { code field } } }"""
    token = world.token("assistant")
    done = (await gql(client, query, {"i": {"name": "Anne A. Assistent", "phone": "+47 22 33 44 55"}}, token=token))[
        "data"
    ]["updateProfile"]
    assert done == {"user": {"name": "Anne A. Assistent", "phone": "+47 22 33 44 55"}, "errors": []}
    kept = (await gql(client, query, {"i": {"phone": ""}}, token=token))["data"]["updateProfile"]
    assert kept["user"] == {"name": "Anne A. Assistent", "phone": None}
    for bad, field in (
        ({"name": ""}, "input.name"),
        ({"phone": "ring meg"}, "input.phone"),
        ({"name": "x" * 5_000}, "input.name"),
    ):
        refused = (await gql(client, query, {"i": bad}, token=token))["data"]["updateProfile"]
        assert refused["user"] is None and [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("INVALID_INPUT", field)
        ]
    # Past the string-variable limit the request is refused before it executes.
    too_long = await gql(client, query, {"i": {"name": "x" * 500_000}}, token=token, expect_status=400)
    assert error_codes(too_long) == ["INVALID_INPUT"]
    assert await scalar(database, select(User.name).where(User.id == world.assistant.id)) == "Anne A. Assistent"


async def test_me_shows_every_membership_to_the_user(client: httpx.AsyncClient, world: World) -> None:
    me = (
        await gql(client, "{ me { memberships { role status customer { number } } } }", token=world.token("inactive"))
    )["data"]["me"]
    assert sorted((m["customer"]["number"], m["status"]) for m in me["memberships"]) == [
        ("10001", "INACTIVE"),
        ("10002", "ACTIVE"),
    ]


async def test_two_simultaneous_creates_of_one_email_make_one_user(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    import asyncio

    first, second = await asyncio.gather(create(client, world.token("main")), create(client, world.token("main")))
    assert first["errors"] == [] and second["errors"] == []
    assert sorted([first["linkedExistingUser"], second["linkedExistingUser"]]) == [False, True]
    assert await count(database, User, User.email_key == "nina@example.test") == 1
    assert await count(database, OutboxMessage) == 1
