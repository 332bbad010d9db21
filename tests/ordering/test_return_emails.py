"""The return emails as people receive them: through a real SMTP server, each exactly once."""

from __future__ import annotations

import httpx

from app.db import Database
from tests.helpers.smtp import SmtpSink
from tests.ordering.returns_shop import ReturnShop, request_return, return_input, set_status
from tests.ordering.test_order_emails import body, deliver


def html(message: object) -> str:
    part = message.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    return part.get_content()


async def test_support_hears_of_each_request_and_the_requester_of_each_decision_once(
    client: httpx.AsyncClient, rshop: ReturnShop, database: Database, smtp_sink: SmtpSink
) -> None:
    number = rshop.order.number
    first = await request_return(
        client,
        rshop.token("assistant"),
        return_input(rshop.order, (0, 2), (1, 5), reason="WRONG_QUANTITY", comment="Bestilte 5, fikk 10."),
    )
    assert first["errors"] == []
    assert await deliver(database, smtp_sink) == [
        ("support@shop.test", "Ny returforespørsel R1000001 fra Solsiden sykehjem (10001)")
    ]
    text = body(smtp_sink.messages[0])
    for expected in (
        "Anne Assistant",
        "assistant@example.test",
        f"Ordrenummer:      {number}",
        "NH-100  Nitrilhanske pudderfri M",
        "2 eske",
        "KO-200  Kompress 10x10 cm steril",
        "5 eske",
        "Feil antall",
        "Bestilte 5, fikk 10.",
        first["returnRequest"]["id"],
    ):
        assert expected in text, expected
    page = html(smtp_sink.messages[0])
    assert "NH-100" in page and "Kompress 10x10 cm steril" in page and number in page and '<html lang="nb">' in page

    support = rshop.token("support")
    approved = await set_status(client, support, first["returnRequest"]["id"], "APPROVED", "Send til lager Oslo.")
    assert approved["errors"] == []
    again = await set_status(client, support, first["returnRequest"]["id"], "APPROVED", "Igjen")  # refused: no mail
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    received = await deliver(database, smtp_sink)
    assert received[1:] == [("assistant@example.test", "Retur R1000001 er godkjent")]
    text = body(smtp_sink.messages[1])
    assert (
        "Hei Anne Assistant" in text and "Send til lager Oslo." in text and "http://shop.test/returns/R1000001" in text
    )
    assert "Send til lager Oslo." in html(smtp_sink.messages[1])

    # Received and credited tell nobody by mail; the customer sees them in Returns.
    for status in ("RECEIVED", "CREDITED"):
        assert (await set_status(client, support, first["returnRequest"]["id"], status))["errors"] == []

    second = await request_return(client, rshop.token("main"), return_input(rshop.order, (1, 5)))
    refused = await set_status(client, support, second["returnRequest"]["id"], "REJECTED", "Pakken var åpnet <b>.")
    assert refused["errors"] == []
    received = await deliver(database, smtp_sink)
    assert received[2:] == [
        ("support@shop.test", "Ny returforespørsel R1000002 fra Solsiden sykehjem (10001)"),
        ("main@example.test", "Retur R1000002 er avslått"),
    ]
    text = body(smtp_sink.messages[3])
    assert "Hei Mari Main" in text and "Pakken var åpnet <b>." in text and "KO-200" in text
    assert "Pakken var åpnet &lt;b&gt;." in html(smtp_sink.messages[3])

    # Nothing is sent twice.
    assert len(await deliver(database, smtp_sink)) == 4
