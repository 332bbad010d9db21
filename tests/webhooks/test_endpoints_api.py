"""Registering endpoints through the API: the secret once, bad input refused, each key sees only its own."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from app.db import Database
from app.ids import encode_id
from app.main import create_app
from app.models import WebhookDelivery, WebhookEndpoint
from app.settings import Settings
from tests.erp.helpers import make_key
from tests.factories import make_world
from tests.helpers.db import count, scalar
from tests.helpers.graphql import error_codes, gql
from tests.helpers.sql import count_statements
from tests.webhooks.helpers import ALL_EVENTS, CREATE, DELETE, ENDPOINTS, REPLAY, create, endpoints, webhook_key


@pytest.fixture
async def open_client(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    """A client of a server that allows private targets (COMMERCE_WEBHOOK_ALLOW_PRIVATE=true)."""
    app = create_app(replace(settings, webhook_allow_private=True), database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as http:
        yield http


async def test_create_shows_the_secret_once_and_lists_the_endpoint(client: httpx.AsyncClient, database: Database):
    token = await webhook_key(database)
    made = await create(client, token, "https://erp.example.com/hooks", ["ORDER_SUBMITTED", "ORDER_SUBMITTED"])
    assert made["errors"] == []
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
    assert made["endpoint"]["url"] == "https://erp.example.com/hooks"
    assert made["endpoint"]["events"] == ["ORDER_SUBMITTED"]
    assert made["endpoint"]["enabled"] is True
    [listed] = await endpoints(client, token)
    assert listed["id"] == made["endpoint"]["id"]
    assert listed["failingSince"] is None
    assert listed["deliveries"] == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    assert "secret" not in str(listed)


@pytest.mark.parametrize(
    "url",
    [
        "http://erp.example.com/hooks",  # not https
        "ftp://erp.example.com/hooks",
        "https://127.0.0.1/hooks",  # loopback
        "https://[::1]/hooks",
        "https://10.1.2.3/hooks",  # private
        "https://192.168.0.10/hooks",
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://100.64.0.1/hooks",  # shared address space
        "https://[::ffff:127.0.0.1]/hooks",  # loopback, IPv4-mapped
        "https://localhost/hooks",
        "https://erp.internal/hooks",
        "https://user:pw@erp.example.com/hooks",
        "not a url",
        "https://erp.example.com/" + "x" * 2001,
    ],
)
async def test_refuses_targets_that_are_not_public_https(client: httpx.AsyncClient, database: Database, url: str):
    token = await webhook_key(database)
    made = await create(client, token, url)
    assert made["endpoint"] is None and made["secret"] is None
    assert [(e["code"], e["field"]) for e in made["errors"]] == [("INVALID_INPUT", "input.url")]
    assert await count(database, WebhookEndpoint) == 0


async def test_private_targets_are_allowed_when_the_operator_says_so(
    open_client: httpx.AsyncClient, database: Database
):
    token = await webhook_key(database)
    made = await create(open_client, token, "http://127.0.0.1:9/hooks")
    assert made["errors"] == [] and made["endpoint"]["url"] == "http://127.0.0.1:9/hooks"


async def test_unknown_event_and_no_event_are_refused(client: httpx.AsyncClient, database: Database):
    token = await webhook_key(database)
    unknown = await gql(
        client,
        CREATE,
        {"input": {"url": "https://erp.example.com/h", "events": ["ORDER_EXPLODED"]}},
        token=token,
        expect_status=None,
    )
    assert error_codes(unknown) == ["INVALID_INPUT"] and "ORDER_EXPLODED" in unknown["errors"][0]["message"]
    none = await create(client, token, "https://erp.example.com/h", [])
    assert [(e["code"], e["field"]) for e in none["errors"]] == [("INVALID_INPUT", "input.events")]
    assert await count(database, WebhookEndpoint) == 0


async def test_at_most_twenty_endpoints_per_key(client: httpx.AsyncClient, database: Database):
    """An attempt at 1,000 endpoints stops at the 21st: refused, nothing stored beyond 20."""
    token = await webhook_key(database)
    other = await webhook_key(database, "other-erp")
    answers = [await create(client, token, f"https://erp.example.com/h/{i}", ["ORDER_SUBMITTED"]) for i in range(25)]
    assert all(a["errors"] == [] for a in answers[:20])
    assert all([e["code"] for e in a["errors"]] == ["INVALID_INPUT"] for a in answers[20:])
    assert "at most 20" in answers[20]["errors"][0]["message"]
    assert await count(database, WebhookEndpoint) == 20
    # The limit is per key: another key still has room.
    assert (await create(client, other, "https://erp.example.com/other"))["errors"] == []


async def test_user_tokens_and_keys_without_the_scope_are_forbidden(client: httpx.AsyncClient, database: Database):
    world = await make_world(database)
    erp_only = await make_key(database, "orders:read", "orders:write", "catalog:write", name="no-hooks")
    for token in (world.token("main"), erp_only):
        for query, variables in (
            (CREATE, {"input": {"url": "https://erp.example.com/h", "events": ["ORDER_SUBMITTED"]}}),
            (ENDPOINTS, {}),
            (DELETE, {"id": encode_id("WebhookEndpoint", 1)}),
            (REPLAY, {"deliveryId": encode_id("WebhookDelivery", 1)}),
        ):
            assert error_codes(await gql(client, query, variables, token=token)) == ["FORBIDDEN"], query
    assert error_codes(await gql(client, ENDPOINTS, {})) == ["UNAUTHENTICATED"]
    assert await count(database, WebhookEndpoint) == 0


async def test_another_keys_endpoint_and_delivery_look_missing(client: httpx.AsyncClient, database: Database):
    mine = await webhook_key(database, "mine")
    theirs = await webhook_key(database, "theirs")
    made = await create(client, theirs, "https://erp.example.com/theirs")
    endpoint_pk = await scalar(database, select(WebhookEndpoint.id))
    async with database.transaction() as session:
        delivery = WebhookDelivery(endpoint_id=endpoint_pk, event="order.submitted", message_id="msg_x", body="{}")
        session.add(delivery)
    assert await endpoints(client, mine) == []
    deleted = (await gql(client, DELETE, {"id": made["endpoint"]["id"]}, token=mine))["data"]["deleteWebhookEndpoint"]
    assert deleted == {"ok": False, "errors": [{"code": "NOT_FOUND", "message": "No such webhook endpoint."}]}
    replayed = await gql(client, REPLAY, {"deliveryId": encode_id("WebhookDelivery", delivery.id)}, token=mine)
    assert [e["code"] for e in replayed["data"]["replayWebhookDelivery"]["errors"]] == ["NOT_FOUND"]
    # An id of another type is as missing.
    other_type = await gql(client, DELETE, {"id": encode_id("Order", endpoint_pk)}, token=theirs)
    assert [e["code"] for e in other_type["data"]["deleteWebhookEndpoint"]["errors"]] == ["NOT_FOUND"]
    assert len(await endpoints(client, theirs)) == 1
    # The owner deletes it, with its log.
    ok = (await gql(client, DELETE, {"id": made["endpoint"]["id"]}, token=theirs))["data"]["deleteWebhookEndpoint"]
    assert ok == {"ok": True, "errors": []}
    assert await count(database, WebhookEndpoint) == 0 and await count(database, WebhookDelivery) == 0


async def test_listing_costs_the_same_statements_for_one_endpoint_or_twenty(
    client: httpx.AsyncClient, database: Database
):
    token = await webhook_key(database)
    for i in range(20):
        await create(client, token, f"https://erp.example.com/h/{i}", ALL_EVENTS)
    async with database.transaction() as session:
        for endpoint_id in range(1, 21):
            session.add_all(
                WebhookDelivery(
                    endpoint_id=endpoint_id, event="order.submitted", message_id=f"msg_{endpoint_id}_{n}", body="{}"
                )
                for n in range(3)
            )
    with count_statements(database) as log:
        listed = await endpoints(client, token, first=2)
    assert len(listed) == 20
    assert all(len(e["deliveries"]["edges"]) == 2 and e["deliveries"]["pageInfo"]["hasNextPage"] for e in listed)
    # The key (viewer), the endpoints, the deliveries' counts and pages.
    assert log.count == 4, log.statements
