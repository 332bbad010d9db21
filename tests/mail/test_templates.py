"""What the recipient reads: subject, plain text and HTML of every message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError
from markupsafe import escape

from app.mail.templates import render
from tests.mail.conftest import SAMPLES

PUBLIC_URL = "http://shop.test"
TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "mail" / "templates"

SUBJECTS = {
    "password_reset": "Tilbakestill passordet ditt hos Nettbutikken",
    "invitation": "Du er invitert til Nettbutikken",
    "membership_added": "Du er lagt til som bruker i Nettbutikken",
    "account_request_received": "Ny forespørsel om konto: Tannlegene på Grünerløkka AS (Siv Sæther)",
    "account_request_rejected": "Forespørselen din om konto hos Nettbutikken",
}

HOSTILE = '<script>alert("Ø")</script>'


def _values(params: dict[str, Any]) -> list[str]:
    """Every string the recipient should see, lists flattened."""
    out: list[str] = []
    for value in params.values():
        out.extend(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    return out


def test_every_message_has_its_three_files() -> None:
    for name in SAMPLES:
        for suffix in ("subject.txt", "txt", "html"):
            assert (TEMPLATES / f"{name}.{suffix}").is_file(), f"{name}.{suffix} is missing"
    assert (TEMPLATES / "_layout.html").is_file()


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_renders_subject_text_and_html(template: str) -> None:
    params = SAMPLES[template]
    mail = render(template, public_url=PUBLIC_URL, **params)

    assert mail.subject == SUBJECTS[template]
    for value in _values(params):
        assert value in mail.text, f"{value!r} missing from the text part"
        assert str(escape(value)) in mail.html, f"{value!r} missing from the HTML part"
    # Plain text is plain; nothing leaks as "None"; the layout frames the HTML.
    assert "<" not in mail.text and "None" not in mail.text and "None" not in mail.html
    assert mail.html.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="nb">' in mail.html and "Nettbutikken" in mail.html
    assert f'href="{PUBLIC_URL}"' in mail.html
    assert "Vennlig hilsen" in mail.text and "Vennlig hilsen" in mail.html


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_every_parameter_is_required(template: str) -> None:
    """StrictUndefined: a forgotten parameter fails loudly instead of mailing a blank."""
    for missing in SAMPLES[template]:
        params = {k: v for k, v in SAMPLES[template].items() if k != missing}
        with pytest.raises(UndefinedError):
            render(template, public_url=PUBLIC_URL, **params)


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_html_escapes_every_value(template: str) -> None:
    params = {
        key: [HOSTILE, "A & B"] if isinstance(value, list) else HOSTILE for key, value in SAMPLES[template].items()
    }
    mail = render(template, public_url=PUBLIC_URL, **params)

    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(&#34;Ø&#34;)&lt;/script&gt;" in mail.html
    if template == "invitation":
        assert "A &amp; B" in mail.html
    # The plain-text part shows the value as typed.
    assert HOSTILE in mail.text


def test_subject_stays_one_line_whatever_the_input() -> None:
    params = {**SAMPLES["account_request_received"], "company_name": "Firma\r\nBcc: alle@example.test\n AS"}
    mail = render("account_request_received", public_url=PUBLIC_URL, **params)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.subject == "Ny forespørsel om konto: Firma Bcc: alle@example.test AS (Siv Sæther)"


def test_password_reset_says_how_long_the_link_lives() -> None:
    mail = render("password_reset", public_url=PUBLIC_URL, **SAMPLES["password_reset"])
    assert mail.text.startswith("Hei Kari Ødegård,")
    assert "gyldig i én time" in mail.text and "gyldig i én time" in mail.html
    assert 'href="http://shop.test/reset-password?token=ot_abc123&amp;x=1"' in mail.html
    assert "\nhttp://shop.test/reset-password?token=ot_abc123&x=1\n" in mail.text


def test_invitation_names_inviter_customers_and_validity() -> None:
    mail = render("invitation", public_url=PUBLIC_URL, **SAMPLES["invitation"])
    assert "Åse Ødegaard har invitert deg" in mail.text
    assert "- Helsesenteret Æra (20001)\n- Legekontoret på Løten (20002)\n" in mail.text
    assert "<li>Helsesenteret Æra (20001)</li>" in mail.html
    assert "<li>Legekontoret på Løten (20002)</li>" in mail.html
    assert "gyldig i 7 dager" in mail.text and "gyldig i 7 dager" in mail.html


def test_invitation_without_inviter_or_customers() -> None:
    params = {**SAMPLES["invitation"], "invited_by": None, "customer_names": []}
    mail = render("invitation", public_url=PUBLIC_URL, **params)
    for body in (mail.text, mail.html):
        assert "Du er invitert til å bruke Nettbutikken." in body
        assert "har invitert deg" not in body and "None" not in body
    assert "<li>" not in mail.html and "\n- " not in mail.text


def test_account_request_received_lists_the_details() -> None:
    mail = render("account_request_received", public_url=PUBLIC_URL, **SAMPLES["account_request_received"])
    for line in (
        "Navn: Siv Sæther",
        "E-post: siv@klinikk.test",
        "Telefon: +47 912 34 567",
        "Firma: Tannlegene på Grünerløkka AS",
        "Kundenummer: 20017",
        "Melding:\nVi ønsker å bestille hansker.\nRing gjerne før kl. 15.",
    ):
        assert line in mail.text
    assert 'href="mailto:siv@klinikk.test"' in mail.html


def test_account_request_received_without_optional_fields() -> None:
    params = {**SAMPLES["account_request_received"], "customer_number": None, "message": None}
    mail = render("account_request_received", public_url=PUBLIC_URL, **params)
    assert "Kundenummer: ikke oppgitt" in mail.text
    assert "ikke oppgitt" in mail.html
    assert "Melding" not in mail.text and "Melding" not in mail.html
    assert "None" not in mail.text and "None" not in mail.html


def test_rejection_with_and_without_reason() -> None:
    given = render("account_request_rejected", public_url=PUBLIC_URL, **SAMPLES["account_request_rejected"])
    assert given.text.startswith("Hei Øystein Ås,")
    assert "Begrunnelse:\nVi selger bare til helsepersonell og helseforetak." in given.text
    assert "Begrunnelse" in given.html

    blank = render(
        "account_request_rejected", public_url=PUBLIC_URL, **{**SAMPLES["account_request_rejected"], "reason": ""}
    )
    assert "Begrunnelse" not in blank.text and "Begrunnelse" not in blank.html
    assert "kan dessverre ikke godkjenne" in blank.text and "kan dessverre ikke godkjenne" in blank.html
