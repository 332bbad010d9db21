"""The protocol's rules and the bad input a hostile or broken client sends (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from app import settings as limits
from app.db import Database
from app.ids import decode_id, encode_id
from tests.erp.helpers import make_key
from tests.live.conftest import Live
from tests.live.helpers import (
    CART_CHANGED,
    CUSTOMER_CARTS_CHANGED,
    PROTOCOL,
    WAIT,
    LiveClient,
    error_codes,
    open_client,
)
from tests.live.test_live_api import new_cart
from tests.ordering.shop import Shop


async def test_no_token_or_a_bad_one_is_closed_at_connection_init(live: Live, shop: Shop) -> None:
    for payload in ({}, {"Authorization": "Bearer s_not-a-real-token"}, {"Authorization": "Basic abc"}, None):
        async with open_client(live.ws_url, None, init=False) as client:
            await client.send({"type": "connection_init", "payload": payload})
            code, reason = await client.closed_with()
            assert code == 4403 and reason.startswith("UNAUTHENTICATED"), (payload, code, reason)


async def test_an_api_key_is_refused(live: Live, shop: Shop, database: Database) -> None:
    key = await make_key(database, "catalog:write")
    async with open_client(live.ws_url, None, init=False) as client:
        await client.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
        code, reason = await client.closed_with()
        assert code == 4403 and reason.startswith("FORBIDDEN")


async def test_ids_of_another_type_garbage_and_unknown_numbers_look_missing(live: Live, shop: Shop) -> None:
    cart_id = await new_cart(live, shop)
    cart_pk = decode_id("Cart", cart_id)
    assert cart_pk is not None
    bad_ids = [encode_id("Order", cart_pk), encode_id("Product", shop.gloves.id), "garbage!!", "x" * 500, ""]
    async with open_client(live.ws_url, shop.token("main")) as client:
        for index, bad in enumerate(bad_ids):
            await client.subscribe(f"c{index}", CART_CHANGED, {"cartId": bad})
            message = await client.receive()
            assert message["id"] == f"c{index}" and error_codes(message) == ["NOT_FOUND"], (bad, message)
        for index, number in enumerate(["99999", "", "1" * 10_000]):
            await client.subscribe(f"n{index}", CUSTOMER_CARTS_CHANGED, {"customerNumber": number})
            assert error_codes(await client.receive()) == ["NOT_FOUND"]
        # Wrong variable types never reach a resolver.
        await client.subscribe("v", CART_CHANGED, {"cartId": {"nested": 1}})
        assert error_codes(await client.receive()) == ["INVALID_INPUT"]
        # The connection survives all of it.
        await client.subscribe("ok", CART_CHANGED, {"cartId": cart_id})
        assert (await client.next_data("ok"))["cartChanged"]["id"] == cart_id


async def test_too_many_subscriptions_on_one_connection(
    live: Live, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION", 3)
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("main")) as client:
        for index in range(3):
            await client.subscribe(str(index), CART_CHANGED, {"cartId": cart_id})
            await client.next_data(str(index))
        await client.subscribe("3", CART_CHANGED, {"cartId": cart_id})
        refused = await client.receive()
        assert refused["id"] == "3" and error_codes(refused) == ["TOO_MANY_SUBSCRIPTIONS"]
        # Completing one makes room.
        await client.send({"type": "complete", "id": "0"})
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
        await client.subscribe("4", CART_CHANGED, {"cartId": cart_id})
        assert (await client.next_data("4"))["cartChanged"]["id"] == cart_id


async def test_too_many_subscriptions_for_one_user(live: Live, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LIVE_MAX_SUBSCRIPTIONS_PER_USER", 2)
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("main")) as one, open_client(live.ws_url, shop.token("main")) as two:
        await one.subscribe("a", CART_CHANGED, {"cartId": cart_id})
        await one.next_data("a")
        await two.subscribe("b", CART_CHANGED, {"cartId": cart_id})
        await two.next_data("b")
        await two.subscribe("c", CART_CHANGED, {"cartId": cart_id})
        assert error_codes(await two.receive()) == ["TOO_MANY_SUBSCRIPTIONS"]
    # Another user is not affected.
    async with open_client(live.ws_url, shop.token("purchaser")) as other:
        await other.subscribe("d", CART_CHANGED, {"cartId": cart_id})
        assert (await other.next_data("d"))["cartChanged"]["id"] == cart_id


async def test_queries_and_mutations_belong_on_http(live: Live, shop: Shop) -> None:
    async with open_client(live.ws_url, shop.token("main")) as client:
        await client.send({"id": "q", "type": "subscribe", "payload": {"query": "{ me { name } }"}})
        assert error_codes(await client.receive()) == ["INVALID_INPUT"]
        await client.send({"id": "p", "type": "subscribe", "payload": {"query": "subscription {"}})
        assert error_codes(await client.receive()) == ["GRAPHQL_PARSE_FAILED"]
        await client.send({"id": "v", "type": "subscribe", "payload": {"query": "subscription { nope }"}})
        assert error_codes(await client.receive()) == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([{"id": "1", "type": "subscribe", "payload": {"query": "subscription { x }"}}], 4401),
        (["not json"], 4400),
        ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
        ([{"type": "connection_init"}, {"type": "bogus"}], 4400),
        ([{"type": "connection_init"}, {"type": "subscribe", "payload": {"query": "x"}}], 4400),
        ([{"type": "connection_init"}, "x" * (limits.LIVE_MAX_MESSAGE_BYTES + 1)], 1009),
    ],
)
async def test_protocol_violations_close_the_connection(
    live: Live, shop: Shop, messages: list[object], code: int
) -> None:
    async with open_client(live.ws_url, None, init=False) as client:
        for message in messages:
            if isinstance(message, dict) and message.get("type") == "connection_init":
                message = {**message, "payload": {"Authorization": f"Bearer {shop.token('main')}"}}
            await client.ws.send(message if isinstance(message, str) else json.dumps(message))
        closed_code, _reason = await client.closed_with()
        assert closed_code == code


async def test_a_reused_operation_id_closes_4409(live: Live, shop: Shop) -> None:
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("main")) as client:
        await client.subscribe("same", CART_CHANGED, {"cartId": cart_id})
        await client.next_data("same")
        await client.subscribe("same", CART_CHANGED, {"cartId": cart_id})
        assert (await client.closed_with())[0] == 4409


async def test_connection_init_timeout(live: Live, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LIVE_INIT_TIMEOUT_SECONDS", 0.3)
    async with open_client(live.ws_url, None, init=False) as client:
        code, reason = await client.closed_with()
        assert (code, reason) == (4408, "Connection initialisation timeout")


async def test_a_silent_client_is_closed(live: Live, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LIVE_PING_SECONDS", 0.1)
    monkeypatch.setattr(limits, "LIVE_IDLE_SECONDS", 1.0)
    async with open_client(live.ws_url, shop.token("main")) as client:
        pings = 0
        with pytest.raises(websockets.ConnectionClosed):
            while True:  # read, but never answer the pings
                message = json.loads(await asyncio.wait_for(client.ws.recv(), WAIT))
                pings += message == {"type": "ping"}
        assert pings >= 1 and client.ws.close_code == 4408


async def test_a_client_answering_pings_stays(live: Live, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pings every 0.1 s, and silence tolerated for 3 s: far longer than a pong takes even on a
    # loaded CI machine (with 0.5 s, a slow scheduler once closed a client that was answering).
    monkeypatch.setattr(limits, "LIVE_PING_SECONDS", 0.1)
    monkeypatch.setattr(limits, "LIVE_IDLE_SECONDS", 3.0)
    cart_id = await new_cart(live, shop)
    async with open_client(live.ws_url, shop.token("main")) as client:
        await client.subscribe("1", CART_CHANGED, {"cartId": cart_id})
        await client.next_data("1")
        pings = 0
        while pings < 40:  # four seconds of pings, each answered: past the idle limit
            message = await client.ws.recv()
            if json.loads(message) == {"type": "ping"}:
                pings += 1
                await client.send({"type": "pong"})
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}


async def test_without_the_subprotocol_the_server_says_which(live: Live, shop: Shop) -> None:
    async with websockets.connect(live.ws_url, open_timeout=WAIT) as ws:
        code, reason = await LiveClient(ws).closed_with()
        assert code == 4406 and PROTOCOL in reason


async def test_subscriptions_over_http_point_to_websocket(live: Live, shop: Shop) -> None:
    response = await live.http.post(
        "/graphql", json={"query": CART_CHANGED, "variables": {"cartId": "x"}}, headers={"Authorization": "Bearer x"}
    )
    assert response.status_code == 400
    assert "WebSocket" in response.json()["errors"][0]["message"]
