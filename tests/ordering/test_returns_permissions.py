"""Who may use each return operation: the permission matrix, one viewer at a time.

Every operation of storefront-returns.graphql, SetReturnStatus of
support.graphql and the two reads this feature adds (returnRequest,
returnRequests) are tried by: no token, another customer's main user, a user
whose membership here is inactive, each role, support staff, and an ERP API
key with every scope. Out of reach looks exactly like missing (null for
queries, NOT_FOUND for mutations), and a refused change leaves the data as it
was.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db import Database
from app.ids import decode_id, encode_id
from app.models import ReturnRequest, ReturnStatus
from tests.erp.helpers import ALL_SCOPES, make_key
from tests.helpers.db import count, rows
from tests.helpers.graphql import gql
from tests.ordering.returns_shop import (
    REQUEST_RETURN,
    RETURNS,
    SET_RETURN_STATUS,
    ReturnShop,
    delivered_order,
    return_input,
    stored_return,
)
from tests.ordering.test_permissions import VIEWERS, outcome

REQUESTED = ReturnStatus.REQUESTED
Prepare = Callable[[ReturnShop, Database], Awaitable[dict[str, Any]]]
_serial = iter(range(2_000_000, 3_000_000))


async def a_return(rshop: ReturnShop, database: Database) -> dict[str, Any]:
    pk = await stored_return(
        database, rshop.order, (0, 1), number=f"R{next(_serial)}", customer_id=rshop.shop.customer.id
    )
    return {"id": encode_id("ReturnRequest", pk), "status": "APPROVED", "customerNumber": "10001"}


async def an_order(rshop: ReturnShop, database: Database) -> dict[str, Any]:
    shop = rshop.shop
    order = await delivered_order(database, shop.customer, shop.address, (shop.gloves, 3))
    return return_input(order, (0, 1))


READ = {
    "none": "UNAUTHENTICATED",
    "other_main": "null",
    "inactive": "null",
    "main": "ok",
    "purchaser": "ok",
    "assistant": "ok",
    "support": "ok",
    "api_key": "FORBIDDEN",
}
ASK = {**READ, "other_main": "NOT_FOUND", "inactive": "NOT_FOUND", "support": "NOT_PERMITTED"}
SUPPORT_ONLY = {
    "none": "UNAUTHENTICATED",
    "other_main": "FORBIDDEN",
    "inactive": "FORBIDDEN",
    "main": "FORBIDDEN",
    "purchaser": "FORBIDDEN",
    "assistant": "FORBIDDEN",
    "support": "ok",
    "api_key": "FORBIDDEN",
}

# name: (document, prepare, field of data, expected per viewer)
OPERATIONS: dict[str, tuple[str, Prepare, str, dict[str, str]]] = {
    "Returns": (RETURNS, a_return, "customer", READ),
    "ReturnRequest": (
        "query($id: ID!) { returnRequest(id: $id) { id number order { number } lines { quantity } } }",
        a_return,
        "returnRequest",
        READ,
    ),
    "ReturnRequests": (
        "query { returnRequests(first: 10) { totalCount edges { node { id } } } }",
        a_return,
        "returnRequests",
        SUPPORT_ONLY,
    ),
    "RequestReturn": (REQUEST_RETURN, an_order, "requestReturn", ASK),
    "SetReturnStatus": (SET_RETURN_STATUS, a_return, "setReturnStatus", SUPPORT_ONLY),
}


def _used(document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Only the variables the document declares (GraphQL refuses no others, but keep requests honest)."""
    return {name: value for name, value in variables.items() if f"${name}" in document}


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_permission_matrix(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database, operation: str
) -> None:
    document, prepare, field, expected = OPERATIONS[operation]
    key = await make_key(database, *ALL_SCOPES)
    seen: dict[str, str] = {}
    for viewer in VIEWERS:
        variables = _used(document, await prepare(rshop, database))
        token = None if viewer == "none" else key if viewer == "api_key" else rshop.token(viewer)
        returns_before = await count(database, ReturnRequest)
        result = await gql(client, document, variables, token=token)
        seen[viewer] = outcome(result, field)
        if field == "customer" and seen[viewer] == "ok":
            assert result["data"]["customer"]["returns"]["totalCount"] >= 1
        if seen[viewer] != "ok":
            # Refused: nothing new, and no return moved on.
            assert await count(database, ReturnRequest) == returns_before, viewer
            if "id" in variables:
                pk = decode_id("ReturnRequest", variables["id"])
                assert await count(database, ReturnRequest, ReturnRequest.id == pk, ReturnRequest.status == REQUESTED)
    assert seen == expected


async def test_an_inactive_membership_here_does_not_reach_though_another_is_active(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    """The inactive user is an active ASSISTANT of the other customer: their returns, not ours."""
    ours = await a_return(rshop, database)
    theirs = await stored_return(
        database, rshop.other_order, (0, 1), number="R3000000", customer_id=rshop.shop.world.other_customer.id
    )
    token = rshop.token("inactive")
    document = "query($id: ID!) { returnRequest(id: $id) { number } }"
    mine = await gql(client, document, {"id": encode_id("ReturnRequest", theirs)}, token=token)
    assert mine["data"]["returnRequest"] == {"number": "R3000000"}
    assert (await gql(client, document, {"id": ours["id"]}, token=token))["data"]["returnRequest"] is None
    seen = await gql(client, RETURNS, {"customerNumber": "10002"}, token=token)
    assert seen["data"]["customer"]["returns"]["totalCount"] == 1
    asked = await gql(client, REQUEST_RETURN, return_input(rshop.order, (0, 1)), token=token)
    assert asked["data"]["requestReturn"]["errors"][0]["code"] == "NOT_FOUND"
    assert asked["data"]["requestReturn"]["errors"][0]["field"] == "input.orderId"


async def test_support_reads_every_customers_returns_and_only_support_decides(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    ours = await a_return(rshop, database)
    for who in ("main", "purchaser", "assistant", "other_main"):
        result = await gql(client, SET_RETURN_STATUS, {"id": ours["id"], "status": "APPROVED"}, token=rshop.token(who))
        assert result["data"] is None and result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert [s for (s,) in await rows(database, select(ReturnRequest.status))] == [ReturnStatus.REQUESTED]
    result = await gql(
        client, SET_RETURN_STATUS, {"id": ours["id"], "status": "APPROVED"}, token=rshop.token("support")
    )
    assert result["data"]["setReturnStatus"]["returnRequest"]["status"] == "APPROVED"
