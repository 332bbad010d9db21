"""Every cell of the role matrix, and every identity operation tried by everyone.

For each operation of storefront-account and storefront-users: no token,
another customer's main user, an assistant, a purchaser, an inactive member,
support staff and an API key, each with the answer the contract prescribes,
and nothing changed when refused.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db import Database
from app.ids import encode_id
from app.models import AuditEntry, Membership, Role, User
from app.policy import MATRIX, Action, role_may
from tests.factories import World, make_world
from tests.helpers.db import count
from tests.helpers.graphql import error_codes, gql

# The contract README's table, cell by cell.
CONTRACT_TABLE = {
    Action.EDIT_CARTS: {Role.MAIN_USER, Role.PURCHASER, Role.ASSISTANT},
    Action.EDIT_SHOPPING_LISTS: {Role.MAIN_USER, Role.PURCHASER, Role.ASSISTANT},  # issue 10: every member
    Action.PLACE_ORDER: {Role.MAIN_USER, Role.PURCHASER, Role.ASSISTANT},
    Action.SUBMIT_WITHOUT_APPROVAL: {Role.MAIN_USER, Role.PURCHASER},
    Action.APPROVE_ORDERS: {Role.MAIN_USER, Role.PURCHASER},
    Action.MANAGE_USERS: {Role.MAIN_USER},
    Action.LIST_USERS: {Role.MAIN_USER},
    Action.VIEW_CUSTOMER: {Role.MAIN_USER, Role.PURCHASER, Role.ASSISTANT},
    # storefront-returns.graphql: "asked for by any active member of the order's customer number".
    Action.REQUEST_RETURN: {Role.MAIN_USER, Role.PURCHASER, Role.ASSISTANT},
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_cell(action: Action, role: Role) -> None:
    assert role_may(role, action) is (role in CONTRACT_TABLE[action])
    assert role_may(None, action) is False


def test_matrix_covers_every_action() -> None:
    assert set(MATRIX) == set(Action) == set(CONTRACT_TABLE)


CUSTOMER_USERS = '{ customer(number: "10001") { number users { totalCount edges { node { email } } } } }'
CREATE_USER = """mutation($n: [String!]!) {
  createUser(input: {name: "Nina Ny", email: "nina@example.test", role: ASSISTANT, customerNumbers: $n}) {
    user { email } linkedExistingUser errors { code field }
  }
}"""
SET_ROLE = """mutation($u: ID!) {
  setUserRole(userId: $u, customerNumber: "10001", role: PURCHASER) { user { id } errors { code field } }
}"""
SET_STATUS = """mutation($u: ID!) {
  setMembershipStatus(userId: $u, customerNumber: "10001", status: INACTIVE) { user { id } errors { code field } }
}"""
PRIVATE = {
    "me": "{ me { id } }",
    "updateProfile": 'mutation { updateProfile(input: {name: "Nytt Navn"}) { user { name } errors { code } } }',
    "changePassword": 'mutation { changePassword(currentPassword: "x", newPassword: "y") { ok } }',
    "logout": "mutation { logout { ok } }",
}


async def _api_key(database: Database) -> str:
    from app.admin import create_api_key

    async with database.transaction() as session:
        return await create_api_key(session, "erp", ["catalog:write", "customers:write", "orders:read", "orders:write"])


@pytest.fixture
async def world(database: Database) -> World:
    return await make_world(database)


async def _snapshot(database: Database) -> tuple[Any, ...]:
    async with database.reader() as session:
        memberships = sorted(
            (
                await session.execute(
                    select(Membership.user_id, Membership.customer_id, Membership.role, Membership.status)
                )
            ).all()
        )
        users = sorted((await session.execute(select(User.email, User.name))).all())
    return (memberships, users, await count(database, AuditEntry))


@pytest.mark.parametrize("operation", sorted(PRIVATE))
async def test_signed_in_operations_refuse_anonymous_and_api_keys(
    client: httpx.AsyncClient, database: Database, world: World, operation: str
) -> None:
    query = PRIVATE[operation]
    before = await _snapshot(database)
    assert error_codes(await gql(client, query)) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(client, query, token=await _api_key(database))) == ["FORBIDDEN"]
    assert await _snapshot(database) == before


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("main", "list"),
        ("support", "list"),
        ("purchaser", "forbidden"),
        ("assistant", "forbidden"),
        ("other_main", "null"),
        ("inactive", "null"),
    ],
)
async def test_customer_users(client: httpx.AsyncClient, world: World, who: str, expected: str) -> None:
    result = await gql(client, CUSTOMER_USERS, token=world.token(who))
    customer = result["data"]["customer"]
    if expected == "list":
        assert "errors" not in result
        emails = {e["node"]["email"] for e in customer["users"]["edges"]}
        assert emails == {
            "main@example.test",
            "purchaser@example.test",
            "assistant@example.test",
            "inactive@example.test",
        }
    elif expected == "forbidden":
        assert customer == {"number": "10001", "users": None}
        assert error_codes(result) == ["FORBIDDEN"]
        assert result["errors"][0]["path"] == ["customer", "users"]
    else:
        assert customer is None and "errors" not in result


async def test_customer_users_without_token_or_with_an_api_key(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    assert error_codes(await gql(client, CUSTOMER_USERS)) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(client, CUSTOMER_USERS, token=await _api_key(database))) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("purchaser", "NOT_PERMITTED"),
        ("assistant", "NOT_PERMITTED"),
        ("other_main", "NOT_FOUND"),
        ("inactive", "NOT_FOUND"),
    ],
)
async def test_user_administration_refusals(
    client: httpx.AsyncClient, database: Database, world: World, who: str, code: str
) -> None:
    token = world.token(who)
    target = encode_id("User", world.assistant.id if who != "assistant" else world.purchaser.id)
    before = await _snapshot(database)

    created = (await gql(client, CREATE_USER, {"n": ["10001"]}, token=token))["data"]["createUser"]
    assert created["user"] is None
    assert created["errors"] == [{"code": code, "field": "input.customerNumbers.0"}]

    for query, name in ((SET_ROLE, "setUserRole"), (SET_STATUS, "setMembershipStatus")):
        payload = (await gql(client, query, {"u": target}, token=token))["data"][name]
        assert payload == {"user": None, "errors": [{"code": code, "field": "customerNumber"}]}

    assert await _snapshot(database) == before


async def test_user_administration_without_token(client: httpx.AsyncClient, database: Database, world: World) -> None:
    target = encode_id("User", world.assistant.id)
    key = await _api_key(database)
    for query, variables in ((CREATE_USER, {"n": ["10001"]}), (SET_ROLE, {"u": target}), (SET_STATUS, {"u": target})):
        assert error_codes(await gql(client, query, variables)) == ["UNAUTHENTICATED"]
        assert error_codes(await gql(client, query, variables, token=key)) == ["FORBIDDEN"]


async def test_main_user_may_administer(client: httpx.AsyncClient, world: World) -> None:
    token = world.token("main")
    created = (await gql(client, CREATE_USER, {"n": ["10001"]}, token=token))["data"]["createUser"]
    assert created["errors"] == [] and created["user"]["email"] == "nina@example.test"
    target = encode_id("User", world.assistant.id)
    assert (await gql(client, SET_ROLE, {"u": target}, token=token))["data"]["setUserRole"]["errors"] == []
    assert (await gql(client, SET_STATUS, {"u": target}, token=token))["data"]["setMembershipStatus"]["errors"] == []


async def test_an_inactive_membership_hides_the_customer_at_once(client: httpx.AsyncClient, world: World) -> None:
    # The inactive user is active on 10002 and sees it, but not 10001.
    token = world.token("inactive")
    assert (await gql(client, '{ customer(number: "10002") { number } }', token=token))["data"]["customer"] == {
        "number": "10002"
    }
    assert (await gql(client, '{ customer(number: "10001") { number } }', token=token))["data"]["customer"] is None
    assert (await gql(client, '{ customer(number: "99999") { number } }', token=token))["data"]["customer"] is None
