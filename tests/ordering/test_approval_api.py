"""Approving and rejecting an assistant's order: state, dates, history, emails."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import delete, select

from app import clock
from app.db import Database
from app.models import AuditEntry, Order, OrderEvent, OrderStatus, OutboxMessage
from tests.helpers.db import outbox, rows
from tests.helpers.graphql import gql
from tests.ordering.shop import FIRST_DATE, SECOND_DATE, Shop, filled_cart, submit

APPROVE = """
mutation ApproveOrder($orderId: ID!, $deliveryDate: Date) {
  approveOrder(orderId: $orderId, deliveryDate: $deliveryDate) {
    order { id status deliveryDate approvedBy { name } approvedAt }
    errors { code message }
  }
}
"""

REJECT = """
mutation RejectOrder($orderId: ID!, $reason: String!) {
  rejectOrder(orderId: $orderId, reason: $reason) {
    order { id status rejectionReason }
    errors { code field message }
  }
}
"""


async def pending(client: httpx.AsyncClient, shop: Shop, database: Database) -> str:
    payload = await submit(client, shop, await filled_cart(client, shop, "assistant"), "assistant")
    assert payload["order"]["status"] == "PENDING_APPROVAL"
    async with database.transaction() as session:
        await session.execute(delete(OutboxMessage))  # the approval request; these tests look at what follows
    return payload["order"]["id"]


async def statuses(database: Database) -> list[OrderStatus]:
    return [status for (status,) in await rows(database, select(OrderEvent.status).order_by(OrderEvent.id))]


async def test_a_purchaser_approves_and_the_assistant_gets_the_confirmation(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    order_id = await pending(client, shop, database)
    result = await gql(client, APPROVE, {"orderId": order_id}, token=shop.token("purchaser"))
    payload = result["data"]["approveOrder"]
    assert payload["errors"] == []
    assert payload["order"]["status"] == "SUBMITTED"
    assert payload["order"]["approvedBy"] == {"name": "Per Purchaser"}
    assert payload["order"]["approvedAt"].startswith("2026-12-01T08:00:00")
    assert payload["order"]["deliveryDate"] == FIRST_DATE.isoformat()
    mails = await outbox(database)
    assert [(m.template, m.to_address) for m in mails] == [("order_confirmation", "assistant@example.test")]
    assert "Per Purchaser" in mails[0].text_body
    assert await statuses(database) == [OrderStatus.PENDING_APPROVAL, OrderStatus.SUBMITTED]
    actions = [a for (a,) in await rows(database, select(AuditEntry.action).where(AuditEntry.action.like("order.%")))]
    assert actions == ["order.awaiting_approval", "order.approved"]


async def test_approving_twice_is_invalid_state_and_mails_once(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    order_id = await pending(client, shop, database)
    first = await gql(client, APPROVE, {"orderId": order_id}, token=shop.token("main"))
    second = await gql(client, APPROVE, {"orderId": order_id}, token=shop.token("purchaser"))
    assert first["data"]["approveOrder"]["errors"] == []
    assert [e["code"] for e in second["data"]["approveOrder"]["errors"]] == ["INVALID_STATE"]
    assert len(await outbox(database)) == 1
    reject = await gql(client, REJECT, {"orderId": order_id, "reason": "For sent"}, token=shop.token("main"))
    assert [e["code"] for e in reject["data"]["rejectOrder"]["errors"]] == ["INVALID_STATE"]


async def test_a_date_past_its_cut_off_keeps_the_order_pending_until_another_date_is_given(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    order_id = await pending(client, shop, database)
    clock.set_now(datetime(2026, 12, 1, 13, 30, tzinfo=UTC))  # 14:30 in Oslo: past the cut-off for 2 December
    refused = await gql(client, APPROVE, {"orderId": order_id}, token=shop.token("main"))
    assert [e["code"] for e in refused["data"]["approveOrder"]["errors"]] == ["INVALID_DELIVERY_DATE"]
    [(status,)] = await rows(database, select(Order.status))
    assert status is OrderStatus.PENDING_APPROVAL
    assert await outbox(database) == []

    holiday = await gql(client, APPROVE, {"orderId": order_id, "deliveryDate": "2026-12-25"}, token=shop.token("main"))
    assert [e["code"] for e in holiday["data"]["approveOrder"]["errors"]] == ["INVALID_DELIVERY_DATE"]

    moved = await gql(
        client, APPROVE, {"orderId": order_id, "deliveryDate": SECOND_DATE.isoformat()}, token=shop.token("main")
    )
    assert moved["data"]["approveOrder"]["errors"] == []
    assert moved["data"]["approveOrder"]["order"]["deliveryDate"] == SECOND_DATE.isoformat()
    [(note,)] = await rows(database, select(OrderEvent.note).where(OrderEvent.status == OrderStatus.SUBMITTED))
    assert "2026-12-03" in note


async def test_reject_needs_a_reason_and_tells_the_assistant(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    order_id = await pending(client, shop, database)
    blank = await gql(client, REJECT, {"orderId": order_id, "reason": "   "}, token=shop.token("main"))
    assert [(e["code"], e["field"]) for e in blank["data"]["rejectOrder"]["errors"]] == [("INVALID_INPUT", "reason")]
    huge = await gql(client, REJECT, {"orderId": order_id, "reason": "x" * 10_000}, token=shop.token("main"))
    assert [(e["code"], e["field"]) for e in huge["data"]["rejectOrder"]["errors"]] == [("INVALID_INPUT", "reason")]
    assert await statuses(database) == [OrderStatus.PENDING_APPROVAL]

    result = await gql(
        client, REJECT, {"orderId": order_id, "reason": "Vi har nok hansker på lager."}, token=shop.token("main")
    )
    payload = result["data"]["rejectOrder"]
    assert payload["errors"] == []
    assert payload["order"] == {"id": order_id, "status": "REJECTED", "rejectionReason": "Vi har nok hansker på lager."}
    mails = await outbox(database)
    assert [(m.template, m.to_address) for m in mails] == [("order_rejected", "assistant@example.test")]
    assert "Vi har nok hansker på lager." in mails[0].text_body
    assert await statuses(database) == [OrderStatus.PENDING_APPROVAL, OrderStatus.REJECTED]


async def test_an_unknown_or_foreign_order_id_is_not_found(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    order_id = await pending(client, shop, database)
    for token, target in ((shop.token("main"), "bm9wZQ"), (shop.token("other_main"), order_id)):
        result = await gql(client, APPROVE, {"orderId": target}, token=token)
        assert [e["code"] for e in result["data"]["approveOrder"]["errors"]] == ["NOT_FOUND"]
    [(status,)] = await rows(database, select(Order.status))
    assert status is OrderStatus.PENDING_APPROVAL
