"""What the reader sees in the three return emails: subject, text and HTML, every value escaped."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from jinja2 import UndefinedError

from app.mail.templates import render

PUBLIC_URL = "https://shop.example"
LINK = "https://shop.example/returns/R1000007"
HOSTILE = '<script>alert("Ø")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;Ø&#34;)&lt;/script&gt;"


def _ret() -> dict[str, Any]:
    return {
        "number": "R1000007",
        "order_number": "1000042",
        "customer_name": "Solsiden sykehjem",
        "customer_number": "10001",
        "delivered_on": date(2026, 11, 30),
        "reason": "Feil antall",
        "comment": "Bestilte 5, fikk 10.\nRing før kl. 14.",
        "lines": [
            {"sku": "NH-1001", "name": "Nitrilhanske pudderfri M", "quantity": 5, "unit": "eske"},
            {"sku": "KO-2010", "name": "Kompress 10x10 cm steril", "quantity": 2, "unit": "pakke"},
        ],
    }


def samples() -> dict[str, dict[str, Any]]:
    return {
        "return_requested": {
            "ret": _ret(),
            "requested_by": "Anne Assistent",
            "requested_by_email": "anne@solsiden.test",
            "return_id": "UmV0dXJuUmVxdWVzdDo3",
        },
        "return_approved": {"name": "Anne Assistent", "ret": _ret(), "note": "Send til lager Oslo.", "link": LINK},
        "return_rejected": {"name": "Anne Assistent", "ret": _ret(), "note": "Pakken var åpnet.", "link": LINK},
    }


SUBJECTS = {
    "return_requested": "Ny returforespørsel R1000007 fra Solsiden sykehjem (10001)",
    "return_approved": "Retur R1000007 er godkjent",
    "return_rejected": "Retur R1000007 er avslått",
}


@pytest.mark.parametrize("template", sorted(SUBJECTS))
def test_subject_text_and_html(template: str) -> None:
    params = samples()[template]
    mail = render(template, public_url=PUBLIC_URL, **params)
    assert mail.subject == SUBJECTS[template]
    for part in (mail.text, mail.html):
        for expected in (
            "R1000007",
            "1000042",
            "Solsiden sykehjem",
            "10001",
            "mandag 30. november 2026",
            "Feil antall",
        ):
            assert expected in part, (template, expected)
        for expected in ("NH-1001", "Nitrilhanske pudderfri M", "5 eske", "KO-2010", "2 pakke"):
            assert expected in part, (template, expected)
        assert "Bestilte 5, fikk 10." in part and "Vennlig hilsen" in part
    assert "<" not in mail.text and "None" not in mail.text and "None" not in mail.html
    assert mail.html.lstrip().startswith("<!DOCTYPE html>") and '<html lang="nb">' in mail.html
    if template == "return_requested":
        assert "Anne Assistent (anne@solsiden.test)" in mail.text and "UmV0dXJuUmVxdWVzdDo3" in mail.text
    else:
        assert "Hei Anne Assistent," in mail.text and LINK in mail.text and f'href="{LINK}"' in mail.html
        assert params["note"] in mail.text and params["note"] in mail.html


def test_without_comment_or_note_nothing_empty_is_shown() -> None:
    ret = {**_ret(), "comment": None}
    approved = render("return_approved", public_url=PUBLIC_URL, name="Anne", ret=ret, note="", link=LINK)
    assert "Kommentar" not in approved.text and "Kommentar" not in approved.html
    assert "Beskjed fra kundesenteret" not in approved.text and "Beskjed fra kundesenteret" not in approved.html


@pytest.mark.parametrize("template", sorted(SUBJECTS))
def test_every_parameter_is_required(template: str) -> None:
    for missing in samples()[template]:
        params = {k: v for k, v in samples()[template].items() if k != missing}
        with pytest.raises(UndefinedError):
            render(template, public_url=PUBLIC_URL, **params)


@pytest.mark.parametrize("template", sorted(SUBJECTS))
def test_html_escapes_what_customers_and_support_wrote(template: str) -> None:
    params = samples()[template]
    params["ret"] = {**params["ret"], "comment": HOSTILE, "customer_name": HOSTILE}
    params["ret"]["lines"] = [{**params["ret"]["lines"][0], "name": HOSTILE}]
    if "note" in params:
        params["note"] = HOSTILE
    if "requested_by" in params:
        params["requested_by"] = HOSTILE
    mail = render(template, public_url=PUBLIC_URL, **params)
    assert "<script>" not in mail.html and ESCAPED in mail.html
    assert HOSTILE in mail.text
