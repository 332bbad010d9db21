"""Delivery to a real receiver on loopback that verifies every signature.

The clock is frozen by the shop fixture; retries are made due by moving it on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app import clock
from app.admin import revoke_api_key
from app.db import Database
from app.ids import encode_id
from app.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.settings import Settings
from app.webhooks.sender import WebhookSender
from tests.erp.helpers import SET_STOCK, make_key
from tests.helpers.db import outbox, rows, scalar
from tests.helpers.graphql import gql
from tests.ordering.returns_shop import ReturnShop, request_return, return_input, set_status
from tests.ordering.shop import Shop, filled_cart, submit
from tests.ordering.test_approval_api import APPROVE, REJECT
from tests.ordering.test_order_feed import UPDATE
from tests.webhooks.helpers import ENDPOINTS, REPLAY, create, endpoints
from tests.webhooks.receiver import HANG, Receiver, Redirect

Senders = Callable[..., WebhookSender]


async def register(client: httpx.AsyncClient, database: Database, receiver: Receiver, *events: str) -> str:
    """An ERP key with every scope and an endpoint at ``receiver``; the key."""
    token = await make_key(database, "webhooks:write", "orders:write", "catalog:write", name="erp")
    made = await create(client, token, receiver.url, list(events) if events else None)
    assert made["errors"] == [], made
    receiver.secret = made["secret"]
    return token


async def deliveries(database: Database) -> list[WebhookDelivery]:
    return [row for (row,) in await rows(database, select(WebhookDelivery).order_by(WebhookDelivery.id))]


async def one_order_event(client: httpx.AsyncClient, shop: Shop) -> None:
    """order.submitted, by a purchaser's order."""
    payload = await submit(client, shop, await filled_cart(client, shop))
    assert payload["errors"] == [], payload


async def test_every_event_arrives_signed(
    open_client: httpx.AsyncClient, database: Database, rshop: ReturnShop, receiver: Receiver, senders: Senders
):
    shop = rshop.shop
    key = await register(open_client, database, receiver)
    approved = await submit(open_client, shop, await filled_cart(open_client, shop, "assistant"), "assistant")
    rejected = await submit(open_client, shop, await filled_cart(open_client, shop, "assistant"), "assistant")
    approve = await gql(open_client, APPROVE, {"orderId": approved["order"]["id"]}, token=shop.token("purchaser"))
    assert approve["data"]["approveOrder"]["errors"] == []
    reject = await gql(
        open_client, REJECT, {"orderId": rejected["order"]["id"], "reason": "Feil avdeling"}, token=shop.token("main")
    )
    assert reject["data"]["rejectOrder"]["errors"] == []
    moved = await gql(
        open_client, UPDATE, {"input": {"orderNumber": approved["order"]["number"], "status": "IN_PROGRESS"}}, token=key
    )
    assert moved["data"]["updateOrderStatus"]["errors"] == []
    asked = await request_return(open_client, shop.token("purchaser"), return_input(rshop.order, (0, 1)))
    assert asked["errors"] == []
    decided = await set_status(open_client, shop.token("support"), asked["returnRequest"]["id"], "APPROVED")
    assert decided["errors"] == []
    stock = await gql(open_client, SET_STOCK, {"items": [{"sku": "NH-100", "quantity": 0}]}, token=key)
    assert stock["data"]["setStock"]["errors"] == []

    report = await senders().deliver_pending()

    assert report.delivered == 8 and report.failed == 0
    by_type: dict[str, list[dict]] = {}
    for payload in receiver.verified():
        by_type.setdefault(payload["type"], []).append(payload)
    assert sorted(by_type) == sorted(
        [
            "order.submitted",
            "order.approved",
            "order.rejected",
            "order.status_changed",
            "return.requested",
            "return.status_changed",
            "product.out_of_stock",
        ]
    )
    submitted = by_type["order.submitted"][0]["data"]
    assert submitted["orderId"] == approved["order"]["id"]
    assert submitted["orderNumber"] == approved["order"]["number"]
    assert submitted["customerNumber"] == shop.customer.number
    assert submitted["status"] == "PENDING_APPROVAL" and submitted["total"] == "454.25"
    assert by_type["order.approved"][0]["data"]["status"] == "SUBMITTED"
    assert by_type["order.rejected"][0]["data"]["rejectionReason"] == "Feil avdeling"
    changed = by_type["order.status_changed"][0]["data"]
    assert (changed["previousStatus"], changed["status"]) == ("SUBMITTED", "IN_PROGRESS")
    requested = by_type["return.requested"][0]["data"]
    assert requested["returnNumber"] == asked["returnRequest"]["number"]
    assert requested["orderNumber"] == rshop.order.number and requested["lines"] == [{"sku": "NH-100", "quantity": 1}]
    assert by_type["return.status_changed"][0]["data"]["status"] == "APPROVED"
    assert by_type["product.out_of_stock"][0]["data"] == {
        "productId": encode_id("Product", shop.gloves.id),
        "sku": "NH-100",
        "stockQuantity": 0,
    }
    assert all(p["timestamp"] for p in receiver.verified())
    assert len({r.webhook_id for r in receiver.received}) == 8
    # The log says so.
    [listed] = await endpoints(open_client, key, first=100)
    assert {e["node"]["status"] for e in listed["deliveries"]["edges"]} == {"DELIVERED"}
    assert {e["node"]["responseCode"] for e in listed["deliveries"]["edges"]} == {200}


