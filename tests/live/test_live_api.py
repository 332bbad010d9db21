"""Live carts over graphql-transport-ws, in one process, on SQLite (in-process bus) and PostgreSQL (LISTEN/NOTIFY).

Each test talks to a real uvicorn server in the test's event loop: changes go
in over HTTP as a browser sends them, and the subscriber sees what arrives on
its WebSocket.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.db import Database
from app.ids import encode_id
from app.live.hub import Hub
from app.main import create_app
from app.settings import Settings
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements
from tests.live.conftest import Live
from tests.live.helpers import CART_CHANGED, CUSTOMER_CARTS_CHANGED, error_codes, open_client, serving
from tests.ordering.shop import ADD_TO_CART, CREATE_CART, Shop

RENAME = """mutation RenameCart($cartId: ID!, $name: String!) {
  renameCart(cartId: $cartId, name: $name) { cart { id name } errors { code } }
}"""
DELETE = """mutation DeleteCart($cartId: ID!) { deleteCart(cartId: $cartId) { ok errors { code } } }"""
SET_STATUS = """mutation SetMembershipStatus($userId: ID!, $customerNumber: String!, $status: MembershipStatus!) {
  setMembershipStatus(userId: $userId, customerNumber: $customerNumber, status: $status) { errors { code } }
}"""
LOGOUT = "mutation Logout { logout { ok } }"


async def mutate(live: Live, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    result = await gql(live.http, query, variables, token=token)
    assert "errors" not in result, result
    (payload,) = result["data"].values()
    assert payload["errors"] == [], payload
    return payload


async def new_cart(live: Live, shop: Shop, who: str = "main") -> str:
    payload = await mutate(live, CREATE_CART, {"customerNumber": "10001", "name": "Dagskiftet"}, shop.token(who))
    return payload["cart"]["id"]


async def add(live: Live, shop: Shop, cart_id: str, who: str, sku: str = "NH-100", quantity: int = 2) -> None:
    variables = {"cartId": cart_id, "lines": [{"sku": sku, "quantity": quantity}], "expectedVersion": None}
    await mutate(live, ADD_TO_CART, variables, shop.token(who))


async def test_a_colleagues_change_reaches_the_subscriber(live: Live, shop: Shop) -> None:
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("purchaser")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        first = (await client.next_data("1"))["cartChanged"]
        assert (first["id"], first["version"], first["lines"]) == (cart_id, 1, [])

        await add(live, shop, cart_id, "assistant")
        changed = (await client.next_data("1"))["cartChanged"]
        assert changed["version"] == 2
        assert changed["updatedBy"] == {"name": "Anne Assistant"}
        assert [(line["quantity"], line["product"]["sku"]) for line in changed["lines"]] == [(2, "NH-100")]
        assert changed["total"] == {"amount": "200.00"}  # 2 x 80.00 agreement price + 25 % VAT

        await mutate(live, RENAME, {"cartId": cart_id, "name": "Kveldsskiftet"}, shop.token("main"))
        renamed = (await client.next_data("1"))["cartChanged"]
        assert (renamed["name"], renamed["version"], renamed["updatedBy"]) == (
            "Kveldsskiftet",
            3,
            {"name": "Mari Main"},
        )

        await mutate(live, DELETE, {"cartId": cart_id}, shop.token("main"))
        ended = await client.receive()
        assert error_codes(ended) == ["NOT_FOUND"] and ended["id"] == "1"


async def test_customer_carts_changed_tells_every_kind(live: Live, shop: Shop) -> None:
    async with open_client(live.ws_url, shop.token("assistant")) as client:
        await client.subscribe("carts", CUSTOMER_CARTS_CHANGED, {"customerNumber": "10001"})
        # The subscription is registered before the ack of anything else: a ping round trip proves it.
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
        cart_id = await new_cart(live, shop)
        created = (await client.next_data("carts"))["customerCartsChanged"]
        assert created == {
            "kind": "CREATED",
            "cartId": cart_id,
            "cart": {"id": cart_id, "name": "Dagskiftet", "version": 1, "status": "OPEN", "lineCount": 0},
        }
        await add(live, shop, cart_id, "purchaser")
        updated = (await client.next_data("carts"))["customerCartsChanged"]
        assert (updated["kind"], updated["cart"]["version"], updated["cart"]["lineCount"]) == ("UPDATED", 2, 1)

        await mutate(live, DELETE, {"cartId": cart_id}, shop.token("main"))
        deleted = (await client.next_data("carts"))["customerCartsChanged"]
        assert deleted == {"kind": "DELETED", "cartId": cart_id, "cart": None}

        # Another customer's carts never show here.
        other = await mutate(live, CREATE_CART, {"customerNumber": "10002", "name": None}, shop.token("other_main"))
        mine = await new_cart(live, shop)
        assert other["cart"]["id"] != mine
        nxt = (await client.next_data("carts"))["customerCartsChanged"]
        assert (nxt["kind"], nxt["cartId"]) == ("CREATED", mine)


async def test_another_customers_cart_is_refused_like_a_missing_one(live: Live, shop: Shop) -> None:
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("other_main")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        assert error_codes(await client.receive()) == ["NOT_FOUND"]
        await client.subscribe("2", CUSTOMER_CARTS_CHANGED, {"customerNumber": "10001"})
        assert error_codes(await client.receive()) == ["NOT_FOUND"]
    # A user whose membership of the customer is inactive is refused too.
    async with open_client(live.ws_url, shop.token("inactive")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        assert error_codes(await client.receive()) == ["NOT_FOUND"]


async def test_deactivating_the_membership_ends_the_stream_at_once(live: Live, shop: Shop) -> None:
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("assistant")) as client:
        await client.subscribe("cart", CART_CHANGED, {"cartId": cart_id})
        await client.next_data("cart")
        await client.subscribe("carts", CUSTOMER_CARTS_CHANGED, {"customerNumber": "10001"})
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
        variables = {
            "userId": encode_id("User", shop.world.assistant.id),
            "customerNumber": "10001",
            "status": "INACTIVE",
        }
        await mutate(live, SET_STATUS, variables, shop.token("main"))
        # No cart changed: the membership change alone ends both, and no cart data is sent.
        ended = {}
        for _ in range(2):
            message = await client.receive()
            ended[message["id"]] = error_codes(message)
        # The assistant had no other membership, so every session of theirs was revoked.
        assert ended == {"cart": ["UNAUTHENTICATED"], "carts": ["UNAUTHENTICATED"]}


async def test_losing_one_of_two_memberships_ends_that_customers_stream(live: Live, shop: Shop) -> None:
    # "inactive" is INACTIVE at 10001 and an ASSISTANT at 10002: the main user of 10002 deactivates them there.
    async with open_client(live.ws_url, shop.token("inactive")) as client:
        await client.subscribe("carts", CUSTOMER_CARTS_CHANGED, {"customerNumber": "10002"})
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
        variables = {
            "userId": encode_id("User", shop.world.inactive.id),
            "customerNumber": "10002",
            "status": "INACTIVE",
        }
        await mutate(live, SET_STATUS, variables, shop.token("other_main"))
        message = await client.receive()
        assert message["id"] == "carts" and error_codes(message) in (["NOT_FOUND"], ["UNAUTHENTICATED"])


async def test_logout_ends_the_sessions_streams(live: Live, shop: Shop) -> None:
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("purchaser")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        await client.next_data("1")
        result = await gql(live.http, LOGOUT, token=shop.token("purchaser"))
        assert result["data"]["logout"]["ok"] is True
        assert error_codes(await client.receive()) == ["UNAUTHENTICATED"]


async def test_submitting_sends_the_submitted_cart_then_completes(live: Live, shop: Shop) -> None:
    from tests.ordering.shop import FIRST_DATE, SUBMIT_CART

    cart_id = await new_cart(live, shop)
    await add(live, shop, cart_id, "main")
    async with open_client(live.ws_url, shop.token("assistant")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        assert (await client.next_data("1"))["cartChanged"]["status"] == "OPEN"
        variables = {
            "cartId": cart_id,
            "input": {"deliveryAddressId": shop.address, "deliveryDate": FIRST_DATE.isoformat()},
            "expectedVersion": None,
        }
        await mutate(live, SUBMIT_CART, variables, shop.token("purchaser"))
        submitted = (await client.next_data("1"))["cartChanged"]
        assert (submitted["status"], submitted["updatedBy"]) == ("SUBMITTED", {"name": "Per Purchaser"})
        assert await client.receive() == {"type": "complete", "id": "1"}


async def test_idle_subscriptions_hold_no_database_connection(
    settings: Settings, database: Database, shop: Shop
) -> None:
    # A pool of two connections serves eight open subscriptions and their events.
    small = Database(database.url, pool_size=2, max_overflow=0, pool_timeout=5)
    try:
        async with serving(create_app(settings, small)) as ws_url:
            base = ws_url.replace("ws://", "http://").removesuffix("/graphql")
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                live = Live(ws_url, http)
                cart_id = await new_cart(live, shop)
                async with open_client(ws_url, shop.token("main")) as client:
                    for index in range(8):
                        await client.subscribe(str(index), CART_CHANGED, {"cartId": cart_id})
                    versions = [(await client.receive())["payload"]["data"]["cartChanged"]["version"] for _ in range(8)]
                    assert versions == [1] * 8
                    await add(live, shop, cart_id, "assistant")
                    versions = [(await client.receive())["payload"]["data"]["cartChanged"]["version"] for _ in range(8)]
                    assert versions == [2] * 8
    finally:
        await small.dispose()


async def test_statements_per_event_do_not_grow_with_the_lines(
    live: Live, shop: Shop, settings: Settings, database: Database
) -> None:
    cart_id = await new_cart(live, shop)
    # The subscriber's server has its own engine, so its statements are counted apart from the mutation's.
    reader = Database(database.url)
    counts = []
    try:
        async with (
            serving(create_app(settings, reader)) as ws_url,
            open_client(ws_url, shop.token("purchaser")) as client,
        ):
            await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
            await client.next_data("1")
            for sku, lines in (("NH-100", 1), ("KO-200", 2)):
                with count_statements(reader) as log:
                    await add(live, shop, cart_id, "assistant", sku=sku)
                    cart = (await client.next_data("1"))["cartChanged"]
                assert len(cart["lines"]) == lines
                counts.append(log.count)
    finally:
        await reader.dispose()
    # Viewer, cart, lines, their products, who changed it: five per event, however many lines.
    assert counts == [5, 5]


async def test_a_lost_listen_connection_is_replaced_and_subscribers_re_read(
    live: Live, shop: Shop, database: Database
) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL's LISTEN connection")
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("purchaser")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        await client.next_data("1")
        async with database.engine.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
                )
            )
        assert killed == 1
        # Notices sent while it was down are lost, so every subscriber re-reads once it is back.
        resync = (await client.next_data("1"))["cartChanged"]
        assert resync["version"] == 1
        await add(live, shop, cart_id, "assistant")
        assert (await client.next_data("1"))["cartChanged"]["version"] == 2


async def test_support_staff_may_watch_a_customers_cart(live: Live, shop: Shop) -> None:
    # Support sees every customer (as the cart query allows), so it may watch too; it may not change carts.
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("support")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        assert (await client.next_data("1"))["cartChanged"]["id"] == cart_id
        await add(live, shop, cart_id, "assistant")
        assert (await client.next_data("1"))["cartChanged"]["version"] == 2


async def test_a_subscription_listens_before_the_connection_answers_its_next_message(
    live: Live, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hub's LISTEN connection slow to open, as under load: the pong must still wait for it.
    opening = Hub._ensure_listening

    async def slowly(self: Hub) -> None:
        await asyncio.sleep(0.5)
        await opening(self)

    monkeypatch.setattr(Hub, "_ensure_listening", slowly)
    async with open_client(live.ws_url, shop.token("assistant")) as client:
        await client.subscribe("carts", CUSTOMER_CARTS_CHANGED, {"customerNumber": "10001"})
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
        cart_id = await new_cart(live, shop)
        assert (await client.next_data("carts"))["customerCartsChanged"]["cartId"] == cart_id
