"""What the reader sees in the four order emails, and the ``nok`` / ``no_date`` filters."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from jinja2 import UndefinedError

from app.mail.templates import no_date, nok, render

PUBLIC_URL = "https://shop.example"
LINK = "https://shop.example/ordre/1000042?fra=epost&x=1"
NBSP = "\u00a0"
HOSTILE = '<script>alert("Ø")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;Ø&#34;)&lt;/script&gt;"


def kr(text: str) -> str:
    """``"1 234,50 kr"`` written with ordinary spaces, as the filter writes it (no-break spaces)."""
    return text.replace(" ", NBSP)


def _order() -> dict[str, Any]:
    return {
        "number": "1000042",
        "customer_name": "Solsiden sykehjem",
        "customer_number": "10001",
        "delivery_date": date(2026, 12, 4),
        "address_lines": ["Solsiden sykehjem, avd. 2", "Storgata 1", "0155 Oslo"],
        "reference": "PO-778 Åse",
        "comment": "Lever til varemottaket.\nRing før kl. 14.",
        "placed_by": "Anne Assistent",
        "lines": [
            {
                "sku": "NH-1001",
                "name": "Nitrilhanske pudderfri M",
                "quantity": 10,
                "unit": "eske",
                "unit_price": Decimal("89.00"),
                "line_total": Decimal("890.00"),
            },
            {
                "sku": "KO-2010",
                "name": "Kompress 10x10 cm steril",
                "quantity": 3,
                "unit": "pakke",
                "unit_price": Decimal("114.8333"),
                "line_total": Decimal("344.50"),
            },
        ],
        "subtotal": Decimal("1234.5"),
        "vat": Decimal("308.625"),
        "total": Decimal("1543.125"),
    }


def samples() -> dict[str, dict[str, Any]]:
    """Every parameter of every order template (fresh copies: tests may change them)."""
    return {
        "order_confirmation": {
            "name": "Anne Assistent",
            "order": _order(),
            "approved_by": "Per Hovedbruker",
            "link": LINK,
        },
        "order_awaiting_approval": {"name": "Per Hovedbruker", "order": _order(), "link": LINK},
        "order_rejected": {
            "name": "Anne Assistent",
            "order": _order(),
            "rejected_by": "Per Hovedbruker",
            "reason": "Vi har nok hansker på lager.\nBestill heller 5 esker neste uke.",
            "link": LINK,
        },
        "order_shipped": {
            "name": "Anne Assistent",
            "order": _order(),
            "shipments": [
                {
                    "carrier": "Bring",
                    "tracking_number": "370712345678",
                    "tracking_url": "https://sporing.example/370712345678",
                },
                {"carrier": "PostNord", "tracking_number": "PN-99887766", "tracking_url": None},
            ],
            "link": LINK,
        },
    }


TEMPLATES = sorted(samples())
SUBJECTS = {
    "order_confirmation": "Ordrebekreftelse 1000042",
    "order_awaiting_approval": "Ordre 1000042 venter på godkjenning",
    "order_rejected": "Ordre 1000042 er avvist",
    "order_shipped": "Ordre 1000042 er sendt",
}


def _render(template: str, **changes: Any):
    return render(template, public_url=PUBLIC_URL, **{**samples()[template], **changes})


# --- filters -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.5"), "1 234,50 kr"),
        (Decimal("0"), "0,00 kr"),
        (Decimal("7.1"), "7,10 kr"),
        (Decimal("999.99"), "999,99 kr"),
        (Decimal("999.995"), "1 000,00 kr"),  # half up, to øre
        (Decimal("0.005"), "0,01 kr"),
        (Decimal("0.0049"), "0,00 kr"),
        (Decimal("1234567.891"), "1 234 567,89 kr"),
        (Decimal("-1234.5"), "-1 234,50 kr"),
        (Decimal("-0.001"), "0,00 kr"),  # no "-0,00 kr"
        (Decimal("1E+3"), "1 000,00 kr"),
        (250, "250,00 kr"),
    ],
)
def test_nok_formats_norwegian_kroner_with_no_break_spaces(amount: Decimal | int, expected: str) -> None:
    assert nok(amount) == kr(expected)
    assert " " not in nok(amount)  # never an ordinary space: the amount cannot wrap


@pytest.mark.parametrize("amount", [12.5, True, "12.50", None])
def test_nok_refuses_anything_but_decimal_or_int(amount: Any) -> None:
    with pytest.raises(TypeError):
        nok(amount)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 4), "fredag 4. desember 2026"),
        (date(2026, 6, 1), "mandag 1. juni 2026"),
        (date(2026, 2, 3), "tirsdag 3. februar 2026"),
        (date(2026, 3, 25), "onsdag 25. mars 2026"),
        (date(2026, 4, 30), "torsdag 30. april 2026"),
        (date(2026, 5, 16), "lørdag 16. mai 2026"),
        (date(2027, 1, 3), "søndag 3. januar 2027"),
        (date(2026, 7, 1), "onsdag 1. juli 2026"),
        (date(2026, 8, 1), "lørdag 1. august 2026"),
        (date(2026, 9, 1), "tirsdag 1. september 2026"),
        (date(2026, 10, 1), "torsdag 1. oktober 2026"),
        (date(2026, 11, 1), "søndag 1. november 2026"),
        (datetime(2026, 12, 4, 23, 59), "fredag 4. desember 2026"),
    ],
)
def test_no_date_names_weekday_and_month_in_norwegian(day: date, expected: str) -> None:
    assert no_date(day) == expected


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity")])
def test_nok_refuses_nan_and_infinity(amount: Decimal) -> None:
    with pytest.raises(ValueError):
        nok(amount)


def test_no_date_refuses_a_string() -> None:
    with pytest.raises(TypeError):
        no_date("2026-12-04")  # type: ignore[arg-type]


# --- every template --------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_subject_text_and_html(template: str) -> None:
    mail = _render(template)

    assert mail.subject == SUBJECTS[template]
    for body in (mail.text, mail.html):
        assert "1000042" in body
        assert "Solsiden sykehjem" in body
        assert "fredag 4. desember 2026" in body
        assert "Vennlig hilsen" in body
        assert "None" not in body
    assert mail.text.startswith(f"Hei {samples()[template]['name']},\n")
    assert LINK in mail.text and 'href="https://shop.example/ordre/1000042?fra=epost&amp;x=1"' in mail.html
    # Plain text is plain; the layout frames the HTML.
    assert "<" not in mail.text and "&" not in mail.text.replace(LINK, "")
    assert mail.html.lstrip().startswith("<!DOCTYPE html>") and '<html lang="nb">' in mail.html
    assert f"<title>{SUBJECTS[template]}</title>" in mail.html


@pytest.mark.parametrize("template", TEMPLATES)
def test_address_reference_and_comment(template: str) -> None:
    mail = _render(template)
    assert (
        "Leveringsadresse: Solsiden sykehjem, avd. 2\n"
        "                  Storgata 1\n"
        "                  0155 Oslo\n"
        "Referanse:        PO-778 Åse\n"
        "Kommentar:        Lever til varemottaket.\n"
        "                  Ring før kl. 14.\n"
        "Bestilt av:       Anne Assistent\n"
    ) in mail.text
    assert "Solsiden sykehjem, avd. 2<br>Storgata 1<br>0155 Oslo" in mail.html
    assert "PO-778 Åse" in mail.html and "Lever til varemottaket.\nRing før kl. 14." in mail.html


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_reference_or_comment_leaves_them_out(template: str) -> None:
    order = {**_order(), "reference": None, "comment": ""}
    mail = _render(template, order=order)
    for body in (mail.text, mail.html):
        assert "Referanse" not in body and "Kommentar" not in body and "None" not in body


@pytest.mark.parametrize("template", TEMPLATES)
def test_html_escapes_everything_the_caller_passes(template: str) -> None:
    def hostile(value: Any) -> Any:
        if isinstance(value, str):
            return HOSTILE
        if isinstance(value, list):
            return [hostile(v) for v in value]
        if isinstance(value, dict):
            return {k: hostile(v) for k, v in value.items()}
        return value

    params = hostile(copy.deepcopy(samples()[template]))
    mail = render(template, public_url=PUBLIC_URL, **params)

    assert "<script>" not in mail.html
    assert ESCAPED in mail.html
    assert HOSTILE in mail.text  # the plain-text part shows the value as typed


def test_reference_with_script_tag_is_escaped() -> None:
    mail = _render("order_confirmation", order={**_order(), "reference": "<script>x()</script> & co"})
    assert "<script>" not in mail.html
    assert "&lt;script&gt;x()&lt;/script&gt; &amp; co" in mail.html
    assert "Referanse:        <script>x()</script> & co\n" in mail.text


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_parameter_is_required(template: str) -> None:
    """StrictUndefined: a forgotten parameter fails loudly instead of mailing a blank."""
    for missing in samples()[template]:
        params = {k: v for k, v in samples()[template].items() if k != missing}
        with pytest.raises(UndefinedError):
            render(template, public_url=PUBLIC_URL, **params)


@pytest.mark.parametrize(
    ("template", "key"),
    [
        (template, key)
        for template in TEMPLATES
        for key in ("reference", "comment", "placed_by", "total", "delivery_date")
        if (template, key) != ("order_shipped", "total")  # the shipping notice shows no amounts
    ],
)
def test_every_order_key_is_required(template: str, key: str) -> None:
    order = {k: v for k, v in _order().items() if k != key}
    with pytest.raises(UndefinedError):
        _render(template, order=order)


# --- order_confirmation ----------------------------------------------------------------------------------


def test_confirmation_lists_lines_and_totals() -> None:
    mail = _render("order_confirmation")
    assert (
        "- NH-1001  Nitrilhanske pudderfri M\n"
        f"  10 eske à {kr('89,00 kr')} = {kr('890,00 kr')}\n"
        "\n"
        "- KO-2010  Kompress 10x10 cm steril\n"
        f"  3 pakke à {kr('114,83 kr')} = {kr('344,50 kr')}\n"
    ) in mail.text
    assert f"Sum eks. mva:          {kr('1 234,50 kr')}\n" in mail.text
    assert f"Mva 25 %:                {kr('308,63 kr')}\n" in mail.text
    assert f"Totalt inkl. mva:      {kr('1 543,13 kr')}\n" in mail.text

    for cell in ("NH-1001", "Nitrilhanske pudderfri M", "10 eske", kr("89,00 kr"), kr("890,00 kr")):
        assert f">{cell}</td>" in mail.html
    for label, amount in (
        ("Sum eks. mva", "1 234,50 kr"),
        ("Mva 25 %", "308,63 kr"),
        ("Totalt inkl. mva", "1 543,13 kr"),
    ):
        assert f">{label}</td>" in mail.html and f">{kr(amount)}</td>" in mail.html
    assert ">Se ordren</a>" in mail.html


def test_confirmation_with_and_without_approver() -> None:
    approved = _render("order_confirmation")
    for body in (approved.text, approved.html):
        assert "Ordren er godkjent av Per Hovedbruker" in body

    direct = _render("order_confirmation", approved_by=None)
    for body in (direct.text, direct.html):
        assert "godkjent" not in body and "None" not in body
        assert "Takk for bestillingen!" in body


# --- order_awaiting_approval -----------------------------------------------------------------------------


def test_awaiting_approval_says_who_what_when_and_where_to_act() -> None:
    mail = _render("order_awaiting_approval")
    assert mail.text.startswith("Hei Per Hovedbruker,\n")
    for body in (mail.text, mail.html):
        assert "Anne Assistent har lagt inn ordre 1000042 for Solsiden sykehjem" in body
        assert "venter på godkjenning" in body
        assert "skal leveres fredag 4. desember 2026" in body
        assert f"{kr('1 543,13 kr')}" in body and "inkl. mva" in body
        assert "hovedbruker eller innkjøper må godkjenne eller avvise den under «Mine ordre»" in body
        assert "Nitrilhanske pudderfri M" in body and "Kompress 10x10 cm steril" in body
    assert f"«Mine ordre»:\n{LINK}\n" in mail.text


# --- order_rejected --------------------------------------------------------------------------------------


def test_rejected_gives_the_reason_verbatim_and_who_rejected() -> None:
    mail = _render("order_rejected")
    reason = "Vi har nok hansker på lager.\nBestill heller 5 esker neste uke."
    assert f"Begrunnelse:\n{reason}\n" in mail.text
    assert f'white-space:pre-line;">{reason}</div>' in mail.html
    for body in (mail.text, mail.html):
        assert "er avvist av Per Hovedbruker" in body
        assert "Varene blir ikke sendt." in body
        assert "«Bestill på nytt»" in body and "ny handlekurv" in body


def test_rejected_reason_is_escaped_in_html() -> None:
    mail = _render("order_rejected", reason="Pris > budsjett & <b>feil</b> avdeling")
    assert "Pris &gt; budsjett &amp; &lt;b&gt;feil&lt;/b&gt; avdeling" in mail.html
    assert "<b>" not in mail.html
    assert "Begrunnelse:\nPris > budsjett & <b>feil</b> avdeling\n" in mail.text


def test_rejected_without_reason_leaves_the_heading_out() -> None:
    mail = _render("order_rejected", reason="")
    assert "Begrunnelse" not in mail.text and "Begrunnelse" not in mail.html
    assert "er avvist av Per Hovedbruker" in mail.text


# --- order_shipped ---------------------------------------------------------------------------------------


def test_shipped_lists_each_shipment_with_tracking_link_only_when_given() -> None:
    mail = _render("order_shipped")
    assert "er sendt i 2 forsendelser." in mail.text
    assert (
        "Transportør:      Bring\n"
        "Sporingsnummer:   370712345678\n"
        "Spor sendingen:   https://sporing.example/370712345678\n"
        "\n"
        "Transportør:      PostNord\n"
        "Sporingsnummer:   PN-99887766\n"
        "\n"
    ) in mail.text
    assert '<a href="https://sporing.example/370712345678"' in mail.html
    assert mail.html.count(">Spor sendingen</a>") == 1
    assert ">PostNord</td>" in mail.html and ">PN-99887766</td>" in mail.html


def test_shipped_without_any_tracking_url_has_no_tracking_link() -> None:
    shipments = [{"carrier": "Bring", "tracking_number": "370712345678", "tracking_url": None}]
    mail = _render("order_shipped", shipments=shipments)
    assert "Ordre 1000042 for Solsiden sykehjem er sendt." in mail.text
    assert "forsendelser" not in mail.text
    assert "Spor sendingen" not in mail.text and "Spor sendingen" not in mail.html
    assert "sporing.example" not in mail.html
    assert "Sporingsnummer:   370712345678\n" in mail.text


def test_shipped_shipment_needs_a_tracking_url_key() -> None:
    with pytest.raises(UndefinedError):
        _render("order_shipped", shipments=[{"carrier": "Bring", "tracking_number": "1"}])


@pytest.mark.parametrize("template", TEMPLATES)
def test_unknown_placer_leaves_bestilt_av_out(template: str) -> None:
    """The caller passes ``placed_by=""`` when the user who placed the order no longer exists."""
    mail = _render(template, order={**_order(), "placed_by": ""})
    for body in (mail.text, mail.html):
        assert "Bestilt av" not in body
    assert "Ring før kl. 14.\n\n" in mail.text  # no dangling label, one blank line after the details
    if template == "order_awaiting_approval":
        assert "Det er lagt inn ordre 1000042 for Solsiden sykehjem" in mail.text
