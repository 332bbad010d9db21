"""The ERP side of orders: the resumable feed and the status machine with shipments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app import clock
from app.db import Database
from app.models import AuditEntry, Order, OrderEvent, OrderStatus, Shipment
from tests.erp.helpers import make_key
from tests.helpers.db import count, outbox, rows
from tests.helpers.graphql import error_codes, gql
from tests.ordering.shop import FEED_QUERY, Shop, filled_cart, submit

UPDATE = """
mutation UpdateOrderStatus($input: OrderStatusInput!) {
  updateOrderStatus(input: $input) {
    order { number status deliveredAt shipments { carrier trackingNumber trackingUrl } }
    errors { code field message }
  }
}
"""


@pytest.fixture
async def keys(database: Database) -> dict[str, str]:
    return {
        "read": await make_key(database, "orders:read", name="erp-read"),
        "write": await make_key(database, "orders:write", name="erp-write"),
        "catalog": await make_key(database, "catalog:write", name="erp-catalog"),
    }


async def order_number(client: httpx.AsyncClient, shop: Shop, who: str = "purchaser", **extra: Any) -> str:
    payload = await submit(client, shop, await filled_cart(client, shop, who), who, **extra)
    assert payload["errors"] == []
    return payload["order"]["number"]


async def move(client: httpx.AsyncClient, key: str, number: str, status: str, **extra: Any) -> dict[str, Any]:
    result = await gql(client, UPDATE, {"input": {"orderNumber": number, "status": status, **extra}}, token=key)
    return result["data"]["updateOrderStatus"]


async def feed(
    client: httpx.AsyncClient, key: str, after: str | None = None, first: int | None = None
) -> dict[str, Any]:
    result = await gql(client, FEED_QUERY, {"after": after, "first": first}, token=key)
    assert "errors" not in result, result
    return result["data"]["orderFeed"]


async def test_the_feed_lists_sent_orders_oldest_change_first_and_resumes(
    client: httpx.AsyncClient, shop: Shop, keys: dict[str, str]
) -> None:
    first = await order_number(client, shop, reference="PO-1")
    await order_number(client, shop, "assistant")  # pending: not the ERP's yet
    second = await order_number(client, shop, "main")

    page = await feed(client, keys["read"], first=1)
    [edge] = page["edges"]
    node = edge["node"]
    assert node["number"] == first and node["status"] == "SUBMITTED"
    assert node["customer"] == {"number": "10001"} and node["reference"] == "PO-1"
    assert node["deliveryAddress"] == {"externalId": "A-1"}
    assert [(line["sku"], line["quantity"], line["unitPrice"]["amount"]) for line in node["lines"]] == [
        ("NH-100", 3, "80.00"),
        ("KO-200", 10, "12.34"),
    ]
    assert node["total"] == {"amount": "454.25", "currency": "NOK"}
    assert page["pageInfo"]["hasNextPage"] is True

    rest = await feed(client, keys["read"], after=page["pageInfo"]["endCursor"])
    assert [e["node"]["number"] for e in rest["edges"]] == [second]
    assert rest["pageInfo"]["hasNextPage"] is False
    end = rest["pageInfo"]["endCursor"]

    empty = await feed(client, keys["read"], after=end)
    assert empty["edges"] == [] and empty["pageInfo"]["endCursor"] == end

    # A change of status makes the order appear again, after everything seen so far, as it is now.
    assert (await move(client, keys["write"], first, "IN_PROGRESS"))["errors"] == []
    again = await feed(client, keys["read"], after=end)
    assert [(e["node"]["number"], e["node"]["status"]) for e in again["edges"]] == [(first, "IN_PROGRESS")]

    whole = await feed(client, keys["read"])
    assert [e["node"]["number"] for e in whole["edges"]] == [second, first]


async def test_an_approved_order_enters_the_feed(client: httpx.AsyncClient, shop: Shop, keys: dict[str, str]) -> None:
    payload = await submit(client, shop, await filled_cart(client, shop, "assistant"), "assistant")
    assert (await feed(client, keys["read"]))["edges"] == []
    await gql(
        client,
        "mutation($id: ID!) { approveOrder(orderId: $id) { errors { code } } }",
        {"id": payload["order"]["id"]},
        token=shop.token("main"),
    )
    assert [e["node"]["number"] for e in (await feed(client, keys["read"]))["edges"]] == [payload["order"]["number"]]


async def test_a_bad_cursor_is_invalid_input(client: httpx.AsyncClient, keys: dict[str, str], shop: Shop) -> None:
    result = await gql(client, FEED_QUERY, {"after": "garbage!"}, token=keys["read"])
    assert error_codes(result) == ["INVALID_INPUT"]


async def test_feed_and_status_need_their_scopes(client: httpx.AsyncClient, shop: Shop, keys: dict[str, str]) -> None:
    number = await order_number(client, shop)
    for token in (keys["write"], keys["catalog"], shop.token("main"), shop.token("support")):
        assert error_codes(await gql(client, FEED_QUERY, {}, token=token)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, FEED_QUERY, {})) == ["UNAUTHENTICATED"]
    for token in (keys["read"], shop.token("main")):
        result = await gql(client, UPDATE, {"input": {"orderNumber": number, "status": "IN_PROGRESS"}}, token=token)
        assert error_codes(result) == ["FORBIDDEN"]


async def test_the_status_machine_ships_with_tracking_and_tells_the_customer(
    client: httpx.AsyncClient, shop: Shop, database: Database, keys: dict[str, str]
) -> None:
    number = await order_number(client, shop)
    write = keys["write"]
    assert [
        e["code"]
        for e in (
            await move(client, write, number, "SHIPPED", shipments=[{"carrier": "Bring", "trackingNumber": "1"}])
        )["errors"]
    ] == ["INVALID_STATE"]
    assert (await move(client, write, number, "IN_PROGRESS", note="Plukkes"))["errors"] == []
    no_shipment = await move(client, write, number, "SHIPPED")
    assert [(e["code"], e["field"]) for e in no_shipment["errors"]] == [("INVALID_INPUT", "input.shipments")]

    shipped = await move(
        client,
        write,
        number,
        "SHIPPED",
        shipments=[
            {"carrier": "Bring", "trackingNumber": "370000001", "trackingUrl": "https://sporing.bring.no/370000001"}
        ],
    )
    assert shipped["errors"] == []
    assert shipped["order"]["shipments"] == [
        {"carrier": "Bring", "trackingNumber": "370000001", "trackingUrl": "https://sporing.bring.no/370000001"}
    ]
    mails = [m for m in await outbox(database) if m.template == "order_shipped"]
    assert [m.to_address for m in mails] == ["purchaser@example.test"]
    assert "https://sporing.bring.no/370000001" in mails[0].text_body

    # The same again changes nothing; a new tracking number adds a shipment (and one more email).
    repeat = await move(
        client,
        write,
        number,
        "SHIPPED",
        shipments=[
            {"carrier": "Bring", "trackingNumber": "370000001", "trackingUrl": "https://sporing.bring.no/370000001"}
        ],
    )
    assert repeat["errors"] == [] and len(repeat["order"]["shipments"]) == 1
    more = await move(client, write, number, "SHIPPED", shipments=[{"carrier": "Bring", "trackingNumber": "370000002"}])
    assert len(more["order"]["shipments"]) == 2
    assert len([m for m in await outbox(database) if m.template == "order_shipped"]) == 2
    assert await count(database, Shipment) == 2

    clock.set_now(datetime(2026, 12, 2, 11, 0, tzinfo=UTC))
    delivered = await move(client, write, number, "DELIVERED")
    assert delivered["errors"] == [] and delivered["order"]["deliveredAt"].startswith("2026-12-02T11:00:00")
    assert (await move(client, write, number, "DELIVERED"))["order"]["deliveredAt"].startswith("2026-12-02T11:00:00")
    assert [e["code"] for e in (await move(client, write, number, "CANCELLED"))["errors"]] == ["INVALID_STATE"]

    events = [s for (s,) in await rows(database, select(OrderEvent.status).order_by(OrderEvent.id))]
    assert events == [OrderStatus.SUBMITTED, OrderStatus.IN_PROGRESS, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
    actions = [
        a for (a,) in await rows(database, select(AuditEntry.action).where(AuditEntry.action == "order.status_changed"))
    ]
    assert len(actions) == 3


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("SUBMITTED", "CANCELLED", True),
        ("IN_PROGRESS", "CANCELLED", True),
        ("SUBMITTED", "DELIVERED", False),
        ("IN_PROGRESS", "SUBMITTED", False),
        ("IN_PROGRESS", "PENDING_APPROVAL", False),
        ("IN_PROGRESS", "REJECTED", False),
    ],
)
async def test_only_the_contracts_moves_are_allowed(
    client: httpx.AsyncClient,
    shop: Shop,
    database: Database,
    keys: dict[str, str],
    start: str,
    target: str,
    allowed: bool,
) -> None:
    number = await order_number(client, shop)
    if start == "IN_PROGRESS":
        await move(client, keys["write"], number, "IN_PROGRESS")
    payload = await move(client, keys["write"], number, target)
    if allowed:
        assert payload["errors"] == [] and payload["order"]["status"] == target
    else:
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_STATE", "input.status")]
        [(status,)] = await rows(database, select(Order.status))
        assert status.value == start


async def test_a_pending_order_cannot_be_moved_by_the_erp(
    client: httpx.AsyncClient, shop: Shop, keys: dict[str, str]
) -> None:
    number = await order_number(client, shop, "assistant")
    assert [e["code"] for e in (await move(client, keys["write"], number, "IN_PROGRESS"))["errors"]] == [
        "INVALID_STATE"
    ]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"orderNumber": "9999999"}, "input.orderNumber"),
        (
            {
                "status": "SHIPPED",
                "shipments": [{"carrier": "Bring", "trackingNumber": "1", "trackingUrl": "javascript:alert(1)"}],
            },
            "input.shipments.0.trackingUrl",
        ),
        ({"status": "SHIPPED", "shipments": [{"carrier": "", "trackingNumber": "1"}]}, "input.shipments.0.carrier"),
        ({"status": "IN_PROGRESS", "shipments": [{"carrier": "Bring", "trackingNumber": "1"}]}, "input.shipments"),
        ({"status": "DELIVERED", "deliveredAt": "2030-01-01T00:00:00+00:00"}, "input.deliveredAt"),
        ({"status": "IN_PROGRESS", "note": "x" * 5000}, "input.note"),
    ],
)
async def test_bad_status_input_changes_nothing(
    client: httpx.AsyncClient, shop: Shop, database: Database, keys: dict[str, str], extra: dict, field: str
) -> None:
    number = await order_number(client, shop)
    variables = {"orderNumber": number, "status": "IN_PROGRESS", **extra}
    result = await gql(client, UPDATE, {"input": variables}, token=keys["write"])
    payload = result["data"]["updateOrderStatus"]
    assert field in [e["field"] for e in payload["errors"]], payload
    [(status,)] = await rows(database, select(Order.status))
    assert status is OrderStatus.SUBMITTED
    assert await count(database, OrderEvent) == 1


async def test_an_address_the_erp_stops_sending_stays_on_its_orders(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    number = await order_number(client, shop)
    key = await make_key(database, "customers:write", "orders:read", name="erp-customers")
    moved = {
        "number": "10001",
        "name": "Solsiden sykehjem",
        "addresses": [
            {
                "externalId": "A-2",
                "label": "Nytt varemottak",
                "line1": "Fjellveien 2",
                "postalCode": "0160",
                "city": "Oslo",
            }
        ],
    }
    result = await gql(
        client,
        "mutation($items: [CustomerInput!]!) { upsertCustomers(items: $items) { updated errors { code field } } }",
        {"items": [moved]},
        token=key,
    )
    assert result["data"]["upsertCustomers"] == {"updated": 1, "errors": []}
    offered = await gql(
        client, '{ customer(number: "10001") { deliveryAddresses { label } } }', token=shop.token("main")
    )
    assert offered["data"]["customer"]["deliveryAddresses"] == [{"label": "Nytt varemottak"}]
    [edge] = (await feed(client, key))["edges"]
    assert (edge["node"]["number"], edge["node"]["deliveryAddress"]) == (number, {"externalId": "A-1"})
    # And a new order cannot go to the address that is no longer offered.
    refused = await submit(client, shop, await filled_cart(client, shop))
    assert [e["code"] for e in refused["errors"]] == ["INVALID_DELIVERY_ADDRESS"]