async def test_only_subscribed_events_of_live_keys_are_queued(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver
):
    await register(open_client, database, receiver, "ORDER_APPROVED")
    await one_order_event(open_client, shop)
    assert await deliveries(database) == []


async def test_a_failed_delivery_is_retried_with_the_same_id(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    key = await register(open_client, database, receiver)
    await one_order_event(open_client, shop)
    receiver.plan = [500]
    sender = senders()

    first = await sender.deliver_pending()
    [row] = await deliveries(database)
    assert (first.delivered, first.failed) == (0, 1)
    assert (row.status, row.attempts, row.response_code) == (DeliveryStatus.PENDING, 1, 500)
    # Backoff: 5 s with up to half of it cut by jitter; nothing is due before.
    wait = row.next_attempt_at - clock.now()
    assert timedelta(seconds=2.5) <= wait <= timedelta(seconds=5)
    assert (await sender.deliver_pending()).delivered == 0
    [listed] = await endpoints(open_client, key)
    assert listed["failingSince"] is not None

    clock.set_now(clock.now() + timedelta(seconds=6))
    second = await sender.deliver_pending()

    assert second.delivered == 1
    [row] = await deliveries(database)
    assert (row.status, row.attempts, row.response_code) == (DeliveryStatus.DELIVERED, 2, 200)
    assert len(receiver.received) == 2
    assert receiver.received[0].webhook_id == receiver.received[1].webhook_id == row.message_id
    assert receiver.received[0].body == receiver.received[1].body
    assert len(receiver.verified()) == 2
    [listed] = await endpoints(open_client, key)
    assert listed["failingSince"] is None


async def test_a_hanging_receiver_costs_one_timeout(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    await register(open_client, database, receiver)
    await one_order_event(open_client, shop)
    receiver.plan = [HANG]

    started = time.monotonic()
    report = await senders(timeout=0.5).deliver_pending()
    took = time.monotonic() - started

    assert report.failed == 1
    assert 0.5 <= took < 5, took
    [row] = await deliveries(database)
    assert row.status is DeliveryStatus.PENDING and row.response_code is None
    assert row.last_error == "timed out after 0.5 s"


async def test_a_redirect_is_never_followed(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    inside = await Receiver().start()
    try:
        await register(open_client, database, receiver)
        await one_order_event(open_client, shop)
        receiver.plan = [Redirect(inside.url)]

        report = await senders().deliver_pending()

        assert report.failed == 1
        assert inside.received == []
        [row] = await deliveries(database)
        assert (row.status, row.response_code, row.last_error) == (DeliveryStatus.PENDING, 302, "HTTP 302")
    finally:
        await inside.stop()


async def test_private_addresses_are_checked_again_when_sending(
    open_client: httpx.AsyncClient,
    database: Database,
    shop: Shop,
    receiver: Receiver,
    senders: Senders,
    settings: Settings,
):
    """A public name that later resolves to loopback (DNS rebinding) reaches nothing."""
    await register(open_client, database, receiver)
    async with database.transaction() as session:
        endpoint = (await session.scalars(select(WebhookEndpoint))).one()
        endpoint.url = f"https://hooks.partner.example:{receiver.port}/hook"
    await one_order_event(open_client, shop)
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34", "127.0.0.1"]

    report = await senders(settings=settings, resolver=rebinding).deliver_pending()

    assert report.failed == 1 and asked == ["hooks.partner.example"]
    assert receiver.received == []
    [row] = await deliveries(database)
    assert row.response_code is None and "non-public address (127.0.0.1)" in (row.last_error or "")

    # And a plain http:// target stored while it was allowed is refused once it is not.
    async with database.transaction() as session:
        endpoint = (await session.scalars(select(WebhookEndpoint))).one()
        endpoint.url = receiver.url
    clock.set_now(clock.now() + timedelta(seconds=6))
    await senders(settings=settings).deliver_pending()
    assert receiver.received == []
    [row] = await deliveries(database)
    assert row.last_error == "only https targets are allowed"


async def test_a_sender_killed_mid_delivery_duplicates_only_with_the_same_id(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    await register(open_client, database, receiver)
    await one_order_event(open_client, shop)
    receiver.plan = [HANG]
    doomed = senders(lease_seconds=30)
    task = asyncio.create_task(doomed.deliver_pending())
    await asyncio.wait_for(receiver.arrived.wait(), timeout=10)
    task.cancel()  # dies before it can record anything
    with pytest.raises(asyncio.CancelledError):
        await task

    # While its lease lasts, nobody else sends it.
    other = senders()
    assert (await other.deliver_pending()).delivered == 0
    assert len(receiver.received) == 1

    clock.set_now(clock.now() + timedelta(seconds=31))
    assert (await other.deliver_pending()).delivered == 1
    assert (await other.deliver_pending()).delivered == 0

    assert len(receiver.received) == 2
    assert receiver.received[0].webhook_id == receiver.received[1].webhook_id
    [row] = await deliveries(database)
    assert row.status is DeliveryStatus.DELIVERED and row.attempts == 1


async def test_two_senders_at_once_deliver_each_event_once(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    await register(open_client, database, receiver)
    async with database.transaction() as session:
        endpoint_id = await session.scalar(select(WebhookEndpoint.id))
        session.add_all(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                event="order.submitted",
                message_id=f"msg_{n}",
                body=f'{{"type":"order.submitted","n":{n}}}',
                next_attempt_at=clock.now(),
            )
            for n in range(120)
        )

    reports = await asyncio.gather(senders().deliver_pending(), senders().deliver_pending())

    assert sum(r.delivered for r in reports) == 120
    ids = [r.webhook_id for r in receiver.received]
    assert len(ids) == len(set(ids)) == 120
    assert len(receiver.verified()) == 120


async def test_a_day_of_failures_disables_the_endpoint_and_tells_support(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    key = await register(open_client, database, receiver)
    await one_order_event(open_client, shop)
    receiver.plan = [503] * 100
    sender = senders()
    await sender.deliver_pending()
    clock.set_now(clock.now() + timedelta(hours=23))
    await sender.deliver_pending()
    [listed] = await endpoints(open_client, key)
    assert listed["enabled"] is True and await outbox(database, "support@shop.test") == []

    clock.set_now(clock.now() + timedelta(hours=1, seconds=1))
    await sender.deliver_pending()

    [listed] = await endpoints(open_client, key)
    assert listed["enabled"] is False
    [mail] = await outbox(database, "support@shop.test")
    assert mail.to_address == "support@shop.test" and mail.template == "webhook_endpoint_disabled"
    assert receiver.url in mail.text_body and "erp" in mail.text_body and "HTTP 503" in mail.text_body
    # Disabled: new events wait, nothing is sent. (The shop's sessions have expired by now: one written directly.)
    async with database.transaction() as session:
        endpoint_id = await session.scalar(select(WebhookEndpoint.id))
        session.add(
            WebhookDelivery(endpoint_id=endpoint_id, event="order.submitted", message_id="msg_later", body="{}")
        )
    clock.set_now(clock.now() + timedelta(hours=2))
    sent_before = len(receiver.received)
    await sender.deliver_pending()
    assert len(receiver.received) == sent_before
    assert len(await outbox(database, "support@shop.test")) == 1

    # A replay sends the delivery again, with its id, and enables the endpoint: the waiting event follows.
    receiver.plan = []
    first_id = listed["deliveries"]["edges"][-1]["node"]["id"]
    replayed = await gql(open_client, REPLAY, {"deliveryId": first_id}, token=key)
    assert replayed["data"]["replayWebhookDelivery"] == {
        "delivery": {"id": first_id, "status": "PENDING"},
        "errors": [],
    }
    assert (await sender.deliver_pending()).delivered == 2
    [listed] = await endpoints(open_client, key)
    assert listed["enabled"] is True and listed["failingSince"] is None
    assert receiver.received[-1].webhook_id != receiver.received[0].webhook_id
    assert receiver.received[0].webhook_id in {r.webhook_id for r in receiver.received[-2:]}


async def test_a_delivered_event_can_be_replayed_with_its_id(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    key = await register(open_client, database, receiver)
    await one_order_event(open_client, shop)
    sender = senders()
    await sender.deliver_pending()
    result = await gql(open_client, ENDPOINTS, {"first": 5}, token=key)
    node = result["data"]["webhookEndpoints"][0]["deliveries"]["edges"][0]["node"]
    assert (node["event"], node["status"], node["attempts"], node["responseCode"]) == (
        "ORDER_SUBMITTED",
        "DELIVERED",
        1,
        200,
    )

    await gql(open_client, REPLAY, {"deliveryId": node["id"]}, token=key)
    await sender.deliver_pending()

    assert [r.webhook_id for r in receiver.received] == [receiver.received[0].webhook_id] * 2
    assert await scalar(database, select(WebhookDelivery.attempts)) == 2


async def test_a_claim_takes_at_most_its_batch(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    """On PostgreSQL a plain IN (subquery ... LIMIT) could be re-run per row and claim everything."""
    await register(open_client, database, receiver)
    async with database.transaction() as session:
        endpoint_id = await session.scalar(select(WebhookEndpoint.id))
        session.add_all(
            WebhookDelivery(endpoint_id=endpoint_id, event="order.submitted", message_id=f"msg_{n}", body="{}")
            for n in range(120)
        )
    first, second = senders(), senders()
    claimed = await first.claim(limit=50)
    assert len(claimed) == 50
    assert len(await second.claim(limit=100)) == 70
    assert await first.claim(limit=50) == []


async def test_a_revoked_keys_endpoints_get_nothing_more(
    open_client: httpx.AsyncClient, database: Database, shop: Shop, receiver: Receiver, senders: Senders
):
    await register(open_client, database, receiver)
    await one_order_event(open_client, shop)  # queued while the key was live
    async with database.transaction() as session:
        await revoke_api_key(session, "erp")
    await one_order_event(open_client, shop)  # not even queued

    assert (await senders().deliver_pending()).delivered == 0
    assert receiver.received == []
    assert len(await deliveries(database)) == 1
