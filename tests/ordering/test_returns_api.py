"""Returns through the endpoint: the manual's rules, support's decisions, what the customer sees.

Every refusal is checked for what it leaves behind: no return, no line, no
mail, no audit entry.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from app import clock
from app.db import Database
from app.ids import encode_id
from app.models import AuditEntry, OrderLine, OrderStatus, OutboxMessage, ReturnLine, ReturnRequest, ReturnStatus
from app.ordering.return_window import OSLO
from app.ordering.returns import TRANSITIONS, may_move
from tests.erp.helpers import make_key
from tests.factories import sign_in
from tests.helpers.db import count, outbox, rows
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements
from tests.ordering.returns_shop import (
    RETURNS,
    ReturnShop,
    delivered_order,
    request_return,
    return_input,
    set_status,
    stored_return,
)
from tests.ordering.shop import filled_cart, submit

GLOVES, COMPRESS, SPECIAL, MADE, NUTRITION = range(5)  # positions of the rshop order's lines


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(error["code"], error.get("field")) for error in payload["errors"]]


async def returns_seen(client: httpx.AsyncClient, token: str, **variables: Any) -> dict[str, Any]:
    result = await gql(client, RETURNS, {"customerNumber": "10001", **variables}, token=token)
    assert "errors" not in result, result
    return result["data"]["customer"]["returns"]


async def nothing_stored(database: Database) -> None:
    assert await count(database, ReturnRequest) == 0
    assert await count(database, ReturnLine) == 0
    assert await count(database, OutboxMessage) == 0
    assert await count(database, AuditEntry, AuditEntry.action.like("return.%")) == 0


# --- asking -------------------------------------------------------------------------------------------------


async def test_a_member_returns_delivered_lines_and_every_member_sees_it(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    variables = return_input(rshop.order, (GLOVES, 2), (COMPRESS, 10), reason="DAMAGED", comment=" Knust eske. ")
    payload = await request_return(client, rshop.token("assistant"), variables)
    assert payload["errors"] == []
    made = payload["returnRequest"]
    assert (made["number"], made["status"]) == ("R1000001", "REQUESTED")
    assert [(line["orderLine"]["sku"], line["quantity"]) for line in made["lines"]] == [("NH-100", 2), ("KO-200", 10)]
    assert [line["orderLine"]["id"] for line in made["lines"]] == rshop.order.line_ids[:2]

    for who in ("main", "purchaser", "assistant", "support"):
        seen = await returns_seen(client, rshop.token(who))
        assert seen["totalCount"] == 1
        node = seen["edges"][0]["node"]
        assert node["id"] == made["id"] and node["number"] == "R1000001"
        assert (node["status"], node["reason"], node["note"]) == ("REQUESTED", "DAMAGED", None)
        assert node["order"] == {"number": rshop.order.number}
        assert [(line["orderLine"]["sku"], line["quantity"]) for line in node["lines"]] == [
            ("NH-100", 2),
            ("KO-200", 10),
        ]
        assert datetime.fromisoformat(node["createdAt"]) == clock.now()

    [(comment, requested_by, status)] = await rows(
        database, select(ReturnRequest.comment, ReturnRequest.requested_by_id, ReturnRequest.status)
    )
    assert (comment, requested_by, status) == ("Knust eske.", rshop.shop.world.assistant.id, ReturnStatus.REQUESTED)
    [(action, actor, subject, details)] = await rows(
        database,
        select(AuditEntry.action, AuditEntry.actor_user_id, AuditEntry.subject_id, AuditEntry.details).where(
            AuditEntry.action.like("return.%")
        ),
    )
    assert (action, actor, subject) == ("return.requested", rshop.shop.world.assistant.id, "R1000001")
    assert details["order"] == rshop.order.number
    assert details["lines"] == [{"sku": "NH-100", "quantity": 2}, {"sku": "KO-200", "quantity": 10}]
    [mail] = await outbox(database)
    assert (mail.template, mail.to_address) == ("return_requested", "support@shop.test")


async def test_the_whole_way_cart_order_erp_delivery_return(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    order = (await submit(client, rshop.shop, await filled_cart(client, rshop.shop)))["order"]
    variables = {"input": {"orderId": order["id"], "lines": [], "reason": "NOT_NEEDED", "conditionConfirmed": True}}
    lines = await gql(
        client,
        "query($id: ID!) { order(id: $id) { lines { id sku } } }",
        {"id": order["id"]},
        token=rshop.token("main"),
    )
    line_ids = [line["id"] for line in lines["data"]["order"]["lines"]]
    variables["input"]["lines"] = [{"orderLineId": line_ids[0], "quantity": 1}]

    not_yet = await request_return(client, rshop.token("purchaser"), variables)
    assert codes(not_yet) == [("ORDER_NOT_DELIVERED", "input.orderId")] and not_yet["returnRequest"] is None

    key = await make_key(database, "orders:write")
    steps = [
        {"status": "IN_PROGRESS"},
        {"status": "SHIPPED", "shipments": [{"carrier": "Bring", "trackingNumber": "370001"}]},
        {"status": "DELIVERED"},
    ]
    for step in steps:
        result = await gql(
            client,
            "mutation($i: OrderStatusInput!) { updateOrderStatus(input: $i) { errors { code } } }",
            {"i": {"orderNumber": order["number"], **step}},
            token=key,
        )
        assert result["data"]["updateOrderStatus"]["errors"] == []
    payload = await request_return(client, rshop.token("purchaser"), variables)
    assert payload["errors"] == [] and payload["returnRequest"]["status"] == "REQUESTED"


@pytest.mark.parametrize("status", [s for s in OrderStatus if s is not OrderStatus.DELIVERED], ids=lambda s: s.value)
async def test_only_a_delivered_order_can_be_returned(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database, status: OrderStatus
) -> None:
    order = await delivered_order(
        database, rshop.shop.customer, rshop.shop.address, (rshop.shop.gloves, 3), status=status
    )
    payload = await request_return(client, rshop.token("main"), return_input(order, (0, 1)))
    assert codes(payload) == [("ORDER_NOT_DELIVERED", "input.orderId")]
    assert payload["returnRequest"] is None
    await nothing_stored(database)


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (datetime(2026, 12, 9, 23, 59, 59, tzinfo=OSLO), True),  # day 8, its last second
        (datetime(2026, 12, 10, 0, 0, 0, tzinfo=OSLO), False),  # day 9 from midnight in Oslo
    ],
    ids=["day 8", "day 9"],
)
async def test_the_window_closes_after_day_8_in_oslo(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database, now: datetime, allowed: bool
) -> None:
    # Delivered at 00:30 on 1 December in Oslo: still 30 November in UTC.
    delivered = datetime(2026, 12, 1, 0, 30, tzinfo=OSLO).astimezone(UTC)
    order = await delivered_order(
        database, rshop.shop.customer, rshop.shop.address, (rshop.shop.gloves, 3), delivered_at=delivered
    )
    clock.set_now(now)
    token = await sign_in(database, rshop.shop.world.purchaser)  # sessions last 12 hours
    payload = await request_return(client, token, return_input(order, (0, 1)))
    if allowed:
        assert payload["errors"] == [] and payload["returnRequest"]["status"] == "REQUESTED"
    else:
        assert codes(payload) == [("RETURN_WINDOW_EXPIRED", "input.orderId")]
        assert "2026-12-09" in payload["errors"][0]["message"]
        await nothing_stored(database)


async def test_special_made_to_order_and_nutrition_products_are_never_taken_back(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    for position, word in ((SPECIAL, "special-order"), (MADE, "made-to-order"), (NUTRITION, "nutrition")):
        payload = await request_return(
            client, rshop.token("main"), return_input(rshop.order, (GLOVES, 1), (position, 1))
        )
        assert codes(payload) == [("PRODUCT_NOT_RETURNABLE", "input.lines.1.orderLineId")], payload
        assert word in payload["errors"][0]["message"]
    await nothing_stored(database)

    # A product since removed from the catalogue cannot be checked, so it is refused too.
    async with database.transaction() as session:
        await session.execute(update(OrderLine).where(OrderLine.sku == "KO-200").values(product_id=None))
    payload = await request_return(client, rshop.token("main"), return_input(rshop.order, (COMPRESS, 1)))
    assert codes(payload) == [("PRODUCT_NOT_RETURNABLE", "input.lines.0.orderLineId")]
    await nothing_stored(database)


async def test_quantities_are_net_of_earlier_returns_that_were_not_rejected(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    token = rshop.token("purchaser")
    first = await request_return(client, token, return_input(rshop.order, (GLOVES, 2)))
    assert first["errors"] == []

    too_many = await request_return(client, token, return_input(rshop.order, (GLOVES, 2)))
    assert codes(too_many) == [("QUANTITY_EXCEEDS_DELIVERED", "input.lines.0.quantity")]
    assert "at most 1" in too_many["errors"][0]["message"]
    assert await count(database, ReturnRequest) == 1

    # Refused by support: those two count no more.
    refused = await set_status(client, rshop.token("support"), first["returnRequest"]["id"], "REJECTED", "Åpnet eske.")
    assert refused["errors"] == []
    all_three = await request_return(client, token, return_input(rshop.order, (GLOVES, 3)))
    assert all_three["errors"] == []
    # An approved (then received, credited) return still counts.
    for status in ("APPROVED", "RECEIVED", "CREDITED"):
        moved = await set_status(client, rshop.token("support"), all_three["returnRequest"]["id"], status)
        assert moved["errors"] == []
        one_more = await request_return(client, token, return_input(rshop.order, (GLOVES, 1)))
        assert codes(one_more) == [("QUANTITY_EXCEEDS_DELIVERED", "input.lines.0.quantity")]
    assert [n for (n,) in await rows(database, select(ReturnRequest.number).order_by(ReturnRequest.id))] == [
        "R1000001",
        "R1000002",
    ]


async def test_the_condition_must_be_confirmed(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    payload = await request_return(
        client, rshop.token("main"), return_input(rshop.order, (GLOVES, 1), conditionConfirmed=False)
    )
    assert codes(payload) == [("INVALID_INPUT", "input.conditionConfirmed")]
    assert "unused" in payload["errors"][0]["message"]
    await nothing_stored(database)


async def test_bad_input_changes_nothing(client: httpx.AsyncClient, rshop: ReturnShop, database: Database) -> None:
    shop = rshop.shop
    second = await delivered_order(database, shop.customer, shop.address, (shop.gloves, 5))
    own = rshop.order
    line = own.line_ids[GLOVES]

    def with_lines(*lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
        variables = return_input(own, **extra)
        variables["input"]["lines"] = [{"orderLineId": i, "quantity": q} for i, q in lines]
        return variables

    cases: dict[str, tuple[dict[str, Any], list[tuple[str, str | None]]]] = {
        "a line of another order": (with_lines((second.line_ids[0], 1)), [("NOT_FOUND", "input.lines.0.orderLineId")]),
        "a line of another customer's order": (
            with_lines((rshop.other_order.line_ids[0], 1)),
            [("NOT_FOUND", "input.lines.0.orderLineId")],
        ),
        "a garbage line id": (with_lines(("not-an-id", 1)), [("NOT_FOUND", "input.lines.0.orderLineId")]),
        "an order id as a line id": (with_lines((own.id, 1)), [("NOT_FOUND", "input.lines.0.orderLineId")]),
        "the same line twice": (
            with_lines((line, 1), (line, 1)),
            [("INVALID_INPUT", "input.lines.1.orderLineId")],
        ),
        "quantity 0": (with_lines((line, 0)), [("INVALID_INPUT", "input.lines.0.quantity")]),
        "quantity -1": (with_lines((line, -1)), [("INVALID_INPUT", "input.lines.0.quantity")]),
        "quantity 100,001": (with_lines((line, 100_001)), [("INVALID_INPUT", "input.lines.0.quantity")]),
        "quantity 2**31 - 1": (with_lines((line, 2**31 - 1)), [("INVALID_INPUT", "input.lines.0.quantity")]),
        "no lines": (with_lines(), [("INVALID_INPUT", "input.lines")]),
        "1,001 lines": (with_lines(*[(line, 1)] * 1_001), [("INVALID_INPUT", "input.lines")]),
        "a 10,000-character comment": (
            with_lines((line, 1), comment="x" * 10_000),
            [("INVALID_INPUT", "input.comment")],
        ),
        "an order of another customer": (
            return_input(rshop.other_order, (0, 1)),
            [("NOT_FOUND", "input.orderId")],
        ),
        "a garbage order id": (
            {"input": {**with_lines((line, 1))["input"], "orderId": "garbage"}},
            [("NOT_FOUND", "input.orderId")],
        ),
        "a line id as the order id": (
            {"input": {**with_lines((line, 1))["input"], "orderId": line}},
            [("NOT_FOUND", "input.orderId")],
        ),
        "a good line with a bad one": (
            with_lines((line, 1), (own.line_ids[COMPRESS], 11)),
            [("QUANTITY_EXCEEDS_DELIVERED", "input.lines.1.quantity")],
        ),
    }
    for name, (variables, expected) in cases.items():
        payload = await request_return(client, rshop.token("main"), variables)
        assert (payload["returnRequest"], codes(payload)) == (None, expected), name
        assert all(error["message"] for error in payload["errors"]), name
        await nothing_stored(database)


async def test_an_out_of_range_integer_is_a_clear_error_not_a_crash(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    result = await gql(
        client,
        "mutation RequestReturn($input: ReturnRequestInput!) { requestReturn(input: $input) { errors { code } } }",
        return_input(rshop.order, (GLOVES, 2**31)),
        token=rshop.token("main"),
        expect_status=400,
    )
    assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID_INPUT"]
    assert "quantity" in result["errors"][0]["message"]
    await nothing_stored(database)


# --- support's decisions -------------------------------------------------------------------------------------


def test_the_status_machine_allows_exactly_the_contracts_moves() -> None:
    S = ReturnStatus
    allowed = {
        (S.REQUESTED, S.APPROVED),
        (S.REQUESTED, S.REJECTED),
        (S.APPROVED, S.RECEIVED),
        (S.RECEIVED, S.CREDITED),
    }
    for current in S:
        for target in S:
            assert may_move(current, target) is ((current, target) in allowed), (current, target)
    assert {(c, t) for c, targets in TRANSITIONS.items() for t in targets} == allowed


async def test_support_moves_a_return_on_and_the_customer_sees_status_and_note(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    made = (await request_return(client, rshop.token("assistant"), return_input(rshop.order, (GLOVES, 1))))[
        "returnRequest"
    ]
    support = rshop.token("support")

    for status in ("RECEIVED", "CREDITED", "REQUESTED"):  # not from REQUESTED
        refused = await set_status(client, support, made["id"], status, "Nei")
        assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"] and refused["returnRequest"] is None
    for note in (None, "   "):
        refused = await set_status(client, support, made["id"], "REJECTED", note)
        assert [e["code"] for e in refused["errors"]] == ["INVALID_INPUT"], refused
    refused = await set_status(client, support, made["id"], "APPROVED", "x" * 1_001)
    assert [e["code"] for e in refused["errors"]] == ["INVALID_INPUT"]
    assert await count(database, AuditEntry, AuditEntry.action == "return.status_changed") == 0
    assert (await returns_seen(client, rshop.token("assistant")))["edges"][0]["node"]["status"] == "REQUESTED"

    moves = [
        ("APPROVED", "Send varene til lageret i Oslo, merk pakken med R1000001."),
        ("RECEIVED", None),
        ("CREDITED", "Kreditnota 5501 er sendt."),
    ]
    for status, note in moves:
        moved = await set_status(client, support, made["id"], status, note)
        assert moved["errors"] == [] and moved["returnRequest"] == {"id": made["id"], "status": status}
        node = (await returns_seen(client, rshop.token("assistant")))["edges"][0]["node"]
        assert (node["status"], node["note"]) == (status, note)

    for status in ReturnStatus:  # CREDITED is the end
        refused = await set_status(client, support, made["id"], status.value, "Igjen")
        assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]

    entries = await rows(
        database,
        select(AuditEntry.actor_user_id, AuditEntry.subject_id, AuditEntry.customer_id, AuditEntry.details)
        .where(AuditEntry.action == "return.status_changed")
        .order_by(AuditEntry.id),
    )
    assert [(actor, subject, customer) for actor, subject, customer, _ in entries] == [
        (rshop.shop.world.support.id, "R1000001", rshop.shop.customer.id)
    ] * 3
    assert [(d["previous"], d["status"], d.get("note")) for *_, d in entries] == [
        ("REQUESTED", "APPROVED", moves[0][1]),
        ("APPROVED", "RECEIVED", None),
        ("RECEIVED", "CREDITED", moves[2][1]),
    ]


async def test_a_rejected_return_cannot_be_approved_after_all(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    made = (await request_return(client, rshop.token("main"), return_input(rshop.order, (GLOVES, 1))))["returnRequest"]
    assert (await set_status(client, rshop.token("support"), made["id"], "REJECTED", "Brukt."))["errors"] == []
    for status in ("APPROVED", "RECEIVED", "CREDITED", "REJECTED"):
        refused = await set_status(client, rshop.token("support"), made["id"], status, "Likevel")
        assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]
    node = (await returns_seen(client, rshop.token("main")))["edges"][0]["node"]
    assert (node["status"], node["note"]) == ("REJECTED", "Brukt.")


async def test_an_unknown_return_id_is_not_found(client: httpx.AsyncClient, rshop: ReturnShop) -> None:
    for bad in ("garbage", encode_id("ReturnRequest", 999), rshop.order.id):
        refused = await set_status(client, rshop.token("support"), bad, "APPROVED")
        assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]


# --- reading many -------------------------------------------------------------------------------------------


async def test_returns_page_newest_first_and_filter_by_status(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    shop = rshop.shop
    order = await delivered_order(database, shop.customer, shop.address, (shop.gloves, 50))
    for i in range(5):
        await stored_return(database, order, (0, 1), number=f"R{2000000 + i}", customer_id=shop.customer.id)
    await stored_return(
        database, rshop.other_order, (0, 1), number="R3000000", customer_id=shop.world.other_customer.id
    )
    first = await returns_seen(client, shop.token("main"), first=2)
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"]
    rest = await returns_seen(client, shop.token("main"), first=10, after=first["pageInfo"]["endCursor"])
    numbers = [e["node"]["number"] for e in first["edges"] + rest["edges"]]
    assert numbers == [f"R{2000000 + i}" for i in reversed(range(5))]
    assert not rest["pageInfo"]["hasNextPage"]

    result = await gql(client, RETURNS, {"customerNumber": "10001", "first": 101}, token=shop.token("main"))
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"

    filtered = await gql(
        client,
        'query { customer(number: "10001") { returns(status: [APPROVED]) { totalCount } } }',
        token=shop.token("main"),
    )
    assert filtered["data"]["customer"]["returns"]["totalCount"] == 0
    everyone = await gql(
        client,
        "query { returnRequests(status: [REQUESTED], first: 100) { totalCount edges { node { number customer { number } } } } }",
        token=shop.token("support"),
    )
    assert everyone["data"]["returnRequests"]["totalCount"] == 6
    assert everyone["data"]["returnRequests"]["edges"][0]["node"] == {
        "number": "R3000000",
        "customer": {"number": "10002"},
    }


async def test_returns_with_50_returns_run_a_fixed_number_of_statements(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    shop = rshop.shop
    orders = [
        await delivered_order(database, shop.customer, shop.address, (shop.gloves, 20), (shop.compress, 20))
        for _ in range(5)
    ]
    for i in range(50):
        await stored_return(
            database,
            orders[i % 5],
            (0, 1),
            (1, 2),
            number=f"R{2000000 + i}",
            customer_id=shop.customer.id,
            requested_by_id=shop.world.assistant.id,
        )
    with count_statements(database) as log:
        seen = await returns_seen(client, shop.token("main"), first=50)
    assert seen["totalCount"] == 50 and len(seen["edges"]) == 50
    assert {e["node"]["order"]["number"] for e in seen["edges"]} == {o.number for o in orders}
    assert all(
        [(line["orderLine"]["sku"], line["quantity"]) for line in e["node"]["lines"]] == [("NH-100", 1), ("KO-200", 2)]
        for e in seen["edges"]
    )
    # viewer with roles, customer, count, page, return lines with their order lines, orders
    assert log.count == 6, log.statements


async def test_the_order_page_shows_until_when_and_how_much_is_already_returned(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    document = """query($id: ID!) {
      order(id: $id) { deliveredAt returnableUntil lines { sku quantity returnedQuantity product { returnable } } }
    }"""
    pending = await delivered_order(
        database, rshop.shop.customer, rshop.shop.address, (rshop.shop.gloves, 3), status=OrderStatus.SHIPPED
    )
    shipped = await gql(client, document, {"id": pending.id}, token=rshop.token("assistant"))
    assert shipped["data"]["order"]["returnableUntil"] is None

    kept = await request_return(client, rshop.token("assistant"), return_input(rshop.order, (GLOVES, 1), (COMPRESS, 4)))
    refused = await request_return(client, rshop.token("assistant"), return_input(rshop.order, (GLOVES, 2)))
    await set_status(client, rshop.token("support"), refused["returnRequest"]["id"], "REJECTED", "Nei.")
    assert kept["errors"] == []
    with count_statements(database) as log:
        result = await gql(client, document, {"id": rshop.order.id}, token=rshop.token("assistant"))
    order = result["data"]["order"]
    # Delivered on 29 November (Oslo): returns may be asked for through 7 December.
    assert order["returnableUntil"] == "2026-12-07"
    assert [(line["sku"], line["quantity"], line["returnedQuantity"]) for line in order["lines"]] == [
        ("NH-100", 3, 1),
        ("KO-200", 10, 4),
        ("SK-1", 1, 0),
        ("BV-1", 1, 0),
        ("ER-1", 2, 0),
    ]
    # viewer with roles, order, lines, their returned quantities, products
    assert log.count == 5, log.statements


async def test_simultaneous_requests_in_one_process_never_return_more_than_was_delivered(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database
) -> None:
    """Both databases: eight requests at once for one glove each, three delivered.

    They overlap in the event loop, each on its own connection; PostgreSQL
    queues them at the order's row lock, SQLite at its one writer. (Several
    server processes on PostgreSQL: tests/ordering/test_return_concurrency.py.)
    """
    who = ("main", "purchaser", "assistant")
    payloads = await asyncio.gather(
        *(request_return(client, rshop.token(who[i % 3]), return_input(rshop.order, (GLOVES, 1))) for i in range(8))
    )
    assert sum(1 for p in payloads if p["errors"] == []) == 3, payloads
    assert all(codes(p) == [("QUANTITY_EXCEEDS_DELIVERED", "input.lines.0.quantity")] for p in payloads if p["errors"])
    assert sorted(p["returnRequest"]["number"] for p in payloads if p["errors"] == []) == [
        "R1000001",
        "R1000002",
        "R1000003",
    ]
    assert [q for (q,) in await rows(database, select(ReturnLine.quantity))] == [1, 1, 1]
