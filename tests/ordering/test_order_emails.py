"""The order emails as people receive them: through a real SMTP server, each exactly once."""

from __future__ import annotations

import httpx

from app.db import Database
from app.mail.sender import MailSender
from app.mail.transport import transport_from_url
from tests.erp.helpers import make_key
from tests.helpers.graphql import gql
from tests.helpers.smtp import SmtpSink
from tests.ordering.shop import Shop, filled_cart, submit

SENDER = "no-reply@nettbutikken.test"


async def deliver(database: Database, sink: SmtpSink) -> list[tuple[str, str]]:
    """Send what is pending; the (recipient, subject) of every message received so far."""
    await MailSender(database, transport_from_url(sink.url), SENDER).deliver_pending()
    return [(m["To"], m["Subject"]) for m in sink.messages]


def body(message: object) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return part.get_content()


async def test_assistant_order_approval_and_shipping_mail_the_right_people_once(
    client: httpx.AsyncClient, shop: Shop, database: Database, smtp_sink: SmtpSink
) -> None:
    payload = await submit(client, shop, await filled_cart(client, shop, "assistant"), "assistant")
    number = payload["order"]["number"]
    assert await deliver(database, smtp_sink) == [("main@example.test", f"Ordre {number} venter på godkjenning")]
    waiting = body(smtp_sink.messages[0])
    assert "Anne Assistant" in waiting and "Solsiden sykehjem" in waiting and f"/orders/{number}" in waiting

    for who in ("purchaser", "main"):  # the second approval is refused and mails nobody
        await gql(
            client,
            "mutation($id: ID!) { approveOrder(orderId: $id) { errors { code } } }",
            {"id": payload["order"]["id"]},
            token=shop.token(who),
        )
    received = await deliver(database, smtp_sink)
    assert received[1:] == [("assistant@example.test", f"Ordrebekreftelse {number}")]
    confirmation = body(smtp_sink.messages[1])
    assert "Per Purchaser" in confirmation and "NH-100" in confirmation

    key = await make_key(database, "orders:write")
    for status, extra in (
        ("IN_PROGRESS", {}),
        (
            "SHIPPED",
            {
                "shipments": [
                    {"carrier": "Bring", "trackingNumber": "370001", "trackingUrl": "https://sporing.bring.no/370001"}
                ]
            },
        ),
    ):
        result = await gql(
            client,
            "mutation($i: OrderStatusInput!) { updateOrderStatus(input: $i) { errors { code } } }",
            {"i": {"orderNumber": number, "status": status, **extra}},
            token=key,
        )
        assert result["data"]["updateOrderStatus"]["errors"] == []
    received = await deliver(database, smtp_sink)
    assert received[2:] == [("assistant@example.test", f"Ordre {number} er sendt")]
    assert "https://sporing.bring.no/370001" in body(smtp_sink.messages[2])

    # Nothing is sent twice.
    assert len(await deliver(database, smtp_sink)) == 3


async def test_a_rejection_reaches_the_assistant_with_the_reason(
    client: httpx.AsyncClient, shop: Shop, database: Database, smtp_sink: SmtpSink
) -> None:
    payload = await submit(client, shop, await filled_cart(client, shop, "assistant"), "assistant")
    number = payload["order"]["number"]
    result = await gql(
        client,
        "mutation($id: ID!, $r: String!) { rejectOrder(orderId: $id, reason: $r) { errors { code } } }",
        {"id": payload["order"]["id"], "r": "Vi har nok kompresser til januar."},
        token=shop.token("purchaser"),
    )
    assert result["data"]["rejectOrder"]["errors"] == []
    received = await deliver(database, smtp_sink)
    assert received == [
        ("main@example.test", f"Ordre {number} venter på godkjenning"),
        ("assistant@example.test", f"Ordre {number} er avvist"),
    ]
    text = body(smtp_sink.messages[1])
    assert "Vi har nok kompresser til januar." in text and "Per Purchaser" in text
